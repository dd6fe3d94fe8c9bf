"""Scripted replies and broken transports, as scenarios ask for them.

A scripted status without a body is the reference's error for that status (a 429 carries
``Retry-After`` equal to the seconds left in the key's window). Transport faults are made at
the raw ASGI level: a reset aborts the socket with ``SO_LINGER`` 0 (an RST), a close ends the
connection with no response, a truncated body ends the connection mid-body, a malformed body is
a complete response that is not JSON, and a dribble sends the body a few bytes at a time.

Resetting or closing needs the server's transport; under uvicorn it is reached through the
``send`` callable. Where there is none (an in-process test client), :class:`TransportFault`
is raised instead, which such clients surface as a failed request.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

from sandbox.errors import ApiError, ScriptedError, TooManyRequests
from sandbox.http.exchange import Headers, Reply
from sandbox.http.responses import dumps
from sandbox.scenario.engine import Outcome
from sandbox.scenario.model import Respond


class TransportFault(ConnectionError):
    """A scripted transport fault where the server's socket cannot be reached."""


def scripted_error(status: int, rate_headers: Headers) -> ApiError:
    """The reference's error for ``status``."""
    if status == 429:
        reset = dict(rate_headers).get(b"x-ratelimit-reset", b"60")
        return TooManyRequests(int(reset))
    return ScriptedError(status)


def scripted_reply(status: int, respond: Respond | None, rate_headers: Headers) -> Reply:
    """The reply a scenario (or ``Prefer: code=``) asks for."""
    if respond is not None and respond.has_body:
        reply = Reply(status, dumps(respond.body), list(rate_headers))
    else:
        reply = Reply.error(scripted_error(status, rate_headers), rate_headers)
    if respond is not None and respond.headers:
        names = {name.lower().encode() for name, _ in respond.headers}
        reply.headers = [h for h in reply.headers if h[0] not in names]
        reply.headers += [(n.lower().encode(), v.encode()) for n, v in respond.headers]
    return reply


def _head(reply: Reply, request_id: str, length: int) -> dict[str, Any]:
    headers = [
        (b"content-type", reply.content_type),
        (b"content-length", str(length).encode()),
        (b"x-request-id", request_id.encode()),
        *reply.headers,
    ]
    return {"type": "http.response.start", "status": reply.status, "headers": headers}


def _transport(send: Any) -> Any:
    owner = getattr(send, "__self__", None)
    return getattr(owner, "transport", None)


async def _drop(send: Any, *, reset: bool) -> None:
    transport = _transport(send)
    if transport is None:
        raise TransportFault("connection reset" if reset else "connection closed")
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # the socket may already be gone
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    await asyncio.sleep(0)  # let the server see the connection go before the app returns


async def send_with_outcome(send: Any, reply: Reply, request_id: str, outcome: Outcome) -> None:
    """Send ``reply`` after the outcome's delay, through its transport fault if any."""
    if outcome.delay > 0:
        await asyncio.sleep(outcome.delay)
    fault = outcome.fault
    body = reply.body
    if fault is None:
        await send(_head(reply, request_id, len(body)))
        await send({"type": "http.response.body", "body": body})
    elif fault.type in ("reset", "close"):
        await _drop(send, reset=fault.type == "reset")
    elif fault.type == "malformed":
        broken = body[: max(1, len(body) // 2)]
        await send(_head(reply, request_id, len(broken)))
        await send({"type": "http.response.body", "body": broken})
    elif fault.type == "truncate":
        await send(_head(reply, request_id, len(body)))
        await send({"type": "http.response.body", "body": body[: len(body) // 2],
                    "more_body": True})  # fmt: skip
        await _drop(send, reset=False)
    else:  # dribble
        await send(_head(reply, request_id, len(body)))
        size = fault.chunk_size
        for start in range(0, len(body), size):
            if start:
                await asyncio.sleep(fault.interval_ms / 1000.0)
            last = start + size >= len(body)
            await send({"type": "http.response.body", "body": body[start : start + size],
                        "more_body": not last})  # fmt: skip
