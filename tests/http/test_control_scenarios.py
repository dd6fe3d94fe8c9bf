"""Each bundled scenario over HTTP: its effect, and its end (deactivation, or a clock advance
that ends a rate-limit window or completes a progression). Clocks are frozen and advanced."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from tests.conftest import FULL, error

CART_ITEM = {"productId": "12345", "skuId": "s001", "quantity": 1}
PENDING = "ORD-20240120-001"
SHIP = {
    "items": [{"inventoryId": 101, "quantity": 1}, {"inventoryId": 102, "quantity": 1}],
    "logisticsChannelId": "ch-001", "recipientName": "John Doe", "recipientPhone": "+1-555-0123",
    "recipientCountry": "US", "recipientCity": "Los Angeles", "recipientAddress": "123 Main St",
    "recipientZipCode": "90001",
}  # fmt: skip


@pytest.fixture
def frozen(client: TestClient) -> TestClient:
    """The client, with its tenant's clock frozen at the fixture's start."""
    assert client.put("/__sandbox/clock", json={"frozen": True}).status_code == 200
    return client


def activate(client: TestClient, name: str) -> None:
    response = client.post(f"/__sandbox/scenarios/{name}/activate")
    assert response.status_code == 200, response.text


def deactivate(client: TestClient, name: str) -> None:
    assert client.post(f"/__sandbox/scenarios/{name}/deactivate").status_code == 200


def advance(client: TestClient, seconds: float) -> None:
    assert client.post("/__sandbox/clock/advance", json={"seconds": seconds}).status_code == 200


def test_rate_limit_strict_gives_real_429s_until_the_window_ends(frozen: TestClient) -> None:
    activate(frozen, "rate-limit-strict")
    statuses = [frozen.get("/products/12345").status_code for _ in range(5)]
    assert statuses == [200] * 5
    advance(frozen, 3)
    refused = frozen.get("/products/12345")
    assert refused.status_code == 429
    assert refused.json() == error(429, "Rate limit exceeded. Try again in 7s", "Too Many Requests")
    assert refused.headers["retry-after"] == "7"
    advance(frozen, 7)
    allowed = frozen.get("/products/12345")
    assert allowed.status_code == 200
    assert allowed.headers["x-ratelimit-limit"] == "5"
    assert allowed.headers["x-ratelimit-remaining"] == "4"


def test_rate_limit_strict_ends_with_deactivation(frozen: TestClient) -> None:
    activate(frozen, "rate-limit-strict")
    for _ in range(5):
        frozen.get("/products/12345")
    assert frozen.get("/products/12345").status_code == 429
    deactivate(frozen, "rate-limit-strict")
    response = frozen.get("/products/12345")
    assert response.status_code == 200
    assert response.headers["x-ratelimit-limit"] == "1000"


def test_insufficient_scope_turns_writes_into_403_and_keeps_reads(frozen: TestClient) -> None:
    activate(frozen, "insufficient-scope")
    refused = frozen.post("/cart/items", json=CART_ITEM)
    assert refused.status_code == 403
    message = refused.json()["message"]
    assert message.startswith("Insufficient scope. Required: cart:write. Your key has: ")
    assert ":write" not in message.split("Your key has: ")[1]
    assert frozen.get("/cart").status_code == 200
    deactivate(frozen, "insufficient-scope")
    assert frozen.post("/cart/items", json=CART_ITEM).status_code == 201


def test_invalid_key_refuses_every_api_request_but_not_the_control_plane(
    frozen: TestClient,
) -> None:
    activate(frozen, "invalid-key")
    response = frozen.get("/products/12345")
    assert response.status_code == 401
    assert response.json() == error(401, "Invalid API Key", "Unauthorized")
    assert frozen.get("/__sandbox/clock").status_code == 200
    deactivate(frozen, "invalid-key")
    assert frozen.get("/products/12345").status_code == 200


def test_server_errors_fail_about_one_request_in_five_the_same_way_each_run(
    frozen: TestClient,
) -> None:
    def run() -> list[int]:
        activate(frozen, "server-errors")
        statuses = [frozen.get("/products/12345").status_code for _ in range(100)]
        deactivate(frozen, "server-errors")
        return statuses

    first = run()
    assert first == run()
    failures = [s for s in first if s != 200]
    assert 10 <= len(failures) <= 30
    assert set(failures) == {500, 503}
    assert frozen.get("/products/12345").status_code == 200
    entries = frozen.get("/__sandbox/requests", params={"status": 503}).json()["data"]
    assert entries and {e["scenario"] for e in entries} == {"server-errors"}
    body = frozen.get("/products/12345", headers={"Prefer": "code=503"}).json()
    assert body == error(503, "Service Unavailable", "Service Unavailable")


def test_slow_network_delays_every_response_by_300_to_800_ms(frozen: TestClient) -> None:
    activate(frozen, "slow-network")
    started = time.monotonic()
    assert frozen.get("/products/12345").status_code == 200
    assert 0.3 <= time.monotonic() - started < 2.0
    (entry,) = frozen.get("/__sandbox/requests").json()["data"]
    assert entry["scenario"] == "slow-network"
    deactivate(frozen, "slow-network")
    started = time.monotonic()
    frozen.get("/products/12345")
    assert time.monotonic() - started < 0.3


def status_of(client: TestClient, order_no: str) -> str:
    status: str = client.get(f"/orders/{order_no}/status").json()["data"]["status"]
    return status


def test_order_lifecycle_moves_orders_one_step_per_hour_up_to_in_warehouse(
    frozen: TestClient,
) -> None:
    activate(frozen, "order-lifecycle")
    seen = [status_of(frozen, PENDING)]
    for _ in range(5):
        advance(frozen, 3600)
        seen.append(status_of(frozen, PENDING))
    assert seen == ["pending", "paid", "purchased", "shipped_to_warehouse", "in_warehouse",
                    "in_warehouse"]  # fmt: skip
    order = frozen.get(f"/orders/{PENDING}").json()["data"]
    assert order["updatedAt"] == "2024-01-23T16:00:00Z"  # the step's own moment
    assert order["inspection"]["result"] == "passed"


def test_order_lifecycle_ends_with_deactivation(frozen: TestClient) -> None:
    activate(frozen, "order-lifecycle")
    advance(frozen, 3600)
    deactivate(frozen, "order-lifecycle")
    advance(frozen, 10 * 3600)
    assert status_of(frozen, PENDING) == "paid"


def test_shipping_lifecycle_moves_shipping_orders_one_step_per_day_up_to_shipped(
    frozen: TestClient,
) -> None:
    created = frozen.post("/shipping/create", json=SHIP)
    assert created.status_code == 201
    number = created.json()["data"]["orderNo"]
    activate(frozen, "shipping-lifecycle")

    def status() -> str:
        value: str = frozen.get(f"/shipping/orders/{number}").json()["data"]["status"]
        return value

    seen = [status()]
    for _ in range(3):
        advance(frozen, 86400)
        seen.append(status())
    assert seen == ["pending", "processing", "shipped", "shipped"]


def test_qc_failed_gives_orders_reaching_the_warehouse_a_failed_inspection(
    frozen: TestClient,
) -> None:
    activate(frozen, "qc-failed")
    activate(frozen, "order-lifecycle")
    advance(frozen, 4 * 3600)
    order = frozen.get(f"/orders/{PENDING}").json()["data"]
    assert order["status"] == "in_warehouse"
    assert order["inspection"]["result"] == "failed"
    deactivate(frozen, "qc-failed")
    assert frozen.get(f"/orders/{PENDING}").json()["data"]["inspection"]["result"] == "failed"


def balance(client: TestClient) -> dict[str, float]:
    data: dict[str, float] = client.get("/user/wallet/balance").json()["data"]
    return data


def test_insufficient_balance_zeroes_the_available_balance_until_reset(
    frozen: TestClient,
) -> None:
    activate(frozen, "insufficient-balance")
    assert balance(frozen)["availableBalance"] == 0
    transactions = frozen.get("/user/wallet/transactions").json()["data"]
    items = transactions["items"] if isinstance(transactions, dict) else transactions
    assert items[0]["type"] == "adjustment"
    assert frozen.post("/shipping/create", json=SHIP).status_code == 400
    deactivate(frozen, "insufficient-balance")
    assert balance(frozen)["availableBalance"] == 0  # deactivating does not undo
    assert frozen.post("/__sandbox/reset").status_code == 200
    assert balance(frozen)["availableBalance"] == 1402.00


def test_out_of_stock_zeroes_every_sku_until_reset(frozen: TestClient) -> None:
    activate(frozen, "out-of-stock")
    refused = frozen.post("/cart/items", json=CART_ITEM)
    assert refused.status_code == 400
    assert "stock" in str(refused.json()["message"]).lower()
    assert frozen.get("/products/12345").json()["data"]["skus"][0]["stock"] == 0
    deactivate(frozen, "out-of-stock")
    assert frozen.post("/cart/items", json=CART_ITEM).status_code == 400
    frozen.post("/__sandbox/reset")
    assert frozen.post("/cart/items", json=CART_ITEM).status_code == 201


def test_a_sandbox_wide_state_scenario_applies_to_tenants_minted_later(
    anonymous: TestClient,
) -> None:
    assert anonymous.post("/__sandbox/scenarios/insufficient-balance/activate").status_code == 200
    key = anonymous.post("/__sandbox/keys", json={"balance": 5000}).json()["data"]["key"]
    response = anonymous.get("/user/wallet/balance", headers={"Authorization": f"Bearer {key}"})
    assert response.json()["data"]["availableBalance"] == 0


def test_the_posted_smallest_document_fails_twice_then_succeeds(frozen: TestClient) -> None:
    document = (
        "name: orders-flaky\n"
        "description: POST /orders fails twice with 503, then succeeds\n"
        "rules:\n"
        "  - match: {method: POST, path: /orders}\n"
        "    times: 2\n"
        "    respond: {status: 503}\n"
    )
    posted = frozen.post(
        "/__sandbox/scenarios", content=document, headers={"Content-Type": "application/yaml"}
    )
    assert posted.status_code == 201
    assert posted.json()["data"] == {
        "name": "orders-flaky", "active": True, "changed": True, "scope": "tenant"
    }  # fmt: skip
    order = {"items": [{"productId": "12345", "skuId": "s001", "quantity": 1}]}
    statuses = [frozen.post("/orders", json=order).status_code for _ in range(3)]
    assert statuses == [503, 503, 201]


def test_a_rule_answers_with_its_own_body_and_headers(frozen: TestClient) -> None:
    document = {
        "name": "teapot",
        "rules": [{
            "match": {"path": "/products/{id}", "headers": {"X-Brew": "yes"}},
            "respond": {"status": 418, "body": {"hello": "tea"}, "headers": {"X-Pot": "1"}},
        }],
    }  # fmt: skip
    assert frozen.post("/__sandbox/scenarios", json=document).status_code == 201
    answered = frozen.get("/products/12345", headers={"X-Brew": "yes"})
    assert (answered.status_code, answered.json()) == (418, {"hello": "tea"})
    assert answered.headers["x-pot"] == "1"
    assert frozen.get("/products/12345").status_code == 200


def test_a_bad_posted_document_is_400_naming_the_field_and_changes_nothing(
    frozen: TestClient,
) -> None:
    activate(frozen, "slow-network")
    response = frozen.post(
        "/__sandbox/scenarios", json={"name": "x", "rules": [{"respond": {"status": "bad"}}]}
    )
    assert response.status_code == 400
    assert response.json()["message"][0].startswith("rules[0].respond.status: ")
    assert frozen.get("/__sandbox/scenarios").json()["data"]["active"] == ["slow-network"]
    yaml_error = frozen.post(
        "/__sandbox/scenarios", content=b"name: [", headers={"Content-Type": "text/yaml"}
    )
    assert yaml_error.status_code == 400
    assert yaml_error.json()["message"][0].startswith("(root): not valid YAML")


@pytest.mark.parametrize("name", ["nope", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd"])
def test_unknown_scenario_names_are_404_and_never_paths(client: TestClient, name: str) -> None:
    response = client.post(f"/__sandbox/scenarios/{name}/activate")
    assert response.status_code == 404


def test_a_posted_document_cannot_name_a_file(client: TestClient) -> None:
    response = client.post("/__sandbox/scenarios", json={"name": "/etc/passwd"})
    assert response.status_code == 400
    assert response.json()["message"][0].startswith("name: ")


def test_activating_an_active_scenario_is_a_no_op(frozen: TestClient) -> None:
    activate(frozen, "rate-limit-strict")
    for _ in range(5):
        frozen.get("/products/12345")
    again = frozen.post("/__sandbox/scenarios/rate-limit-strict/activate").json()["data"]
    assert again["changed"] is False
    assert frozen.get("/products/12345").status_code == 429  # the window was kept


def test_listing_shows_known_and_active(frozen: TestClient) -> None:
    activate(frozen, "invalid-key")
    data = frozen.get("/__sandbox/scenarios").json()["data"]
    assert len(data["known"]) == 10
    assert {"name", "description", "origin"} <= set(data["known"][0])
    assert data["active"] == ["invalid-key"]


def test_prefer_code_forces_the_documented_error_after_authentication(
    client: TestClient, anonymous: TestClient
) -> None:
    limited = client.get("/products/12345", headers={"Prefer": "code=429"})
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == limited.json()["message"].split(" ")[-1][:-1]
    assert client.get("/products/12345", headers={"Prefer": "code=200"}).status_code == 200
    bad = client.get("/products/12345", headers={"Prefer": "code=abc"})
    assert bad.status_code == 400
    no_key = anonymous.get("/products/12345", headers={"Prefer": "code=503"})
    assert no_key.status_code == 401


def test_x_sandbox_scenario_applies_a_scenario_to_one_request(
    client: TestClient, anonymous: TestClient
) -> None:
    refused = client.get("/products/12345", headers={"X-Sandbox-Scenario": "invalid-key"})
    assert refused.status_code == 401
    assert client.get("/products/12345").status_code == 200
    unknown = client.get("/products/12345", headers={"X-Sandbox-Scenario": "nope"})
    assert unknown.status_code == 400
    assert unknown.json() == error(400, "Unknown scenario: nope", "Bad Request")
    no_key = anonymous.get("/products/12345", headers={"X-Sandbox-Scenario": "nope"})
    assert no_key.status_code == 401
    entry = client.get("/__sandbox/requests", params={"status": "401"}).json()["data"][0]
    assert entry["scenario"] == "invalid-key"
    assert entry["key"] == FULL


def test_qc_failed_also_decides_control_plane_advances_unless_one_is_given(
    frozen: TestClient,
) -> None:
    activate(frozen, "qc-failed")
    chosen = frozen.post(f"/__sandbox/orders/{PENDING}/advance", json={"to": "in_warehouse"})
    assert chosen.json()["data"]["inspection"]["result"] == "failed"
    frozen.post("/__sandbox/reset")
    activate(frozen, "qc-failed")
    explicit = frozen.post(
        f"/__sandbox/orders/{PENDING}/advance", json={"to": "in_warehouse", "inspection": "passed"}
    )
    assert explicit.json()["data"]["inspection"]["result"] == "passed"
