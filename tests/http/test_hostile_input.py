"""Hostile and malformed input never gets a 5xx and never changes state."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.conftest import error

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["productId", "skuId", "quantity", "remark", "items", "selected", "url", "offerId",
          "name", "country", "email", "language", "isDefault"]  # fmt: skip
BODIES = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=5) | JSON_VALUES
WRITES = [
    ("POST", "/cart/items"),
    ("POST", "/cart/items/batch"),
    ("PATCH", "/cart/items/501"),
    ("POST", "/products/import/1688"),
    ("PUT", "/user/profile"),
    ("POST", "/user/addresses"),
    ("PUT", "/user/addresses/10"),
    ("POST", "/user/favorites"),
]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(route=st.sampled_from(WRITES), body=BODIES)
def test_random_bodies_get_a_4xx_or_a_success_never_a_5xx(
    client: TestClient, route: tuple[str, str], body: object
) -> None:
    method, path = route
    response = client.request(
        method, path, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.text
    payload = response.json()
    if response.status_code >= 400:
        assert set(payload) == {"statusCode", "message", "error"}
        assert payload["statusCode"] == response.status_code


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"productId": "12345", "skuId": "s001", "quantity": 1e300}, 400),
        ({"productId": 1e300, "skuId": "s001", "quantity": 1}, 404),
        ({"productId": "9" * 18, "skuId": "s001", "quantity": 1}, 404),
        ({"productId": "9" * 19, "skuId": "s001", "quantity": 1}, 400),
        ({"productId": -5, "skuId": "s001", "quantity": 1}, 400),
        ({"productId": "12345", "skuId": "s001", "quantity": 0}, 400),
        ({"productId": "12345", "skuId": "s001", "quantity": -(2**63)}, 400),
        ({"productId": "12345", "skuId": "\u0000\u202e", "quantity": 1}, 404),
    ],
)
def test_extreme_values_are_refused_and_change_nothing(
    client: TestClient, body: dict, status: int
) -> None:
    response = client.post("/cart/items", json=body)
    assert response.status_code == status, response.text
    assert client.get("/cart").json()["data"]["totalItems"] == 1


def test_integers_beyond_64_bits_are_numbers_as_in_javascript(client: TestClient) -> None:
    body = b'{"productId": "12345", "skuId": "s001", "quantity": 123456789012345678901234567890}'
    response = client.post(
        "/cart/items", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("Insufficient stock for SKU s001")


@pytest.mark.parametrize("digits", [400, 5000])
def test_query_integers_beyond_any_double_are_infinity_as_number_makes_them(
    client: TestClient, digits: int
) -> None:
    # @Type(() => Number) turns them into Infinity: not an integer, and beyond the maximum.
    huge = client.get("/warehouse/packages", params={"page": "9" * digits})
    above = ["page must not be greater than 9007199254740991", "page must be an integer number"]
    assert huge.json() == error(400, above, "Bad Request")
    negative = client.get("/orders", params={"page": "-" + "9" * digits})
    below = ["page must not be less than 1", "page must be an integer number"]
    assert negative.json() == error(400, below, "Bad Request")
    form = client.post("/cart/items", content=f"productId=12345&skuId=s001&quantity={'9' * digits}",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert form.status_code == 400
    assert "quantity must be an integer number" in form.json()["message"]


def test_deeply_nested_json_is_malformed_not_a_crash(client: TestClient) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    response = client.post(
        "/cart/items", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("depth", [300, 1000])
def test_array_items_nested_past_the_encoders_limits_are_refused_not_a_crash(
    client: TestClient, depth: int
) -> None:
    # Equal items of an array are checked once, found by a canonical text of each: orjson
    # writes at most 254 levels, the standard library at most its recursion limit.
    orders = client.get("/orders").json()["data"]["total"]
    deep = "[" * depth + "]" * depth
    item = '{"productId": 12345, "skuId": "s001", "quantity": 1, "x": ' + deep + "}"
    body = f'{{"items": [{item}, {item}]}}'.encode()
    response = client.post("/orders", content=body, headers={"Content-Type": "application/json"})
    message = ["items.0.property x should not exist", "items.1.property x should not exist"]
    assert response.json() == error(400, message, "Bad Request")
    minted = client.post(
        "/__sandbox/keys",
        content=f'{{"scopes": [{deep}, {deep}]}}'.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert minted.status_code == 400
    assert client.get("/orders").json()["data"]["total"] == orders


def test_form_digits_beyond_64_bits_in_array_items_are_numbers_not_a_crash(
    client: TestClient,
) -> None:
    # Two equal items: validation finds them equal (by the standard library's text, which
    # orjson cannot write), then the shipping order refuses the repeat.
    form = {
        "items[0][inventoryId]": "18446744073709551616", "items[0][quantity]": "1",
        "items[1][inventoryId]": "18446744073709551616", "items[1][quantity]": "1",
        "logisticsChannelId": "ch-001", "recipientName": "A", "recipientPhone": "1",
        "recipientCountry": "US", "recipientCity": "X", "recipientAddress": "Y",
        "recipientZipCode": "1",
    }  # fmt: skip
    response = client.post("/shipping/create", data=form)
    message = "Package 18446744073709551616 is listed more than once"
    assert response.json() == error(400, message, "Bad Request")


def test_path_ids_beyond_any_integer_are_404(client: TestClient) -> None:
    response = client.get("/products/" + "9" * 40)
    assert response.json() == error(404, "Product not found", "Not Found")


def test_another_users_ids_are_404(client: TestClient) -> None:
    other = {"Authorization": f"Bearer {client.post('/__sandbox/keys').json()['data']['key']}"}
    address = client.post(
        "/user/addresses",
        headers=other,
        json={
            "name": "A",
            "phone": "1",
            "country": "US",
            "city": "B",
            "address": "C",
            "zipCode": "D",
        },
    ).json()["data"]["id"]
    favorite = client.post("/user/favorites", headers=other, json={"productId": 67890}).json()[
        "data"
    ]["id"]
    line = client.post(
        "/cart/items", headers=other, json={"productId": 67890, "skuId": "s010", "quantity": 1}
    ).json()["data"]["id"]
    assert client.put(f"/user/addresses/{address}", json={"city": "X"}).status_code == 404
    assert client.delete(f"/user/addresses/{address}").status_code == 404
    assert client.delete(f"/user/favorites/{favorite}").status_code == 404
    assert client.patch(f"/cart/items/{line}", json={"quantity": 2}).status_code == 404
    assert client.delete(f"/cart/items/{line}").status_code == 404
