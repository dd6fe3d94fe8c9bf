"""The tenant helpers against the real sandbox, in a thread: each acts on its tenant only."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.server import ThreadedServer
from sandbox.testing import Connection, Sandbox, SandboxControlError

SHIPMENT = {
    "items": [{"inventoryId": 101, "quantity": 1}, {"inventoryId": 102, "quantity": 1}],
    "logisticsChannelId": "ch-001",
    "recipientName": "John Doe",
    "recipientPhone": "+1-555-0123",
    "recipientCountry": "US",
    "recipientCity": "Los Angeles",
    "recipientAddress": "123 Main St",
    "recipientZipCode": "90001",
}


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer() as started:
        yield started


@pytest.fixture
def tenant(server: ThreadedServer) -> Iterator[Sandbox]:
    with Sandbox.mint(server.url) as minted:
        yield minted
    server.check()


@pytest.fixture
def neighbour(server: ThreadedServer) -> Iterator[Sandbox]:
    with Sandbox.mint(server.url) as minted:
        yield minted


def clock_of(tenant: Sandbox) -> str:
    reply = httpx.get(
        f"{tenant.url}/__sandbox/clock", headers={"Authorization": f"Bearer {tenant.key}"}
    )
    now: str = reply.json()["data"]["now"]
    return now


def test_advancing_the_clock_moves_only_the_tenants_clock(
    tenant: Sandbox, neighbour: Sandbox
) -> None:
    clock = tenant.advance_clock(86_400)
    assert clock["now"].startswith("2024-01-24T")
    assert clock_of(tenant).startswith("2024-01-24T")
    assert clock_of(neighbour).startswith("2024-01-23T")


def test_a_scenario_activated_then_deactivated_stops_applying(
    tenant: Sandbox, neighbour: Sandbox
) -> None:
    tenant.activate("invalid-key")
    assert tenant.client.get("/cart").status_code == 401
    assert neighbour.client.get("/cart").status_code == 200
    tenant.deactivate("invalid-key")
    assert tenant.client.get("/cart").status_code == 200


def test_a_purchase_order_advances_a_step_at_a_time(tenant: Sandbox) -> None:
    tenant.advance_order("ORD-20240115-002")  # paid -> purchased
    status = tenant.client.get("/orders/ORD-20240115-002").json()["data"]["status"]
    assert status == "purchased"


def test_an_illegal_advance_is_refused_with_409(tenant: Sandbox) -> None:
    with pytest.raises(SandboxControlError) as raised:
        tenant.advance_order("ORD-20240115-001", to="pending")
    assert raised.value.status_code == 409


def test_a_shipping_order_advances_to_shipped(tenant: Sandbox) -> None:
    created = tenant.client.post("/shipping/create", json=SHIPMENT)
    assert created.status_code == 201, created.text
    order_no = created.json()["data"]["orderNo"]
    tenant.advance_shipping(order_no, to="shipped")
    detail = tenant.client.get(f"/shipping/orders/{order_no}").json()["data"]
    assert detail["status"] == "shipped"


def test_a_top_up_credits_the_wallet(tenant: Sandbox) -> None:
    tenant.topup(100.5)
    balance = tenant.client.get("/user/wallet/balance").json()["data"]
    assert balance["balance"] == 2100.5


def test_the_journal_is_the_tenants_own_and_filters(tenant: Sandbox, neighbour: Sandbox) -> None:
    tenant.client.get("/cart")
    tenant.client.get("/products/12345")
    neighbour.client.get("/cart")
    entries = tenant.requests(path="/cart")
    assert [(e["method"], e["path"], e["status"], e["key"]) for e in entries] == [
        ("GET", "/cart", 200, tenant.key)
    ]
    assert len(tenant.requests(status=200)) == 2


def test_now_is_the_tenants_clock_as_an_aware_datetime(tenant: Sandbox) -> None:
    now = tenant.now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert now.date() == date(2024, 1, 23)


def test_set_clock_and_freeze_clock_hold_the_tenants_time(
    tenant: Sandbox, neighbour: Sandbox
) -> None:
    tenant.set_clock(now=datetime(2024, 2, 1, 9, 30, tzinfo=UTC), frozen=True)
    assert tenant.now() == datetime(2024, 2, 1, 9, 30, tzinfo=UTC)
    assert tenant.now() == datetime(2024, 2, 1, 9, 30, tzinfo=UTC)  # frozen: it stays
    assert neighbour.now().date() == date(2024, 1, 23)
    clock = neighbour.freeze_clock()
    assert clock["frozen"] is True
    with pytest.raises(TypeError, match="needs now, frozen"):
        tenant.set_clock()


def test_reset_puts_the_tenant_back_to_its_story(tenant: Sandbox) -> None:
    assert tenant.client.delete("/cart").status_code == 200
    tenant.reset()
    assert [item["id"] for item in tenant.client.get("/cart").json()["data"]["items"]] == [501]


def test_a_saved_state_is_restored_after_changes(tenant: Sandbox) -> None:
    saved = tenant.state()
    assert saved["id"] == tenant.user_id
    tenant.client.delete("/cart")
    tenant.restore(saved)
    assert tenant.client.get("/cart").json()["data"]["totalItems"] == 1


@pytest.mark.parametrize(
    "doc",
    [
        {"name": "flaky", "rules": [{"match": {"path": "/cart"}, "respond": {"status": 503}}]},
        "name: flaky\nrules:\n  - match: {path: /cart}\n    respond: {status: 503}\n",
        '{"name": "flaky", "rules": [{"match": {"path": "/cart"}, "respond": {"status": 503}}]}',
    ],
    ids=["dict", "yaml", "json"],
)
def test_a_posted_scenario_applies_to_the_tenant_only(
    tenant: Sandbox, neighbour: Sandbox, doc: Any
) -> None:
    assert tenant.scenario(doc) == "flaky"
    assert tenant.client.get("/cart").status_code == 503
    assert neighbour.client.get("/cart").status_code == 200


def test_a_scenario_file_is_posted_from_its_path(tenant: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "slow.yaml"
    path.write_text("name: teapot\nrules:\n  - match: {path: /cart}\n    respond: {status: 418}\n")
    assert tenant.scenario(path) == "teapot"
    assert tenant.client.get("/cart").status_code == 418
    with pytest.raises(TypeError, match=r"pathlib\.Path"):
        tenant.scenario(str(path))


def test_a_refused_scenario_says_the_field_and_the_reason(tenant: Sandbox) -> None:
    with pytest.raises(SandboxControlError, match="without /v1") as raised:
        tenant.scenario({"name": "x", "rules": [{"match": {"path": "/v1/orders"},
                                                 "respond": {"status": 503}}]})  # fmt: skip
    assert raised.value.status_code == 400


def test_an_unknown_scenario_name_says_where_to_look(tenant: Sandbox) -> None:
    with pytest.raises(SandboxControlError, match="sandbox scenarios` lists the bundled"):
        tenant.activate("no-such-scenario")


def test_last_request_is_the_newest_match_with_or_without_v1(tenant: Sandbox) -> None:
    tenant.client.get("/v1/cart")
    tenant.client.get("/products/12345")
    entry = tenant.last_request(path="/cart")
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/v1/cart", 200)
    assert tenant.last_request()["path"] == "/products/12345"
    with pytest.raises(AssertionError, match="GET /products/12345 -> 200"):
        tenant.last_request(path="/orders")


def test_assert_requested_counts_and_explains_with_the_nearest_entries(tenant: Sandbox) -> None:
    tenant.client.get("/cart")
    tenant.client.get("/v1/cart")
    tenant.client.get("/orders/ORD-20240115-001")
    assert len(tenant.assert_requested("GET", "/cart", times=2, status=200)) == 2
    tenant.assert_requested("get", "/orders/{orderNo}")
    with pytest.raises(AssertionError) as raised:
        tenant.assert_requested("POST", "/cart/items")
    message = str(raised.value)
    assert "expected POST /cart/items at least once, found it never" in message
    assert "The nearest of its 3 journal entries:" in message
    assert "GET /v1/cart -> 200" in message
    with pytest.raises(AssertionError, match="expected GET /cart once, found it twice"):
        tenant.assert_requested("GET", "/cart", times=1)


def in_a_new_loop(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """``asyncio.run(main())`` in a thread of its own (as a test's own event loop would be,
    whatever loop the suite's other tests left in this thread)."""
    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(asyncio.run(main())))
    thread.start()
    thread.join(timeout=30)
    return results[0]


def test_the_async_client_sends_the_tenants_key(tenant: Sandbox) -> None:
    async def read_cart() -> int:
        response = await tenant.async_client.get("/cart")
        return response.status_code

    assert in_a_new_loop(read_cart) == 200
    assert in_a_new_loop(read_cart) == 200  # another event loop: no connection is kept
    assert tenant.async_client.headers["Authorization"] == f"Bearer {tenant.key}"


def test_a_tenant_minted_with_with_is_retired_on_exit(server: ThreadedServer) -> None:
    with Sandbox.mint(server.url) as minted:
        assert minted.client.get("/cart").status_code == 200
    after = httpx.get(f"{server.url}/cart", headers={"Authorization": f"Bearer {minted.key}"})
    assert after.status_code == 401
    with pytest.raises(RuntimeError, match="is closed"):
        minted.reset()


def test_retiring_twice_is_fine_and_the_tenant_count_returns(server: ThreadedServer) -> None:
    with Connection(server.url) as connection:
        start = connection.tenant_count()
        tenant = connection.mint()
        assert connection.tenant_count() == start + 1
        tenant.retire()
        tenant.retire()  # already gone: nothing to do
        tenant.close()
        assert connection.tenant_count() == start


def test_a_tenant_without_the_story_is_empty_with_the_balance_it_asked_for(
    server: ThreadedServer,
) -> None:
    with Sandbox.mint(server.url, story=False) as empty:
        assert empty.client.get("/cart").json()["data"]["items"] == []
        assert empty.client.get("/orders").json()["data"]["total"] == 0
        assert empty.client.get("/user/wallet/balance").json()["data"]["balance"] == 0
    with Sandbox.mint(server.url, story=False, balance=50) as funded:
        assert funded.client.get("/user/wallet/balance").json()["data"]["balance"] == 50
