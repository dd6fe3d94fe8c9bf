"""``ThreadedServer``: uvicorn in a thread on a free port, errors surfacing in the caller."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import ServerError, ThreadedServer


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else is listening on."""
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        yield blocker.getsockname()[1]


async def _health_then_crash(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that is healthy, and raises on every other path."""
    if scope["path"] != "/__sandbox/health":
        raise ValueError("boom in the server thread")
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b'{"status":"ok"}'})


def test_a_started_server_serves_the_sandbox_on_the_port_the_os_chose() -> None:
    with ThreadedServer() as server:
        assert server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        response = httpx.get(
            f"{server.url}/products/12345", headers={"Authorization": "Bearer sk-sandbox-full"}
        )
        assert response.status_code == 200
        assert response.json()["data"]["title"] == "Nike Air Max 90"
    assert not server.running


def test_stopping_ends_the_server_thread() -> None:
    before = set(threading.enumerate())  # other suites' session servers may be running
    server = ThreadedServer().start()
    assert server.running
    server.stop()
    assert not server.running
    started = set(threading.enumerate()) - before
    assert not [t for t in started if t.name == "sandbox-server" and t.is_alive()]


def test_a_port_already_taken_raises_in_the_caller(taken_port: int) -> None:
    server = ThreadedServer(port=taken_port)
    with pytest.raises(ServerError, match="address already in use") as raised:
        server.start()
    assert isinstance(raised.value.__cause__, OSError)
    assert not server.running


def test_an_exception_inside_the_app_is_raised_again_when_the_server_stops() -> None:
    server = ThreadedServer(_health_then_crash).start()
    try:
        assert httpx.get(f"{server.url}/products/1").status_code == 500
    finally:
        with pytest.raises(ServerError, match="boom in the server thread") as raised:
            server.stop()
    assert isinstance(raised.value.__cause__, ValueError)


def test_check_raises_an_error_of_the_server_thread_once() -> None:
    with ThreadedServer(_health_then_crash) as server:
        httpx.get(f"{server.url}/anything")
        with pytest.raises(ServerError, match="boom"):
            server.check()
        server.check()  # reported once, then forgotten


def test_a_server_starts_only_once() -> None:
    with ThreadedServer() as server, pytest.raises(RuntimeError, match="already started"):
        server.start()
