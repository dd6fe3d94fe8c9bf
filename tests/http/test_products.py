from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import error

IMG = "https://cdn.sandbox.example/products/12345"


def test_product_12345_is_the_documented_example(client: TestClient) -> None:
    response = client.get("/products/12345")
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "id": 12345,
            "title": "Nike Air Max 90",
            "description": "Classic sneaker with visible Air cushioning, leather and mesh upper.",
            "price": 299.00,
            "originalPrice": 499.00,
            "currency": "CNY",
            "platform": "taobao",
            "platformItemId": "6789012345",
            "imageUrl": f"{IMG}/main.jpg",
            "images": [f"{IMG}/1.jpg"],
            "shopName": "Nike Official",
            "shopUrl": "https://shop.sandbox.example/shops/nike-official",
            "sales": 1580,
            "stock": 200,
            "categoryId": 23,
            "skus": [
                {
                    "skuId": "s001",
                    "name": "Black / US 9",
                    "price": 299.00,
                    "stock": 50,
                    "image": f"{IMG}/s001.jpg",
                },
                {
                    "skuId": "s002",
                    "name": "White / US 9",
                    "price": 319.00,
                    "stock": 30,
                    "image": f"{IMG}/s002.jpg",
                },
            ],
            "attributes": [
                {"name": "Material", "value": "Leather"},
                {"name": "Origin", "value": "Vietnam"},
            ],
        }
    }
    assert b'"price":299.00' in response.content  # two decimals, as the reference writes money


def test_product_is_served_under_v1_too(client: TestClient) -> None:
    assert client.get("/v1/products/12345").json() == client.get("/products/12345").json()


def test_unknown_product_is_404(client: TestClient) -> None:
    response = client.get("/products/999")
    assert response.status_code == 404
    assert response.json() == error(404, "Product not found", "Not Found")


def test_non_numeric_product_id_is_400(client: TestClient) -> None:
    response = client.get("/products/abc")
    assert response.status_code == 400
    assert response.json() == error(
        400, "Validation failed (numeric string is expected)", "Bad Request"
    )


def stock_of(client: TestClient, headers: dict[str, str] | None = None) -> tuple[int, int]:
    data = client.get("/products/12345", headers=headers or {}).json()["data"]
    return data["stock"], data["skus"][0]["stock"]


def test_each_tenant_sees_its_own_stock_of_a_product(client: TestClient) -> None:
    other = {"Authorization": f"Bearer {client.post('/__sandbox/keys').json()['data']['key']}"}
    assert stock_of(client) == stock_of(client, other) == (200, 50)
    order = {"items": [{"productId": "12345", "skuId": "s001", "quantity": 3}]}
    assert client.post("/orders", json=order).status_code == 201
    assert stock_of(client) == (197, 47)
    assert stock_of(client, other) == (200, 50)  # tenants never see each other's reservations
    client.post("/__sandbox/scenarios/out-of-stock/activate", headers=other)
    assert stock_of(client, other) == (0, 0)
    assert stock_of(client) == (197, 47)
