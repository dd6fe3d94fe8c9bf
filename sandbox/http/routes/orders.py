"""Purchase orders."""

from __future__ import annotations

from typing import Any

from sandbox.clock import isoformat
from sandbox.domain.lifecycle import ORDER_STATUSES, cancel_order
from sandbox.domain.orders import (
    NewOrderLine,
    Order,
    create_order,
    get_order,
)
from sandbox.http.operations import PAGINATION, Call, Operation, body_schema, page_by_status
from sandbox.http.routes.cart import LINE_PROPERTIES
from sandbox.http.shapes import (
    INTEGER,
    MONEY,
    STRING,
    TIMESTAMP,
    array,
    nullable,
    obj,
    page,
)
from sandbox.http.views import (
    INSPECTION_SHAPE,
    LOGISTICS_SHAPE,
    ORDER_SHAPE,
    order_items,
    order_view,
)
from sandbox.http.views import (
    ORDER_ITEM_SHAPE as ITEM_SHAPE,
)
from sandbox.http.views import (
    ORDER_STATUS as STATUS,
)


def order_created_view(order: Order) -> dict[str, Any]:
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "totalAmount": order.total_amount,
        "serviceFee": order.service_fee,
        "currency": "CNY",
        "items": order_items(order),
        "createdAt": isoformat(order.created_at),
    }


def order_summary(order: Order) -> dict[str, Any]:
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "totalAmount": order.total_amount,
        "itemCount": len(order.lines),
        "createdAt": isoformat(order.created_at),
    }


def place_order(call: Call) -> dict[str, Any]:
    body = call.body
    lines = [
        NewOrderLine(int(i["productId"]), i["skuId"], i["quantity"], i.get("remark", ""))
        for i in body["items"]
    ]
    order = create_order(
        call.tenant, call.store.catalog, lines,
        remark=body.get("remark", ""), coupon_id=body.get("couponId"),
    )  # fmt: skip
    return order_created_view(order)


def list_orders(call: Call) -> dict[str, Any]:
    return page_by_status(call.tenant.orders.values(), call.query, order_summary)


def get_order_detail(call: Call) -> dict[str, Any]:
    return order_view(get_order(call.tenant, call.params["id"]))


def get_order_status(call: Call) -> dict[str, Any]:
    order = get_order(call.tenant, call.params["id"])
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "updatedAt": isoformat(order.updated_at),
    }


def get_order_logistics(call: Call) -> dict[str, str] | None:
    return get_order(call.tenant, call.params["id"]).logistics


def get_order_inspection(call: Call) -> dict[str, Any] | None:
    return get_order(call.tenant, call.params["id"]).inspection


def cancel(call: Call) -> dict[str, Any]:
    order = cancel_order(
        call.tenant, call.store.catalog, call.params["id"], call.body.get("reason")
    )
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "refundAmount": order.total_amount,
        "message": "Order cancelled",
    }


_ITEM = body_schema(
    {**LINE_PROPERTIES, "remark": {"type": "string", "maxLength": 500,
                                   "description": "Item-level notes"}},
    ("productId", "skuId", "quantity"),
)  # fmt: skip
CREATE_BODY = body_schema(
    {
        "items": {"type": "array", "minItems": 1, "maxItems": 100, "items": _ITEM,
                  "description": "Array of order items"},
        "remark": {"type": "string", "maxLength": 500, "description": "Order-level notes"},
        "couponId": {"type": "integer", "minimum": 1, "description": "Coupon ID to apply"},
    },
    ("items",),
)  # fmt: skip
LIST_QUERY = body_schema({**PAGINATION, "status": {"type": "string", "enum": list(ORDER_STATUSES)}})
CANCEL_BODY = body_schema(
    {"reason": {"type": "string", "maxLength": 500, "description": "Why the order is cancelled"}}
)

CREATED_SHAPE = obj({
    "orderNo": STRING, "status": STATUS, "totalAmount": MONEY, "serviceFee": MONEY,
    "currency": STRING, "items": array(ITEM_SHAPE), "createdAt": TIMESTAMP,
})  # fmt: skip
SUMMARY_SHAPE = obj({"orderNo": STRING, "status": STATUS, "totalAmount": MONEY,
                     "itemCount": INTEGER, "createdAt": TIMESTAMP})  # fmt: skip
STATUS_SHAPE = obj({"orderNo": STRING, "status": STATUS, "updatedAt": TIMESTAMP})
CANCELLED_SHAPE = obj({"orderNo": STRING, "status": STATUS, "refundAmount": MONEY,
                       "message": STRING})  # fmt: skip

OPERATIONS = (
    Operation("POST", "/orders", place_order, "orders:write", status=201, body=CREATE_BODY,
              errors=(404,),
              response=CREATED_SHAPE,
              summary="Create a purchase order; its total is frozen in the wallet."),
    Operation("GET", "/orders", list_orders, "orders:read", cached=True, query=LIST_QUERY,
              response=page(SUMMARY_SHAPE), summary="Get paginated list of purchase orders."),
    Operation("GET", "/orders/{id}", get_order_detail, "orders:read", response=ORDER_SHAPE,
              cached=True,
              errors=(404,),
              summary="Get full detail of a purchase order."),
    Operation("GET", "/orders/{id}/status", get_order_status, "orders:read", inferred=True,
              cached=True,
              errors=(404,),
              response=STATUS_SHAPE,
              summary="Just the status of a purchase order."),
    Operation("GET", "/orders/{id}/logistics", get_order_logistics, "orders:read", cached=True,
              errors=(404,),
              inferred=True, response=nullable(LOGISTICS_SHAPE),
              summary="Domestic tracking of a purchase order (null before it ships)."),
    Operation("GET", "/orders/{id}/inspection", get_order_inspection, "orders:read", cached=True,
              errors=(404,),
              inferred=True, response=nullable(INSPECTION_SHAPE),
              summary="QC result of a purchase order (null before it reaches the warehouse)."),
    Operation("POST", "/orders/{id}/cancel", cancel, "orders:write", body=CANCEL_BODY,
              errors=(404, 409,),
              response=CANCELLED_SHAPE,
              summary="Cancel a pending or paid purchase order."),
)  # fmt: skip
