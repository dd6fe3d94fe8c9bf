"""Keys and tenants: ``POST /__sandbox/keys`` (mint), ``DELETE /__sandbox/keys/{key}``
(retire), ``GET /__sandbox/tenants``, ``POST /__sandbox/reset`` and
``POST /__sandbox/wallet/topup``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.clock import isoformat
from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.domain.access import SCOPES
from sandbox.domain.tenant import Tenant
from sandbox.errors import ValidationFailed
from sandbox.http.operations import body_schema
from sandbox.http.shapes import BOOLEAN, INTEGER, STRING, TIMESTAMP, array, const, enum, obj, one_of
from sandbox.http.views import WALLET_SHAPE, wallet_view
from sandbox.money import money


def cents(name: str, value: float) -> Decimal:
    """An amount of money as sent, refused (400) with more than two decimals rather than
    rounded: @IsNumber({maxDecimalPlaces: 2})."""
    exact = Decimal(str(value))
    if exact != exact.quantize(Decimal("0.01")):
        raise ValidationFailed([f"{name} must have at most 2 decimal places"])
    return money(exact)


def mint_key(call: ControlCall) -> dict[str, Any]:
    """A new isolated user (with a copy of the story unless ``story`` is false); the
    sandbox-wide scenarios apply to it."""
    scopes = call.body.get("scopes")
    balance = call.body.get("balance")
    key = call.backend.mint(
        tuple(scopes) if scopes is not None else None,
        cents("balance", balance) if balance is not None else None,
        story=call.body.get("story", True),
    )
    return {"key": key.key, "userId": key.user_id, "scopes": list(key.scopes)}


def retire_key(call: ControlCall) -> dict[str, Any]:
    """Drop a minted tenant (the key in the path, whatever Bearer key is sent)."""
    key = call.backend.retire(call.params["key"])
    return {"key": key.key, "userId": key.user_id, "retired": True}


def tenant_view(call: ControlCall, tenant: Tenant) -> dict[str, Any]:
    backend, user_id = call.backend, tenant.user_id
    return {
        "userId": user_id,
        "keys": [
            {"key": k.key, "scopes": list(k.scopes), "minted": k.minted}
            for k in backend.store.keys_of(user_id)
        ],
        "clock": {"now": isoformat(tenant.clock.now()), "frozen": tenant.clock.frozen},
        "activeScenarios": backend.scenarios.active_names(user_id),
        "counts": {
            "orders": len(tenant.orders),
            "shippingOrders": len(tenant.shipping),
            "journal": backend.journal.count(user_id),
        },
    }


def list_tenants(call: ControlCall) -> list[dict[str, Any]]:
    """Every tenant (with a key: that key's only), the fixture's users first."""
    return [tenant_view(call, tenant) for tenant in call.backend.tenants(call.user_id)]


def reset(call: ControlCall) -> dict[str, Any]:
    """State, clock, scenarios, rate-limit windows and journal back to the fixtures."""
    if call.user_id is None:
        call.backend.reset()
        return {"scope": "sandbox", "message": "Sandbox reset to its fixtures"}
    call.backend.reset_tenant(call.user_id)
    return {"scope": "tenant", "userId": call.user_id, "message": "Tenant reset to its fixture"}


def topup(call: ControlCall) -> dict[str, Any]:
    """Credit the key's tenant (or every tenant) with a ``topup`` wallet transaction."""
    tenants = call.backend.topup(call.user_id, cents("amount", call.body["amount"]))
    if call.user_id is not None:
        return wallet_view(tenants[0])
    return {"users": [wallet_view(t) for t in tenants]}


KEYS_BODY = body_schema({
    "scopes": {"type": "array", "uniqueItems": True, "maxItems": len(SCOPES),
               "items": {"type": "string", "enum": list(SCOPES)}},
    "balance": {"type": "number", "minimum": 0, "maximum": 1_000_000_000,
                "description": "The wallet's balance; with the story, at least its frozen "
                               "598.00"},
    "story": {"type": "boolean", "description": "A copy of user 1001's story (default true); "
                                                "false: an empty user with the balance given"},
})  # fmt: skip

TOPUP_BODY = body_schema(
    {"amount": {"type": "number", "minimum": 0.01, "maximum": 1_000_000_000}}, ("amount",)
)


KEY_SHAPE = obj({"key": STRING, "userId": INTEGER, "scopes": array(enum(*SCOPES))})
RETIRED_SHAPE = obj({"key": STRING, "userId": INTEGER, "retired": const(True)})
TENANT_SHAPE = obj({
    "userId": INTEGER,
    "keys": array(obj({"key": STRING, "scopes": array(enum(*SCOPES)), "minted": BOOLEAN})),
    "clock": obj({"now": TIMESTAMP, "frozen": BOOLEAN}),
    "activeScenarios": array(STRING),
    "counts": obj({"orders": INTEGER, "shippingOrders": INTEGER, "journal": INTEGER}),
})  # fmt: skip
RESET_SHAPE = one_of(
    obj({"scope": const("sandbox"), "message": STRING}),
    obj({"scope": const("tenant"), "userId": INTEGER, "message": STRING}),
)
TOPUP_SHAPE = one_of(WALLET_SHAPE, obj({"users": array(WALLET_SHAPE)}))


OPERATIONS = (
    ControlOperation("POST", "/keys", mint_key, status=201, body=KEYS_BODY,
                     response=KEY_SHAPE,
                     summary="Mint a key for a new isolated user with a copy of the story."),
    ControlOperation("DELETE", "/keys/{key}", retire_key, response=RETIRED_SHAPE, errors=(409,),
                     summary="Retire a minted tenant: its key stops working, its state goes."),
    ControlOperation("GET", "/tenants", list_tenants, response=array(TENANT_SHAPE),
                     summary="Every tenant: keys, clock, active scenarios and counts."),
    ControlOperation("POST", "/reset", reset, response=RESET_SHAPE,
                     summary="Back to the fixtures: the whole sandbox, or the key's tenant."),
    ControlOperation("POST", "/wallet/topup", topup, body=TOPUP_BODY, response=TOPUP_SHAPE,
                     summary="Credit the wallet of the key's tenant (or of every tenant)."),
)  # fmt: skip
