"""The lifecycles of purchase orders, shipping orders and packages, as data.

Each lifecycle is one table of legal transitions ``(source, target) -> Transition``; a
transition names its side effect (wallet movement, stock return, tracking number, inspection,
package creation...) and an optional guard that may refuse it before anything changes. The
API's cancel / confirm-delivery and the control plane's ``advance`` walk the same tables.

Public interface (for the control plane and the scenario engine)::

    advance_order(tenant, catalog, order_no, to=None, *, inspection=None) -> Order
    advance_shipping(tenant, order_no, to=None) -> ShippingOrder
    cancel_order(tenant, catalog, order_no, reason=None) -> Order
    cancel_shipping(tenant, order_no) -> ShippingOrder
    confirm_delivery(tenant, order_no) -> ShippingOrder

    tenant.orders: dict[str, Order]               # by orderNo, in creation order; .status
    tenant.shipping: dict[str, ShippingOrder]     # by orderNo, in creation order; .status
    tenant.warehouse.packages: dict[int, Package]

``advance_*`` without ``to`` takes one forward step; with ``to`` it walks the shortest legal
path, running every step's effect at the tenant clock's now. They raise ``OrderNotFound`` /
``ShippingOrderNotFound`` (404) for an unknown number, ``IllegalTransition`` (409) when no
legal path leads there (a terminal status, ``to`` equal to the current status, or behind
it), and ``InsufficientBalance`` (400) when the service fee of ``paid -> purchased`` is not
covered. Every guard of the path runs before any effect, so a refused advance changes nothing.
``ORDER_LIFECYCLE.next_status(status)`` tells what one step would reach (None at the end).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from sandbox.domain import orders, shipping
from sandbox.domain.catalog import Catalog
from sandbox.domain.orders import Order, get_order
from sandbox.domain.shipping import ShippingOrder, get_shipping_order
from sandbox.domain.tenant import Tenant
from sandbox.domain.warehouse import Package
from sandbox.errors import Conflict

T = TypeVar("T")


class IllegalTransition(Conflict):
    """409: the current status forbids the requested step."""

    default_message = "Illegal status transition"


@dataclass(slots=True)
class StepContext:
    """What an effect may touch: the tenant, the catalog, the time, a chosen QC result."""

    tenant: Tenant
    catalog: Catalog | None
    now: datetime
    inspection: str | None = None


Effect = Callable[[StepContext, Any], None]


def _nothing(ctx: StepContext, subject: Any) -> None:
    """A step with no side effect beyond its status and timestamp."""


@dataclass(frozen=True, slots=True)
class Transition:
    effect: Effect = _nothing
    guard: Effect | None = None  # raises to refuse the step; must not mutate
    forward: bool = True  # taken by a bare "advance" (cancellations are not)


@dataclass(frozen=True, slots=True)
class Lifecycle(Generic[T]):
    """A named table of legal transitions."""

    noun: str
    transitions: dict[tuple[str, str], Transition]
    #: Every legal path by (from, to), ``to`` None for one forward step: derived from the
    #: table once, as it is built (the table never changes, so neither do they).
    _paths: Mapping[tuple[str, str | None], tuple[tuple[str, str], ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        paths = {}
        for source in self.statuses:
            for target in (None, *self.statuses):
                with suppress(IllegalTransition):  # no legal path: none kept
                    paths[source, target] = tuple(self._search(source, target))
        object.__setattr__(self, "_paths", MappingProxyType(paths))

    @property
    def statuses(self) -> tuple[str, ...]:
        """Every status of the table, in the order the table first names them."""
        return tuple(dict.fromkeys(status for step in self.transitions for status in step))

    @property
    def flow(self) -> tuple[str, ...]:
        """The forward path, from the first status to the end of the line."""
        flow = [next(iter(self.transitions))[0]]
        while (following := self.next_status(flow[-1])) is not None:
            flow.append(following)
        return tuple(flow)

    def next_status(self, status: str) -> str | None:
        """Where one forward step from ``status`` leads, or None when it is final."""
        return next(
            (t for (s, t), step in self.transitions.items() if s == status and step.forward),
            None,
        )

    def path(self, status: str, to: str | None) -> tuple[tuple[str, str], ...]:
        """The steps from ``status`` to ``to`` (one forward step when ``to`` is None); 409
        when no legal path leads there."""
        steps = self._paths.get((status, to))
        if steps is None:  # no legal path: the search says why (409)
            return tuple(self._search(status, to))
        return steps

    def _search(self, status: str, to: str | None) -> list[tuple[str, str]]:
        if to is None:
            target = self.next_status(status)
            if target is None:
                raise IllegalTransition(f"{self.noun} is {status} and cannot advance further")
            return [(status, target)]
        if to == status:
            raise IllegalTransition(f"{self.noun} is already {status}")
        came_from: dict[str, str] = {status: status}
        queue = deque([status])
        while queue:
            current = queue.popleft()
            for source, target in self.transitions:
                if source == current and target not in came_from:
                    came_from[target] = current
                    queue.append(target)
        if to not in came_from:
            raise IllegalTransition(f"{self.noun} cannot go from {status} to {to}")
        steps = []
        while to != status:
            steps.append((came_from[to], to))
            to = came_from[to]
        return steps[::-1]

    def walk(self, ctx: StepContext, subject: Any, to: str | None) -> None:
        """Check every guard of the path, then take each step with its effect."""
        steps = self.path(subject.status, to)
        for step in steps:
            guard = self.transitions[step].guard
            if guard is not None:
                guard(ctx, subject)
        for step in steps:
            self.transitions[step].effect(ctx, subject)
            subject.status = step[1]
            if hasattr(subject, "updated_at"):
                subject.updated_at = ctx.now


ORDER_LIFECYCLE: Lifecycle[Order] = Lifecycle("Order", {
    ("pending", "paid"): Transition(orders.pay),
    ("paid", "purchased"): Transition(orders.charge_service_fee, orders.check_service_fee),
    ("purchased", "shipped_to_warehouse"): Transition(orders.ship_to_warehouse),
    ("shipped_to_warehouse", "in_warehouse"): Transition(orders.receive_in_warehouse),
    ("in_warehouse", "completed"): Transition(),
    ("pending", "cancelled"): Transition(orders.cancel_pending, forward=False),
    ("paid", "cancelled"): Transition(orders.cancel_paid, forward=False),
})  # fmt: skip


def _leave(ctx: StepContext, package: Package) -> None:
    package.left_at = ctx.now


#: Packages move only with their shipping order (see ``_ship_abroad`` / ``_deliver``).
PACKAGE_LIFECYCLE: Lifecycle[Package] = Lifecycle("Package", {
    ("in_warehouse", "shipped"): Transition(_leave),
    ("shipped", "delivered"): Transition(),
})  # fmt: skip


def _ship_abroad(ctx: StepContext, order: ShippingOrder) -> None:
    """``processing -> shipped``: the international tracking number; the packages leave."""
    shipping.assign_tracking(order)
    for package_id in order.package_ids:
        advance_package(ctx, ctx.tenant.warehouse.get(package_id), "shipped")


def _deliver(ctx: StepContext, order: ShippingOrder) -> None:
    """``shipped -> delivered``: the packages arrive."""
    for package_id in order.package_ids:
        advance_package(ctx, ctx.tenant.warehouse.get(package_id), "delivered")


SHIPPING_LIFECYCLE: Lifecycle[ShippingOrder] = Lifecycle("Shipping order", {
    ("pending", "processing"): Transition(),
    ("processing", "shipped"): Transition(_ship_abroad),
    ("shipped", "delivered"): Transition(_deliver),
    ("pending", "cancelled"): Transition(shipping.cancel, forward=False),
})  # fmt: skip

#: The statuses, as the tables state them: the API's filters, the control plane's ``to``, and
#: the fixture and scenario schemas' enums (tested equal) all read these.
ORDER_STATUSES = ORDER_LIFECYCLE.statuses
SHIPPING_STATUSES = SHIPPING_LIFECYCLE.statuses
PACKAGE_STATUSES = PACKAGE_LIFECYCLE.statuses


# -- the public operations ---------------------------------------------------------------


def advance_order(
    tenant: Tenant,
    catalog: Catalog,
    order_no: str,
    to: str | None = None,
    *,
    inspection: str | None = None,
) -> Order:
    """Move a purchase order forward (one step, or to ``to``), with every effect passed.
    ``inspection`` ("passed"/"failed") is the QC result recorded on reaching in_warehouse."""
    order = get_order(tenant, order_no)
    ORDER_LIFECYCLE.walk(StepContext(tenant, catalog, tenant.now(), inspection), order, to)
    return order


def cancel_order(
    tenant: Tenant, catalog: Catalog, order_no: str, reason: str | None = None
) -> Order:
    """Cancel a pending or paid order (409 otherwise); ``order.total_amount`` is refunded."""
    order = get_order(tenant, order_no)
    if (order.status, "cancelled") not in ORDER_LIFECYCLE.transitions:
        raise IllegalTransition(f"Order {order_no} cannot be cancelled in status {order.status}")
    ORDER_LIFECYCLE.walk(StepContext(tenant, catalog, tenant.now()), order, "cancelled")
    order.cancel_reason = reason
    return order


def advance_shipping(tenant: Tenant, order_no: str, to: str | None = None) -> ShippingOrder:
    """Move a shipping order forward (one step, or to ``to``), with every effect passed."""
    order = get_shipping_order(tenant, order_no)
    SHIPPING_LIFECYCLE.walk(StepContext(tenant, None, tenant.now()), order, to)
    return order


def cancel_shipping(tenant: Tenant, order_no: str) -> ShippingOrder:
    """Cancel a pending shipping order (409 otherwise); the fee is refunded."""
    order = get_shipping_order(tenant, order_no)
    if (order.status, "cancelled") not in SHIPPING_LIFECYCLE.transitions:
        raise IllegalTransition(
            f"Shipping order {order_no} cannot be cancelled in status {order.status}"
        )
    return advance_shipping(tenant, order_no, "cancelled")


def confirm_delivery(tenant: Tenant, order_no: str) -> ShippingOrder:
    """The user confirms receipt of a shipped order (409 unless it is shipped)."""
    order = get_shipping_order(tenant, order_no)
    if order.status != "shipped":
        raise IllegalTransition(
            f"Shipping order {order_no} cannot be confirmed in status {order.status}"
        )
    return advance_shipping(tenant, order_no, "delivered")


def advance_package(ctx: StepContext, package: Package, to: str) -> None:
    """Move a package along with its shipping order."""
    PACKAGE_LIFECYCLE.walk(ctx, package, to)
