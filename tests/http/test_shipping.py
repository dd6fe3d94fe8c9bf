"""Warehouse packages and shipping orders over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.store import Store
from tests.conftest import error

PACKAGE_101 = {
    "id": 101,
    "productName": "Nike Air Max 90",
    "weight": 850,
    "status": "in_warehouse",
    "orderId": "ORD-20240115-001",
    "inspectionPhotos": ["https://cdn.sandbox.example/inspections/ORD-20240115-001/1.jpg"],
    "arrivedAt": "2024-01-18T10:00:00Z",
    "storageDays": 5,
}
RECIPIENT = {
    "recipientName": "John Doe", "recipientPhone": "+1-555-0123", "recipientCountry": "US",
    "recipientState": "California", "recipientCity": "Los Angeles",
    "recipientAddress": "123 Main St", "recipientZipCode": "90001",
}  # fmt: skip


@pytest.fixture(autouse=True)
def frozen_clock(store: Store) -> None:
    store.tenant(1001).clock.set(frozen=True)


def ship(client: TestClient, *packages: int, channel: str = "ch-001", **extra: Any) -> Any:
    body = {"items": [{"inventoryId": p, "quantity": 1} for p in packages],
            "logisticsChannelId": channel, **RECIPIENT, **extra}  # fmt: skip
    return client.post("/shipping/create", json=body)


def test_the_package_list_is_the_documented_example_with_the_true_total(
    client: TestClient,
) -> None:
    data = client.get("/warehouse/packages?page=1&limit=20").json()["data"]
    assert data["items"][0] == PACKAGE_101
    assert [p["id"] for p in data["items"]] == [101, 102]
    assert (data["total"], data["page"], data["limit"]) == (2, 1, 20)


def test_a_package_its_stats_and_the_shippable_list(client: TestClient) -> None:
    assert client.get("/warehouse/packages/101").json() == {"data": PACKAGE_101}
    assert client.get("/warehouse/packages/stats").json()["data"] == {
        "total": 2, "inWarehouse": 2, "shippable": 2, "shipped": 0, "delivered": 0,
        "totalWeight": 1650,
    }  # fmt: skip
    ship(client, 101)
    shippable = client.get("/warehouse/packages/shippable").json()["data"]
    assert ([p["id"] for p in shippable["items"]], shippable["total"]) == ([102], 1)


def test_an_unknown_package_is_not_found(client: TestClient) -> None:
    response = client.get("/warehouse/packages/999")
    assert response.json() == error(404, "Package 999 not found", "Not Found")
    assert client.get("/warehouse/packages/abc").json() == error(
        400, "Validation failed (numeric string is expected)", "Bad Request"
    )


def test_shipping_101_and_102_on_ems_to_the_us_is_the_documented_example(
    client: TestClient,
) -> None:
    response = ship(client, 101, 102)
    assert response.status_code == 201
    assert response.json() == {
        "data": {
            "orderNo": "SHP-20240123-001",
            "status": "pending",
            "channelName": "EMS Express",
            "totalWeight": 1650,
            "shippingFee": 185.00,
            "currency": "CNY",
            "items": [
                {"inventoryId": 101, "name": "Nike Air Max 90"},
                {"inventoryId": 102, "name": "Adidas Backpack"},
            ],
            "createdAt": "2024-01-23T12:00:00Z",
        }
    }
    assert client.get("/user/wallet/balance").json()["data"]["balance"] == 1815.00


def test_the_shipping_list_reproduces_the_documented_row_once_shipped(
    client: TestClient, anonymous: TestClient
) -> None:
    ship(client, 101, 102)
    anonymous.post("/__sandbox/shipping/SHP-20240123-001/advance", json={"to": "shipped"})
    data = client.get("/shipping/orders?page=1&limit=10").json()["data"]
    row = data["items"][0]
    assert row["trackingNo"].startswith("EMS") and row["trackingNo"].endswith("CN")
    assert row == {
        "orderNo": "SHP-20240123-001", "status": "shipped", "channelName": "EMS Express",
        "trackingNo": row["trackingNo"], "totalWeight": 1650, "shippingFee": 185.00,
        "createdAt": "2024-01-23T12:00:00Z",
    }  # fmt: skip
    assert (data["total"], data["page"], data["limit"]) == (1, 1, 10)
    assert len(row["trackingNo"]) == len("EMS1234567890CN")


def test_the_shipping_detail_has_the_recipient_and_the_channel(client: TestClient) -> None:
    ship(client, 102, channel="ch-002", remark="Fragile")
    detail = client.get("/shipping/orders/SHP-20240123-001").json()["data"]
    assert detail == {
        "orderNo": "SHP-20240123-001", "status": "pending", "channelId": "ch-002",
        "channelName": "DHL Economy", "trackingNo": None, "totalWeight": 800,
        "shippingFee": 130.00, "currency": "CNY",
        "items": [{"inventoryId": 102, "name": "Adidas Backpack"}], **RECIPIENT,
        "remark": "Fragile", "createdAt": "2024-01-23T12:00:00Z",
        "updatedAt": "2024-01-23T12:00:00Z",
    }  # fmt: skip


def test_cancelling_a_pending_shipping_order_refunds_its_fee(client: TestClient) -> None:
    ship(client, 101, 102)
    response = client.post("/shipping/orders/SHP-20240123-001/cancel")
    assert response.status_code == 200
    assert response.json() == {
        "data": {"orderNo": "SHP-20240123-001", "status": "cancelled", "refundAmount": 185.00,
                 "message": "Shipping order cancelled"}
    }  # fmt: skip
    assert client.get("/user/wallet/balance").json()["data"]["balance"] == 2000.00
    assert client.get("/warehouse/packages/shippable").json()["data"]["total"] == 2
    again = client.post("/shipping/orders/SHP-20240123-001/cancel")
    assert again.json() == error(
        409, "Shipping order SHP-20240123-001 cannot be cancelled in status cancelled",
        "Conflict",
    )  # fmt: skip


def test_delivery_can_be_confirmed_only_once_shipped(
    client: TestClient, anonymous: TestClient
) -> None:
    ship(client, 101)
    early = client.post("/shipping/orders/SHP-20240123-001/confirm-delivery")
    assert (early.status_code, early.json()) == (409, error(
        409, "Shipping order SHP-20240123-001 cannot be confirmed in status pending", "Conflict",
    ))  # fmt: skip
    anonymous.post("/__sandbox/shipping/SHP-20240123-001/advance", json={"to": "shipped"})
    late = client.post("/shipping/orders/SHP-20240123-001/cancel")
    assert late.status_code == 409
    done = client.post("/shipping/orders/SHP-20240123-001/confirm-delivery")
    assert (done.status_code, done.json()) == (200, {"data": {
        "orderNo": "SHP-20240123-001", "status": "delivered", "message": "Delivery confirmed",
    }})  # fmt: skip
    assert client.get("/warehouse/packages/101").json()["data"]["status"] == "delivered"


@pytest.mark.parametrize(
    ("packages", "extra", "status", "message"),
    [
        ((101, 999), {}, 404, "Package 999 not found"),
        ((101, 101), {}, 400, "Package 101 is listed more than once"),
        ((101,), {"logisticsChannelId": "ch-404"}, 404, "Logistics channel not found"),
        ((101,), {"recipientCountry": "AQ"}, 400, "Channel ch-001 does not serve country AQ"),
        ((101,), {"logisticsChannelId": "ch-003"}, 400,
         "Channel ch-003 does not serve country US"),
        ((), {}, 400, ["items should not be empty"]),
    ],
)  # fmt: skip
def test_a_refused_shipping_order_is_answered_and_changes_nothing(
    client: TestClient,
    store: Store,
    packages: tuple[int, ...],
    extra: dict[str, Any],
    status: int,
    message: object,
) -> None:
    before = store.tenant(1001).to_state()
    response = ship(client, *packages, **extra)
    phrase = {400: "Bad Request", 404: "Not Found"}[status]
    assert (response.status_code, response.json()) == (status, error(status, message, phrase))
    assert store.tenant(1001).to_state() == before


def test_a_package_in_a_live_shipping_order_is_not_shippable(client: TestClient) -> None:
    ship(client, 101)
    response = ship(client, 101, 102)
    assert response.json() == error(
        400, "Package 101 is already in shipping order SHP-20240123-001", "Bad Request"
    )


def test_a_fee_beyond_the_available_balance_is_refused(client: TestClient, store: Store) -> None:
    tenant = store.tenant(1001)
    tenant.wallet.set_available(tenant.wallet.available - 1302, tenant.now(), "test")
    response = ship(client, 101, 102)
    assert response.json() == error(
        400, "Insufficient balance: available 100.00, required 185.00", "Bad Request"
    )


def test_a_package_ships_whole(client: TestClient) -> None:
    body = {"items": [{"inventoryId": 101, "quantity": 2}], "logisticsChannelId": "ch-001",
            **RECIPIENT}  # fmt: skip
    response = client.post("/shipping/create", json=body)
    assert response.json() == error(
        400, ["items.0.quantity must not be greater than 1"], "Bad Request"
    )


def test_another_tenants_packages_and_shipping_orders_are_not_found(
    client: TestClient, anonymous: TestClient, store: Store
) -> None:
    other = {"Authorization": f"Bearer {store.mint().key}"}
    store.tenant(max(store.tenants)).clock.set(frozen=True)
    anonymous.post(
        "/__sandbox/orders/ORD-20240120-001/advance", json={"to": "in_warehouse"}, headers=other
    )  # package 103 now exists in the minted tenant only
    assert client.get("/warehouse/packages/103", headers=other).status_code == 200
    assert client.get("/warehouse/packages/103").json() == error(
        404, "Package 103 not found", "Not Found"
    )
    assert ship(client, 101, 103).json() == error(404, "Package 103 not found", "Not Found")
    ship(client, 101)
    assert client.get("/shipping/orders/SHP-20240123-001", headers=other).status_code == 404
    assert client.post("/shipping/orders/SHP-20240123-001/cancel", headers=other).json() == error(
        404, "Shipping order not found", "Not Found"
    )
