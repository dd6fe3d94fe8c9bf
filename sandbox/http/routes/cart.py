"""The shopping cart."""

from __future__ import annotations

from typing import Any

from sandbox.domain.cart import NewLine
from sandbox.http.operations import ID_STRING_OR_INTEGER, Call, Operation, body_schema
from sandbox.http.shapes import BOOLEAN, INTEGER, MONEY, STRING, URL, array, obj
from sandbox.http.views import MESSAGE_SHAPE, message


def get_cart(call: Call) -> dict[str, Any]:
    catalog, stock = call.store.catalog, call.tenant.stock
    items = []
    for line in call.tenant.cart.lines.values():
        if line.product_id not in catalog:
            continue  # a line whose product left the catalog (a restored state) is not shown
        product = catalog.get(line.product_id)
        sku = product.sku(line.sku_id)
        items.append(
            {
                "id": line.id,
                "productId": line.product_id,
                "title": product.title,
                "skuId": line.sku_id,
                "skuName": sku.name,
                "price": sku.price,
                "quantity": line.quantity,
                "imageUrl": sku.image,
                "selected": line.selected,
                "stock": stock.available(product, sku),
                "remark": line.remark,
            }
        )
    return {
        "items": items,
        "totalItems": len(items),
        "totalAmount": call.tenant.cart.total(catalog),
    }


def _new_line(item: dict[str, Any]) -> NewLine:
    return NewLine(
        int(item["productId"]), item["skuId"], int(item["quantity"]), item.get("remark", "")
    )


def add_item(call: Call) -> dict[str, Any]:
    tenant = call.tenant
    (line,) = tenant.cart.add([_new_line(call.body)], call.store.catalog, tenant.stock)
    return {
        "id": line.id,
        "productId": line.product_id,
        "skuId": line.sku_id,
        "quantity": line.quantity,
        "message": "Item added to cart",
    }


def add_items(call: Call) -> dict[str, Any]:
    tenant = call.tenant
    lines = [_new_line(item) for item in call.body["items"]]
    added = tenant.cart.add(lines, call.store.catalog, tenant.stock)
    return {
        "added": len(added),
        # The reference's quirk: productId is a string here, an integer everywhere else.
        "items": [{"id": line.id, "productId": str(line.product_id)} for line in added],
    }


def update_item(call: Call) -> dict[str, Any]:
    line = call.tenant.cart.update(
        call.params["itemId"],
        call.store.catalog,
        call.tenant.stock,
        quantity=call.body.get("quantity"),
        selected=call.body.get("selected"),
    )
    return {
        "id": line.id,
        "quantity": line.quantity,
        "selected": line.selected,
        "message": "Cart item updated",
    }


def remove_item(call: Call) -> dict[str, str]:
    call.tenant.cart.remove(call.params["itemId"])
    return message("Item removed")


def clear_cart(call: Call) -> dict[str, str]:
    call.tenant.cart.clear()
    return message("Cart cleared")


LINE_PROPERTIES: dict[str, Any] = {
    "productId": {**ID_STRING_OR_INTEGER, "description": "Product ID"},
    "skuId": {"type": "string", "minLength": 1, "maxLength": 64, "description": "SKU variant ID"},
    "quantity": {"type": "integer", "minimum": 1, "description": "Quantity (min: 1)"},
    "remark": {"type": "string", "maxLength": 500, "description": "Special instructions"},
}
REQUIRED = ("productId", "skuId", "quantity")

ADD_BODY = body_schema(LINE_PROPERTIES, REQUIRED)
BATCH_BODY = body_schema(
    {
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": body_schema(LINE_PROPERTIES, REQUIRED),
        }
    },
    ("items",),
)
UPDATE_BODY = body_schema(
    {
        "quantity": {"type": "integer", "minimum": 1, "description": "New quantity"},
        "selected": {"type": "boolean", "description": "Selection state for checkout"},
    }
)

CART_SHAPE = obj({
    "items": array(obj({
        "id": INTEGER, "productId": INTEGER, "title": STRING, "skuId": STRING, "skuName": STRING,
        "price": MONEY, "quantity": INTEGER, "imageUrl": URL, "selected": BOOLEAN,
        "stock": INTEGER, "remark": STRING,
    })),
    "totalItems": INTEGER,
    "totalAmount": MONEY,
})  # fmt: skip
ADDED_SHAPE = obj({"id": INTEGER, "productId": INTEGER, "skuId": STRING, "quantity": INTEGER,
                   "message": STRING})  # fmt: skip
BATCH_SHAPE = obj({"added": INTEGER, "items": array(obj({"id": INTEGER, "productId": STRING}))})
UPDATED_SHAPE = obj({"id": INTEGER, "quantity": INTEGER, "selected": BOOLEAN, "message": STRING})

OPERATIONS = (
    Operation("GET", "/cart", get_cart, "cart:read", response=CART_SHAPE,
              summary="Get the current user's shopping cart with all items."),
    Operation("POST", "/cart/items", add_item, "cart:write", status=201, body=ADD_BODY,
              errors=(404,),
              response=ADDED_SHAPE, summary="Add a single item to the shopping cart."),
    Operation("POST", "/cart/items/batch", add_items, "cart:write", status=201, body=BATCH_BODY,
              errors=(404,),
              response=BATCH_SHAPE, summary="Add multiple items to the cart in a single request."),
    Operation("PATCH", "/cart/items/{itemId}", update_item, "cart:write", body=UPDATE_BODY,
              errors=(404,),
              int_params=("itemId",), response=UPDATED_SHAPE,
              summary="Update a cart item's quantity or selection status."),
    Operation("DELETE", "/cart/items/{itemId}", remove_item, "cart:write", int_params=("itemId",),
              errors=(404,),
              response=MESSAGE_SHAPE, summary="Remove a single item from the cart."),
    Operation("DELETE", "/cart", clear_cart, "cart:write", inferred=True, response=MESSAGE_SHAPE,
              summary="Clear the entire cart."),
)  # fmt: skip
