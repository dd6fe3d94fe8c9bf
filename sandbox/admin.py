"""The control plane under ``/__sandbox``: just another router over the same store.

It needs no API key. A request that carries ``Authorization: Bearer <key>`` acts on that key's
tenant only; without one, on the whole sandbox. When ``SANDBOX_ADMIN_TOKEN`` is set, every
control request but health must carry it in ``X-Sandbox-Admin-Token``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.domain.tenant import Tenant
from sandbox.errors import NotFound, Unauthorized
from sandbox.http.exchange import Exchange, Reply
from sandbox.http.operations import body_schema
from sandbox.http.validation import validate
from sandbox.money import money
from sandbox.store import ALL_SCOPES, ApiKey

if TYPE_CHECKING:
    from sandbox.http.app import SandboxApp

_HEALTH_BODY = b'{"status":"ok"}'


@dataclass(slots=True)
class ControlCall:
    app: SandboxApp
    key: ApiKey | None  # the tenant's key when the request names one
    tenant: Tenant | None
    params: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ControlOperation:
    method: str
    path: str
    handler: Callable[[ControlCall], Any]
    status: int = 200
    body: dict[str, Any] | None = None
    summary: str = ""


class UnknownKey(NotFound):
    """404: the control request names a key the sandbox does not know."""

    default_message = "Unknown API key"


class ControlPlane:
    def __init__(self, app: SandboxApp) -> None:
        from sandbox.http.app import Router

        self.app = app
        self.operations = _operations()
        self.router = Router(self.operations)  # type: ignore[arg-type]

    def handle(self, exchange: Exchange) -> Reply:
        path = exchange.raw_path.removeprefix("/__sandbox") or "/"
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        if path == "/health" and exchange.method == "GET":
            return Reply(200, _HEALTH_BODY)
        token = self.app.settings.admin_token
        if token is not None and not secrets.compare_digest(
            exchange.headers.get("x-sandbox-admin-token", ""), token
        ):
            raise Unauthorized("Invalid or missing X-Sandbox-Admin-Token")
        operation, params = self.router.match(exchange.method, path)
        if operation is None:
            raise NotFound(f"Cannot {exchange.method} {exchange.url}")
        op: ControlOperation = operation  # type: ignore[assignment]
        key = tenant = None
        bearer = exchange.bearer()
        if bearer is not None:
            key = self.app.store.keys.get(bearer)
            if key is None:
                raise UnknownKey()
            tenant = self.app.store.tenant(key.user_id)
        body = validate(op.body, exchange.json) if op.body is not None else {}
        return Reply.data(op.status, op.handler(ControlCall(self.app, key, tenant, params, body)))


def mint_key(call: ControlCall) -> dict[str, Any]:
    scopes = call.body.get("scopes")
    balance = call.body.get("balance")
    key = call.app.store.mint(
        tuple(scopes) if scopes is not None else None,
        money(balance) if balance is not None else None,
    )
    return {"key": key.key, "userId": key.user_id, "scopes": list(key.scopes)}


def reset(call: ControlCall) -> dict[str, Any]:
    app = call.app
    if call.key is None:
        app.store.reset()
        app.limiter.forget()
        return {"scope": "sandbox", "message": "Sandbox reset to its fixtures"}
    app.store.reset_tenant(call.key.user_id)
    for key in app.store.keys.values():
        if key.user_id == call.key.user_id:
            app.limiter.forget(key.key)
    return {"scope": "tenant", "userId": call.key.user_id, "message": "Tenant reset to its fixture"}


KEYS_BODY = body_schema({
    "scopes": {"type": "array", "uniqueItems": True, "maxItems": len(ALL_SCOPES),
               "items": {"type": "string", "enum": list(ALL_SCOPES)}},
    "balance": {"type": "number", "minimum": 0, "maximum": 1_000_000_000},
})  # fmt: skip

def _operations() -> tuple[ControlOperation, ...]:
    from sandbox.control_lifecycle import LIFECYCLE_CONTROL_OPERATIONS

    return (
        ControlOperation("POST", "/keys", mint_key, status=201, body=KEYS_BODY,
                         summary="Mint a key for a new isolated user with a copy of the story."),
        ControlOperation("POST", "/reset", reset,
                         summary="Back to the fixtures: the whole sandbox, or the key's tenant."),
        *LIFECYCLE_CONTROL_OPERATIONS,
    )  # fmt: skip
