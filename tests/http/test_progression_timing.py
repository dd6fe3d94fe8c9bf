"""SPEC §9, progressions: each time step is dated at the moment it fell due, whatever else
happened in the same jump; a step the wallet refuses stays due and is retried when the clock
next moves, never on an unrelated call."""

from __future__ import annotations

from starlette.testclient import TestClient

A = {"items": [{"productId": 12345, "skuId": "s001", "quantity": 2}]}  # 598.00, fee 30.00
B = {"items": [{"productId": 67890, "skuId": "s010", "quantity": 1}]}  # 189.00, fee 10.00


def order(client: TestClient, auth: dict[str, str], number: str) -> dict[str, str]:
    data: dict[str, str] = client.get(f"/orders/{number}", headers=auth).json()["data"]
    return data


def advance(client: TestClient, auth: dict[str, str], seconds: int) -> None:
    client.post("/__sandbox/clock/advance", headers=auth, json={"seconds": seconds})


def test_a_refused_fee_blocks_one_order_while_the_others_steps_keep_their_moments(
    anonymous: TestClient,
) -> None:
    # Enough for both goods totals and B's fee only: A's fee is refused at +2h.
    key = anonymous.post("/__sandbox/keys", json={"story": False, "balance": 797}).json()
    auth = {"Authorization": f"Bearer {key['data']['key']}"}
    anonymous.put("/__sandbox/clock", headers=auth, json={"frozen": True})
    start = anonymous.get("/__sandbox/clock", headers=auth).json()["data"]["now"]
    assert start == "2024-01-23T12:00:00Z"
    a = anonymous.post("/orders", headers=auth, json=A).json()["data"]["orderNo"]
    b = anonymous.post("/orders", headers=auth, json=B).json()["data"]["orderNo"]
    anonymous.post("/__sandbox/scenarios/order-lifecycle/activate", headers=auth)

    advance(anonymous, auth, 10 * 3600)

    assert order(anonymous, auth, a)["status"] == "paid"
    assert order(anonymous, auth, a)["updatedAt"] == "2024-01-23T13:00:00Z"
    reached = order(anonymous, auth, b)
    assert reached["status"] == "in_warehouse"
    assert reached["updatedAt"] == "2024-01-23T16:00:00Z"  # +4h, not the jump's end

    # A top-up and reads do not move the clock: the blocked order does not move either.
    anonymous.post("/__sandbox/wallet/topup", headers=auth, json={"amount": 100})
    assert order(anonymous, auth, a)["status"] == "paid"

    advance(anonymous, auth, 1)
    retried = order(anonymous, auth, a)
    assert (retried["status"], retried["updatedAt"]) == ("purchased", "2024-01-23T22:00:01Z")
    advance(anonymous, auth, 3600)
    following = order(anonymous, auth, a)
    assert (following["status"], following["updatedAt"]) == (
        "shipped_to_warehouse", "2024-01-23T23:00:01Z",
    )  # fmt: skip
