"""``sandbox serve --max-connections N``: N connections are served at once, and a request on
one more gets a ``503`` in the reference's error shape that names the limit, then the
connection is closed."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.e2e.process import ServeProcess, free_port, serve

LIMIT = 3
FULL = "Authorization: Bearer sk-sandbox-full\r\n"
LINE = b'{"productId": "12345", "skuId": "s002", "quantity": 1}'


@pytest.fixture(scope="module")
def server() -> Iterator[ServeProcess]:
    port = free_port()
    with serve(port, ["--port", str(port), "--max-connections", str(LIMIT)]) as running:
        yield running


def _connect(server: ServeProcess) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def _reply(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _held(server: ServeProcess) -> socket.socket:
    """A connection whose request is under way: its head sent, its body not yet."""
    sock = _connect(server)
    head = (
        f"POST /cart/items HTTP/1.1\r\nHost: sandbox\r\n{FULL}Content-Type: application/json\r\n"
        f"Content-Length: {len(LINE)}\r\nConnection: close\r\n\r\n"
    )
    sock.sendall(head.encode() + LINE[:10])
    return sock


def test_beyond_max_connections_a_request_gets_a_json_503_naming_the_limit(
    server: ServeProcess,
) -> None:
    time.sleep(0.2)  # the health check's connection is closed on the server's side too
    with ExitStack() as stack:
        held = [stack.enter_context(_held(server)) for _ in range(LIMIT)]
        time.sleep(0.2)
        with _connect(server) as extra:
            extra.sendall(f"GET /products/12345 HTTP/1.1\r\nHost: sandbox\r\n{FULL}\r\n".encode())
            status, headers, body = _reply(extra)
        assert status == 503
        assert headers["content-type"] == "application/json; charset=utf-8"
        assert headers["connection"] == "close"
        assert int(headers["content-length"]) == len(body)
        assert json.loads(body) == {
            "statusCode": 503,
            "message": f"Service Unavailable: the sandbox is at its connection limit ({LIMIT}); "
            "raise it with --max-connections or SANDBOX_MAX_CONNECTIONS",
            "error": "Service Unavailable",
        }
        # The N held ones were served all along: each finishes its request normally.
        for sock in held:
            sock.sendall(LINE[10:])
            assert _reply(sock)[0] == 201
    time.sleep(0.2)
    answered = httpx.get(
        f"{server.url}/products/12345", headers={"Authorization": "Bearer sk-sandbox-full"}
    )
    assert answered.status_code == 200
