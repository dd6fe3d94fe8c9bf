"""The API pipeline: every request of the v1 API, in NestJS's order.

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
scenario is active and neither header is sent. Every request is then recorded in its tenant's
journal, with its reply and how long it took.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sandbox.backend import Backend
from sandbox.domain.access import ApiKey
from sandbox.domain.tenant import Tenant
from sandbox.errors import BadRequest, Forbidden, NotFound, TooManyRequests, Unauthorized
from sandbox.http.endpoint import Endpoint, send_reply
from sandbox.http.exchange import Exchange, Reply
from sandbox.http.faults import scripted_reply, send_with_outcome
from sandbox.http.operations import Call, Operation
from sandbox.http.responses import Encoded, weak_etag
from sandbox.http.routing import Router, decode_params
from sandbox.http.validation import coerce_form, coerce_query, parse_int_param, validate
from sandbox.scenario.engine import Outcome, UnknownScenario

#: Methods that change nothing (every other request may have changed its tenant).
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiPipeline(Endpoint):
    """The v1 API over one backend, served under ``/`` and ``/v1/``."""

    parses_forms = True

    def __init__(self, backend: Backend, operations: Iterable[Operation], body_limit: int) -> None:
        super().__init__(backend)
        self.operations = tuple(operations)
        self.router = Router(self.operations)
        self.body_limit = body_limit

    def handle(self, exchange: Exchange) -> Reply:
        operation, params = self.router.match(exchange.method, exchange.path)
        if operation is None:
            raise NotFound(f"Cannot {exchange.method} {exchange.url}")
        if exchange.encoded and params:
            params = decode_params(params)
        return self.run(operation, params, exchange)

    async def respond(self, exchange: Exchange, reply: Reply, send: Any) -> None:
        outcome: Outcome | None = exchange.outcome
        if exchange.scenario is not None:  # says the response was scripted, and by whom
            reply.headers.append((b"x-sandbox-scenario", exchange.scenario.encode()))
        if exchange.user_id is not None and exchange.method not in _READS:
            self.backend.replies.changed(exchange.user_id)  # a write, answered or refused
        if outcome is None:
            self.record(exchange, reply, reply.status, 0.0)
            await send_reply(send, reply, exchange)
            return
        status = None if outcome.drops_response else reply.status
        self.record(exchange, reply, status, outcome.delay)
        await send_with_outcome(send, reply, exchange.request_id, outcome)

    def record(self, exchange: Exchange, reply: Reply, status: int | None, delay: float) -> None:
        """Journal one request in its tenant's journal (anonymous: the sandbox's), before its
        reply is sent, so that a client reading the journal next always finds it. Its
        duration is the time taken so far plus the ``delay`` a scenario adds before sending."""
        backend = self.backend
        user_id, key = exchange.user_id, exchange.key
        if user_id is None:
            key = exchange.bearer()
            found = backend.store.keys.get(key) if key else None
            user_id = found.user_id if found is not None else None
        now = exchange.now
        if now is None:
            tenant = backend.store.tenants.get(user_id) if user_id is not None else None
            now = tenant.clock.now() if tenant is not None else datetime.now(UTC)
        # Positional (in Journal.record's order): this runs on every request.
        backend.journal.record(
            user_id,
            exchange.request_id,
            exchange.method,
            exchange.raw_path,
            exchange.query_string,
            key,
            exchange.body,
            status,
            exchange.scenario,
            now,
            reply.body,
            (time.perf_counter() - exchange.started + delay) * 1000,
        )

    def run(self, operation: Operation, params: dict[str, str], exchange: Exchange) -> Reply:
        backend = self.backend
        key = backend.store.authenticate(exchange.bearer())
        exchange.key = key.key
        exchange.user_id = key.user_id
        tenant = backend.tenant(key.user_id)
        headers = exchange.raw_headers
        if backend.scenarios.live or b"prefer" in headers or b"x-sandbox-scenario" in headers:
            return self.run_scripted(operation, params, exchange, key, tenant)
        now = exchange.now = tenant.clock.now()
        exchange.rate_headers = backend.limiter.hit(key.key, now.timestamp())
        if operation.scope not in key.scopes:
            raise _insufficient_scope(operation.scope, key.scopes)
        if operation.cached:
            return self.dispatch_cached(operation, params, exchange, key, tenant)
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
        engine = self.backend.scenarios
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
            exchange.rate_headers = self.backend.limiter.hit(
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

    def dispatch_cached(
        self,
        operation: Operation,
        params: dict[str, str],
        exchange: Exchange,
        key: ApiKey,
        tenant: Tenant,
    ) -> Reply:
        """:meth:`dispatch` of a ``cached`` operation: the encoded answer of the tenant's
        current state when it was already given once (see :mod:`sandbox.replies`)."""
        replies = self.backend.replies
        request = (operation.path, *params.values(), exchange.query_string)
        encoded = replies.get(key.user_id, request)
        if encoded is None:
            fresh = self.dispatch(operation, params, exchange, key, tenant)
            encoded = Encoded(fresh.body, weak_etag(fresh.body))
            replies.put(key.user_id, request, encoded)
        return Reply(operation.status, encoded.body, exchange.rate_headers, etag=encoded.etag)

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
        body = {}
        if operation.body is not None:
            sent = exchange.json
            if exchange.form:  # strings: numbers and booleans as @Type() turns them
                sent = coerce_form(operation.body, sent)
            body = validate(operation.body, sent)
        call = Call(self.backend, key, tenant, parsed, query, body)
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
