"""Transport faults through a real ``sandbox serve`` subprocess: only a real server shows a
reset connection, a close without a response, a truncated, malformed or dribbled body."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.process import free_port, serve

FAULTS = """\
name: broken-network
description: each request names the fault it wants in X-Fault
rules:
  - {match: {headers: {x-fault: reset}}, fault: reset}
  - {match: {headers: {x-fault: close}}, fault: close}
  - {match: {headers: {x-fault: truncate}}, fault: truncate}
  - {match: {headers: {x-fault: malformed}}, fault: malformed}
  - {match: {headers: {x-fault: dribble}}, fault: {type: dribble, chunkSize: 64, intervalMs: 20}}
"""
KEY = {"Authorization": "Bearer sk-sandbox-full"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    scenario = tmp_path_factory.mktemp("scenarios") / "broken.yaml"
    scenario.write_text(FAULTS)
    port = free_port()
    args = ["--port", str(port), "--scenario", str(scenario), "--scenario", "qc-failed"]
    with serve(port, args) as served:
        yield served.url
        assert served.terminate() == 0
    assert "Traceback" not in served.output, served.output


def raw_exchange(url: str, fault: str) -> tuple[bytes, BaseException | None]:
    """Send one request on a bare socket; what came back, and how the connection ended."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            f"GET /products/12345 HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer sk-sandbox-full\r\nX-Fault: {fault}\r\n\r\n".encode()
        )
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:
            return received, exc
        return received, None


def test_startup_scenarios_are_active_sandbox_wide(server: str) -> None:
    active = httpx.get(f"{server}/__sandbox/scenarios").json()["data"]["active"]
    assert active == ["broken-network", "qc-failed"]


def test_a_reset_fault_resets_the_connection(server: str) -> None:
    received, ended = raw_exchange(server, "reset")
    assert received == b""
    assert isinstance(ended, ConnectionResetError)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server}/products/12345", headers={**KEY, "X-Fault": "reset"})


def test_a_close_fault_ends_the_connection_without_a_response(server: str) -> None:
    received, ended = raw_exchange(server, "close")
    assert (received, ended) == (b"", None)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{server}/products/12345", headers={**KEY, "X-Fault": "close"})


def test_a_truncated_body_ends_before_its_content_length(server: str) -> None:
    received, _ = raw_exchange(server, "truncate")
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    declared = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")))  # fmt: skip
    assert 0 < len(body) < declared
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{server}/products/12345", headers={**KEY, "X-Fault": "truncate"})


def test_a_malformed_body_is_a_complete_response_that_is_not_json(server: str) -> None:
    response = httpx.get(f"{server}/products/12345", headers={**KEY, "X-Fault": "malformed"})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_a_dribbled_body_arrives_slowly_but_whole(server: str) -> None:
    started = time.monotonic()
    response = httpx.get(f"{server}/products/12345", headers={**KEY, "X-Fault": "dribble"})
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["data"]["id"] == 12345
    chunks = -(-len(response.content) // 64)
    assert elapsed >= (chunks - 1) * 0.02 * 0.9


def test_the_journal_records_the_faults(server: str) -> None:
    entries = httpx.get(f"{server}/__sandbox/requests", headers=KEY).json()["data"]
    by_status = {(e["status"], e["scenario"]) for e in entries}
    assert (None, "broken-network") in by_status  # reset and close: no response at all
    assert (200, "broken-network") in by_status


def test_the_server_keeps_serving_after_the_faults(server: str) -> None:
    assert httpx.get(f"{server}/products/12345", headers=KEY).status_code == 200


def test_serve_refuses_an_unknown_scenario(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", "--port", str(free_port()),
         "--scenario", "no-such-scenario"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no-such-scenario: no such scenario" in result.stderr
