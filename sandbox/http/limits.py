"""The limits of the HTTP server, set in one place for ``sandbox serve`` and ``ThreadedServer``.

NestJS runs on Node's HTTP server, which refuses a request head (request line and headers)
over 16 KiB with ``431 Request Header Fields Too Large`` and closes the connection, and answers
a head that is still incomplete after its ``headersTimeout`` with ``408 Request Timeout``. uvicorn
with httptools (what ``http="auto"`` picks) has neither: it accepts a 20 MB header and waits for
ever on a half-sent request line. :class:`BoundedHttpToolsProtocol` adds both; the byte count of
an unfinished head is checked after each chunk, so a head that never ends cannot grow memory.

A slow client holds only its own connection: every connection is served by the same event
loop, so others are answered while it dawdles, and it is closed once the head timeout passes
(or, between requests, once the keep-alive timeout passes). A request body that is still
incomplete ``body_timeout`` seconds after its head gets ``408`` and the connection is closed
(Node's ``requestTimeout`` does the same); the request is never handled.

Beyond ``max_connections`` open connections, uvicorn answers a new request ``503`` with its own
plain-text app; :class:`BoundedHttpToolsProtocol` swaps that app for one that answers in the
reference's error shape and names the limit (``Connection: close``, as uvicorn's does).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from typing import Any

import httptools
from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sandbox.errors import ScriptedError
from sandbox.http.exchange import WRITE_REPLY
from sandbox.http.responses import JSON_CONTENT_TYPE, error_body
from sandbox.settings import (
    BODY_TIMEOUT,
    HEADER_LIMIT,
    HEADER_TIMEOUT,
    MAX_CONNECTIONS,
    Settings,
)

#: Seconds an idle keep-alive connection stays open between requests (Node's default).
KEEP_ALIVE_TIMEOUT = 5

#: Seconds a refused connection still reads (and drops) what its client sends before closing.
REFUSED_LINGER = 1.0

#: Bytes a refused connection drops before it closes anyway (a head that never ends).
REFUSED_DRAIN = 256 * 1024

#: Seconds between two warnings about malformed requests.
WARNING_INTERVAL = 10.0

#: Seconds a stopping server waits for requests in flight.
GRACEFUL_SHUTDOWN_TIMEOUT = 5

_REFUSED = {
    408: b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
}


def connection_limit_body(limit: int) -> bytes:
    """The body of the ``503`` a request gets beyond ``limit`` connections at once."""
    message = (
        f"Service Unavailable: the sandbox is at its connection limit ({limit}); raise it with "
        "--max-connections or SANDBOX_MAX_CONNECTIONS"
    )
    return error_body(ScriptedError(503, message))


class HeadTooLarge(Exception):
    """Raised from the parser's callback to stop parsing a head over the limit."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with Node's limits on the request head.

    ``head_limit`` (bytes) and ``head_timeout`` (seconds) are class attributes: see
    :func:`protocol_class`. The head timer is armed when a connection opens and whenever a
    chunk leaves a head unfinished, so a request whose head arrives whole costs nothing more.
    """

    head_limit: int = HEADER_LIMIT
    head_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    #: What a request beyond ``max_connections`` gets (see :meth:`_start_asgi_task`).
    at_limit: bytes = connection_limit_body(MAX_CONNECTIONS)
    #: Whether each request's scope offers a :class:`ReplyWriter` (see :func:`protocol_class`).
    writes_replies: bool = False
    warned_at: float = -math.inf  # the last "Invalid HTTP request" warning
    skipped: int = 0  # the ones not logged since

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._in_head = True  # between a request's first byte (or the connection) and its head
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = self.loop.call_later(
            self.head_timeout, self._refuse, 408
        )
        self._body_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self._dropped = 0

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        self._stop_body_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:  # answered and closing: the rest of what it sends is dropped
            self._dropped += len(data)
            if self._dropped > REFUSED_DRAIN:
                self.transport.close()
            return
        self._unset_keepalive_if_required()
        if self._in_head:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, HeadTooLarge):
                self._refuse(431)
            else:
                self._warn_invalid()
                self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._in_head and not self.transport.is_closing():
            if self._head_bytes > self.head_limit:
                self._refuse(431)
            elif self._head_timer is None:
                self._head_timer = self.loop.call_later(self.head_timeout, self._refuse, 408)

    def _warn_invalid(self) -> None:
        """Log malformed requests once per :data:`WARNING_INTERVAL`, not once each: a flood of
        them must not flood the log. (The moment is kept on the server's own protocol class,
        which :func:`protocol_class` makes per server.)"""
        now = time.monotonic()
        server = type(self)
        if now - server.warned_at >= WARNING_INTERVAL:
            skipped, server.skipped, server.warned_at = server.skipped, 0, now
            more = f" ({skipped} more since the last warning)" if skipped else ""
            self.logger.warning("Invalid HTTP request received%s.", more)
        else:
            server.skipped += 1

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._stop_head_timer()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.head_limit:
            raise HeadTooLarge
        super().on_headers_complete()
        cycle = self.cycle
        if self.writes_replies and cycle is not None and not _logs_access(cycle):
            extensions: dict[str, Any] = self.scope.setdefault("extensions", {})
            extensions[WRITE_REPLY] = ReplyWriter(cycle)
        if _has_body(self.headers):
            self._body_timer = self.loop.call_later(self.body_timeout, self._body_late)

    def on_message_complete(self) -> None:
        self._stop_body_timer()
        super().on_message_complete()

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        """Run ``app`` for ``cycle``, or :meth:`_at_connection_limit` where uvicorn chose its
        own plain-text ``503`` (its ``on_headers_complete`` picks ``service_unavailable``
        when the connections or tasks reach ``limit_concurrency``; a pipelined request gets
        its app here too, later)."""
        if app is _UVICORN_503:
            app = self._at_connection_limit
        super()._start_asgi_task(cycle, app)

    async def _at_connection_limit(self, scope: Any, receive: Any, send: Any) -> None:
        """The ASGI app of a request beyond ``max_connections``: the reference's error shape,
        naming the limit and how to raise it; uvicorn closes the connection after it."""
        body = self.at_limit
        await send({
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", JSON_CONTENT_TYPE),
                        (b"content-length", str(len(body)).encode()), (b"connection", b"close")],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _stop_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_late(self) -> None:
        self._body_timer = None
        self._refuse(408)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: int) -> None:
        """Answer as Node does (a status line, ``Connection: close``, no body) and close.

        The answer goes out with a FIN and what the client still sends is read and dropped
        for a moment before the socket closes: closing a socket with unread data makes the
        kernel send a reset, which can destroy the answer before the client reads it."""
        self._head_timer = None
        self._stop_body_timer()
        if not self.transport.is_closing():
            self.transport.write(_REFUSED[status])
            self._refused = True
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.loop.call_later(REFUSED_LINGER, self.transport.close)
            else:
                self.transport.close()


class ReplyWriter:
    """Writes a whole reply the sandbox built itself in one piece, for one request.

    Through ASGI, uvicorn checks every response header against two regular expressions and
    lower-cases it, and writes the head and the body apart: about a microsecond a header, and
    a second ``send()`` on the socket, on every reply. The sandbox's own replies carry eight
    headers it made itself (the scripted ones are checked when their scenario is loaded), so
    :meth:`__call__` writes the status line, uvicorn's default headers (``date``), the reply's
    header lines and its body with one ``write``, keeping the request/response cycle's state as
    uvicorn's ``send`` does. It declines (False: send through ASGI then) once a response has
    started or while the transport asks to pause writing; a server that logs access (``sandbox
    serve --access-log``) gets none.
    """

    __slots__ = ("cycle",)

    def __init__(self, cycle: Any) -> None:
        self.cycle = cycle

    def __call__(self, status: int, headers: bytes, body: bytes) -> bool:
        """Write ``status``, ``headers`` (header lines, each ending CRLF) and ``body``."""
        cycle = self.cycle
        if cycle.response_started or cycle.flow.write_paused:
            return False
        if cycle.disconnected:
            return True  # as uvicorn's send: nothing to write to
        cycle.response_started = True
        cycle.waiting_for_100_continue = False
        parts = [_STATUS_LINE[status]]
        for name, value in cycle.default_headers:
            parts += (name, b": ", value, b"\r\n")
        parts.append(headers)
        if not cycle.keep_alive:
            parts.append(b"connection: close\r\n")
        parts += (b"\r\n", body)
        cycle.transport.write(b"".join(parts))
        cycle.response_complete = True
        cycle.message_event.set()
        if not cycle.keep_alive:
            cycle.transport.close()
        cycle.on_response()
        return True


_STATUS_LINE: dict[int, bytes] = getattr(httptools_impl, "STATUS_LINE", {})


def _logs_access(cycle: Any) -> bool:
    """Whether uvicorn would write an access-log line for this cycle's reply (its access
    logger has handlers, as under pytest's log capture, and takes ``INFO`` records)."""
    return bool(cycle.access_log) and cycle.access_logger.isEnabledFor(logging.INFO)


#: The ASGI app uvicorn's httptools protocol answers with beyond ``limit_concurrency``.
_UVICORN_503: Any = getattr(httptools_impl, "service_unavailable", None)

#: The uvicorn internals :meth:`BoundedHttpToolsProtocol.data_received` relies on (it mirrors
#: uvicorn's own ``data_received``, tested with uvicorn 0.54).
_INTERNALS = (
    "_unset_keepalive_if_required",
    "_should_upgrade",
    "handle_websocket_upgrade",
    "_unsupported_upgrade_warning",
    "send_400_response",
    "on_message_begin",
    "on_headers_complete",
    "on_message_complete",
)


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-length":
            return value.strip() not in (b"", b"0")
        if name == b"transfer-encoding":
            return True
    return False


def limits_supported() -> bool:
    """Whether this uvicorn still has the internals the bounded protocol builds on."""
    return all(callable(getattr(HttpToolsProtocol, name, None)) for name in _INTERNALS)


#: What :class:`ReplyWriter` reads and sets of uvicorn's request/response cycle.
_CYCLE_STATE = ("response_started", "response_complete", "waiting_for_100_continue",
                "disconnected", "keep_alive", "access_log", "access_logger", "default_headers",
                "flow",
                "transport", "message_event", "on_response", "scope")  # fmt: skip


@functools.cache
def reply_writer_supported() -> bool:
    """Whether this uvicorn's cycle still keeps the state :class:`ReplyWriter` keeps (checked
    on a cycle made for the purpose, as the bounded protocol makes them)."""
    if len(_STATUS_LINE) < 500:
        return False
    unused: Any = None
    try:
        cycle = httptools_impl.RequestResponseCycle(
            scope=unused, transport=unused, flow=unused, logger=unused, access_logger=unused,
            access_log=False, default_headers=[], message_event=asyncio.Event(),
            expect_100_continue=False, keep_alive=True, on_response=lambda: None,
        )  # fmt: skip
    except TypeError:
        return False
    return all(hasattr(cycle, name) for name in _CYCLE_STATE)


def connection_limit_answer_supported() -> bool:
    """Whether this uvicorn starts every request's app through ``_start_asgi_task`` and
    answers beyond its limit with ``service_unavailable``, which the bounded protocol swaps
    for its own answer (without them, uvicorn's plain-text ``503`` goes out instead)."""
    return callable(_UVICORN_503) and callable(getattr(HttpToolsProtocol, "_start_asgi_task", None))


def protocol_class(
    head_limit: int,
    head_timeout: float,
    body_timeout: float = BODY_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
) -> type[BoundedHttpToolsProtocol]:
    """:class:`BoundedHttpToolsProtocol` with these limits (uvicorn takes a class)."""
    attributes = {"head_limit": head_limit, "head_timeout": head_timeout,
                  "body_timeout": body_timeout,
                  "at_limit": connection_limit_body(max_connections),
                  "writes_replies": reply_writer_supported()}  # fmt: skip
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), attributes)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The ``uvicorn.Config`` options every sandbox server uses (``host``, ``port`` and
    logging are the caller's)."""
    if limits_supported():
        http: Any = protocol_class(
            settings.header_limit, settings.header_timeout, settings.body_timeout,
            settings.max_connections,
        )  # fmt: skip
    else:  # a uvicorn whose internals moved: serve unbounded rather than not at all
        logging.getLogger("sandbox").warning(
            "this uvicorn version lacks the internals the request-head limits need; "
            "serving without them"
        )
        http = "httptools"
    return {
        "loop": "auto",
        "http": http,
        "lifespan": "off",
        # Express sends no ``Server`` header (uvicorn's would name it); and the sandbox reads
        # nothing a proxy's ``X-Forwarded-*`` headers would change, so uvicorn need not apply
        # them to every request.
        "server_header": False,
        "proxy_headers": False,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_TIMEOUT,
        # uvicorn refuses a request once the connections (its own included) or the requests
        # in flight reach the limit: one more, so that ``max_connections`` are served at once.
        "limit_concurrency": settings.max_connections + 1,
        # Not used while httptools is installed (it always is); the same bound if it were not.
        "h11_max_incomplete_event_size": settings.header_limit,
    }
