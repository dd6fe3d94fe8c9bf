"""Cross-cutting behaviour: keys, scopes, rate limits, routing, body parsing, request ids."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from sandbox.domain.access import RateLimit
from sandbox.domain.fixture import Fixture
from sandbox.http.app import create_app
from sandbox.settings import Settings
from sandbox.store import Store
from tests.conftest import LIMITED, error

INVALID_KEY = error(401, "Invalid API Key", "Unauthorized")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic c2stc2FuZGJveC1mdWxs",
        "Bearer sk-unknown",
        "sk-sandbox-full",
    ],
)
def test_missing_malformed_or_unknown_keys_are_401(
    anonymous: TestClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = anonymous.get("/products/12345", headers=headers)
    assert response.status_code == 401
    assert response.json() == INVALID_KEY


def test_bearer_scheme_is_case_insensitive(anonymous: TestClient) -> None:
    response = anonymous.get("/products/12345", headers={"Authorization": "bearer sk-sandbox-full"})
    assert response.status_code == 200


def test_missing_scope_is_403_naming_the_keys_scopes_in_order(anonymous: TestClient) -> None:
    response = anonymous.post(
        "/cart/items",
        headers={"Authorization": f"Bearer {LIMITED}"},
        json={"productId": "12345", "skuId": "s001", "quantity": 1},
    )
    assert response.status_code == 403
    assert response.json() == error(
        403,
        "Insufficient scope. Required: cart:write. Your key has: products:read, cart:read",
        "Forbidden",
    )


def test_authentication_comes_before_scope_and_scope_before_validation(
    anonymous: TestClient,
) -> None:
    bad_body = {"quantity": "many"}
    assert anonymous.post("/cart/items", json=bad_body).status_code == 401
    limited = anonymous.post(
        "/cart/items", json=bad_body, headers={"Authorization": f"Bearer {LIMITED}"}
    )
    assert limited.status_code == 403


def test_validation_comes_before_business_rules(client: TestClient) -> None:
    response = client.post("/cart/items", json={"productId": "999", "skuId": "x", "quantity": 0})
    assert response.status_code == 400  # not the unknown product's 404


@pytest.mark.parametrize("use_key", [True, False])
def test_unknown_routes_are_404_with_or_without_a_key(
    client: TestClient, anonymous: TestClient, use_key: bool
) -> None:
    response = (client if use_key else anonymous).get("/v1/nothing/here?a=1&b=2")
    assert response.status_code == 404
    assert response.json() == error(404, "Cannot GET /v1/nothing/here?a=1&b=2", "Not Found")


def test_known_path_with_another_method_is_nestjs_404(anonymous: TestClient) -> None:
    response = anonymous.delete("/products/1")
    assert response.json() == error(404, "Cannot DELETE /products/1", "Not Found")


def test_every_route_is_served_under_v1_and_tolerates_a_trailing_slash(client: TestClient) -> None:
    assert client.get("/v1/cart").json() == client.get("/cart/").json()


def test_malformed_json_is_400_with_the_parsers_message(client: TestClient) -> None:
    response = client.post(
        "/cart/items", content=b'{"productId": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Bad Request"
    assert body["message"].startswith("Malformed JSON: ")


def test_a_json_scalar_body_is_refused_like_body_parser_strict_mode(client: TestClient) -> None:
    response = client.post(
        "/cart/items", content=b'"12345"', headers={"Content-Type": "application/json"}
    )
    assert response.json() == error(
        400, "Malformed JSON: the top level must be an object or an array", "Bad Request"
    )


def test_body_over_100kb_is_413(client: TestClient) -> None:
    remark = "x" * (100 * 1024)
    response = client.post(
        "/cart/items", json={"productId": "12345", "skuId": "s001", "quantity": 1, "remark": remark}
    )
    assert response.status_code == 413
    assert response.json() == error(413, "request entity too large", "Payload Too Large")
    assert client.get("/cart").json()["data"]["totalItems"] == 1


def test_every_response_carries_a_distinct_request_id(
    client: TestClient, anonymous: TestClient
) -> None:
    ids = {
        client.get("/products/12345").headers["x-request-id"],
        client.get("/nowhere").headers["x-request-id"],
        anonymous.get("/cart").headers["x-request-id"],
        client.get("/__sandbox/health").headers["x-request-id"],
    }
    assert len(ids) == 4


# -- rate limiting ----------------------------------------------------------------------


@pytest.fixture
def limited_client(fixture: Fixture) -> TestClient:
    store = Store(dataclasses.replace(fixture, rate_limit=RateLimit(limit=3, window_seconds=60)))
    store.tenant(1001).clock.set(frozen=True)
    client = TestClient(create_app(store, Settings()), base_url="http://sandbox")
    client.headers["Authorization"] = "Bearer sk-sandbox-full"
    client.store = store  # type: ignore[attr-defined]
    return client


def test_the_default_rate_limit_is_1000_per_minute(client: TestClient) -> None:
    response = client.get("/cart")
    assert response.headers["x-ratelimit-limit"] == "1000"
    assert response.headers["x-ratelimit-remaining"] == "999"
    assert response.headers["x-ratelimit-reset"] == "60"


def test_rate_limit_headers_ride_on_errors_after_the_limiter(limited_client: TestClient) -> None:
    not_found = limited_client.get("/products/999")
    invalid = limited_client.post("/cart/items", json={})
    forbidden = limited_client.get("/cart", headers={"Authorization": "Bearer sk-sandbox-limited"})
    assert [r.status_code for r in (not_found, invalid, forbidden)] == [404, 400, 200]
    assert not_found.headers["x-ratelimit-remaining"] == "2"
    assert invalid.headers["x-ratelimit-remaining"] == "1"
    assert forbidden.headers["x-ratelimit-remaining"] == "2"  # keys have windows of their own


def test_exceeding_the_limit_is_429_until_the_window_ends(limited_client: TestClient) -> None:
    for _ in range(3):
        assert limited_client.get("/cart").status_code == 200
    limited_client.store.tenant(1001).clock.advance(15)  # type: ignore[attr-defined]
    refused = limited_client.get("/cart")
    assert refused.status_code == 429
    assert refused.json() == error(
        429, "Rate limit exceeded. Try again in 45s", "Too Many Requests"
    )
    assert refused.headers["retry-after"] == "45"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    limited_client.store.tenant(1001).clock.advance(45)  # type: ignore[attr-defined]
    assert limited_client.get("/cart").status_code == 200


def test_unauthenticated_requests_are_not_counted(limited_client: TestClient) -> None:
    for _ in range(5):
        limited_client.get("/cart", headers={"Authorization": "Bearer nope"})
    assert limited_client.get("/cart").headers["x-ratelimit-remaining"] == "2"
