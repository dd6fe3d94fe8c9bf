"""The tenant helpers against the real sandbox, in a thread: each acts on its tenant only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.server import ThreadedServer
from sandbox.testing import Sandbox, SandboxControlError

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
