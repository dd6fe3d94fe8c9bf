"""The server's limits on hostile clients: request heads over 16 KiB get Node's 431, heads
that never end are cut off, and a slow client holds only its own connection."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from sandbox.server import ThreadedServer
from sandbox.settings import HEADER_LIMIT, Settings

HEAD_TIMEOUT = 1.5
REQUEST = (
    b"GET /products/12345 HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer sk-sandbox-full\r\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(settings=Settings(header_timeout=HEAD_TIMEOUT)) as running:
        yield running


def _connect(server: ThreadedServer) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=5)


def _reply(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 5 s pass)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _product_answers(server: ThreadedServer) -> bool:
    response = httpx.get(
        f"{server.url}/products/12345",
        headers={"Authorization": "Bearer sk-sandbox-full"},
        timeout=5,
    )
    return response.status_code == 200


def test_a_head_just_under_the_limit_is_served(server: ThreadedServer) -> None:
    padding = HEADER_LIMIT - len(REQUEST) - 200
    with _connect(server) as sock:
        sock.sendall(REQUEST + b"X-Pad: " + b"a" * padding + b"\r\nConnection: close\r\n\r\n")
        assert _reply(sock).startswith(b"HTTP/1.1 200 OK\r\n")


@pytest.mark.parametrize("size", [HEADER_LIMIT, 100 * 1024], ids=["16KiB", "100KiB"])
def test_a_head_over_16_kib_gets_431_and_the_connection_is_closed(
    server: ThreadedServer, size: int
) -> None:
    with _connect(server) as sock:
        sock.sendall(REQUEST + b"X-Big: " + b"a" * size + b"\r\n\r\n")
        reply = _reply(sock)  # returns because the server closed the connection
    assert reply == b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
    assert _product_answers(server)


def test_a_head_that_never_ends_is_cut_off_at_the_limit(server: ThreadedServer) -> None:
    with _connect(server) as sock:
        sock.sendall(REQUEST + b"X-Endless: ")
        sent = 0
        with pytest.raises(OSError):  # reset or broken pipe once the server has closed it
            while sent < 100 * HEADER_LIMIT:  # the server drops 256 KiB at most, then closes
                sock.sendall(b"a" * 1024)
                sent += 1024
                time.sleep(0.001)
            sock.recv(1)  # still open after 10 times the limit: fail below
            pytest.fail("the server read 100 times the head limit without closing")
    assert _product_answers(server)


def test_a_slow_client_does_not_hold_up_others_and_is_dropped_after_the_head_timeout(
    server: ThreadedServer,
) -> None:
    with _connect(server) as slow:
        slow.sendall(b"GET /produ")  # half a request line, then nothing
        started = time.monotonic()
        assert _product_answers(server)
        slow.setblocking(False)
        with pytest.raises(BlockingIOError):  # the slow one is still waiting, still open
            slow.recv(1)
        slow.settimeout(5)
        assert _reply(slow) == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
        assert HEAD_TIMEOUT * 0.9 < time.monotonic() - started < HEAD_TIMEOUT + 3


def test_a_silent_connection_is_closed_after_the_head_timeout(server: ThreadedServer) -> None:
    with _connect(server) as silent:
        started = time.monotonic()
        assert _reply(silent).startswith(b"HTTP/1.1 408")
        assert time.monotonic() - started < HEAD_TIMEOUT + 3


def test_a_large_body_is_not_counted_as_head(server: ThreadedServer) -> None:
    body = b'{"productId": "67890", "skuId": "s010", "quantity": 1, "pad": "' + b"a" * 60_000
    body += b'"}'
    response = httpx.post(
        f"{server.url}/cart/items",
        headers={"Authorization": "Bearer sk-sandbox-full", "Content-Type": "application/json"},
        content=body,
        timeout=5,
    )
    assert response.status_code == 400  # the DTO refuses "pad": a body check, not a 431
    assert "property pad should not exist" in response.text


def test_this_uvicorn_has_the_internals_the_head_limits_build_on() -> None:
    from sandbox.http.limits import limits_supported

    assert limits_supported()


def test_this_uvicorn_has_the_internals_the_connection_limit_answer_builds_on() -> None:
    from sandbox.http.limits import connection_limit_answer_supported

    assert connection_limit_answer_supported()


def test_a_flood_of_malformed_requests_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="uvicorn.error")
    with ThreadedServer(settings=Settings()) as fresh:
        for _ in range(20):
            with _connect(fresh) as sock:
                sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                _reply(sock)
        assert _product_answers(fresh)
    invalid = [r for r in caplog.records if "Invalid HTTP request" in r.getMessage()]
    assert len(invalid) == 1
