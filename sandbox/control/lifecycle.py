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

from typing import Any

from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.domain.lifecycle import ORDER_STATUSES, SHIPPING_STATUSES
from sandbox.http.operations import body_schema
from sandbox.http.views import ORDER_SHAPE, SHIPPING_SHAPE, order_view, shipping_view


def _user_id(call: ControlCall) -> int:
    """The key's user, or the fixture's first user when the request names no key."""
    return call.user_id if call.user_id is not None else call.backend.default_user_id


def advance_purchase_order(call: ControlCall) -> dict[str, Any]:
    body = call.body
    order = call.backend.advance_order(
        _user_id(call), call.params["orderNo"], body.get("to"), body.get("inspection")
    )
    return order_view(order)


def advance_shipping_order(call: ControlCall) -> dict[str, Any]:
    order = call.backend.advance_shipping(
        _user_id(call), call.params["orderNo"], call.body.get("to")
    )
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


OPERATIONS = (
    ControlOperation("POST", "/orders/{orderNo}/advance", advance_purchase_order,
                     body=ORDER_ADVANCE_BODY, response=ORDER_SHAPE, errors=(409,),
                     summary="Move a purchase order forward (one step, or to `to`)."),
    ControlOperation("POST", "/shipping/{orderNo}/advance", advance_shipping_order,
                     body=SHIPPING_ADVANCE_BODY, response=SHIPPING_SHAPE, errors=(409,),
                     summary="Move a shipping order forward (one step, or to `to`)."),
)  # fmt: skip
