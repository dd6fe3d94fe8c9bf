"""The control plane under ``/__sandbox``: just another router over the same store.

It needs no API key. A request that carries ``Authorization: Bearer <key>`` acts on that key's
tenant only (even while a scenario makes the API refuse the key); without one, on the whole
sandbox. When ``SANDBOX_ADMIN_TOKEN`` is set, every control request but health must carry it
in ``X-Sandbox-Admin-Token``. The operations live in :mod:`sandbox.control`, one module per
area; the purchase and shipping advances in :mod:`sandbox.control_lifecycle`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from sandbox.domain.tenant import Tenant
from sandbox.errors import BadRequest, NotFound, Unauthorized
from sandbox.http.exchange import Exchange, Reply
from sandbox.http.validation import coerce_query, validate
from sandbox.store import ApiKey

if TYPE_CHECKING:
    from sandbox.http.app import SandboxApp

_HEALTH_BODY = b'{"status":"ok"}'


@dataclass(slots=True)
class ControlCall:
    """What a control handler gets: the app, the key's tenant (if a key was sent), the path
    parameters, the validated body, and the raw request for handlers that read it."""

    app: SandboxApp
    key: ApiKey | None  # the tenant's key when the request names one
    tenant: Tenant | None
    params: dict[str, str]
    body: dict[str, Any]
    query: dict[str, Any] = field(default_factory=dict)  # validated against the op's query
    raw: bytes = b""
    content_type: str = ""
    document: Any = None  # the JSON body as sent, for handlers that check it themselves

    def tenants(self) -> list[Tenant]:
        """The tenants the call acts on: the key's, or every tenant without a key."""
        if self.tenant is not None:
            return [self.tenant]
        return list(self.app.store.tenants.values())

    def default_tenant(self) -> Tenant:
        """The key's tenant, or the fixture's first user for a sandbox-wide read."""
        if self.tenant is not None:
            return self.tenant
        store = self.app.store
        return store.tenant(next(iter(store.fixture.users)))

    @property
    def user_id(self) -> int | None:
        return self.key.user_id if self.key is not None else None


@dataclass(frozen=True, slots=True)
class ControlOperation:
    method: str
    path: str
    handler: Callable[[ControlCall], Any]
    status: int = 200
    body: dict[str, Any] | None = None
    summary: str = ""
    #: JSON Schema of ``data`` in the success reply, for the OpenAPI document.
    response: Mapping[str, Any] | None = None
    #: The query parameters the handler reads (it checks them itself), for the document.
    query: Mapping[str, Any] | None = None
    #: A request body the handler checks itself: media type to JSON Schema, for the document.
    document_body: Mapping[str, Mapping[str, Any]] | None = None
    #: Statuses the handler can answer beyond the control plane's 400, 401, 404 and 413.
    errors: tuple[int, ...] = ()


class UnknownKey(NotFound):
    """404: the control request names a key the sandbox does not know."""

    default_message = "Unknown API key"


class ControlPlane:
    """Routes ``/__sandbox/...`` requests to their :class:`ControlOperation`."""

    def __init__(self, app: SandboxApp) -> None:
        from sandbox.http.app import Router

        self.app = app
        self.operations = _operations()
        self.router: Router[ControlOperation] = Router(self.operations)

    def handle(self, exchange: Exchange) -> Reply:
        path = exchange.raw_path.removeprefix("/__sandbox") or "/"
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        if path == "/health" and exchange.method == "GET":
            return Reply(200, _HEALTH_BODY)
        token = self.app.settings.admin_token
        if token is not None and not secrets.compare_digest(
            exchange.headers.get("x-sandbox-admin-token", "").encode(), token.encode()
        ):
            raise Unauthorized("Invalid or missing X-Sandbox-Admin-Token")
        op, params = self.router.match(exchange.method, path)
        if op is None:
            raise NotFound(f"Cannot {exchange.method} {exchange.url}")
        key = tenant = None
        bearer = exchange.bearer()
        if bearer is not None:
            key = self.app.store.keys.get(bearer)
            if key is None:
                raise UnknownKey()
            tenant = self.app.store.tenant(key.user_id)
        content_type = exchange.headers.get("content-type", "")
        document = None if "yaml" in content_type else _json(exchange)
        body = validate(op.body, document) if op.body is not None else {}
        query = (
            validate(op.query, coerce_query(op.query, exchange.query()))
            if op.query is not None
            else {}
        )
        call = ControlCall(self.app, key, tenant, params, body, query, exchange.body,
                           content_type, document)  # fmt: skip
        return Reply.data(op.status, op.handler(call))


def _json(exchange: Exchange) -> Any:
    """The JSON body, parsed here too when the client did not say it was JSON."""
    if exchange.json is not None or not exchange.body.strip():
        return exchange.json
    try:
        return orjson.loads(exchange.body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Malformed JSON: {exc}") from None


def _operations() -> tuple[ControlOperation, ...]:
    from sandbox.control import clock, journal, scenarios, state, tenants
    from sandbox.control_lifecycle import LIFECYCLE_CONTROL_OPERATIONS

    return (
        *tenants.OPERATIONS,
        *clock.OPERATIONS,
        *journal.OPERATIONS,
        *scenarios.OPERATIONS,
        *state.OPERATIONS,
        *LIFECYCLE_CONTROL_OPERATIONS,
    )
