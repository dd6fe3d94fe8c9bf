"""The control plane: health, admin token, clock, wallet, state, reset, keys, tenants."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.http.app import create_app
from sandbox.settings import Settings
from sandbox.store import Store
from tests.conftest import FULL, error


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def mint(client: TestClient, **body: Any) -> str:
    response = client.post("/__sandbox/keys", json=body, headers={"Authorization": ""})
    assert response.status_code == 201
    key: str = response.json()["data"]["key"]
    return key


def test_health_is_plain_and_needs_no_token(store: Store) -> None:
    app = create_app(store, Settings(admin_token="s3cret"))
    with TestClient(app, base_url="http://sandbox") as client:
        assert client.get("/__sandbox/health").json() == {"status": "ok"}
        refused = client.get("/__sandbox/clock")
        assert refused.status_code == 401
        assert refused.json() == error(
            401, "Invalid or missing X-Sandbox-Admin-Token", "Unauthorized"
        )
        wrong = client.get("/__sandbox/clock", headers={"X-Sandbox-Admin-Token": "nope"})
        assert wrong.status_code == 401
        ok = client.get("/__sandbox/clock", headers={"X-Sandbox-Admin-Token": "s3cret"})
        assert ok.status_code == 200


def test_an_unknown_key_on_the_control_plane_is_404(anonymous: TestClient) -> None:
    response = anonymous.get("/__sandbox/clock", headers=bearer("sk-nope-nope"))
    assert response.status_code == 404
    assert response.json() == error(404, "Unknown API key", "Not Found")


def test_the_clock_reads_sets_freezes_and_advances(client: TestClient) -> None:
    frozen = client.put("/__sandbox/clock", json={"now": "2024-02-01T00:00:00Z", "frozen": True})
    assert frozen.json()["data"] == {"now": "2024-02-01T00:00:00Z", "frozen": True}
    advanced = client.post("/__sandbox/clock/advance", json={"seconds": 90})
    assert advanced.json()["data"] == {"now": "2024-02-01T00:01:30Z", "frozen": True}
    assert client.get("/__sandbox/clock").json()["data"]["now"] == "2024-02-01T00:01:30Z"
    thawed = client.put("/__sandbox/clock", json={"frozen": False}).json()["data"]
    assert thawed["frozen"] is False


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("post", "/__sandbox/clock/advance", {}, "seconds must not be less than 0"),
        ("post", "/__sandbox/clock/advance", {"seconds": -1}, "seconds must not be less than 0"),
        ("post", "/__sandbox/clock/advance", {"seconds": "x"}, "seconds must be a number"),
        ("put", "/__sandbox/clock", {"now": "yesterday"}, "now must be a valid ISO 8601"),
        ("put", "/__sandbox/clock", {}, "now or frozen must be given"),
        ("put", "/__sandbox/clock", {"frozen": "yes"}, "frozen must be a boolean value"),
        ("post", "/__sandbox/wallet/topup", {"amount": 0}, "amount must not be less than 0.01"),
        ("post", "/__sandbox/wallet/topup", {}, "amount must not be less than 0.01"),
        ("post", "/__sandbox/keys", {"scopes": ["root"]}, "scopes.0 must be one of"),
    ],
)
def test_bad_control_input_is_400_naming_the_field(
    client: TestClient, method: str, path: str, body: dict[str, Any], message: str
) -> None:
    response = getattr(client, method)(path, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert any(m.startswith(message) for m in response.json()["message"]), response.json()


def test_topup_credits_the_wallet_with_a_topup_transaction(client: TestClient) -> None:
    data = client.post("/__sandbox/wallet/topup", json={"amount": 100.5}).json()["data"]
    assert data == {"userId": 1001, "balance": 2100.5, "frozenBalance": 598.0,
                    "availableBalance": 1502.5}  # fmt: skip
    latest = client.get("/user/wallet/transactions").json()["data"]
    items = latest["items"] if isinstance(latest, dict) else latest
    assert items[0]["type"] == "topup"


def state_without_clocks(client: TestClient, **headers: str) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/__sandbox/state", headers=headers).json()["data"]
    for user in data.get("users", [data]):
        user.pop("clock")
    return data


def test_reset_restores_the_fixture_state_exactly(client: TestClient) -> None:
    """Compared without clocks, which run; the clock's own reset is checked apart."""
    before = state_without_clocks(client, Authorization="")
    client.post("/__sandbox/wallet/topup", json={"amount": 10})
    client.post("/cart/items", json={"productId": "12345", "skuId": "s001", "quantity": 1})
    client.post("/__sandbox/scenarios/out-of-stock/activate")
    client.post("/__sandbox/clock/advance", json={"seconds": 3600})
    mint(client)
    assert state_without_clocks(client, Authorization="") != before
    assert client.post("/__sandbox/reset", headers={"Authorization": ""}).status_code == 200
    assert state_without_clocks(client, Authorization="") == before
    assert client.get("/__sandbox/clock").json()["data"]["now"].startswith("2024-01-23T12:00")
    assert client.get("/__sandbox/scenarios").json()["data"]["active"] == []


def test_a_tenant_reset_restores_only_that_tenant(client: TestClient) -> None:
    key = mint(client)
    before = state_without_clocks(client, Authorization=f"Bearer {key}")
    client.post("/__sandbox/wallet/topup", json={"amount": 10}, headers=bearer(key))
    client.post("/__sandbox/wallet/topup", json={"amount": 10})
    client.post("/__sandbox/reset", headers=bearer(key))
    assert state_without_clocks(client, Authorization=f"Bearer {key}") == before
    assert client.get("/user/wallet/balance").json()["data"]["balance"] == 2010


def test_a_whole_reset_drops_minted_tenants(client: TestClient) -> None:
    key = mint(client)
    client.post("/__sandbox/reset", headers={"Authorization": ""})
    assert client.get("/products/12345", headers=bearer(key)).status_code == 401


def test_state_put_takes_exactly_what_get_returned(client: TestClient) -> None:
    saved = client.get("/__sandbox/state", headers={"Authorization": ""}).json()["data"]
    client.post("/__sandbox/wallet/topup", json={"amount": 10})
    restored = client.put("/__sandbox/state", json=saved, headers={"Authorization": ""})
    assert restored.status_code == 200
    assert client.get("/__sandbox/state", headers={"Authorization": ""}).json()["data"] == saved


def test_a_tenant_state_round_trips_and_a_bad_one_changes_nothing(client: TestClient) -> None:
    saved = client.get("/__sandbox/state").json()["data"]
    client.post("/__sandbox/wallet/topup", json={"amount": 10})
    assert client.put("/__sandbox/state", json=saved).status_code == 200
    assert client.get("/__sandbox/state").json()["data"] == saved
    broken = {**saved, "wallet": {**saved["wallet"], "balance": "lots"}}
    refused = client.put("/__sandbox/state", json=broken)
    assert refused.status_code == 400
    assert refused.json()["message"][0].startswith("wallet.balance: ")
    other = client.put("/__sandbox/state", json={**saved, "id": 7})
    assert other.status_code == 400
    assert client.get("/__sandbox/state").json()["data"] == saved


def test_a_bad_whole_state_is_400_and_changes_nothing(client: TestClient) -> None:
    saved = client.get("/__sandbox/state", headers={"Authorization": ""}).json()["data"]
    refused = client.put("/__sandbox/state", json={"version": 1, "keys": []},
                         headers={"Authorization": ""})  # fmt: skip
    assert refused.status_code == 400
    assert any("users" in m for m in refused.json()["message"])
    assert client.get("/__sandbox/state", headers={"Authorization": ""}).json()["data"] == saved


def test_control_actions_with_a_refused_key_still_reach_its_tenant(client: TestClient) -> None:
    client.post("/__sandbox/scenarios/invalid-key/activate")
    assert client.get("/products/12345").status_code == 401
    assert client.post("/__sandbox/wallet/topup", json={"amount": 1}).status_code == 200
    assert client.post("/__sandbox/scenarios/invalid-key/deactivate").status_code == 200
    assert client.get("/products/12345").status_code == 200


def test_two_tenants_run_concurrently_without_seeing_each_other(app: Any) -> None:
    """Each tenant has its own scenario, clock and journal; neither sees the other's."""
    with TestClient(app, base_url="http://sandbox") as admin:
        keys = [mint(admin), mint(admin)]
        setups = [
            ("rate-limit-strict", "2024-03-01T00:00:00Z"),
            ("insufficient-scope", "2025-06-01T00:00:00Z"),
        ]
        for key, (scenario, now) in zip(keys, setups, strict=True):
            assert admin.put("/__sandbox/clock", json={"now": now, "frozen": True},
                             headers=bearer(key)).status_code == 200  # fmt: skip
            admin.post(f"/__sandbox/scenarios/{scenario}/activate", headers=bearer(key))
        results: dict[str, list[int]] = {}

        def work(key: str) -> None:
            with TestClient(app, base_url="http://sandbox") as client:
                client.headers.update(bearer(key))
                results[key] = [client.get("/products/12345").status_code for _ in range(7)]
                results[key].append(
                    client.post(
                        "/cart/items", json={"productId": "12345", "skuId": "s001", "quantity": 1}
                    ).status_code
                )

        threads = [threading.Thread(target=work, args=(k,)) for k in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results[keys[0]] == [200] * 5 + [429, 429, 429]
        assert results[keys[1]] == [200] * 7 + [403]
        for key, (scenario, now) in zip(keys, setups, strict=True):
            journal = admin.get("/__sandbox/requests", headers=bearer(key)).json()["data"]
            assert len(journal) == 8
            assert {e["key"] for e in journal} == {key}
            assert {e["time"] for e in journal} == {now}
            assert {e["scenario"] for e in journal} - {None} == {scenario}
            active = admin.get("/__sandbox/scenarios", headers=bearer(key)).json()["data"]
            assert active["active"] == [scenario]
            assert admin.get("/__sandbox/clock", headers=bearer(key)).json()["data"]["now"] == now
        default = admin.get("/__sandbox/requests", headers=bearer(FULL)).json()["data"]
        assert default == []
        everything = admin.get("/__sandbox/requests").json()["data"]
        assert len(everything) == 16


def test_minting_gives_an_isolated_tenant_with_the_scopes_and_balance_asked_for(
    client: TestClient,
) -> None:
    response = client.post(
        "/__sandbox/keys",
        json={"scopes": ["cart:read", "wallet:read"], "balance": 5000.00},
        headers={"Authorization": ""},
    )
    assert response.status_code == 201
    minted = response.json()["data"]
    assert list(minted) == ["key", "userId", "scopes"]
    assert minted["userId"] != 1001
    assert minted["scopes"] == ["cart:read", "wallet:read"]
    own = {"Authorization": f"Bearer {minted['key']}"}
    assert client.get("/user/wallet/balance", headers=own).json()["data"]["balance"] == 5000.00
    assert client.get("/cart", headers=own).json()["data"]["items"][0]["id"] == 501
    assert client.get("/products/12345", headers=own).json()["message"] == (
        "Insufficient scope. Required: products:read. Your key has: cart:read, wallet:read"
    )
    # the story's user is untouched
    assert client.get("/user/wallet/balance").json()["data"]["balance"] == 2000.00
