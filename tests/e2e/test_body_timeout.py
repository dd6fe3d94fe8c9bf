"""A request body that does not arrive in time gets Node's 408 and a closed connection, and
a body cut short is never handled: nothing of it reaches the state or the journal."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from sandbox.server import ThreadedServer
from sandbox.settings import Settings

BODY_TIMEOUT = 0.5
HEAD = (
    b"POST /v1/cart/items HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer sk-sandbox-full\r\n"
    b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(settings=Settings(body_timeout=BODY_TIMEOUT)) as running:
        yield running


def lines(server: ThreadedServer) -> int:
    cart = httpx.get(f"{server.url}/cart", headers={"Authorization": "Bearer sk-sandbox-full"})
    return int(cart.json()["data"]["totalItems"])


def journal(server: ThreadedServer) -> list[object]:
    entries: list[object] = httpx.get(f"{server.url}/__sandbox/requests?method=POST").json()["data"]
    return entries


def test_a_body_that_stops_arriving_gets_408_and_the_connection_closes(
    server: ThreadedServer,
) -> None:
    before = lines(server)
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(HEAD + b'{"productId": 12345, "skuId": "s001", "quantity": 1}')
        started = time.monotonic()
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        waited = time.monotonic() - started
    assert reply.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert BODY_TIMEOUT * 0.8 < waited < BODY_TIMEOUT + 2
    assert lines(server) == before
    assert journal(server) == []


def test_a_body_cut_short_by_the_client_is_never_handled(server: ThreadedServer) -> None:
    before = lines(server)
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(HEAD + b'{"productId": 12345, "skuId": "s001", "quantity": 1}')
        time.sleep(0.05)
    time.sleep(0.2)
    assert lines(server) == before
    assert journal(server) == []
