"""The control plane under ``/__sandbox``: just another endpoint over the same backend.

It needs no API key. A request that carries ``Authorization: Bearer <key>`` acts on that key's
tenant only (even while a scenario makes the API refuse the key); without one, on the whole
sandbox. When ``SANDBOX_ADMIN_TOKEN`` is set, every control request but health must carry it
in ``X-Sandbox-Admin-Token``. The operations live in this package, one module per area.
"""

from __future__ import annotations

import secrets
from typing import Any

import anyio.to_thread
import orjson

from sandbox.backend import Backend
from sandbox.control import clock, journal, lifecycle, scenarios, state, tenants
from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.errors import BadRequest, NotFound, Unauthorized
from sandbox.http.endpoint import Endpoint
from sandbox.http.exchange import Exchange, Reply
from sandbox.http.routing import Router
from sandbox.http.validation import coerce_query, validate
from sandbox.settings import Settings

#: The control plane takes larger bodies than the API (a whole state export, PUT back).
CONTROL_BODY_LIMIT = 16 * 1024 * 1024

#: Bodies larger than this are checked and built by their operation's ``prepare`` in a worker
#: thread: a whole state of thousands of tenants takes seconds to check, during which the
#: event loop goes on answering every other tenant. (Their JSON is parsed on the loop: the
#: parser holds the interpreter's lock for the whole document wherever it runs.)
OFFLOAD_OVER = 256 * 1024

#: Every control operation but health, by area.
OPERATIONS: tuple[ControlOperation, ...] = (
    *tenants.OPERATIONS,
    *clock.OPERATIONS,
    *journal.OPERATIONS,
    *scenarios.OPERATIONS,
    *state.OPERATIONS,
    *lifecycle.OPERATIONS,
)

_HEALTH_BODY = b'{"status":"ok"}'


class ControlPlane(Endpoint):
    """Routes ``/__sandbox/...`` requests to their :class:`ControlOperation`."""

    body_limit = CONTROL_BODY_LIMIT
    asynchronous = True

    def __init__(self, backend: Backend, settings: Settings) -> None:
        super().__init__(backend)
        self.settings = settings
        self.operations = OPERATIONS
        self.router: Router[ControlOperation] = Router(self.operations)

    async def handle_async(self, exchange: Exchange) -> Reply:
        found = self.call(exchange)
        if isinstance(found, Reply):
            return found
        op, call = found
        if op.prepare is not None:
            if len(exchange.body) > OFFLOAD_OVER:
                call.prepared = await anyio.to_thread.run_sync(op.prepare, call)
            else:
                call.prepared = op.prepare(call)
        return Reply.data(op.status, op.handler(call))

    def call(self, exchange: Exchange) -> Reply | tuple[ControlOperation, ControlCall]:
        """The operation a request asks for and what its handler is called with (or the
        reply itself: health)."""
        path = exchange.raw_path.removeprefix("/__sandbox") or "/"
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        if path == "/health" and exchange.method == "GET":
            return Reply(200, _HEALTH_BODY)
        token = self.settings.admin_token
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
            key = self.backend.key(bearer)
            tenant = self.backend.tenant(key.user_id)
        content_type = exchange.headers.get("content-type", "")
        document = _json(exchange, yaml_too=op.document_body is not None
                         and "application/yaml" in op.document_body)  # fmt: skip
        body = validate(op.body, document) if op.body is not None else {}
        query = (
            validate(op.query, coerce_query(op.query, exchange.query()))
            if op.query is not None
            else {}
        )
        return op, ControlCall(self.backend, self.settings, key, tenant, params, body, query,
                               exchange.body, content_type, document)  # fmt: skip


def _json(exchange: Exchange, *, yaml_too: bool = False) -> Any:
    """The JSON body, parsed here too when the client did not say it was JSON.

    A body sent as YAML is left to the handler (None). For an operation that takes YAML too
    (a scenario document), so is a body whose type says neither and that is not JSON: the
    handler reads it as YAML, and says so if that fails too."""
    if exchange.json is not None or not exchange.body.strip():
        return exchange.json
    if "yaml" in exchange.headers.get("content-type", ""):
        return None
    try:
        return orjson.loads(exchange.body)
    except orjson.JSONDecodeError as exc:
        if yaml_too:
            return None
        raise BadRequest(f"Malformed JSON: {exc}") from None
