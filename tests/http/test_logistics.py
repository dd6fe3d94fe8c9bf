"""Logistics over HTTP: countries, channels and freight quotes."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import error

EMS = {
    "channelId": "ch-001",
    "name": "EMS Express",
    "carrier": "EMS",
    "deliveryDays": "7-15",
    "supportedCargo": ["general"],
    "weightRange": {"min": 100, "max": 30000},
}
DHL = {
    "channelId": "ch-002",
    "name": "DHL Economy",
    "carrier": "DHL",
    "deliveryDays": "10-20",
    "supportedCargo": ["general", "sensitive"],
    "weightRange": {"min": 100, "max": 50000},
}
BOX = {"country": "US", "weight": 1500, "length": 30, "width": 20, "height": 15}
QUOTE = {"actualWeight": 1500, "volumetricWeight": 1800, "chargeWeight": 1800, "currency": "CNY"}


def test_countries_list_the_documented_four_first_then_more(client: TestClient) -> None:
    countries = client.get("/logistics/countries").json()["data"]
    assert countries[:4] == [
        {"code": "US", "name": "United States"},
        {"code": "GB", "name": "United Kingdom"},
        {"code": "JP", "name": "Japan"},
        {"code": "AU", "name": "Australia"},
    ]
    assert len(countries) > 4 and {"code": "AQ", "name": "Antarctica"} in countries


def test_shipping_methods_for_1500_g_to_the_us_are_the_documented_two(client: TestClient) -> None:
    response = client.get("/logistics/shipping-methods?country=US&weight=1500")
    assert response.json() == {"data": [EMS, DHL]}


@pytest.mark.parametrize(
    ("query", "channels"),
    [
        ("country=US&cargoType=sensitive", ["ch-002"]),
        ("country=US&cargoType=battery", []),
        ("country=JP&cargoType=battery", ["ch-003"]),
        ("country=JP", ["ch-001", "ch-002", "ch-003"]),
        ("country=AQ", []),
        ("country=US&weight=40000", ["ch-002"]),
        ("weight=50", []),
        ("", ["ch-001", "ch-002", "ch-003"]),
    ],
)
def test_shipping_methods_filter_by_country_weight_and_cargo(
    client: TestClient, query: str, channels: list[str]
) -> None:
    data = client.get(f"/logistics/shipping-methods?{query}").json()["data"]
    assert [c["channelId"] for c in data] == channels


def test_the_batch_quote_is_the_documented_example(client: TestClient) -> None:
    response = client.post("/logistics/calculate-freight-batch", json=BOX)
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "channels": [
                {"channelId": "ch-001", "name": "EMS Express", **QUOTE, "totalPrice": 185.00,
                 "deliveryDays": "7-15"},
                {"channelId": "ch-002", "name": "DHL Economy", **QUOTE, "totalPrice": 210.00,
                 "deliveryDays": "10-20"},
            ]
        }
    }  # fmt: skip


def test_the_batch_quote_lists_no_channel_for_an_unserved_country(client: TestClient) -> None:
    response = client.post("/logistics/calculate-freight-batch", json={**BOX, "country": "AQ"})
    assert response.json() == {"data": {"channels": []}}


def test_the_one_channel_quote_takes_channel_id_beside_the_batch_fields(
    client: TestClient,
) -> None:
    response = client.post("/v1/logistics/calculate-freight", json={**BOX, "channelId": "ch-002"})
    assert response.status_code == 200
    assert response.json() == {
        "data": {"channelId": "ch-002", "name": "DHL Economy", **QUOTE, "totalPrice": 210.00,
                 "deliveryDays": "10-20"}
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"channelId": "ch-001", "country": "AQ", "weight": 500}, 400,
         "Channel ch-001 does not serve country AQ"),
        ({"channelId": "ch-001", "country": "US", "weight": 500, "cargoType": "battery"}, 400,
         "Channel ch-001 does not accept battery cargo"),
        ({"channelId": "ch-001", "country": "US", "weight": 31000}, 400,
         "Channel ch-001 accepts weights from 100 g to 30000 g, got 31000 g"),
        ({"channelId": "ch-001", "country": "US", "weight": 500, "length": 100, "width": 100,
          "height": 100}, 400,
         "Channel ch-001 accepts weights from 100 g to 30000 g, got 200000 g"),
        ({"channelId": "ch-404", "country": "US", "weight": 500}, 404,
         "Logistics channel not found"),
        ({"country": "usa", "weight": 0}, 400,
         ["channelId should not be empty",
          "channelId must be shorter than or equal to 64 characters",
          "channelId must be a string",
          "country must match /^[A-Z]{2}$/ regular expression",
          "weight must not be less than 1"]),
    ],
)  # fmt: skip
def test_the_one_channel_quote_refuses_what_the_channel_does_not_serve(
    client: TestClient, body: dict[str, Any], status: int, message: object
) -> None:
    response = client.post("/logistics/calculate-freight", json=body)
    phrase = {400: "Bad Request", 404: "Not Found"}[status]
    assert (response.status_code, response.json()) == (status, error(status, message, phrase))


def test_a_bad_batch_body_is_a_validation_error(client: TestClient) -> None:
    response = client.post(
        "/logistics/calculate-freight-batch", json={"country": "US", "weight": 1.5, "length": 0}
    )
    assert response.json() == error(
        400, ["weight must be an integer number", "length must not be less than 1"], "Bad Request"
    )


def test_logistics_needs_its_scope(client: TestClient) -> None:
    response = client.get(
        "/logistics/countries", headers={"Authorization": "Bearer sk-sandbox-limited"}
    )
    assert response.json() == error(
        403,
        "Insufficient scope. Required: logistics:read. Your key has: products:read, cart:read",
        "Forbidden",
    )
