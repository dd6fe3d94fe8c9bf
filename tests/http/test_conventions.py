"""The HTTP conventions of the real stack (Express under NestJS) that SPEC §9 asks for, and
class-validator's exact wording where the sandbox used its own."""

from __future__ import annotations

import time
from base64 import b64encode
from hashlib import sha1

import pytest
from starlette.testclient import TestClient

from tests.conftest import error

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_json_replies_carry_express_s_weak_etag(client: TestClient) -> None:
    response = client.get("/products/12345")
    body = response.content
    digest = b64encode(sha1(body).digest()).decode()[:27]
    assert response.headers["etag"] == f'W/"{len(body):x}-{digest}"'
    assert client.get("/nowhere").headers["etag"].startswith('W/"')  # errors too, as res.send


def test_a_matching_if_none_match_is_a_304_without_a_body(client: TestClient) -> None:
    tag = client.get("/products/12345").headers["etag"]
    again = client.get("/products/12345", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert "content-type" not in again.headers
    listed = client.get("/products/12345", headers={"If-None-Match": f'"x", {tag}'})
    assert listed.status_code == 304
    assert client.get("/products/12345", headers={"If-None-Match": '"other"'}).status_code == 200
    fresh = client.get(
        "/products/12345", headers={"If-None-Match": tag, "Cache-Control": "no-cache"}
    )
    assert fresh.status_code == 200


def test_a_changed_resource_gets_a_new_etag_and_a_200(client: TestClient) -> None:
    tag = client.get("/cart").headers["etag"]
    client.post("/cart/items", json={"productId": 12345, "skuId": "s001", "quantity": 1})
    changed = client.get("/cart", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag


def test_only_a_read_answered_2xx_turns_into_a_304(client: TestClient) -> None:
    missing = client.get("/products/1")
    assert missing.status_code == 404
    again = client.get("/products/1", headers={"If-None-Match": missing.headers["etag"]})
    assert again.status_code == 404
    cleared = client.delete("/cart")
    same = client.delete("/cart", headers={"If-None-Match": cleared.headers["etag"]})
    assert same.status_code == 200


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    get = client.get("/products/12345")
    head = client.head("/products/12345")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"]
    assert "x-ratelimit-remaining" in head.headers
    assert client.head("/v1/products/12345").status_code == 200
    assert client.head("/nowhere").status_code == 404


def test_routes_match_in_any_case(client: TestClient) -> None:
    upper = client.get("/PRODUCTS/12345")
    assert upper.status_code == 200
    assert upper.json()["data"]["id"] == 12345
    assert client.get("/V1/Products/12345").status_code == 200
    assert client.get("/USER/WALLET/BALANCE").status_code == 200
    # Parameters keep their case: order numbers are looked up as sent.
    assert client.get("/ORDERS/ORD-20240115-001").json()["data"]["orderNo"] == "ORD-20240115-001"
    assert client.get("/orders/ord-20240115-001").status_code == 404


def test_a_urlencoded_body_is_parsed_like_json(client: TestClient) -> None:
    response = client.post(
        "/cart/items", content=b"productId=12345&skuId=s001&quantity=2", headers=FORM
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["quantity"] == 2
    lines = client.get("/cart").json()["data"]["items"]
    assert [(line["skuId"], line["quantity"]) for line in lines][-1] == ("s001", 2)


def test_a_urlencoded_body_nests_as_body_parser_s_extended_form(client: TestClient) -> None:
    body = (
        b"items[0][productId]=12345&items[0][skuId]=s001&items[0][quantity]=1"
        b"&items[1][productId]=67890&items[1][skuId]=s010&items[1][quantity]=1"
    )
    response = client.post("/cart/items/batch", content=body, headers=FORM)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["added"] == 2
    refused = client.post("/cart/items", content=b"productId=12345&skuId=s001", headers=FORM)
    assert refused.json()["message"] == [
        "quantity must not be less than 1",
        "quantity must be an integer number",
    ]


def test_too_many_form_parameters_are_body_parser_s_413(client: TestClient) -> None:
    body = "&".join(f"p{i}=1" for i in range(1001)).encode()
    response = client.post("/cart/items", content=body, headers=FORM)
    assert response.status_code == 413
    assert response.json() == error(413, "too many parameters", "Payload Too Large")


@pytest.mark.parametrize("charset", ["latin1", "ISO-8859-1", "utf-16"])
def test_a_body_in_another_charset_is_a_415(client: TestClient, charset: str) -> None:
    response = client.post(
        "/cart/items",
        content=b'{"productId": 12345}',
        headers={"Content-Type": f"application/json; charset={charset}"},
    )
    assert response.status_code == 415
    assert response.json() == error(
        415, f'unsupported charset "{charset.upper()}"', "Unsupported Media Type"
    )
    form = client.post(
        "/cart/items",
        content=b"a=1",
        headers={"Content-Type": f"{FORM['Content-Type']}; charset={charset}"},
    )
    assert form.status_code == 415


def test_utf8_in_any_spelling_is_read(client: TestClient) -> None:
    for value in ("utf-8", "UTF-8", '"utf-8"'):
        response = client.post(
            "/cart/items",
            content=b'{"productId": 12345, "skuId": "s001", "quantity": 1}',
            headers={"Content-Type": f"application/json; charset={value}"},
        )
        assert response.status_code == 201, value


def test_json_is_the_media_type_application_json_in_any_case(client: TestClient) -> None:
    line = b'{"productId": 12345, "skuId": "s001", "quantity": 1}'
    upper = client.post("/cart/items", content=line, headers={"Content-Type": "APPLICATION/JSON"})
    assert upper.status_code == 201
    vendor = client.post(
        "/cart/items", content=line, headers={"Content-Type": "application/vnd.api+json"}
    )
    assert vendor.status_code == 400  # not parsed: the fields are missing
    assert "quantity must be an integer number" in vendor.json()["message"]


def test_a_param_that_does_not_decode_is_nest_s_message(client: TestClient) -> None:
    response = client.get("/products/%FF")
    assert response.json() == error(400, "Failed to decode param '%FF'", "Bad Request")
    assert client.get("/orders/%E0%A4%A").json()["message"] == "Failed to decode param '%E0%A4%A'"
    assert client.get("/products/%31%32%33%34%35").json()["data"]["id"] == 12345


def test_the_404_message_shows_the_url_as_sent(client: TestClient) -> None:
    response = client.get("/no%20such/place?q=a%20b")
    assert response.json() == error(404, "Cannot GET /no%20such/place?q=a%20b", "Not Found")


def test_a_lone_surrogate_in_a_json_string_is_accepted(client: TestClient) -> None:
    body = b'{"productId": 12345, "skuId": "s001", "quantity": 1, "remark": "a\\ud800b"}'
    response = client.post(
        "/cart/items", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    remark = client.get("/cart").json()["data"]["items"][-1]["remark"]
    assert remark == "a\ufffdb"  # stored as U+FFFD (see the README's divergences)
    journal = client.get("/__sandbox/requests", params={"path": "/cart/items"}).json()["data"]
    assert journal[0]["status"] == 201
    malformed = client.post(
        "/cart/items",
        content=b'{"remark": "\\ud800", NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.json()["message"].startswith("Malformed JSON: ")


def test_a_non_object_item_gets_class_validator_s_wording(client: TestClient) -> None:
    response = client.post("/cart/items/batch", json={"items": [1]})
    assert response.json()["message"] == [
        "items.each value in nested property items must be either object or array"
    ]
    text = client.post("/orders", json={"items": "x"})
    assert text.json()["message"] == [
        "items should not be empty",
        "items must contain no more than 100 elements",
        "items must be an array",
        "each value in nested property items must be either object or array",
    ]


def test_a_lowercase_country_gets_class_validator_s_wording(client: TestClient) -> None:
    response = client.post(
        "/logistics/calculate-freight-batch", json={"country": "us", "weight": 1}
    )
    assert response.json() == error(
        400, ["country must match /^[A-Z]{2}$/ regular expression"], "Bad Request"
    )


def test_a_huge_invalid_batch_gets_a_small_reply_fast(client: TestClient) -> None:
    body = b'{"items":[' + b",".join([b"{}"] * 30000) + b"]}"
    assert len(body) > 90_000
    started = time.perf_counter()
    response = client.post(
        "/cart/items/batch", content=body, headers={"Content-Type": "application/json"}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    messages = response.json()["message"]
    assert len(messages) == 101
    assert messages[0] == "items must contain no more than 100 elements"
    assert messages[-1] == "... and 179901 more validation errors"
    assert len(response.content) < 10_000
    assert elapsed < 1.0


def test_distinct_items_are_checked_in_linear_time(client: TestClient) -> None:
    def batch(count: int) -> float:
        items = b",".join(b'{"x%d":1}' % i for i in range(count))
        started = time.perf_counter()
        reply = client.post(
            "/cart/items/batch",
            content=b'{"items":[' + items + b"]}",
            headers={"Content-Type": "application/json"},
        )
        assert reply.status_code == 400
        return time.perf_counter() - started

    batch(500)  # warm up
    small, large = min(batch(1000) for _ in range(3)), min(batch(8000) for _ in range(3))
    assert large < small * 8 * 3  # linear, with room for a noisy machine


def test_the_control_plane_reads_a_body_curl_sent_without_a_type_as_json(
    client: TestClient,
) -> None:
    response = client.post("/__sandbox/clock/advance", content=b'{"seconds": 60}', headers=FORM)
    assert response.status_code == 200, response.text
