"""Renderers shared by several areas: domain objects to the reference's JSON shapes."""

from __future__ import annotations

from typing import Any

from sandbox.clock import isoformat
from sandbox.domain.catalog import Product, Sku
from sandbox.domain.stock import StockLedger
from sandbox.http.shapes import INTEGER, MESSAGE, MONEY, STRING, URL, array, obj

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
