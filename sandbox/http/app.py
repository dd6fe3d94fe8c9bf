"""The ASGI application: ``create_app(store, settings)``.

The pipeline of every API request, in NestJS's order:

1. body parsing (Express middleware, before routing): 413 over the limit, 400 for bad JSON;
2. routing: an unknown path, or a known path with another method, is
   ``404 Cannot GET /path?query`` with or without a key;
3. authentication (401), rate limit (429, and ``X-RateLimit-*`` on everything after it),
   scope (403);
4. validation of path, query and body (400, ValidationPipe's messages);
5. the handler, whose domain errors become their 4xx.

Scenarios (``sandbox.scenario``) hook in after authentication: a scenario can refuse the key
(401), override its rate limit (real 429s), answer with a scripted status, delay the reply,
break the transport, or take scopes away (403). ``Prefer: code=NNN`` and
``X-Sandbox-Scenario: NAME`` do the same for one request. None of that costs anything while no
scenario is active and neither header is sent. Every API request is then recorded in its
tenant's journal (``sandbox.http.journal``).

Routing uses Starlette's path matching; everything else is a plain ASGI callable with no
per-request wrappers, because this path is the product's hot path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from starlette.routing import compile_path

from sandbox.domain.tenant import Tenant
from sandbox.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from sandbox.http.exchange import Exchange, Reply
from sandbox.http.faults import scripted_reply, send_with_outcome
from sandbox.http.journal import Journal
from sandbox.http.operations import Call, Operation
from sandbox.http.ratelimit import RateLimiter
from sandbox.http.responses import dumps
from sandbox.http.validation import coerce_query, parse_int_param, validate
from sandbox.scenario.engine import Outcome, ScenarioEngine, UnknownScenario
from sandbox.scenario.loader import bundled_scenarios, resolve
from sandbox.settings import Settings
from sandbox.store import ApiKey, Store

logger = logging.getLogger("sandbox")

_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The control plane takes larger bodies than the API (a whole state export, PUT back).
CONTROL_BODY_LIMIT = 16 * 1024 * 1024


class Routed(Protocol):
    """What the router needs of an operation (an API or a control-plane one)."""

    @property
    def method(self) -> str: ...

    @property
    def path(self) -> str: ...


Op = TypeVar("Op", bound=Routed)


class Router(Generic[Op]):
    """Paths to operations by method. Static paths are one dict lookup; templated paths are
    matched with the patterns Starlette compiles for them (every parameter a string segment:
    the pipeline parses ids itself, as NestJS's pipes do)."""

    def __init__(self, operations: Iterable[Op]) -> None:
        by_path: dict[str, dict[str, Op]] = {}
        for operation in operations:
            by_path.setdefault(operation.path, {})[operation.method] = operation
        self.static = {p: ops for p, ops in by_path.items() if "{" not in p}
        self.dynamic = [(compile_path(p)[0], ops) for p, ops in by_path.items() if "{" in p]

    def match(self, method: str, path: str) -> tuple[Op | None, dict[str, str]]:
        """The operation for ``method`` on ``path`` (None: unknown route or method), and the
        path's parameters."""
        ops = self.static.get(path)
        if ops is not None:
            return ops.get(method), {}
        for pattern, candidates in self.dynamic:
            found = pattern.match(path)
            if found is not None:
                return candidates.get(method), found.groupdict()
        return None, {}


class SandboxApp:
    """The sandbox as one ASGI application over one :class:`Store`."""

    def __init__(self, store: Store, settings: Settings, operations: Iterable[Operation]) -> None:
        from sandbox.admin import ControlPlane

        self.store = store
        self.settings = settings
        self.operations = tuple(operations)
        self.router = Router(self.operations)
        self.limiter = RateLimiter(store.fixture.rate_limit)
        self.journal = Journal(settings.journal_size)
        self.scenarios = ScenarioEngine(store, bundled_scenarios())
        known = self.scenarios.known
        self.scenarios.start_with(resolve(spec, known) for spec in settings.scenarios)
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
                control = exchange.raw_path.startswith("/__sandbox")
                limit = CONTROL_BODY_LIMIT if control else self.settings.body_limit
                await exchange.read_body(receive, limit)
            reply = self.handle(exchange)
        except ApiError as error:
            reply = Reply.error(error, exchange.rate_headers)
        except Exception:
            logger.exception("unhandled error on %s %s", exchange.method, exchange.url)
            reply = Reply.error(ApiError(), exchange.rate_headers)
        outcome: Outcome | None = exchange.outcome
        if exchange.scenario is not None:  # says the response was scripted, and by whom
            reply.headers.append((b"x-sandbox-scenario", exchange.scenario.encode()))
        if not exchange.raw_path.startswith("/__sandbox") and exchange.path != "/openapi.json":
            status = None if outcome is not None and outcome.drops_response else reply.status
            self.record(exchange, status)
        if outcome is None:
            await _send(send, reply, exchange.request_id)
        else:
            await send_with_outcome(send, reply, exchange.request_id, outcome)

    def record(self, exchange: Exchange, status: int | None) -> None:
        """Journal one API request in its tenant's journal (anonymous: the sandbox's)."""
        user_id, key = exchange.user_id, exchange.key
        if user_id is None:
            key = exchange.bearer()
            found = self.store.keys.get(key) if key else None
            user_id = found.user_id if found is not None else None
        tenant = self.store.tenants.get(user_id) if user_id is not None else None
        self.journal.record(
            user_id,
            request_id=exchange.request_id,
            method=exchange.method,
            path=exchange.raw_path,
            query_string=exchange.query_string,
            key=key,
            body=exchange.body,
            status=status,
            scenario=exchange.scenario,
            time=tenant.clock.now() if tenant is not None else datetime.now(UTC),
        )

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
        exchange.user_id = key.user_id
        tenant = self.store.tenant(key.user_id)
        headers = exchange.headers
        if self.scenarios.live or "prefer" in headers or "x-sandbox-scenario" in headers:
            return self.run_scripted(operation, params, exchange, key, tenant)
        exchange.rate_headers = self.limiter.hit(key.key, tenant.clock.timestamp())
        if operation.scope not in key.scopes:
            raise _insufficient_scope(operation.scope, key.scopes)
        return self.dispatch(operation, params, exchange, key, tenant)

    def run_scripted(
        self,
        operation: Operation,
        params: dict[str, str],
        exchange: Exchange,
        key: ApiKey,
        tenant: Tenant,
    ) -> Reply:
        """The pipeline with scenarios and per-request overrides, after authentication."""
        engine = self.scenarios
        user_id = key.user_id
        extra = None
        name = exchange.headers.get("x-sandbox-scenario")
        if name is not None:
            try:
                extra = engine.single_run(name.strip(), user_id)
            except UnknownScenario:
                raise BadRequest(f"Unknown scenario: {name.strip()}") from None
        engine.tick(tenant)
        effects = engine.key_effects(user_id, key.key, extra)
        if effects.invalid_by is not None:
            exchange.scenario = effects.invalid_by
            raise Unauthorized()
        try:
            exchange.rate_headers = self.limiter.hit(
                key.key, tenant.clock.timestamp(), effects.rate_limit
            )
        except TooManyRequests:
            exchange.scenario = effects.rate_by  # None unless a scenario set the limit
            raise
        code = _prefer_code(exchange.headers.get("prefer"))
        if code is not None and code >= 400:
            reply = scripted_reply(code, None, exchange.rate_headers)
            reply.headers.append((b"x-sandbox-scenario", b"prefer"))
            return reply
        outcome = engine.outcome(user_id, key.key, exchange, extra)
        if outcome is not None:
            exchange.outcome = outcome
            exchange.scenario = outcome.scenario
            if outcome.respond is not None:
                return scripted_reply(outcome.status, outcome.respond, exchange.rate_headers)
        scopes, removed_by = engine.scopes(user_id, key.key, key.scopes, extra)
        if operation.scope not in scopes:
            exchange.scenario = exchange.scenario or removed_by
            raise _insufficient_scope(operation.scope, scopes)
        if exchange.method == "GET" and params:
            path = operation.path
            kind = "shipping" if path.startswith("/shipping/orders/") else "orders"
            if path.startswith(("/orders/", "/shipping/orders/")):
                engine.read(tenant, kind, next(iter(params.values())))
        return self.dispatch(operation, params, exchange, key, tenant)

    def dispatch(
        self,
        operation: Operation,
        params: dict[str, str],
        exchange: Exchange,
        key: ApiKey,
        tenant: Tenant,
    ) -> Reply:
        """Validation, then the handler."""
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


def _insufficient_scope(required: str, scopes: Iterable[str]) -> Forbidden:
    return Forbidden(f"Insufficient scope. Required: {required}. Your key has: {', '.join(scopes)}")


def _prefer_code(value: str | None) -> int | None:
    """The status of ``Prefer: code=NNN`` (as Stoplight Prism reads it), if asked for."""
    if not value:
        return None
    for token in value.replace(";", ",").split(","):
        name, _, code = token.strip().partition("=")
        if name.strip().lower() == "code":
            code = code.strip().strip('"')
            if not code.isdigit() or not (200 <= int(code) < 300 or 400 <= int(code) < 600):
                raise BadRequest("Prefer code must be a 2xx, 4xx or 5xx status")
            return int(code)
    return None


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
