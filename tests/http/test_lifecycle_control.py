"""Driving lifecycles through /__sandbox, and one order walked from creation to delivery."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from sandbox.store import Store
from tests.conftest import FULL, error

RECIPIENT = {
    "recipientName": "John Doe", "recipientPhone": "+1-555-0123", "recipientCountry": "US",
    "recipientCity": "Los Angeles", "recipientAddress": "123 Main St",
    "recipientZipCode": "90001",
}  # fmt: skip


@pytest.fixture(autouse=True)
def frozen_clock(store: Store) -> None:
    store.tenant(1001).clock.set(frozen=True)


def status(client: TestClient, order_no: str) -> str:
    return client.get(f"/orders/{order_no}/status").json()["data"]["status"]


def money(client: TestClient) -> tuple[float, float]:
    data = client.get("/user/wallet/balance").json()["data"]
    return data["balance"], data["frozenBalance"]


def test_one_order_walks_from_creation_to_a_delivered_shipping_order(
    client: TestClient, anonymous: TestClient
) -> None:
    auth = {"Authorization": f"Bearer {FULL}"}
    created = client.post("/orders", json={"items": [
        {"productId": "67890", "skuId": "s010", "quantity": 2}]})  # fmt: skip
    order_no = created.json()["data"]["orderNo"]
    assert (order_no, created.json()["data"]["totalAmount"]) == ("ORD-20240123-001", 378.00)
    assert money(client) == (2000.00, 976.00)
    backpack = client.get("/products/67890").json()["data"]["skus"][0]["stock"]
    assert backpack == 78

    steps = [
        ("paid", (1622.00, 598.00)),
        ("purchased", (1603.00, 598.00)),
        ("shipped_to_warehouse", (1603.00, 598.00)),
        ("in_warehouse", (1603.00, 598.00)),
    ]
    for expected, wallet in steps:
        reply = anonymous.post(f"/__sandbox/orders/{order_no}/advance", headers=auth)
        assert (reply.status_code, reply.json()["data"]["status"]) == (200, expected)
        assert status(client, order_no) == expected
        assert money(client) == wallet
    detail = client.get(f"/orders/{order_no}").json()["data"]
    assert detail["logistics"]["carrier"] in {"SF Express", "YTO Express", "ZTO Express"}
    assert detail["inspection"]["weight"] == 1600
    packages = client.get("/warehouse/packages?status=in_warehouse").json()["data"]["items"]
    assert [(p["id"], p["weight"], p["orderId"], p["storageDays"]) for p in packages][-1] == (
        103, 1600, order_no, 0,
    )  # fmt: skip
    types = [t["type"] for t in client.get("/user/wallet/transactions").json()["data"]["items"]]
    assert types[:3] == ["service_fee", "payment", "freeze"]

    shipped = client.post("/shipping/create", json={
        "items": [{"inventoryId": 103, "quantity": 1}], "logisticsChannelId": "ch-002",
        **RECIPIENT})  # fmt: skip
    assert shipped.status_code == 201
    shp = shipped.json()["data"]
    assert (shp["orderNo"], shp["totalWeight"], shp["shippingFee"]) == (
        "SHP-20240123-001", 1600, 210.00,
    )  # fmt: skip
    assert money(client) == (1393.00, 598.00)
    for expected in ("processing", "shipped"):
        reply = anonymous.post("/__sandbox/shipping/SHP-20240123-001/advance", headers=auth)
        assert reply.json()["data"]["status"] == expected
    assert client.get("/warehouse/packages/103").json()["data"]["status"] == "shipped"
    confirmed = client.post("/shipping/orders/SHP-20240123-001/confirm-delivery")
    assert confirmed.json()["data"]["status"] == "delivered"
    assert client.get("/warehouse/packages/103").json()["data"]["status"] == "delivered"
    final = anonymous.post(f"/__sandbox/orders/{order_no}/advance", headers=auth)
    assert final.json()["data"]["status"] == "completed"
    assert money(client) == (1393.00, 598.00)
    assert client.get("/products/67890").json()["data"]["skus"][0]["stock"] == 78


def test_advance_to_walks_every_step_and_records_the_inspection(anonymous: TestClient) -> None:
    reply = anonymous.post(
        "/__sandbox/orders/ORD-20240120-001/advance",
        json={"to": "in_warehouse", "inspection": "failed"},
    )
    assert reply.status_code == 200
    data = reply.json()["data"]
    assert (data["status"], data["inspection"]["result"]) == ("in_warehouse", "failed")
    assert data["logistics"] is not None


def test_without_a_key_the_control_plane_acts_on_the_first_user(
    client: TestClient, anonymous: TestClient, store: Store
) -> None:
    minted = {"Authorization": f"Bearer {store.mint().key}"}
    anonymous.post("/__sandbox/orders/ORD-20240120-001/advance")
    assert status(client, "ORD-20240120-001") == "paid"
    assert (
        client.get("/orders/ORD-20240120-001/status", headers=minted).json()["data"]["status"]
        == "pending"
    )
    anonymous.post("/__sandbox/orders/ORD-20240120-001/advance", headers=minted,
                   json={"to": "purchased"})  # fmt: skip
    assert status(client, "ORD-20240120-001") == "paid"


@pytest.mark.parametrize(
    ("path", "body", "status_code", "message"),
    [
        ("/__sandbox/orders/ORD-20240115-001/advance", {"to": "paid"}, 409,
         "Order cannot go from in_warehouse to paid"),
        ("/__sandbox/orders/ORD-20240115-001/advance", {"to": "in_warehouse"}, 409,
         "Order is already in_warehouse"),
        ("/__sandbox/orders/ORD-20240115-002/advance", {"to": "cancelled"}, 200, None),
        ("/__sandbox/orders/ORD-20990101-001/advance", {}, 404, "Order not found"),
        ("/__sandbox/shipping/SHP-20990101-001/advance", {}, 404, "Shipping order not found"),
        ("/__sandbox/orders/ORD-20240115-001/advance", {"to": "lost"}, 400,
         ["to must be one of the following values: pending, paid, purchased, "
          "shipped_to_warehouse, in_warehouse, completed, cancelled"]),
        ("/__sandbox/shipping/SHP-20990101-001/advance", {"inspection": "passed"}, 400,
         ["property inspection should not exist"]),
    ],
)  # fmt: skip
def test_illegal_or_unknown_advances_are_refused(
    anonymous: TestClient, path: str, body: dict[str, str], status_code: int, message: object
) -> None:
    reply = anonymous.post(path, json=body)
    assert reply.status_code == status_code
    if message is not None:
        phrase = {400: "Bad Request", 404: "Not Found", 409: "Conflict"}[status_code]
        assert reply.json() == error(status_code, message, phrase)


def test_a_service_fee_the_wallet_cannot_cover_refuses_the_advance(
    anonymous: TestClient, client: TestClient, store: Store
) -> None:
    tenant = store.tenant(1001)
    tenant.wallet.set_available(tenant.wallet.available * 0, tenant.now(), "test")
    reply = anonymous.post("/__sandbox/orders/ORD-20240115-002/advance")
    assert reply.json() == error(
        400, "Insufficient balance: available 0.00, required 15.00", "Bad Request"
    )
    assert status(client, "ORD-20240115-002") == "paid"


def test_shipping_advance_to_delivered_walks_through_shipped(
    client: TestClient, anonymous: TestClient
) -> None:
    client.post("/shipping/create", json={
        "items": [{"inventoryId": 101, "quantity": 1}], "logisticsChannelId": "ch-001",
        **RECIPIENT})  # fmt: skip
    reply = anonymous.post("/__sandbox/shipping/SHP-20240123-001/advance",
                           json={"to": "delivered"})  # fmt: skip
    data = reply.json()["data"]
    assert (data["status"], data["trackingNo"][:3]) == ("delivered", "EMS")
    again = anonymous.post("/__sandbox/shipping/SHP-20240123-001/advance")
    assert again.json() == error(
        409, "Shipping order is delivered and cannot advance further", "Conflict"
    )
