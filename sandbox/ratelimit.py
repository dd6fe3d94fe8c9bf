"""A per-key fixed-window rate limiter on the tenant's clock, as @nestjs/throttler answers.

The window starts at a key's first request. Every request that passes carries
``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (whole seconds
until the window ends); one over the limit is a 429 with ``Retry-After`` of the same seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sandbox.domain.access import RateLimit
from sandbox.errors import TooManyRequests

Headers = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Window:
    started: float
    count: int


class RateLimiter:
    __slots__ = ("default", "overrides", "windows")

    def __init__(self, default: RateLimit) -> None:
        self.default = default
        self.overrides: dict[str, RateLimit] = {}  # per key, set by scenarios
        self.windows: dict[str, Window] = {}

    def hit(self, key: str, now: float, rule: RateLimit | None = None) -> Headers:
        """Count one request of ``key`` at ``now`` (seconds on its tenant's clock), under
        ``rule`` (a scenario's override) or else the key's override or the default."""
        if rule is None:
            rule = self.overrides.get(key, self.default)
        window = self.windows.get(key)
        if window is None or now >= window.started + rule.window_seconds or now < window.started:
            window = self.windows[key] = Window(now, 0)
        reset = max(1, math.ceil(window.started + rule.window_seconds - now))
        if window.count >= rule.limit:
            raise TooManyRequests(reset, headers=_headers(rule.limit, 0, reset))
        window.count += 1
        return [
            (b"x-ratelimit-limit", b"%d" % rule.limit),
            (b"x-ratelimit-remaining", b"%d" % (rule.limit - window.count)),
            (b"x-ratelimit-reset", b"%d" % reset),
        ]

    def forget(self, key: str | None = None) -> None:
        if key is None:
            self.windows.clear()
        else:
            self.windows.pop(key, None)


def _headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
    }
