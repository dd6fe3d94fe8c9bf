"""Replies written in one piece (sandbox.http.limits.ReplyWriter): the same bytes on the wire as
through ASGI, pipelined requests and ``HEAD`` framed right, and the cycle's state kept."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.http.limits import ReplyWriter, reply_writer_supported
from sandbox.server import ThreadedServer
from tests.e2e.process import free_port, serve

KEY = b"Authorization: Bearer sk-sandbox-full\r\n"


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer() as running:
        yield running


def test_this_uvicorn_keeps_the_cycle_state_the_reply_writer_keeps() -> None:
    assert reply_writer_supported()


def test_the_sandbox_s_replies_go_through_the_writer(
    server: ThreadedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []
    write = ReplyWriter.__call__

    def counting(self: ReplyWriter, status: int, headers: bytes, body: bytes) -> bool:
        written.append(status)
        return write(self, status, headers, body)

    monkeypatch.setattr(ReplyWriter, "__call__", counting)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": "Bearer sk-sandbox-full"}
    ) as c:
        assert c.get("/products/12345").status_code == 200
        assert c.get("/products/1").status_code == 404
        assert c.get("/__sandbox/clock").status_code == 200
    assert written == [200, 404, 200]


def test_pipelined_requests_and_head_are_framed_as_through_asgi(server: ThreadedServer) -> None:
    requests = (
        b"GET /products/12345 HTTP/1.1\r\nHost: s\r\n" + KEY + b"\r\n"
        b"HEAD /products/12345 HTTP/1.1\r\nHost: s\r\n" + KEY + b"\r\n"
        b"GET /cart HTTP/1.1\r\nHost: s\r\nConnection: close\r\n" + KEY + b"\r\n"
    )
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(requests)
        received = b""
        while chunk := sock.recv(65536):  # the server closes after the third
            received += chunk
    product = httpx.get(f"{server.url}/products/12345",
                        headers={"Authorization": "Bearer sk-sandbox-full"}).content  # fmt: skip
    first, rest = _response(received)
    second, rest = _response(rest, head=True)
    third, rest = _response(rest)
    assert rest == b""
    assert first[0] == second[0] == b"HTTP/1.1 200 OK" == third[0]
    assert first[2] == product and second[2] == b""
    assert first[1][b"content-length"] == second[1][b"content-length"] == b"%d" % len(product)
    assert first[1][b"etag"] == second[1][b"etag"]
    assert b"date" in first[1] and b"server" not in first[1]
    assert third[1][b"connection"] == b"close" and b"connection" not in first[1]
    assert third[2].startswith(b'{"data":{"items":[')


def _response(data: bytes, head: bool = False) -> tuple[Any, bytes]:
    top, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = top.split(b"\r\n")
    headers = dict(line.split(b": ", 1) for line in lines)
    size = 0 if head else int(headers[b"content-length"])
    return (status, headers, rest[:size]), rest[size:]


class FakeCycle:
    """What the writer reads and sets of uvicorn's cycle."""

    def __init__(self, *, keep_alive: bool = True) -> None:
        self.response_started = self.response_complete = self.disconnected = False
        self.waiting_for_100_continue = True
        self.keep_alive = keep_alive
        self.access_log = False
        self.default_headers = [(b"date", b"Tue, 01 Dec 2026 00:00:00 GMT")]
        self.flow = type("Flow", (), {"write_paused": False})()
        self.message_event = asyncio.Event()
        self.writes: list[bytes] = []
        self.closed = False
        self.responses = 0
        self.transport = self

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def on_response(self) -> None:
        self.responses += 1


def test_the_writer_writes_one_piece_and_completes_the_cycle() -> None:
    cycle = FakeCycle()
    assert ReplyWriter(cycle)(201, b"content-length: 2\r\n", b"{}")
    assert cycle.writes == [b"HTTP/1.1 201 Created\r\ndate: Tue, 01 Dec 2026 00:00:00 GMT\r\n"
                            b"content-length: 2\r\n\r\n{}"]  # fmt: skip
    assert cycle.response_started and cycle.response_complete and cycle.message_event.is_set()
    assert not cycle.waiting_for_100_continue and cycle.responses == 1 and not cycle.closed
    assert not ReplyWriter(cycle)(200, b"", b"")  # a second reply: through ASGI, which refuses


def test_the_writer_closes_a_connection_that_is_not_kept_alive() -> None:
    cycle = FakeCycle(keep_alive=False)
    assert ReplyWriter(cycle)(200, b"content-length: 0\r\n", b"")
    assert cycle.writes[0].endswith(b"connection: close\r\n\r\n") and cycle.closed


def test_the_writer_declines_while_writing_is_paused_and_drops_a_gone_client() -> None:
    paused = FakeCycle()
    paused.flow.write_paused = True
    assert not ReplyWriter(paused)(200, b"", b"x") and paused.writes == []
    gone = FakeCycle()
    gone.disconnected = True
    assert ReplyWriter(gone)(200, b"", b"x") and gone.writes == [] and not gone.response_started


def test_with_the_access_log_on_replies_go_through_asgi_and_are_logged() -> None:
    port = free_port()
    with serve(port, ["--port", str(port), "--access-log"]) as process:
        product = httpx.get(f"{process.url}/products/12345",
                            headers={"Authorization": "Bearer sk-sandbox-full"})  # fmt: skip
        assert product.status_code == 200 and product.json()["data"]["id"] == 12345
        assert process.terminate() == 0
    assert '"GET /products/12345 HTTP/1.1" 200' in process.output
