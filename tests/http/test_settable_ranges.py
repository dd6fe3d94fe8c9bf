"""Everything a client may set is range-checked when set (a 400 naming the field), so that
nothing it sets can make a later request fail."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import error


@pytest.mark.parametrize("now", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z",
                                 "1969-12-31T23:59:59Z"])  # fmt: skip
def test_a_clock_set_outside_1970_to_9000_is_refused(client: TestClient, now: str) -> None:
    refused = client.put("/__sandbox/clock", json={"now": now})
    assert refused.json() == error(
        400, ["now must be between 1970-01-01T00:00:00Z and 9000-01-01T00:00:00Z"],
        "Bad Request",
    )  # fmt: skip
    assert client.get("/__sandbox/clock").json()["data"]["now"].startswith("2024-01-23")
    assert client.get("/orders/ORD-20240120-001").status_code == 200


def test_advancing_past_9000_is_refused_and_moves_no_clock(client: TestClient) -> None:
    client.put("/__sandbox/clock", json={"now": "8999-06-01T00:00:00Z", "frozen": True})
    refused = client.post("/__sandbox/clock/advance", json={"seconds": 366 * 24 * 3600})
    assert refused.json() == error(
        400, ["seconds would move a clock past 9000-01-01T00:00:00Z"], "Bad Request"
    )
    assert client.get("/__sandbox/clock").json()["data"]["now"] == "8999-06-01T00:00:00Z"
    assert client.get("/warehouse/packages").status_code == 200


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/__sandbox/wallet/topup", {"amount": 1.005}, "amount"),
    ("/__sandbox/keys", {"balance": 1000.001}, "balance"),
])  # fmt: skip
def test_amounts_with_more_than_two_decimals_are_refused_not_rounded(
    client: TestClient, path: str, body: dict[str, float], field: str
) -> None:
    refused = client.post(path, json=body)
    assert refused.json() == error(400, [f"{field} must have at most 2 decimal places"],
                                   "Bad Request")  # fmt: skip
    assert client.get("/user/wallet/balance").json()["data"]["balance"] == 2000


def test_a_state_with_a_negative_balance_or_a_year_1_clock_is_refused(
    client: TestClient, anonymous: TestClient
) -> None:
    state = anonymous.get("/__sandbox/state").json()["data"]
    state["users"][0]["wallet"]["balance"] = "-5.00"
    state["users"][0]["clock"]["now"] = "0001-01-01T00:00:00Z"
    refused = anonymous.put("/__sandbox/state", json=state)
    assert refused.status_code == 400
    assert refused.json()["message"] == [
        "users[0].clock.now: must be between 1970-01-01T00:00:00Z and 9000-01-01T00:00:00Z",
        "users[0].wallet: balance and frozenBalance must not be negative",
    ]
    user = client.get("/__sandbox/state").json()["data"]
    user["wallet"]["frozenBalance"] = "9999.00"
    refused = client.put("/__sandbox/state", json=user)
    assert refused.json()["message"] == [
        "wallet.frozenBalance: must not exceed the balance (2000.00)"
    ]
    assert client.get("/user/wallet/balance").json()["data"]["frozenBalance"] == 598


@pytest.mark.parametrize("raw", ["\u0661\u0662\u0663", "12345%0A", "\uff11\uff12\uff13"])
def test_numeric_ids_are_ascii_digits_only(client: TestClient, raw: str) -> None:
    refused = client.get(f"/products/{raw}")
    assert refused.json() == error(400, "Validation failed (numeric string is expected)",
                                   "Bad Request")  # fmt: skip
