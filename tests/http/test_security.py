"""The control plane's admin token guards every operation, and no key reaches another
tenant's data through any route that takes an id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.domain.fixture import Fixture
from sandbox.http.app import SandboxApplication, create_app
from sandbox.settings import Settings
from sandbox.store import Store

TOKEN = "admin-s3cret"
PARAM = re.compile(r"\{(\w+)\}")


@pytest.fixture
def guarded(fixture: Fixture) -> Iterator[TestClient]:
    app = create_app(Store(fixture), Settings(admin_token=TOKEN))
    with TestClient(app, base_url="http://sandbox") as client:  # type: ignore[arg-type]
        yield client


def _control_requests(app: SandboxApplication) -> list[tuple[str, str]]:
    """One request per control operation, its path parameters filled in."""
    samples = {
        "name": "price-spike",
        "orderNo": "ORD-20240120-001",
        "key": "sk-unknown",
        "requestId": "req-unknown",
    }
    return [
        (op.method, "/__sandbox" + PARAM.sub(lambda m: samples[m.group(1)], op.path))
        for op in app.control.operations
    ]


def test_with_an_admin_token_every_control_operation_needs_it(guarded: TestClient) -> None:
    app: SandboxApplication = guarded.app  # type: ignore[assignment]
    requests = _control_requests(app)
    assert len(requests) == len(app.control.operations) >= 16
    for method, path in requests:
        for headers in ({}, {"X-Sandbox-Admin-Token": "wrong"}):
            refused = guarded.request(method, path, headers=headers, json={})
            assert refused.status_code == 401, (method, path)
            assert refused.json()["message"] == "Invalid or missing X-Sandbox-Admin-Token"
        # Every operation, with the token: whatever it answers, it is not turned away.
        allowed = guarded.request(method, path, headers={"X-Sandbox-Admin-Token": TOKEN},
                                  json={})  # fmt: skip
        assert allowed.status_code not in (401, 500), (method, path, allowed.text)


def test_with_an_admin_token_health_stays_open(guarded: TestClient) -> None:
    assert guarded.get("/__sandbox/health").json() == {"status": "ok"}


# -- tenants --------------------------------------------------------------------------

#: Routes whose id names something every tenant shares: the catalog is global (SPEC §9).
SHARED = {("GET", "/products/{id}")}

ADDRESS = {"name": "Ada", "phone": "1", "country": "US", "city": "Boston", "address": "1 Main",
           "zipCode": "02101"}  # fmt: skip
SHIPPING = {
    "logisticsChannelId": "ch-001",
    "recipientName": "Ada",
    "recipientPhone": "1",
    "recipientCountry": "US",
    "recipientCity": "Boston",
    "recipientAddress": "1 Main",
    "recipientZipCode": "02101",
}


class Victim:
    """A minted tenant holding one of each thing an id can name, made after the story (so
    no other tenant has it): a cart line, an address, a favorite, a coupon, a purchase order,
    the package it became and a shipping order."""

    def __init__(self, client: TestClient) -> None:
        self.key = client.post("/__sandbox/keys", json={"balance": 9000}).json()["data"]["key"]
        self.client = client
        self.headers = {"Authorization": f"Bearer {self.key}"}
        client.put("/__sandbox/clock", headers=self.headers, json={"frozen": True})
        self.coupon = self._offer_coupon()
        self.line = self.post("/cart/items", {"productId": "67890", "skuId": "s010",
                                              "quantity": 1})["id"]  # fmt: skip
        self.address = self.post("/user/addresses", ADDRESS)["id"]
        self.favorite = self.post("/user/favorites", {"productId": 67890})["id"]
        order = self.post("/orders", {"items": [{"productId": "67890", "skuId": "s010",
                                                 "quantity": 1}]})  # fmt: skip
        self.order = order["orderNo"]
        client.post(f"/__sandbox/orders/{self.order}/advance", headers=self.headers,
                    json={"to": "in_warehouse"})  # fmt: skip
        self.package = max(p["id"] for p in self.get("/warehouse/packages")["items"])
        items = [{"inventoryId": 101, "quantity": 1}, {"inventoryId": 102, "quantity": 1}]
        self.shipping = self.post("/shipping/create", {**SHIPPING, "items": items})["orderNo"]

    def get(self, path: str) -> Any:
        response = self.client.get(path, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(path, headers=self.headers, json=body)
        assert response.status_code == 201, response.text
        return response.json()["data"]

    def state(self) -> Any:
        return self.client.get("/__sandbox/state", headers=self.headers).json()["data"]

    def _offer_coupon(self) -> int:
        """A coupon only this tenant is offered (the story's coupons every tenant has)."""
        state = self.state()
        coupon = {**state["coupons"][0], "id": 77, "claimedAt": None, "usedAt": None,
                  "usedBy": None}  # fmt: skip
        state["coupons"].append(coupon)
        restored = self.client.put("/__sandbox/state", headers=self.headers, json=state)
        assert restored.status_code == 200, restored.text
        return 77

    def path_ids(self) -> dict[str, dict[str, Any]]:
        """Path parameter values by route prefix."""
        return {
            "/cart/items/": {"itemId": self.line},
            "/user/addresses/": {"id": self.address},
            "/user/favorites/": {"id": self.favorite},
            "/user/coupons/": {"id": self.coupon},
            "/orders/": {"id": self.order},
            "/warehouse/packages/": {"id": self.package},
            "/shipping/orders/": {"id": self.shipping},
        }

    def body_id_requests(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Routes whose body names a tenant's thing, with this tenant's."""
        items = [{"productId": "67890", "skuId": "s010", "quantity": 1}]
        return [
            ("POST", "/orders", {"items": items, "couponId": self.coupon}),
            ("POST", "/shipping/create",
             {**SHIPPING, "items": [{"inventoryId": self.package, "quantity": 1}]}),
        ]  # fmt: skip


#: Bodies that pass validation, so that only the foreign id can refuse the request.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/cart/items/{itemId}"): {"quantity": 2},
    ("PUT", "/user/addresses/{id}"): {"city": "Elsewhere"},
    ("POST", "/orders/{id}/cancel"): {"reason": "mine now"},
}


def _path_requests(
    app: SandboxApplication, victim: Victim
) -> list[tuple[str, str, dict[str, Any]]]:
    """One request per API route with a path parameter, naming the victim's things."""
    requests: list[tuple[str, str, dict[str, Any]]] = []
    for op in app.operations:
        if "{" not in op.path or (op.method, op.path) in SHARED:
            continue
        ids = next(v for prefix, v in victim.path_ids().items() if op.path.startswith(prefix))
        requests.append((op.method, _filled(op.path, ids), BODIES.get((op.method, op.path), {})))
    return requests


def _filled(template: str, values: dict[str, Any]) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), template)


def test_no_key_reaches_another_tenants_things_by_any_id(client: TestClient) -> None:
    app: SandboxApplication = client.app  # type: ignore[assignment]
    victim = Victim(client)
    intruder = client.post("/__sandbox/keys", json={"balance": 9000}).json()["data"]["key"]
    headers = {"Authorization": f"Bearer {intruder}"}
    requests = _path_requests(app, victim) + victim.body_id_requests()
    with_params = [op for op in app.operations if "{" in op.path and (op.method, op.path)
                   not in SHARED]  # fmt: skip
    assert len(requests) == len(with_params) + 2 >= 17
    before = victim.state()

    for method, path, body in requests:
        json = body if method not in ("GET", "DELETE") else None
        response = client.request(method, path, headers=headers, json=json)
        assert response.status_code == 404, (method, path, response.text)

    assert victim.state() == before
    # And the ids were real: the victim reaches each of them.
    assert victim.get(f"/orders/{victim.order}")["orderNo"] == victim.order
    assert victim.get(f"/warehouse/packages/{victim.package}")["id"] == victim.package
    assert victim.get(f"/shipping/orders/{victim.shipping}")["orderNo"] == victim.shipping
    assert victim.line in {line["id"] for line in victim.get("/cart")["items"]}
    assert victim.address in {a["id"] for a in victim.get("/user/addresses")}
    assert victim.favorite in {f["id"] for f in victim.get("/user/favorites")["items"]}
    assert victim.coupon in {c["id"] for c in victim.get("/user/coupons/available")}
