"""Who may call what, and how often: scopes, API keys and rate limits.

These are values of the domain, read by the store, the scenario engine and the rate limiter
alike; the fixture loader only builds them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every scope, as the reference names them (and ``coupons:write`` for the inferred claim).
SCOPES: tuple[str, ...] = (
    "products:read", "cart:read", "cart:write", "orders:read", "orders:write",
    "logistics:read", "shipping:read", "shipping:write", "warehouse:read", "profile:read",
    "profile:write", "wallet:read", "favorites:read", "favorites:write", "coupons:read",
    "coupons:write",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key and the user it acts for. ``minted`` keys were made by ``POST /__sandbox/keys``
    (they can be retired); the fixture's own cannot."""

    key: str
    user_id: int
    scopes: tuple[str, ...]
    minted: bool = False


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A fixed window: ``limit`` requests per ``window_seconds`` of the tenant's clock."""

    limit: int = 1000
    window_seconds: int = 60
