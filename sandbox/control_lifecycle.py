"""Control-plane operations that drive purchase and shipping orders (SPEC §6).

``POST /__sandbox/orders/{orderNo}/advance`` and ``POST /__sandbox/shipping/{orderNo}/advance``
take ``{"to": status}`` (optional: one forward step without it) and, for purchase orders,
``{"inspection": "passed" | "failed"}``, the QC result recorded on reaching ``in_warehouse``.
Every step passed runs its side effects (see :mod:`sandbox.domain.lifecycle`); the reply is
the order as ``GET /orders/:id`` / ``GET /shipping/orders/:id`` shows it.

Order numbers are per tenant, and every tenant's copy of the story carries the same ones. So
with a Bearer key the action applies to that key's tenant; without one it applies to the
fixture's first user (1001 in the default fixture), never to minted tenants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.domain.lifecycle import advance_order, advance_shipping
from sandbox.domain.orders import ORDER_STATUSES
from sandbox.domain.shipping import SHIPPING_STATUSES
from sandbox.domain.tenant import Tenant
from sandbox.http.operations import body_schema
from sandbox.http.routes.orders import ORDER_SHAPE, order_view
from sandbox.http.routes.shipping import SHIPPING_SHAPE, shipping_view

if TYPE_CHECKING:
    from sandbox.admin import ControlCall, ControlOperation


def _tenant(call: ControlCall) -> Tenant:
    """The key's tenant, or the fixture's first user when the request names no key."""
    if call.tenant is not None:
        return call.tenant
    store = call.app.store
    return store.tenant(next(iter(store.fixture.users)))


def advance_purchase_order(call: ControlCall) -> dict[str, Any]:
    tenant = _tenant(call)
    # An explicit result wins; else the one an active scenario (qc-failed) chooses.
    inspection = call.body.get("inspection") or call.app.scenarios.inspection(tenant.user_id)
    order = advance_order(
        tenant, call.app.store.catalog, call.params["orderNo"], call.body.get("to"),
        inspection=inspection,
    )  # fmt: skip
    return order_view(order)


def advance_shipping_order(call: ControlCall) -> dict[str, Any]:
    order = advance_shipping(_tenant(call), call.params["orderNo"], call.body.get("to"))
    return shipping_view(order)


ORDER_ADVANCE_BODY = body_schema({
    "to": {"type": "string", "enum": list(ORDER_STATUSES),
           "description": "Target status (default: one step forward)"},
    "inspection": {"type": "string", "enum": ["passed", "failed"],
                   "description": "QC result recorded on reaching in_warehouse (default: "
                                  "an active scenario's, else passed)"},
})  # fmt: skip
SHIPPING_ADVANCE_BODY = body_schema({
    "to": {"type": "string", "enum": list(SHIPPING_STATUSES),
           "description": "Target status (default: one step forward)"},
})  # fmt: skip


def _operations() -> tuple[ControlOperation, ...]:
    from sandbox.admin import ControlOperation

    return (
        ControlOperation("POST", "/orders/{orderNo}/advance", advance_purchase_order,
                         body=ORDER_ADVANCE_BODY, response=ORDER_SHAPE, errors=(409,),
                         summary="Move a purchase order forward (one step, or to `to`)."),
        ControlOperation("POST", "/shipping/{orderNo}/advance", advance_shipping_order,
                         body=SHIPPING_ADVANCE_BODY, response=SHIPPING_SHAPE, errors=(409,),
                         summary="Move a shipping order forward (one step, or to `to`)."),
    )  # fmt: skip


LIFECYCLE_CONTROL_OPERATIONS: tuple[ControlOperation, ...] = _operations()
