"""Tenants on the control plane: listing them, minting with checked scopes, retiring."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import FULL, error


def mint(client: TestClient, **body: object) -> dict[str, object]:
    minted = client.post("/__sandbox/keys", json=body)
    assert minted.status_code == 201
    data: dict[str, object] = minted.json()["data"]
    return data


def test_minting_with_a_scope_named_twice_is_a_400(anonymous: TestClient) -> None:
    refused = anonymous.post("/__sandbox/keys", json={"scopes": ["cart:read", "cart:read"]})
    assert refused.status_code == 400
    assert refused.json() == error(400, ["All scopes's elements must be unique"], "Bad Request")


def test_the_tenant_list_shows_keys_clocks_scenarios_and_counts(anonymous: TestClient) -> None:
    minted = mint(anonymous, scopes=["cart:read"])
    key = str(minted["key"])
    anonymous.get("/cart", headers={"Authorization": f"Bearer {key}"})
    anonymous.post("/__sandbox/scenarios/qc-failed/activate",
                   headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    tenants = anonymous.get("/__sandbox/tenants").json()["data"]
    assert [t["userId"] for t in tenants] == [1001, minted["userId"]]
    story = tenants[0]
    assert {k["key"]: k["minted"] for k in story["keys"]} == {
        "sk-sandbox-full": False, "sk-sandbox-readonly": False, "sk-sandbox-limited": False,
    }  # fmt: skip
    assert story["counts"] == {"orders": 4, "shippingOrders": 0, "journal": 0}
    assert story["clock"]["now"].startswith("2024-01-23T12:00")
    own = tenants[1]
    assert own["keys"] == [{"key": key, "scopes": ["cart:read"], "minted": True}]
    assert own["activeScenarios"] == ["qc-failed"]
    assert own["counts"]["journal"] == 1
    only = anonymous.get("/__sandbox/tenants", headers={"Authorization": f"Bearer {key}"})
    assert [t["userId"] for t in only.json()["data"]] == [minted["userId"]]


def test_a_retired_tenant_is_gone_with_everything_kept_about_it(anonymous: TestClient) -> None:
    minted = mint(anonymous)
    key = str(minted["key"])
    auth = {"Authorization": f"Bearer {key}"}
    assert anonymous.get("/cart", headers=auth).status_code == 200
    retired = anonymous.delete(f"/__sandbox/keys/{key}")
    assert retired.status_code == 200
    assert retired.json() == {"data": {"key": key, "userId": minted["userId"], "retired": True}}
    assert anonymous.get("/cart", headers=auth).json() == error(401, "Invalid API Key",
                                                                "Unauthorized")  # fmt: skip
    assert anonymous.get("/__sandbox/clock", headers=auth).json() == error(
        404, "Unknown API key", "Not Found"
    )
    tenants = anonymous.get("/__sandbox/tenants").json()["data"]
    assert minted["userId"] not in [t["userId"] for t in tenants]
    journal = anonymous.get("/__sandbox/requests").json()["data"]
    assert [e["key"] for e in journal] == [key]  # only the refused call, in the anonymous book
    again = anonymous.delete(f"/__sandbox/keys/{key}")
    assert again.json() == error(404, "Unknown API key", "Not Found")


def test_a_retired_tenants_user_id_is_never_given_again(anonymous: TestClient) -> None:
    first = mint(anonymous)
    anonymous.delete(f"/__sandbox/keys/{first['key']}")
    assert mint(anonymous)["userId"] == int(str(first["userId"])) + 1


def test_the_fixtures_own_keys_cannot_be_retired(client: TestClient) -> None:
    refused = client.delete(f"/__sandbox/keys/{FULL}")
    assert refused.json() == error(409, f"{FULL} is a fixture key and cannot be retired",
                                   "Conflict")  # fmt: skip
    assert client.get("/cart").status_code == 200
