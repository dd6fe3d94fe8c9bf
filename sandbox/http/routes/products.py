"""Products: ``GET /products/:id`` and ``POST /products/import/1688``."""

from __future__ import annotations

from typing import Any

from sandbox.domain.imports import import_offer, offer_id_from
from sandbox.domain.product import Product
from sandbox.domain.stock import StockLedger
from sandbox.http.operations import Call, Operation, body_schema
from sandbox.http.responses import Encoded
from sandbox.http.shapes import INTEGER, MONEY, STRING, URL, array, obj
from sandbox.http.views import PRODUCT_SHAPE, SKU_SHAPE, product_view, sku_view


def get_product(call: Call) -> object:
    product = call.store.catalog.get(call.params["id"])
    stock = call.tenant.stock
    if stock.touches(product):
        return product_view(product, stock)
    # Products never change, so the catalog's view of one is encoded once (per backend).
    return call.backend.rendered.get(product, untouched_view)


def untouched_view(product: Product) -> Encoded:
    """``product_view`` of ``product`` at the catalog's own stock, encoded with its ETag."""
    return Encoded.of(product_view(product, StockLedger()))


def import_1688(call: Call) -> dict[str, Any]:
    offer_id = offer_id_from(call.body.get("url"), call.body.get("offerId"))
    product = import_offer(call.store.catalog, offer_id, call.store.fixture.refused_offers)
    stock = call.tenant.stock
    return {
        "id": product.id,
        "title": product.title,
        "price": product.price,
        "platform": product.platform,
        "skus": [sku_view(product, sku, stock) for sku in product.skus],
        "minOrder": product.min_order,
        "images": list(product.images),
    }


IMPORT_BODY = {
    **body_schema(
        {
            "url": {
                "type": "string",
                "maxLength": 2048,
                "description": "Product URL from 1688.com",
            },
            "offerId": {"type": "string", "maxLength": 32, "description": "1688 offer ID"},
        }
    ),
    "anyOf": [{"required": ["url"]}, {"required": ["offerId"]}],
    "x-messages": ["url or offerId is required"],
}

IMPORT_SHAPE = obj({
    "id": INTEGER, "title": STRING, "price": MONEY, "platform": STRING, "skus": array(SKU_SHAPE),
    "minOrder": INTEGER, "images": array(URL),
})  # fmt: skip

OPERATIONS = (
    Operation(
        "GET", "/products/{id}", get_product, "products:read",
        int_params=("id",), response=PRODUCT_SHAPE, errors=(404,),
        summary="Get detailed product information including SKU variants.",
    ),
    Operation(
        "POST", "/products/import/1688", import_1688, "products:read",
        body=IMPORT_BODY, response=IMPORT_SHAPE,
        summary="Import/fetch product details from 1688.com by URL or offer ID.",
    ),
)  # fmt: skip
