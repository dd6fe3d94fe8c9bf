"""The tenant helpers speak SPEC §6's control plane: each call's method, path, body, headers.

They are checked against a fake control plane that records what it receives, so the wire
contract is tested apart from the server's implementation of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sandbox.server import ThreadedServer
from sandbox.testing import (
    ExternalServer,
    Sandbox,
    SandboxControlError,
    wait_until_healthy,
)

KEY = "sk-sandbox-2001-fake"


class FakeControlPlane:
    """An ASGI app that records every request and answers like ``/__sandbox`` would."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        if path == "/__sandbox/health":
            await _reply(send, 200, {"status": "ok"})
            return
        self.received.append({
            "method": scope["method"],
            "path": path,
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "json": json.loads(body) if body else None,
        })  # fmt: skip
        if path == "/__sandbox/keys":
            await _reply(send, 201, {"data": {"key": KEY, "userId": 2001, "scopes": ["a:read"]}})
        elif path == "/__sandbox/requests":
            await _reply(send, 200, {"data": [{"method": "GET", "path": "/cart"}]})
        elif "ORD-LATE" in path:
            await _reply(send, 409, {"statusCode": 409, "message": "nope", "error": "Conflict"})
        else:
            await _reply(send, 200, {"data": {"ok": True}})

    def last(self) -> dict[str, Any]:
        return self.received[-1]


async def _reply(send: Any, status: int, body: object) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeControlPlane, str]]:
    plane = FakeControlPlane()
    with ThreadedServer(plane) as server:
        yield plane, server.url


@pytest.fixture
def plane(fake: tuple[FakeControlPlane, str]) -> FakeControlPlane:
    fake[0].received.clear()
    return fake[0]


@pytest.fixture
def tenant(fake: tuple[FakeControlPlane, str], plane: FakeControlPlane) -> Iterator[Sandbox]:
    with Sandbox.mint(fake[1], admin_token="s3cret") as minted:
        yield minted


def test_minting_posts_to_keys_and_keeps_the_key_and_user(
    fake: tuple[FakeControlPlane, str], plane: FakeControlPlane
) -> None:
    with Sandbox.mint(fake[1], scopes=["cart:read"], balance=Decimal("12.30")) as tenant:
        assert (tenant.key, tenant.user_id, tenant.scopes) == (KEY, 2001, ["a:read"])
        assert tenant.client.headers["Authorization"] == f"Bearer {KEY}"
        assert tenant.client.base_url == fake[1]
    minted, retired = plane.received
    assert (minted["method"], minted["path"]) == ("POST", "/__sandbox/keys")
    assert minted["json"] == {"scopes": ["cart:read"], "balance": 12.3}
    assert "authorization" not in minted["headers"]
    assert "x-sandbox-admin-token" not in minted["headers"]
    # What ``with`` minted, its exit retires.
    assert (retired["method"], retired["raw_path"]) == ("DELETE", f"/__sandbox/keys/{KEY}")


def test_minting_without_the_story_says_so_and_only_then(
    fake: tuple[FakeControlPlane, str], plane: FakeControlPlane
) -> None:
    Sandbox.mint(fake[1], story=False).close()
    Sandbox.mint(fake[1], story=True).close()
    assert [sent["json"] for sent in plane.received] == [{"story": False}, {}]


def test_the_admin_token_is_sent_when_minting_and_retiring(
    fake: tuple[FakeControlPlane, str], plane: FakeControlPlane
) -> None:
    with Sandbox.mint(fake[1], admin_token="s3cret"):
        pass
    assert [sent["headers"]["x-sandbox-admin-token"] for sent in plane.received] == [
        "s3cret",
        "s3cret",
    ]


def test_minting_with_no_options_asks_for_the_defaults(
    fake: tuple[FakeControlPlane, str], plane: FakeControlPlane
) -> None:
    Sandbox.mint(fake[1]).close()
    assert plane.last()["json"] == {}


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    [
        (lambda s: s.advance_clock(3600), "POST", "/__sandbox/clock/advance", {"seconds": 3600}),
        (lambda s: s.advance_order("ORD-20240115-002"), "POST",
         "/__sandbox/orders/ORD-20240115-002/advance", {}),
        (lambda s: s.advance_order("ORD-20240115-002", to="in_warehouse"), "POST",
         "/__sandbox/orders/ORD-20240115-002/advance", {"to": "in_warehouse"}),
        (lambda s: s.advance_shipping("SHP-20240123-001"), "POST",
         "/__sandbox/shipping/SHP-20240123-001/advance", {}),
        (lambda s: s.advance_shipping("SHP-20240123-001", to="shipped"), "POST",
         "/__sandbox/shipping/SHP-20240123-001/advance", {"to": "shipped"}),
        (lambda s: s.activate("invalid-key"), "POST",
         "/__sandbox/scenarios/invalid-key/activate", None),
        (lambda s: s.deactivate("invalid-key"), "POST",
         "/__sandbox/scenarios/invalid-key/deactivate", None),
        (lambda s: s.topup(Decimal("100.50")), "POST", "/__sandbox/wallet/topup",
         {"amount": 100.5}),
        (lambda s: s.topup(500), "POST", "/__sandbox/wallet/topup", {"amount": 500}),
    ],
)  # fmt: skip
def test_each_helper_acts_on_the_tenant_with_its_key_and_the_admin_token(
    tenant: Sandbox,
    plane: FakeControlPlane,
    call: Any,
    method: str,
    path: str,
    body: object,
) -> None:
    assert call(tenant) == {"ok": True}
    sent = plane.last()
    assert (sent["method"], sent["path"], sent["json"]) == (method, path, body)
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"
    assert sent["headers"]["x-sandbox-admin-token"] == "s3cret"


def test_requests_reads_the_journal_with_its_filters(
    tenant: Sandbox, plane: FakeControlPlane
) -> None:
    entries = tenant.requests(method="GET", path="/cart", status=200)
    assert entries == [{"method": "GET", "path": "/cart"}]
    sent = plane.last()
    assert (sent["method"], sent["path"]) == ("GET", "/__sandbox/requests")
    assert sent["query"] == "method=GET&path=%2Fcart&status=200"
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"


def test_a_refused_control_request_raises_with_its_status_and_body(tenant: Sandbox) -> None:
    with pytest.raises(SandboxControlError, match="answered 409") as raised:
        tenant.advance_order("ORD-LATE")
    assert raised.value.status_code == 409
    assert raised.value.body == {"statusCode": 409, "message": "nope", "error": "Conflict"}


def test_an_order_number_is_sent_as_one_path_segment(
    tenant: Sandbox, plane: FakeControlPlane
) -> None:
    tenant.advance_order("ORD/../x")
    assert plane.last()["raw_path"] == "/__sandbox/orders/ORD%2F..%2Fx/advance"


def test_an_external_server_is_waited_for_until_healthy(
    fake: tuple[FakeControlPlane, str],
) -> None:
    assert ExternalServer(fake[1]).wait_until_healthy(timeout=5).url == fake[1]


def test_waiting_for_a_server_that_never_answers_times_out() -> None:
    with pytest.raises(TimeoutError, match="did not answer"):
        wait_until_healthy("http://127.0.0.1:9", timeout=0.2)
