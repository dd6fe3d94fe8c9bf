"""Purchase orders over HTTP: the documented examples, the inferred endpoints, the refusals."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.store import Store
from tests.conftest import error

SHOES = {"productId": 12345, "title": "Nike Air Max 90", "skuName": "Black / US 9",
         "price": 299.00}  # fmt: skip
PHOTO = "https://cdn.sandbox.example/inspections/ORD-20240115-001/1.jpg"


@pytest.fixture(autouse=True)
def frozen_clock(store: Store) -> None:
    store.tenant(1001).clock.set(frozen=True)


def balance(client: TestClient) -> tuple[float, float, float]:
    data = client.get("/user/wallet/balance").json()["data"]
    return data["balance"], data["frozenBalance"], data["availableBalance"]


def shoe_stock(client: TestClient) -> int:
    skus = client.get("/products/12345").json()["data"]["skus"]
    return next(s["stock"] for s in skus if s["skuId"] == "s001")


def order(client: TestClient, **extra: Any) -> Any:
    line = {"productId": "12345", "skuId": "s001", "quantity": 2, "remark": "Check quality"}
    body = {"items": [line], "remark": "Handle with care", **extra}
    return client.post("/orders", json=body)


def test_the_order_detail_is_the_documented_example(client: TestClient) -> None:
    assert client.get("/orders/ORD-20240115-001").json() == {
        "data": {
            "orderNo": "ORD-20240115-001",
            "status": "in_warehouse",
            "totalAmount": 598.00,
            "serviceFee": 30.00,
            "currency": "CNY",
            "platform": "taobao",
            "items": [{**SHOES, "quantity": 2}],
            "logistics": {"trackingNo": "SF1234567890", "carrier": "SF Express"},
            "inspection": {"result": "passed", "weight": 850, "photos": [PHOTO]},
            "createdAt": "2024-01-15T08:30:00Z",
            "updatedAt": "2024-01-18T10:00:00Z",
        }
    }


def test_the_order_list_is_the_documented_example_with_the_true_total(client: TestClient) -> None:
    body = client.get("/orders?page=1&limit=10&status=in_warehouse").json()
    assert body["data"]["items"][0] == {
        "orderNo": "ORD-20240115-001",
        "status": "in_warehouse",
        "totalAmount": 598.00,
        "itemCount": 1,
        "createdAt": "2024-01-15T08:30:00Z",
    }
    assert [i["orderNo"] for i in body["data"]["items"]] == ["ORD-20240115-001", "ORD-20240116-001"]
    assert (body["data"]["total"], body["data"]["page"], body["data"]["limit"]) == (2, 1, 10)
    assert client.get("/orders").json()["data"]["total"] == 4
    assert client.get("/v1/orders?status=pending").json()["data"]["total"] == 1


def test_creating_an_order_gives_the_documented_shape_and_freezes_its_total(
    client: TestClient,
) -> None:
    response = order(client)
    assert response.status_code == 201
    assert response.json() == {
        "data": {
            "orderNo": "ORD-20240123-001",
            "status": "pending",
            "totalAmount": 598.00,
            "serviceFee": 30.00,
            "currency": "CNY",
            "items": [{**SHOES, "quantity": 2}],
            "createdAt": "2024-01-23T12:00:00Z",
        }
    }
    assert balance(client) == (2000.00, 1196.00, 804.00)
    assert shoe_stock(client) == 48
    assert order(client).json()["data"]["orderNo"] == "ORD-20240123-002"
    transactions = client.get("/user/wallet/transactions").json()["data"]["items"]
    assert [(t["type"], t["amount"], t["orderNo"]) for t in transactions[:2]] == [
        ("freeze", 598.00, "ORD-20240123-002"),
        ("freeze", 598.00, "ORD-20240123-001"),
    ]


def test_a_claimed_coupon_lowers_the_total_and_cannot_be_used_twice(client: TestClient) -> None:
    client.post("/user/coupons/50/claim")
    assert order(client, couponId=50).json()["data"]["totalAmount"] == 538.20
    assert client.get("/user/coupons/my").json()["data"][0]["status"] == "used"
    again = order(client, couponId=50)
    assert again.status_code == 400
    assert again.json() == error(400, "Coupon 50 has already been used", "Bad Request")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"items": []}, 400, ["items should not be empty"]),
        ({"items": [{"productId": "1", "skuId": "s001", "quantity": 1}]}, 404,
         "Product not found"),
        ({"items": [{"productId": "12345", "skuId": "s999", "quantity": 1}]}, 404,
         "SKU not found"),
        ({"items": [{"productId": "13579", "skuId": "s099", "quantity": 1}]}, 400,
         "Insufficient stock for SKU s099: requested 1, available 0"),
        ({"items": [{"productId": "12345", "skuId": "s001", "quantity": 5}]}, 400,
         "Insufficient balance: available 1402.00, required 1495.00"),
        ({"items": [{"productId": "12345", "skuId": "s001", "quantity": 1}], "couponId": 50},
         400, "Coupon 50 has not been claimed"),
        ({"items": [{"productId": "12345", "skuId": "s001", "quantity": 1}], "couponId": 51},
         400, "Coupon 51 has expired"),
        ({"items": [{"productId": "12345", "skuId": "s001", "quantity": 1}], "couponId": 52},
         400, "Coupon 52 requires a minimum order amount of 5000.00"),
        ({"items": [{"productId": "12345", "skuId": "s001", "quantity": 1}], "couponId": 99},
         404, "Coupon not found"),
        ({"items": [{"productId": "x", "skuId": "s001", "quantity": 0}], "couponId": "a"}, 400,
         ["items.0.productId must be a numeric string or a positive integer",
          "items.0.quantity must not be less than 1", "couponId must not be less than 1",
          "couponId must be an integer number"]),
    ],
)  # fmt: skip
def test_a_refused_order_is_answered_and_changes_nothing(
    client: TestClient, store: Store, body: dict[str, Any], status: int, message: object
) -> None:
    before = store.tenant(1001).to_state()
    response = client.post("/orders", json=body)
    phrase = {400: "Bad Request", 404: "Not Found"}[status]
    assert (response.status_code, response.json()) == (status, error(status, message, phrase))
    assert store.tenant(1001).to_state() == before


def test_cancelling_the_paid_order_refunds_the_documented_299(client: TestClient) -> None:
    response = client.post("/orders/ORD-20240115-002/cancel", json={"reason": "Changed my mind"})
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "orderNo": "ORD-20240115-002",
            "status": "cancelled",
            "refundAmount": 299.00,
            "message": "Order cancelled",
        }
    }
    assert balance(client) == (2299.00, 598.00, 1701.00)
    assert shoe_stock(client) == 51


def test_cancelling_the_pending_order_unfreezes_its_598(client: TestClient) -> None:
    response = client.post("/orders/ORD-20240120-001/cancel")
    assert response.json()["data"]["refundAmount"] == 598.00
    assert balance(client) == (2000.00, 0.00, 2000.00)
    again = client.post("/orders/ORD-20240120-001/cancel")
    assert again.status_code == 409
    assert again.json() == error(
        409, "Order ORD-20240120-001 cannot be cancelled in status cancelled", "Conflict"
    )


def test_an_order_past_paid_cannot_be_cancelled(client: TestClient) -> None:
    response = client.post("/orders/ORD-20240115-001/cancel", json={"reason": "late"})
    assert response.status_code == 409
    assert response.json() == error(
        409, "Order ORD-20240115-001 cannot be cancelled in status in_warehouse", "Conflict"
    )


@pytest.mark.parametrize(
    "path",
    ["/orders/ORD-20990101-001", "/orders/ORD-20990101-001/status",
     "/orders/ORD-20990101-001/logistics", "/orders/ORD-20990101-001/inspection"],
)  # fmt: skip
def test_an_unknown_order_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.json()) == (
        404, error(404, "Order not found", "Not Found"),
    )  # fmt: skip


def test_another_tenants_order_is_not_found(client: TestClient, store: Store) -> None:
    minted = store.mint()
    number = order(client).json()["data"]["orderNo"]
    other = client.get(f"/orders/{number}", headers={"Authorization": f"Bearer {minted.key}"})
    assert other.status_code == 404
    cancel = client.post(
        f"/orders/{number}/cancel", headers={"Authorization": f"Bearer {minted.key}"}
    )
    assert cancel.json() == error(404, "Order not found", "Not Found")


def test_status_logistics_and_inspection_are_shaped_like_the_detail(client: TestClient) -> None:
    assert client.get("/orders/ORD-20240115-001/status").json()["data"] == {
        "orderNo": "ORD-20240115-001", "status": "in_warehouse",
        "updatedAt": "2024-01-18T10:00:00Z",
    }  # fmt: skip
    assert client.get("/orders/ORD-20240115-001/logistics").json()["data"] == {
        "trackingNo": "SF1234567890", "carrier": "SF Express",
    }  # fmt: skip
    assert client.get("/orders/ORD-20240115-001/inspection").json()["data"] == {
        "result": "passed", "weight": 850, "photos": [PHOTO],
    }  # fmt: skip


def test_logistics_and_inspection_are_null_until_their_stage(client: TestClient) -> None:
    detail = client.get("/orders/ORD-20240115-002").json()["data"]
    assert (detail["logistics"], detail["inspection"]) == (None, None)
    assert client.get("/orders/ORD-20240115-002/logistics").json() == {"data": None}
    assert client.get("/orders/ORD-20240115-002/inspection").json() == {"data": None}


def test_order_scopes_are_enforced(client: TestClient) -> None:
    readonly = {"Authorization": "Bearer sk-sandbox-readonly"}
    response = client.post("/orders/ORD-20240115-002/cancel", headers=readonly)
    assert response.status_code == 403
    assert response.json()["message"].startswith("Insufficient scope. Required: orders:write.")
    assert client.get("/orders", headers=readonly).status_code == 200


def test_a_bad_status_filter_is_a_validation_error(client: TestClient) -> None:
    response = client.get("/orders?status=lost")
    assert response.json() == error(
        400,
        ["status must be one of the following values: pending, paid, purchased, "
         "shipped_to_warehouse, in_warehouse, completed, cancelled"],
        "Bad Request",
    )  # fmt: skip
