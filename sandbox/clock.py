"""The sandbox clock: the only source of time.

Each tenant owns a :class:`Clock` that starts at the fixture's start time and then either runs
at real speed or stands still (``frozen``). Tests move it with :meth:`Clock.advance` instead of
sleeping; rate-limit windows, progressions, ``storageDays`` and every timestamp read it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """A wall clock that can be frozen, set and advanced."""

    __slots__ = ("_anchor", "_base", "_monotonic", "frozen")

    def __init__(
        self,
        start: datetime,
        *,
        frozen: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._base = _as_utc(start)
        self._anchor = monotonic()
        self.frozen = frozen

    def now(self) -> datetime:
        if self.frozen:
            return self._base
        return self._base + timedelta(0, self._monotonic() - self._anchor)  # (days, s)

    def timestamp(self) -> float:
        """Seconds since the epoch on this clock, for arithmetic on windows and delays."""
        return self.now().timestamp()

    def set(self, now: datetime | None = None, *, frozen: bool | None = None) -> None:
        """Jump to ``now`` (default: stay where it is) and optionally freeze or thaw."""
        self._base = _as_utc(now) if now is not None else self.now()
        self._anchor = self._monotonic()
        if frozen is not None:
            self.frozen = frozen

    def advance(self, seconds: float) -> None:
        self.set(self.now() + timedelta(seconds=seconds))


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def isoformat(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` and seconds precision, as the reference writes timestamps."""
    if moment.tzinfo is not UTC:
        moment = _as_utc(moment)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 (the fastest form)
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )  # the same as strftime("%Y-%m-%dT%H:%M:%SZ"), in a third of its time


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or an offset; naive means UTC)."""
    return _as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


#: The moments a sandbox clock may show: set or moved outside them is a 400, so that no later
#: date arithmetic (a window, a progression step, ``storageDays``) can overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def in_range(moment: datetime) -> bool:
    """Whether ``moment`` is one a sandbox clock may show (:data:`EARLIEST`..:data:`LATEST`)."""
    return EARLIEST <= _as_utc(moment) <= LATEST
