"""Views: domain objects as the reference's JSON shapes, with the JSON Schema of each.

Both planes render through these: the API's routes (``GET /orders/:id``...) and the control
plane (an advanced order answers as ``GET /orders/:id`` shows it; a top-up as the wallet).
"""

from __future__ import annotations

from typing import Any

from sandbox.clock import isoformat
from sandbox.domain.lifecycle import ORDER_STATUSES, SHIPPING_STATUSES
from sandbox.domain.orders import Order
from sandbox.domain.product import Product, Sku
from sandbox.domain.shipping import ShippingOrder
from sandbox.domain.stock import StockLedger
from sandbox.domain.tenant import Tenant
from sandbox.http.shapes import (
    INTEGER,
    MESSAGE,
    MONEY,
    STRING,
    TIMESTAMP,
    URL,
    array,
    enum,
    nullable,
    obj,
)

SKU_SHAPE = obj({"skuId": STRING, "name": STRING, "price": MONEY, "stock": INTEGER, "image": URL})
PRODUCT_SHAPE = obj({
    "id": INTEGER, "title": STRING, "description": STRING, "price": MONEY, "originalPrice": MONEY,
    "currency": STRING, "platform": STRING, "platformItemId": STRING, "imageUrl": URL,
    "images": array(URL), "shopName": STRING, "shopUrl": URL, "sales": INTEGER, "stock": INTEGER,
    "categoryId": INTEGER, "skus": array(SKU_SHAPE),
    "attributes": array(obj({"name": STRING, "value": STRING})),
})  # fmt: skip
MESSAGE_SHAPE = MESSAGE


def sku_view(product: Product, sku: Sku, stock: StockLedger) -> dict[str, Any]:
    return {
        "skuId": sku.sku_id,
        "name": sku.name,
        "price": sku.price,
        "stock": stock.available(product, sku),
        "image": sku.image,
    }


def product_view(product: Product, stock: StockLedger) -> dict[str, Any]:
    return {
        "id": product.id,
        "title": product.title,
        "description": product.description,
        "price": product.price,
        "originalPrice": product.original_price,
        "currency": product.currency,
        "platform": product.platform,
        "platformItemId": product.platform_item_id,
        "imageUrl": product.image_url,
        "images": list(product.images),
        "shopName": product.shop_name,
        "shopUrl": product.shop_url,
        "sales": product.sales,
        "stock": stock.product_stock(product),
        "categoryId": product.category_id,
        "skus": [sku_view(product, sku, stock) for sku in product.skus],
        "attributes": [{"name": name, "value": value} for name, value in product.attributes],
    }


def timestamp(moment: Any) -> str | None:
    return None if moment is None else isoformat(moment)


def message(text: str) -> dict[str, str]:
    return {"message": text}


# -- purchase orders

ORDER_STATUS = enum(*ORDER_STATUSES)
ORDER_ITEM_SHAPE = obj({"productId": INTEGER, "title": STRING, "skuName": STRING, "price": MONEY,
                  "quantity": INTEGER})  # fmt: skip
LOGISTICS_SHAPE = obj({"trackingNo": STRING, "carrier": STRING})
INSPECTION_SHAPE = obj({"result": enum("passed", "failed"), "weight": INTEGER,
                        "photos": array(URL)})  # fmt: skip
ORDER_SHAPE = obj({
    "orderNo": STRING, "status": ORDER_STATUS, "totalAmount": MONEY, "serviceFee": MONEY,
    "currency": STRING, "platform": STRING, "items": array(ORDER_ITEM_SHAPE),
    "logistics": nullable(LOGISTICS_SHAPE), "inspection": nullable(INSPECTION_SHAPE),
    "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP,
})  # fmt: skip


def order_items(order: Order) -> list[dict[str, Any]]:
    return [
        {"productId": line.product_id, "title": line.title, "skuName": line.sku_name,
         "price": line.price, "quantity": line.quantity}
        for line in order.lines
    ]  # fmt: skip


def order_view(order: Order) -> dict[str, Any]:
    """``GET /orders/:id``; also what the control plane's advance answers."""
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "totalAmount": order.total_amount,
        "serviceFee": order.service_fee,
        "currency": "CNY",
        "platform": order.platform,
        "items": order_items(order),
        "logistics": order.logistics,
        "inspection": order.inspection,
        "createdAt": isoformat(order.created_at),
        "updatedAt": isoformat(order.updated_at),
    }


# -- shipping orders

SHIPPING_STATUS = enum(*SHIPPING_STATUSES)
SHIPPING_ITEM_SHAPE = obj({"inventoryId": INTEGER, "name": STRING})
SHIPPING_SHAPE = obj({
    "orderNo": STRING, "status": SHIPPING_STATUS, "channelId": STRING, "channelName": STRING,
    "trackingNo": nullable(STRING), "totalWeight": INTEGER, "shippingFee": MONEY,
    "currency": STRING, "items": array(SHIPPING_ITEM_SHAPE), "recipientName": STRING,
    "recipientPhone": STRING, "recipientCountry": STRING, "recipientState": STRING,
    "recipientCity": STRING, "recipientAddress": STRING, "recipientZipCode": STRING,
    "remark": STRING, "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP,
})  # fmt: skip


def shipping_items(order: ShippingOrder) -> list[dict[str, Any]]:
    return [{"inventoryId": package_id, "name": name} for package_id, name in order.items]


def shipping_view(order: ShippingOrder) -> dict[str, Any]:
    """``GET /shipping/orders/:id``; also what the control plane's advance answers."""
    recipient = order.recipient
    return {
        "orderNo": order.order_no,
        "status": order.status,
        "channelId": order.channel_id,
        "channelName": order.channel_name,
        "trackingNo": order.tracking_no,
        "totalWeight": order.total_weight,
        "shippingFee": order.shipping_fee,
        "currency": "CNY",
        "items": shipping_items(order),
        "recipientName": recipient.name,
        "recipientPhone": recipient.phone,
        "recipientCountry": recipient.country,
        "recipientState": recipient.state,
        "recipientCity": recipient.city,
        "recipientAddress": recipient.address,
        "recipientZipCode": recipient.zip_code,
        "remark": order.remark,
        "createdAt": isoformat(order.created_at),
        "updatedAt": isoformat(order.updated_at),
    }


# -- wallet

WALLET_SHAPE = obj(
    {"userId": INTEGER, "balance": MONEY, "frozenBalance": MONEY, "availableBalance": MONEY}
)


def wallet_view(tenant: Tenant) -> dict[str, Any]:
    """A tenant's wallet figures, as the control plane's top-up answers them."""
    wallet = tenant.wallet
    return {
        "userId": tenant.user_id,
        "balance": wallet.balance,
        "frozenBalance": wallet.frozen,
        "availableBalance": wallet.available,
    }
