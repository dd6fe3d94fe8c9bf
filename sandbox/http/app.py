"""The ASGI application: ``create_app(store, settings)``.

The pipeline of every API request, in NestJS's order:

1. body parsing (Express middleware, before routing): 413 over the limit, 400 for bad JSON;
2. routing: an unknown path, or a known path with another method, is
   ``404 Cannot GET /path?query`` with or without a key;
3. authentication (401), rate limit (429, and ``X-RateLimit-*`` on everything after it),
   scope (403);
4. validation of path, query and body (400, ValidationPipe's messages);
5. the handler, whose domain errors become their 4xx.

Routing uses Starlette's path matching; everything else is a plain ASGI callable with no
per-request wrappers, because this path is the product's hot path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from starlette.routing import Match, Route

from sandbox.errors import ApiError, Forbidden, NotFound
from sandbox.http.exchange import Exchange, Reply
from sandbox.http.operations import Call, Operation
from sandbox.http.ratelimit import RateLimiter
from sandbox.http.responses import dumps
from sandbox.http.validation import coerce_query, parse_int_param, validate
from sandbox.settings import Settings
from sandbox.store import Store

logger = logging.getLogger("sandbox")

_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


class Router:
    """Paths to operations by method. Static paths are one dict lookup; templated paths are
    matched with Starlette's compiled patterns."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        by_path: dict[str, dict[str, Operation]] = {}
        for operation in operations:
            by_path.setdefault(operation.path, {})[operation.method] = operation
        self.static = {p: ops for p, ops in by_path.items() if "{" not in p}
        self.dynamic = [
            (Route(p, endpoint=_never, methods=None), ops)
            for p, ops in by_path.items()
            if "{" in p
        ]

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
        ops = self.static.get(path)
        params: dict[str, str] = {}
        if ops is None:
            scope = {"type": "http", "path": path, "root_path": "", "method": method}
            for route, candidates in self.dynamic:
                found, child = route.matches(scope)
                if found is not Match.NONE:  # PARTIAL: the path matched, not the method
                    ops, params = candidates, child["path_params"]
                    break
        if ops is None:
            return None, params
        return ops.get(method), params


def _never(*_: Any) -> None:  # pragma: no cover - routes are only used for matching
    raise AssertionError


class SandboxApp:
    """The sandbox as one ASGI application over one :class:`Store`."""

    def __init__(
        self, store: Store, settings: Settings, operations: Iterable[Operation]
    ) -> None:
        from sandbox.admin import ControlPlane

        self.store = store
        self.settings = settings
        self.operations = tuple(operations)
        self.router = Router(self.operations)
        self.limiter = RateLimiter(store.fixture.rate_limit)
        self.control = ControlPlane(self)
        self._openapi: Reply | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        exchange = Exchange(scope)
        try:
            if exchange.method not in _BODYLESS or "content-length" in exchange.headers:
                await exchange.read_body(receive, self.settings.body_limit)
            reply = self.handle(exchange)
        except ApiError as error:
            reply = Reply.error(error, exchange.rate_headers)
        except Exception:
            logger.exception("unhandled error on %s %s", exchange.method, exchange.url)
            reply = Reply.error(ApiError(), exchange.rate_headers)
        await _send(send, reply, exchange.request_id)

    def handle(self, exchange: Exchange) -> Reply:
        if exchange.raw_path.startswith("/__sandbox"):
            return self.control.handle(exchange)
        if exchange.path == "/openapi.json" and exchange.method == "GET":
            return self.openapi()
        operation, params = self.router.match(exchange.method, exchange.path)
        if operation is None:
            raise NotFound(f"Cannot {exchange.method} {exchange.url}")
        return self.run(operation, params, exchange)

    def openapi(self) -> Reply:
        """``GET /openapi.json``: the OpenAPI 3.1 document, built once from the route tables."""
        if self._openapi is None:
            from sandbox.openapi import build_document

            self._openapi = Reply(200, dumps(build_document(self)))
        return self._openapi

    def run(self, operation: Operation, params: dict[str, str], exchange: Exchange) -> Reply:
        key = self.store.authenticate(exchange.bearer())
        exchange.key = key.key
        tenant = self.store.tenant(key.user_id)
        exchange.rate_headers = self.limiter.hit(key.key, tenant.clock.timestamp())
        if operation.scope not in key.scopes:
            raise Forbidden(
                f"Insufficient scope. Required: {operation.scope}. "
                f"Your key has: {', '.join(key.scopes)}"
            )
        parsed: dict[str, Any] = dict(params)
        for name in operation.int_params:
            parsed[name] = parse_int_param(params[name])
        query = (
            validate(operation.query, coerce_query(operation.query, exchange.query()))
            if operation.query is not None
            else {}
        )
        body = validate(operation.body, exchange.json) if operation.body is not None else {}
        call = Call(self.store, key, tenant, parsed, query, body)
        return Reply.data(operation.status, operation.handler(call), exchange.rate_headers)


async def _send(send: Any, reply: Reply, request_id: str) -> None:
    headers = [
        (b"content-type", reply.content_type),
        (b"content-length", str(len(reply.body)).encode()),
        (b"x-request-id", request_id.encode()),
        *reply.headers,
    ]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(store: Store | None = None, settings: Settings | None = None) -> SandboxApp:
    """The sandbox over ``store`` (default: a new store of the settings' fixture)."""
    from sandbox.fixtures import load_fixture
    from sandbox.http.routes import OPERATIONS

    settings = settings or Settings()
    if store is None:
        store = Store(load_fixture(settings.fixtures), seed=settings.seed)
    return SandboxApp(store, settings, OPERATIONS)
