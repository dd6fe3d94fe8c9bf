"""The request/reply loop that the API, the control plane and ``/openapi.json`` share.

An :class:`Endpoint` is a plain ASGI application: it parses the request into an
:class:`~sandbox.http.exchange.Exchange`, reads the body within its limit (413 beyond it, 400
for malformed JSON), asks :meth:`Endpoint.handle` for a :class:`~sandbox.http.exchange.Reply`,
turns an :class:`~sandbox.errors.ApiError` into the reference's error shape (anything else into
a logged 500), and sends the reply with its ``X-Request-Id``. No per-request wrappers: this is
the product's hot path.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import Receive, Scope, Send

from sandbox.backend import Backend
from sandbox.errors import ApiError
from sandbox.http.exchange import Exchange, Reply

logger = logging.getLogger("sandbox")

_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


class Endpoint:
    """One plane of the sandbox as an ASGI application over the backend."""

    #: The largest request body accepted, in bytes.
    body_limit: int = 100 * 1024

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        exchange = Exchange(scope, self.backend.request_ids.next())
        try:
            if exchange.method not in _BODYLESS or "content-length" in exchange.headers:
                await exchange.read_body(receive, self.body_limit)
            reply = self.handle(exchange)
        except ApiError as error:
            reply = Reply.error(error, exchange.rate_headers)
        except Exception:
            logger.exception("unhandled error on %s %s", exchange.method, exchange.url)
            reply = Reply.error(ApiError(), exchange.rate_headers)
        await self.respond(exchange, reply, send)

    def handle(self, exchange: Exchange) -> Reply:
        """The reply to one request; raise an :class:`ApiError` for an error reply."""
        raise NotImplementedError

    async def respond(self, exchange: Exchange, reply: Reply, send: Any) -> None:
        await send_reply(send, reply, exchange.request_id)


async def send_reply(send: Any, reply: Reply, request_id: str) -> None:
    headers = [
        (b"content-type", reply.content_type),
        (b"content-length", str(len(reply.body)).encode()),
        (b"x-request-id", request_id.encode()),
        *reply.headers,
    ]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})
