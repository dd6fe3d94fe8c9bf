"""Order and shipping-order progressions, with moto's transition models.

``immediate`` moves every order straight to the target status; ``manual`` moves an order one
step after every N reads of it (the read after the Nth sees the new status, as moto does);
``time`` moves it one step after every N seconds of the tenant's sandbox clock, counted from
the later of the activation and the order's creation. Steps go through the commerce domain's
``advance_order`` / ``advance_shipping``, so every side effect of a step happens.

A time step is dated at the moment it falls due (the engine stops the clock at each such
moment of a jump). A step the domain refuses (a service fee the wallet cannot pay) stays due:
it is retried when the clock next moves, never at the same moment again, so a call that does
not move the clock (a top-up, a read) never makes it jump; once taken, the order's next step
counts from then.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox.domain.lifecycle import (
    ORDER_LIFECYCLE,
    SHIPPING_LIFECYCLE,
    advance_order,
    advance_shipping,
)
from sandbox.errors import ApiError
from sandbox.scenario.model import Progression

ORDER_FLOW = ORDER_LIFECYCLE.flow
SHIPPING_FLOW = SHIPPING_LIFECYCLE.flow

#: ``step(tenant, order_no, inspection)``: one step of one order.
Step = Callable[[Any, str, "str | None"], None]


class Track:
    """The timing of one progression on one tenant."""

    __slots__ = ("blocked", "flow", "kind", "moved", "progression", "reads", "since", "started",
                 "step")  # fmt: skip

    def __init__(self, kind: str, progression: Progression, started: float, step: Step) -> None:
        self.kind = kind
        self.progression = progression
        self.flow = ORDER_FLOW if kind == "orders" else SHIPPING_FLOW
        self.started = started
        self.step = step
        self.since: dict[str, float] = {}
        self.reads: dict[str, int] = {}
        #: Orders whose due step the domain refused, and the clock's moment of the refusal.
        self.blocked: dict[str, float] = {}
        #: Steps taken so far: the engine compares it before and after to learn whether the
        #: tenant's state changed (a step the domain refuses changes nothing, and counts not).
        self.moved = 0

    @property
    def target(self) -> str:
        wanted = self.progression.to
        return wanted if wanted is not None and wanted in self.flow else self.flow[-1]

    def movable(self, tenant: Any) -> list[str]:
        """Order numbers this progression still has to move, in creation order."""
        orders = _orders(tenant, self.kind)
        only = self.progression.only
        last = self.flow.index(self.target)
        return [
            number
            for number, order in orders.items()
            if (only is None or number in only)
            and order.status in self.flow
            and self.flow.index(order.status) < last
        ]

    def _since(self, tenant: Any, number: str) -> float:
        if number not in self.since:
            order = _orders(tenant, self.kind)[number]
            created = getattr(order, "created_at", None)
            start = self.started
            if isinstance(created, datetime):
                start = max(start, created.timestamp())
            self.since[number] = start
        return self.since[number]

    def next_due(self, tenant: Any) -> float | None:
        """When the next time step falls due, in seconds of the tenant's clock."""
        if self.progression.model != "time":
            return None
        dues = [
            self._since(tenant, n) + self.progression.seconds
            for n in self.movable(tenant)
            if n not in self.blocked  # retried whenever the clock moves, not at a due moment
        ]
        return min(dues, default=None)

    def fire(self, tenant: Any, now: float, inspection: str | None) -> None:
        """Make every step due at ``now``."""
        model = self.progression.model
        if model == "immediate":
            for number in self.movable(tenant):
                self._advance_to_target(tenant, number, inspection)
        elif model == "time":
            seconds = self.progression.seconds
            for number in self.movable(tenant):
                blocked_at = self.blocked.get(number)
                if blocked_at is not None:
                    if now <= blocked_at or not self._step(tenant, number, inspection):
                        self.blocked[number] = max(now, blocked_at)
                        continue
                    del self.blocked[number]
                    self.since[number] = now  # the refused step, taken now
                since = self._since(tenant, number)
                steps = math.floor((now - since) / seconds + 1e-9)
                for _ in range(max(0, steps)):
                    if not self._step(tenant, number, inspection):
                        self.blocked[number] = now
                        break
                    since += seconds
                self.since[number] = since

    def read(self, tenant: Any, number: str, inspection: str | None) -> None:
        """One read of order ``number`` under the ``manual`` model."""
        if self.progression.model != "manual" or number not in self.movable(tenant):
            return
        seen = self.reads.get(number, 0)
        if seen < self.progression.times:
            self.reads[number] = seen + 1
        else:
            self.reads[number] = 0
            self._step(tenant, number, inspection)

    def _advance_to_target(self, tenant: Any, number: str, inspection: str | None) -> None:
        for _ in range(len(self.flow)):
            if number not in self.movable(tenant) or not self._step(tenant, number, inspection):
                return

    def _step(self, tenant: Any, number: str, inspection: str | None) -> bool:
        if number not in self.movable(tenant):
            return False
        try:
            self.step(tenant, number, inspection)
        except ApiError:  # the domain refused (its guard): nothing changed
            return False
        self.moved += 1
        return True


def _orders(tenant: Any, kind: str) -> dict[str, Any]:
    found = getattr(tenant, "orders" if kind == "orders" else "shipping", None)
    return found if isinstance(found, dict) else {}


def order_step(catalog: Any) -> Step:
    """One step of a purchase order, through the commerce domain."""

    def step(tenant: Any, number: str, inspection: str | None) -> None:
        if inspection is None:
            advance_order(tenant, catalog, number)
        else:
            advance_order(tenant, catalog, number, inspection=inspection)

    return step


def shipping_step(tenant: Any, number: str, inspection: str | None) -> None:
    """One step of a shipping order, through the commerce domain."""
    advance_shipping(tenant, number)
