"""The user's profile, wallet, addresses, favorites and coupons."""

from __future__ import annotations

from typing import Any

from sandbox.clock import isoformat
from sandbox.domain.account import Address
from sandbox.domain.coupons import Coupon
from sandbox.domain.wallet import MOVEMENTS, Transaction
from sandbox.http.operations import (
    ID_STRING_OR_INTEGER,
    PAGINATION,
    Call,
    Operation,
    body_schema,
    page_of,
)
from sandbox.http.shapes import (
    BOOLEAN,
    INTEGER,
    MONEY,
    STRING,
    TIMESTAMP,
    URL,
    array,
    enum,
    nullable,
    obj,
    page,
)
from sandbox.http.views import MESSAGE_SHAPE, message, timestamp

LANGUAGES = ["en", "zh-CN", "zh-TW", "ja", "ko", "fr", "de", "es", "ru"]


# -- profile --------------------------------------------------------------------------


def get_profile(call: Call) -> dict[str, Any]:
    return call.tenant.profile.to_state()


def update_profile(call: Call) -> dict[str, Any]:
    call.tenant.profile.update(call.body)
    return call.tenant.profile.to_state()


# -- wallet ---------------------------------------------------------------------------


def get_balance(call: Call) -> dict[str, Any]:
    wallet = call.tenant.wallet
    return {
        "balance": wallet.balance,
        "frozenBalance": wallet.frozen,
        "availableBalance": wallet.available,
        "currency": "CNY",
    }


def transaction_view(transaction: Transaction) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "type": transaction.type,
        "amount": transaction.amount,
        "balanceAfter": transaction.balance_after,
        "frozenBalanceAfter": transaction.frozen_after,
        "currency": "CNY",
        "orderNo": transaction.order_no,
        "description": transaction.description,
        "createdAt": isoformat(transaction.created_at),
    }


def list_transactions(call: Call) -> dict[str, Any]:
    kind = call.query.get("type")
    newest_first = reversed(call.tenant.wallet.transactions)
    chosen = [t for t in newest_first if kind is None or t.type == kind]
    return page_of(chosen, call.query, transaction_view)


# -- addresses ------------------------------------------------------------------------


def address_view(address: Address) -> dict[str, Any]:
    return address.to_state()


def list_addresses(call: Call) -> list[dict[str, Any]]:
    return [address_view(a) for a in call.tenant.addresses.addresses.values()]


def create_address(call: Call) -> dict[str, Any]:
    return address_view(call.tenant.addresses.add(call.body))


def update_address(call: Call) -> dict[str, Any]:
    return address_view(call.tenant.addresses.update(call.params["id"], call.body))


def delete_address(call: Call) -> dict[str, str]:
    call.tenant.addresses.remove(call.params["id"])
    return message("Address deleted")


# -- favorites ------------------------------------------------------------------------


def _favorite_view(call: Call, favorite: Any) -> dict[str, Any]:
    product = call.store.catalog.get(favorite.product_id)
    return {
        "id": favorite.id,
        "productId": favorite.product_id,
        "title": product.title,
        "price": product.price,
        "imageUrl": product.image_url,
        "addedAt": isoformat(favorite.added_at),
    }


def list_favorites(call: Call) -> dict[str, Any]:
    catalog = call.store.catalog
    favorites = sorted(call.tenant.favorites.items.values(), key=lambda f: f.id, reverse=True)
    items = [_favorite_view(call, f) for f in favorites if f.product_id in catalog]
    return {"items": items, "total": len(items)}


def add_favorite(call: Call) -> dict[str, Any]:
    favorite = call.tenant.favorites.add(int(call.body["productId"]), call.store.catalog, call.now)
    return _favorite_view(call, favorite)


def remove_favorite(call: Call) -> dict[str, str]:
    call.tenant.favorites.remove(call.params["id"])
    return message("Favorite removed")


# -- coupons --------------------------------------------------------------------------


def coupon_view(coupon: Coupon) -> dict[str, Any]:
    return {
        "id": coupon.id,
        "name": coupon.name,
        "type": coupon.type,
        "value": coupon.value,
        "minOrderAmount": coupon.min_order_amount,
        "expiresAt": isoformat(coupon.expires_at),
    }


def my_coupon_view(call: Call, coupon: Coupon) -> dict[str, Any]:
    return {
        **coupon_view(coupon),
        "status": coupon.status(call.now),
        "claimedAt": timestamp(coupon.claimed_at),
        "usedAt": timestamp(coupon.used_at),
    }


def available_coupons(call: Call) -> list[dict[str, Any]]:
    return [coupon_view(c) for c in call.tenant.coupons.available(call.now)]


def my_coupons(call: Call) -> list[dict[str, Any]]:
    return [my_coupon_view(call, c) for c in call.tenant.coupons.mine()]


def claim_coupon(call: Call) -> dict[str, Any]:
    coupon = call.tenant.coupons.claim(call.params["id"], call.now)
    return {**my_coupon_view(call, coupon), "message": "Coupon claimed"}


# -- request schemas ------------------------------------------------------------------


def _text(limit: int, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": limit,
        "description": description,
        **extra,
    }


PROFILE_BODY = body_schema(
    {
        "username": _text(32, "Display name"),
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "avatar": {"type": "string", "format": "uri", "maxLength": 2048},
        "language": {"type": "string", "enum": LANGUAGES},
    }
)
ADDRESS_PROPERTIES: dict[str, Any] = {
    "name": _text(100, "Recipient full name"),
    "phone": _text(32, "Phone number"),
    "country": {
        "type": "string",
        "pattern": "^[A-Z]{2}$",
        "description": "Country code (e.g. US)",
    },
    "state": {"type": "string", "maxLength": 100, "description": "State/province"},
    "city": _text(100, "City"),
    "address": _text(300, "Street address"),
    "zipCode": _text(20, "Postal/ZIP code"),
    "isDefault": {"type": "boolean", "description": "Make this the default address"},
}
ADDRESS_CREATE_BODY = body_schema(
    ADDRESS_PROPERTIES, ("name", "phone", "country", "city", "address", "zipCode")
)
ADDRESS_UPDATE_BODY = body_schema(ADDRESS_PROPERTIES)
FAVORITE_BODY = body_schema({"productId": ID_STRING_OR_INTEGER}, ("productId",))
TRANSACTIONS_QUERY = body_schema(
    {**PAGINATION, "type": {"type": "string", "enum": sorted(MOVEMENTS)}}
)

PROFILE_SHAPE = obj({"id": INTEGER, "username": STRING, "email": STRING, "avatar": STRING,
                     "language": STRING, "createdAt": TIMESTAMP})  # fmt: skip
BALANCE_SHAPE = obj({"balance": MONEY, "frozenBalance": MONEY, "availableBalance": MONEY,
                     "currency": STRING})  # fmt: skip
TRANSACTION_SHAPE = obj({
    "id": INTEGER, "type": enum(*sorted(MOVEMENTS)), "amount": MONEY, "balanceAfter": MONEY,
    "frozenBalanceAfter": MONEY, "currency": STRING, "orderNo": nullable(STRING),
    "description": STRING, "createdAt": TIMESTAMP,
})  # fmt: skip
ADDRESS_SHAPE = obj({
    "id": INTEGER, "name": STRING, "phone": STRING, "country": STRING, "state": STRING,
    "city": STRING, "address": STRING, "zipCode": STRING, "isDefault": BOOLEAN,
})  # fmt: skip
FAVORITE_SHAPE = obj({"id": INTEGER, "productId": INTEGER, "title": STRING, "price": MONEY,
                      "imageUrl": URL, "addedAt": TIMESTAMP})  # fmt: skip
COUPON_PROPERTIES = {
    "id": INTEGER, "name": STRING, "type": enum("percentage", "fixed"), "value": {"type": "number"},
    "minOrderAmount": MONEY, "expiresAt": TIMESTAMP,
}  # fmt: skip
COUPON_SHAPE = obj(COUPON_PROPERTIES)
MY_COUPON_PROPERTIES = {
    **COUPON_PROPERTIES, "status": enum("unused", "used", "expired"),
    "claimedAt": nullable(TIMESTAMP), "usedAt": nullable(TIMESTAMP),
}  # fmt: skip
MY_COUPON_SHAPE = obj(MY_COUPON_PROPERTIES)
CLAIMED_SHAPE = obj({**MY_COUPON_PROPERTIES, "message": STRING})

OPERATIONS = (
    Operation("GET", "/user/profile", get_profile, "profile:read", response=PROFILE_SHAPE,
              cached=True,
              summary="Get the authenticated user's profile."),
    Operation("PUT", "/user/profile", update_profile, "profile:write", body=PROFILE_BODY,
              response=PROFILE_SHAPE, inferred=True,
              summary="Update the authenticated user's profile."),
    Operation("GET", "/user/wallet/balance", get_balance, "wallet:read", response=BALANCE_SHAPE,
              cached=True,
              summary="Get wallet balance."),
    Operation("GET", "/user/wallet/transactions", list_transactions, "wallet:read", cached=True,
              query=TRANSACTIONS_QUERY, response=page(TRANSACTION_SHAPE), inferred=True,
              summary="Wallet transaction history, newest first."),
    Operation("GET", "/user/addresses", list_addresses, "profile:read", cached=True,
              response=array(ADDRESS_SHAPE), summary="Get saved addresses."),
    Operation("POST", "/user/addresses", create_address, "profile:write", status=201,
              body=ADDRESS_CREATE_BODY, response=ADDRESS_SHAPE, inferred=True,
              summary="Create an address."),
    Operation("PUT", "/user/addresses/{id}", update_address, "profile:write",
              errors=(404,),
              body=ADDRESS_UPDATE_BODY, int_params=("id",), response=ADDRESS_SHAPE, inferred=True,
              summary="Update an address (only the fields sent change)."),
    Operation("DELETE", "/user/addresses/{id}", delete_address, "profile:write",
              errors=(404,),
              int_params=("id",), response=MESSAGE_SHAPE, inferred=True,
              summary="Delete an address."),
    Operation("GET", "/user/favorites", list_favorites, "favorites:read",
              response=obj({"items": array(FAVORITE_SHAPE), "total": INTEGER}),
              summary="Get favorite products."),
    Operation("POST", "/user/favorites", add_favorite, "favorites:write", status=201,
              errors=(404, 409,),
              body=FAVORITE_BODY, response=FAVORITE_SHAPE, inferred=True,
              summary="Add a product to favorites."),
    Operation("DELETE", "/user/favorites/{id}", remove_favorite, "favorites:write",
              errors=(404,),
              int_params=("id",), response=MESSAGE_SHAPE, inferred=True,
              summary="Remove a favorite (by favorite id)."),
    Operation("GET", "/user/coupons/available", available_coupons, "coupons:read",
              response=array(COUPON_SHAPE), summary="Get coupons available to claim."),
    Operation("GET", "/user/coupons/my", my_coupons, "coupons:read", inferred=True,
              response=array(MY_COUPON_SHAPE), summary="Get claimed coupons."),
    Operation("POST", "/user/coupons/{id}/claim", claim_coupon, "coupons:write",
              errors=(404,),
              int_params=("id",), response=CLAIMED_SHAPE, inferred=True,
              summary="Claim a coupon (inferred endpoint)."),
)  # fmt: skip
