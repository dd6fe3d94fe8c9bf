"""Shipping (outbound) orders."""

from __future__ import annotations

from typing import Any

from sandbox.clock import isoformat
from sandbox.domain.lifecycle import SHIPPING_STATUSES, cancel_shipping, confirm_delivery
from sandbox.domain.shipping import (
    Recipient,
    ShippingOrder,
    create_shipping_order,
    get_shipping_order,
)
from sandbox.http.operations import PAGINATION, Call, Operation, body_schema, page_by_status
from sandbox.http.routes.logistics import COUNTRY
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
    SHIPPING_ITEM_SHAPE as ITEM_SHAPE,
)
from sandbox.http.views import (
    SHIPPING_SHAPE,
    shipping_items,
    shipping_view,
)
from sandbox.http.views import (
    SHIPPING_STATUS as STATUS,
)


def shipping_created_view(order: ShippingOrder) -> dict[str, Any]:
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "channelName": order.channel_name,
        "totalWeight": order.total_weight,
        "shippingFee": order.shipping_fee,
        "currency": "CNY",
        "items": shipping_items(order),
        "createdAt": isoformat(order.created_at),
    }


def shipping_summary(order: ShippingOrder) -> dict[str, Any]:
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "channelName": order.channel_name,
        "trackingNo": order.tracking_no,
        "totalWeight": order.total_weight,
        "shippingFee": order.shipping_fee,
        "createdAt": isoformat(order.created_at),
    }


def create(call: Call) -> dict[str, Any]:
    body = call.body
    recipient = Recipient(
        name=body["recipientName"],
        phone=body["recipientPhone"],
        country=body["recipientCountry"],
        state=body.get("recipientState", ""),
        city=body["recipientCity"],
        address=body["recipientAddress"],
        zip_code=body["recipientZipCode"],
    )
    order = create_shipping_order(
        call.tenant,
        call.store.fixture.logistics,
        [item["inventoryId"] for item in body["items"]],
        body["logisticsChannelId"],
        recipient,
        remark=body.get("remark", ""),
    )
    return shipping_created_view(order)


def list_shipping_orders(call: Call) -> dict[str, Any]:
    return page_by_status(call.tenant.shipping.values(), call.query, shipping_summary)


def get_detail(call: Call) -> dict[str, Any]:
    return shipping_view(get_shipping_order(call.tenant, call.params["id"]))


def cancel(call: Call) -> dict[str, Any]:
    order = cancel_shipping(call.tenant, call.params["id"])
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "refundAmount": order.shipping_fee,
        "message": "Shipping order cancelled",
    }


def confirm(call: Call) -> dict[str, Any]:
    order = confirm_delivery(call.tenant, call.params["id"])
    return {"orderNo": order.order_no, "status": order.status, "message": "Delivery confirmed"}


def _text(limit: int, description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": limit, "description": description}


CREATE_BODY = body_schema(
    {
        "items": {
            "type": "array", "minItems": 1, "maxItems": 100,
            "description": "Inventory items to ship",
            "items": body_schema(
                {"inventoryId": {"type": "integer", "minimum": 1,
                                 "description": "Inventory/package ID"},
                 # A package ships whole: its quantity is always 1.
                 "quantity": {"type": "integer", "minimum": 1, "maximum": 1,
                              "description": "Quantity (a package ships whole: 1)"}},
                ("inventoryId", "quantity"),
            ),
        },
        "logisticsChannelId": _text(64, "Selected shipping channel ID"),
        "recipientName": _text(100, "Recipient full name"),
        "recipientPhone": _text(32, "Recipient phone number"),
        "recipientCountry": {**COUNTRY, "description": "Country code (e.g. US)"},
        "recipientState": {"type": "string", "maxLength": 100, "description": "State/province"},
        "recipientCity": _text(100, "City"),
        "recipientAddress": _text(300, "Street address"),
        "recipientZipCode": _text(20, "Postal/ZIP code"),
        "remark": {"type": "string", "maxLength": 500, "description": "Shipping instructions"},
    },
    ("items", "logisticsChannelId", "recipientName", "recipientPhone", "recipientCountry",
     "recipientCity", "recipientAddress", "recipientZipCode"),
)  # fmt: skip
LIST_QUERY = body_schema(
    {**PAGINATION, "status": {"type": "string", "enum": list(SHIPPING_STATUSES)}}
)

CREATED_SHAPE = obj({
    "orderNo": STRING, "status": STATUS, "channelName": STRING, "totalWeight": INTEGER,
    "shippingFee": MONEY, "currency": STRING, "items": array(ITEM_SHAPE), "createdAt": TIMESTAMP,
})  # fmt: skip
SUMMARY_SHAPE = obj({
    "orderNo": STRING, "status": STATUS, "channelName": STRING, "trackingNo": nullable(STRING),
    "totalWeight": INTEGER, "shippingFee": MONEY, "createdAt": TIMESTAMP,
})  # fmt: skip
CANCELLED_SHAPE = obj({"orderNo": STRING, "status": STATUS, "refundAmount": MONEY,
                       "message": STRING})  # fmt: skip
CONFIRMED_SHAPE = obj({"orderNo": STRING, "status": STATUS, "message": STRING})

OPERATIONS = (
    Operation("POST", "/shipping/create", create, "shipping:write", status=201,
              errors=(404,),
              body=CREATE_BODY, response=CREATED_SHAPE,
              summary="Create a shipping order for warehouse packages; the fee is charged."),
    Operation("GET", "/shipping/orders", list_shipping_orders, "shipping:read", cached=True,
              query=LIST_QUERY, response=page(SUMMARY_SHAPE),
              summary="Get paginated list of shipping/outbound orders."),
    Operation("GET", "/shipping/orders/{id}", get_detail, "shipping:read", inferred=True,
              cached=True,
              errors=(404,),
              response=SHIPPING_SHAPE,
              summary="Full detail of a shipping order."),
    Operation("POST", "/shipping/orders/{id}/cancel", cancel, "shipping:write",
              errors=(404, 409,),
              inferred=True, response=CANCELLED_SHAPE,
              summary="Cancel a pending shipping order; the fee is refunded."),
    Operation("POST", "/shipping/orders/{id}/confirm-delivery", confirm, "shipping:write",
              errors=(404, 409,),
              inferred=True, response=CONFIRMED_SHAPE,
              summary="Confirm receipt of a shipped order."),
)  # fmt: skip
