from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import error

OFFER = "623456789012"


@pytest.mark.parametrize(
    "body",
    [
        {"url": f"https://detail.1688.com/offer/{OFFER}.html"},
        {"url": f"https://detail.1688.com/offer/{OFFER}.html?spm=a2615.7691456.0.0"},
        {"url": f"https://m.1688.com/offer/{OFFER}.html"},
        {"url": f"https://detail.m.1688.com/page/index.html?offerId={OFFER}&spm=x"},
        {"offerId": OFFER},
        {"url": f"https://detail.1688.com/offer/{OFFER}.html", "offerId": OFFER},
    ],
)
def test_every_accepted_form_imports_the_same_product(client: TestClient, body: dict) -> None:
    response = client.post("/products/import/1688", json=body)
    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == ["id", "title", "price", "platform", "skus", "minOrder", "images"]
    assert data["id"] == int(OFFER)
    assert data["platform"] == "1688"
    assert data["minOrder"] >= 2
    assert data["skus"] and all(s["image"].startswith("https://") for s in data["skus"])
    assert data["price"] == min(s["price"] for s in data["skus"])


def test_import_is_deterministic_and_then_readable(client: TestClient) -> None:
    assert client.get(f"/products/{OFFER}").status_code == 404
    first = client.post("/products/import/1688", json={"offerId": OFFER}).json()
    second = client.post("/products/import/1688", json={"offerId": OFFER}).json()
    assert first == second
    product = client.get(f"/products/{OFFER}").json()["data"]
    assert product["title"] == first["data"]["title"]
    assert product["platform"] == "1688"
    assert product["platformItemId"] == OFFER


def test_different_offers_give_different_products(client: TestClient) -> None:
    a = client.post("/products/import/1688", json={"offerId": "1234567890"}).json()["data"]
    b = client.post("/products/import/1688", json={"offerId": "1234567891"}).json()["data"]
    assert a["id"] != b["id"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, ["url or offerId is required"]),
        ({"offerId": "12345"}, "offerId must be a 1688 offer id of 10 to 13 digits"),
        ({"offerId": "12345678901234"}, "offerId must be a 1688 offer id of 10 to 13 digits"),
        (
            {"url": "https://item.taobao.com/item.htm?id=6789012345"},
            "url must be a 1688 offer URL such as https://detail.1688.com/offer/<offerId>.html",
        ),
        (
            {"url": "https://detail.1688.com/offer/123.html"},
            "url must be a 1688 offer URL such as https://detail.1688.com/offer/<offerId>.html",
        ),
        (
            {"url": "https://detail.m.1688.com/page/index.html"},
            "url must be a 1688 offer URL such as https://detail.1688.com/offer/<offerId>.html",
        ),
        (
            {"url": "https://detail.1688.com/offer/1234567890.html", "offerId": "1234567899"},
            "url and offerId name different offers",
        ),
        (
            {"offerId": "1000000000"},
            "Offer 1000000000 cannot be imported: it is no longer available",
        ),
    ],
)
def test_bad_or_refused_offers_are_400(
    client: TestClient, body: dict, message: str | list[str]
) -> None:
    response = client.post("/products/import/1688", json=body)
    assert response.status_code == 400
    assert response.json() == error(400, message, "Bad Request")


def test_import_fields_are_validated(client: TestClient) -> None:
    response = client.post("/products/import/1688", json={"offerId": 1234567890, "shop": "x"})
    assert response.json() == error(
        400,
        [
            "property shop should not exist",
            # class-validator runs @MaxLength on a non-string too, and it fails
            "offerId must be shorter than or equal to 32 characters",
            "offerId must be a string",
        ],
        "Bad Request",
    )
