"""Minting per SPEC §9, and the rule it serves: nothing makes availableBalance negative."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from sandbox.http.app import create_app
from tests.conftest import error


def minted(client: TestClient, **body: object) -> dict[str, str]:
    reply = client.post("/__sandbox/keys", json=body)
    assert reply.status_code == 201, reply.json()
    return {"Authorization": f"Bearer {reply.json()['data']['key']}"}


def test_a_story_balance_below_the_storys_frozen_funds_is_a_400(anonymous: TestClient) -> None:
    refused = anonymous.post("/__sandbox/keys", json={"balance": 100})
    assert refused.json() == error(
        400, ["balance must not be less than 598.00, the story's frozen funds"], "Bad Request"
    )
    assert len(anonymous.get("/__sandbox/tenants").json()["data"]) == 1  # nothing minted


def test_a_story_balance_that_covers_the_frozen_funds_is_the_balance(
    anonymous: TestClient,
) -> None:
    auth = minted(anonymous, balance=598)
    wallet = anonymous.get("/user/wallet/balance", headers=auth).json()["data"]
    assert (wallet["balance"], wallet["frozenBalance"], wallet["availableBalance"]) == (
        598, 598, 0
    )  # fmt: skip


def test_without_the_story_a_tenant_has_the_catalog_and_its_balance_only(
    anonymous: TestClient,
) -> None:
    auth = minted(anonymous, story=False, balance=50)
    assert anonymous.get("/cart", headers=auth).json()["data"]["items"] == []
    assert anonymous.get("/orders", headers=auth).json()["data"]["total"] == 0
    assert anonymous.get("/warehouse/packages", headers=auth).json()["data"]["total"] == 0
    assert anonymous.get("/user/favorites", headers=auth).json()["data"]["total"] == 0
    assert anonymous.get("/user/coupons/my", headers=auth).json()["data"] == []
    assert anonymous.get("/products/12345", headers=auth).status_code == 200
    wallet = anonymous.get("/user/wallet/balance", headers=auth).json()["data"]
    assert (wallet["balance"], wallet["availableBalance"]) == (50, 50)
    empty = minted(anonymous, story=False)
    assert anonymous.get("/user/wallet/balance", headers=empty).json()["data"]["balance"] == 0


def test_a_storyless_tenant_resets_to_its_empty_self(anonymous: TestClient) -> None:
    auth = minted(anonymous, story=False, balance=50)
    anonymous.post("/cart/items", headers=auth,
                   json={"productId": 12345, "skuId": "s001", "quantity": 1})  # fmt: skip
    anonymous.post("/__sandbox/reset", headers=auth)
    assert anonymous.get("/cart", headers=auth).json()["data"]["items"] == []
    assert anonymous.get("/user/wallet/balance", headers=auth).json()["data"]["balance"] == 50


ORDER = {"items": [{"productId": 12345, "skuId": "s001", "quantity": 1}]}
calls = st.one_of(
    st.tuples(st.just("order"), st.integers(0, 2)),
    st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("advance"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("clock"), st.integers(0, 2), st.sampled_from([60, 3600, 86400])),
    st.tuples(st.just("scenario"), st.integers(0, 2),
              st.sampled_from(["insufficient-balance", "order-lifecycle"])),
    st.tuples(st.just("topup"), st.integers(0, 2), st.sampled_from([0.01, 5, 300])),
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(calls, min_size=1, max_size=25))
def test_no_sequence_of_api_and_control_calls_makes_available_balance_negative(
    steps: list[tuple[object, ...]],
) -> None:
    with TestClient(create_app(), base_url="http://sandbox") as client:
        tenants = [
            minted(client, balance=598),
            minted(client, story=False, balance=300),
            {"Authorization": "Bearer sk-sandbox-full"},
        ]
        orders: list[list[str]] = [[], [], ["ORD-20240120-001", "ORD-20240115-002"]]
        for step in steps:
            kind, who = step[0], int(str(step[1]))
            auth = tenants[who]
            if kind == "order":
                reply = client.post("/orders", headers=auth, json=ORDER)
                if reply.status_code == 201:
                    orders[who].append(reply.json()["data"]["orderNo"])
            elif kind in ("cancel", "advance") and orders[who]:
                number = orders[who][int(str(step[2])) % len(orders[who])]
                if kind == "cancel":
                    client.post(f"/orders/{number}/cancel", headers=auth, json={})
                else:
                    client.post(f"/__sandbox/orders/{number}/advance", headers=auth, json={})
            elif kind == "clock":
                client.post("/__sandbox/clock/advance", headers=auth, json={"seconds": step[2]})
            elif kind == "scenario":
                client.post(f"/__sandbox/scenarios/{step[2]}/activate", headers=auth)
            elif kind == "topup":
                client.post("/__sandbox/wallet/topup", headers=auth, json={"amount": step[2]})
            for each in tenants:
                wallet = client.get("/user/wallet/balance", headers=each).json()["data"]
                assert Decimal(str(wallet["availableBalance"])) >= 0, (step, wallet)
                assert Decimal(str(wallet["balance"])) >= 0, (step, wallet)
