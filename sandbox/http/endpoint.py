"""The request/reply loop that the API, the control plane and ``/openapi.json`` share.

An :class:`Endpoint` is a plain ASGI application: it parses the request into an
:class:`~sandbox.http.exchange.Exchange`, reads the body within its limit (413 beyond it, 400
for malformed JSON), asks :meth:`Endpoint.handle` for a :class:`~sandbox.http.exchange.Reply`,
turns an :class:`~sandbox.errors.ApiError` into the reference's error shape (anything else into
a logged 500), and sends the reply with its ``X-Request-Id``. No per-request wrappers: this is
the product's hot path.

As Express's ``res.send`` does, every reply carries a weak ``ETag``; a ``GET`` or ``HEAD``
whose ``If-None-Match`` names it gets ``304 Not Modified`` without a body, and a ``HEAD`` gets
the ``GET``'s headers (its ``Content-Length`` too) without the body.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import Receive, Scope, Send

from sandbox.backend import Backend
from sandbox.errors import ApiError
from sandbox.http.exchange import ClientGone, Exchange, Reply
from sandbox.http.responses import weak_etag

logger = logging.getLogger("sandbox")

_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


class Endpoint:
    """One plane of the sandbox as an ASGI application over the backend."""

    #: The largest request body accepted, in bytes.
    body_limit: int = 100 * 1024
    #: Whether ``application/x-www-form-urlencoded`` bodies are parsed (NestJS's API does; the
    #: control plane reads a body sent without a JSON type, as curl's ``-d`` sends, as JSON).
    parses_forms: bool = False
    #: Whether replies come from :meth:`handle_async` instead of :meth:`handle`: for a plane
    #: that hands slow work to a worker thread (the control plane's large state documents).
    asynchronous: bool = False

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        exchange = Exchange(scope, self.backend.request_ids.next())
        try:
            if exchange.method not in _BODYLESS or b"content-length" in exchange.raw_headers:
                await exchange.read_body(receive, self.body_limit, self.parses_forms)
            if not self.asynchronous:
                reply = self.handle(exchange)
            else:
                reply = await self.handle_async(exchange)
        except ClientGone:
            return
        except ApiError as error:
            reply = Reply.error(error, exchange.rate_headers)
        except Exception:
            logger.exception("unhandled error on %s %s", exchange.method, exchange.url)
            reply = Reply.error(ApiError(), exchange.rate_headers)
        await self.respond(exchange, conditional(exchange, reply), send)

    def handle(self, exchange: Exchange) -> Reply:
        """The reply to one request; raise an :class:`ApiError` for an error reply."""
        raise NotImplementedError

    async def handle_async(self, exchange: Exchange) -> Reply:
        """:meth:`handle`, for a plane that sets :attr:`asynchronous` (it may await a worker
        thread)."""
        return self.handle(exchange)

    async def respond(self, exchange: Exchange, reply: Reply, send: Any) -> None:
        await send_reply(send, reply, exchange)


def conditional(exchange: Exchange, reply: Reply) -> Reply:
    """``reply`` with its weak ``ETag``, or the ``304`` that replaces it when the request's
    ``If-None-Match`` names it (Express's ``req.fresh``: a ``GET`` or ``HEAD`` answered 2xx,
    without ``Cache-Control: no-cache``)."""
    tag = reply.etag
    if tag is None:
        tag = reply.etag = weak_etag(reply.body)  # the same for a reply served twice (cached)
    wanted = exchange.raw_headers.get(b"if-none-match")
    if (
        wanted is not None
        and 200 <= reply.status < 300
        and exchange.method in ("GET", "HEAD")
        and _fresh(wanted.decode("latin-1"), tag.decode(), exchange.headers.get("cache-control"))
    ):
        return Reply(304, b"", reply.headers, reply.content_type, tag)
    if exchange.outcome is not None:  # sent by a scenario's fault path: the header itself
        return Reply(reply.status, reply.body, [*reply.headers, (b"etag", tag)],
                     reply.content_type)  # fmt: skip
    return reply


def _fresh(wanted: str, tag: str, cache_control: str | None) -> bool:
    if cache_control is not None and "no-cache" in cache_control.lower():
        return False
    if wanted.strip() == "*":
        return True
    for token in wanted.split(","):
        token = token.strip()
        if token == tag or "W/" + token == tag or token == "W/" + tag:
            return True
    return False


async def send_reply(send: Any, reply: Reply, exchange: Exchange) -> None:
    """Send ``reply``; to a ``HEAD``, its headers only. A 304 carries neither a body nor the
    headers that describe one. Under ``sandbox serve``, the reply is written in one piece by
    the server's :class:`~sandbox.http.limits.ReplyWriter`, if the request's scope offers one
    (any other server gets the same reply through ASGI)."""
    body = b"" if exchange.method == "HEAD" else reply.body
    headers = [
        (b"content-type", reply.content_type),
        (b"content-length", b"%d" % len(reply.body)),
        (b"x-request-id", exchange.request_id.encode()),
        *reply.headers,
    ]
    if reply.etag is not None:
        headers.append((b"etag", reply.etag))
    if reply.status == 304:
        del headers[:2]
    write = exchange.writer
    if write is not None and write(
        reply.status, b"".join([b"%s: %s\r\n" % header for header in headers]), body
    ):
        return
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
