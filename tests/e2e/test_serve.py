"""``sandbox serve`` as a real process: it starts, serves, lists its keys, stops on SIGTERM."""

from __future__ import annotations

import httpx

from tests.e2e.process import free_port, serve


def test_serve_answers_the_documented_product_and_exits_cleanly_on_sigterm() -> None:
    port = free_port()
    with serve(port) as served:
        response = httpx.get(
            f"{served.url}/products/12345",
            headers={"Authorization": "Bearer sk-sandbox-full"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["data"]["title"] == "Nike Air Max 90"

        assert served.terminate(timeout=5) == 0

    assert f"http://127.0.0.1:{port}" in served.output
    for key in ("sk-sandbox-full", "sk-sandbox-readonly", "sk-sandbox-limited"):
        assert key in served.output


def test_serve_listens_on_the_port_of_sandbox_port() -> None:
    port = free_port()
    with serve(port, [], env={"SANDBOX_PORT": str(port)}) as served:
        health = httpx.get(f"{served.url}/__sandbox/health", timeout=10)
        assert health.json() == {"status": "ok"}
        assert served.terminate(timeout=5) == 0
