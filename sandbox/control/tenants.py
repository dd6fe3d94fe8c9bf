"""Keys, resets and wallet top-ups: ``POST /__sandbox/keys|reset|wallet/topup``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.domain.tenant import Tenant
from sandbox.http.operations import body_schema
from sandbox.http.shapes import INTEGER, MONEY, STRING, array, const, enum, obj, one_of
from sandbox.money import money
from sandbox.store import ALL_SCOPES

if TYPE_CHECKING:
    from sandbox.admin import ControlCall, ControlOperation


def mint_key(call: ControlCall) -> dict[str, Any]:
    """A new isolated user with a copy of the story; sandbox-wide scenarios apply to it."""
    scopes = call.body.get("scopes")
    balance = call.body.get("balance")
    key = call.app.store.mint(
        tuple(scopes) if scopes is not None else None,
        money(balance) if balance is not None else None,
    )
    call.app.scenarios.tenant_built(key.user_id)
    return {"key": key.key, "userId": key.user_id, "scopes": list(key.scopes)}


def reset(call: ControlCall) -> dict[str, Any]:
    """State, clock, scenarios, rate-limit windows and journal back to the fixtures."""
    app = call.app
    if call.key is None:
        app.store.reset()
        app.limiter.forget()
        app.journal.clear(everyone=True)
        app.scenarios.reset()
        return {"scope": "sandbox", "message": "Sandbox reset to its fixtures"}
    user_id = call.key.user_id
    app.store.reset_tenant(user_id)
    for key in app.store.keys.values():
        if key.user_id == user_id:
            app.limiter.forget(key.key)
    app.journal.clear(user_id)
    app.scenarios.reset_tenant(user_id)
    return {"scope": "tenant", "userId": user_id, "message": "Tenant reset to its fixture"}


def wallet_view(tenant: Tenant) -> dict[str, Any]:
    wallet = tenant.wallet
    return {
        "userId": tenant.user_id,
        "balance": wallet.balance,
        "frozenBalance": wallet.frozen,
        "availableBalance": wallet.available,
    }


def topup(call: ControlCall) -> dict[str, Any]:
    """Credit the key's tenant (or every tenant) with a ``topup`` wallet transaction."""
    amount = money(call.body["amount"])
    for tenant in call.tenants():
        tenant.wallet.move("topup", amount, tenant.now(), description="Sandbox top-up")
    if call.tenant is not None:
        return wallet_view(call.tenant)
    return {"users": [wallet_view(t) for t in call.tenants()]}


KEYS_BODY = body_schema({
    "scopes": {"type": "array", "uniqueItems": True, "maxItems": len(ALL_SCOPES),
               "items": {"type": "string", "enum": list(ALL_SCOPES)}},
    "balance": {"type": "number", "minimum": 0, "maximum": 1_000_000_000},
})  # fmt: skip

TOPUP_BODY = body_schema(
    {"amount": {"type": "number", "minimum": 0.01, "maximum": 1_000_000_000}}, ("amount",)
)


KEY_SHAPE = obj({"key": STRING, "userId": INTEGER, "scopes": array(enum(*ALL_SCOPES))})
RESET_SHAPE = one_of(
    obj({"scope": const("sandbox"), "message": STRING}),
    obj({"scope": const("tenant"), "userId": INTEGER, "message": STRING}),
)
WALLET_SHAPE = obj(
    {"userId": INTEGER, "balance": MONEY, "frozenBalance": MONEY, "availableBalance": MONEY}
)
TOPUP_SHAPE = one_of(WALLET_SHAPE, obj({"users": array(WALLET_SHAPE)}))


def _operations() -> tuple[ControlOperation, ...]:
    from sandbox.admin import ControlOperation

    return (
        ControlOperation("POST", "/keys", mint_key, status=201, body=KEYS_BODY,
                         response=KEY_SHAPE,
                         summary="Mint a key for a new isolated user with a copy of the story."),
        ControlOperation("POST", "/reset", reset, response=RESET_SHAPE,
                         summary="Back to the fixtures: the whole sandbox, or the key's tenant."),
        ControlOperation("POST", "/wallet/topup", topup, body=TOPUP_BODY, response=TOPUP_SHAPE,
                         summary="Credit the wallet of the key's tenant (or of every tenant)."),
    )  # fmt: skip


OPERATIONS = _operations()
