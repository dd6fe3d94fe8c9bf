from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import error

IMG = "https://cdn.sandbox.example/products"


def test_cart_is_the_documented_example(client: TestClient) -> None:
    assert client.get("/cart").json() == {
        "data": {
            "items": [
                {
                    "id": 501,
                    "productId": 12345,
                    "title": "Nike Air Max 90",
                    "skuId": "s001",
                    "skuName": "Black / US 9",
                    "price": 299.00,
                    "quantity": 2,
                    "imageUrl": f"{IMG}/12345/s001.jpg",
                    "selected": True,
                    "stock": 50,
                    "remark": "",
                }
            ],
            "totalItems": 1,
            "totalAmount": 598.00,
        }
    }


def test_adding_an_item_gives_the_documented_response_and_a_new_line(client: TestClient) -> None:
    body = {"productId": "12345", "skuId": "s001", "quantity": 2, "remark": "Size US 9"}
    response = client.post("/cart/items", json=body)
    assert response.status_code == 201
    assert response.json() == {
        "data": {
            "id": 502,
            "productId": 12345,
            "skuId": "s001",
            "quantity": 2,
            "message": "Item added to cart",
        }
    }
    cart = client.get("/cart").json()["data"]
    assert [item["id"] for item in cart["items"]] == [501, 502]
    assert cart["items"][1]["remark"] == "Size US 9"
    assert cart["totalItems"] == 2
    assert cart["totalAmount"] == 1196.00


def test_product_id_may_be_an_integer(client: TestClient) -> None:
    response = client.post("/cart/items", json={"productId": 67890, "skuId": "s010", "quantity": 1})
    assert response.status_code == 201
    assert response.json()["data"]["productId"] == 67890


def test_batch_add_gives_the_documented_response_with_string_product_ids(
    client: TestClient,
) -> None:
    response = client.post(
        "/cart/items/batch",
        json={
            "items": [
                {"productId": "12345", "skuId": "s001", "quantity": 2},
                {"productId": "67890", "skuId": "s010", "quantity": 1},
            ]
        },
    )
    assert response.status_code == 201
    assert response.json() == {
        "data": {
            "added": 2,
            "items": [{"id": 502, "productId": "12345"}, {"id": 503, "productId": "67890"}],
        }
    }


def test_batch_add_with_one_bad_line_adds_nothing(client: TestClient) -> None:
    response = client.post(
        "/cart/items/batch",
        json={
            "items": [
                {"productId": "12345", "skuId": "s001", "quantity": 1},
                {"productId": "12345", "skuId": "nope", "quantity": 1},
            ]
        },
    )
    assert response.status_code == 404
    assert response.json() == error(404, "SKU not found", "Not Found")
    assert client.get("/cart").json()["data"]["totalItems"] == 1
    # and the next id was not consumed either
    assert (
        client.post(
            "/cart/items", json={"productId": "12345", "skuId": "s002", "quantity": 1}
        ).json()["data"]["id"]
        == 502
    )


def test_batch_validation_names_the_line_and_field(client: TestClient) -> None:
    response = client.post(
        "/cart/items/batch", json={"items": [{"productId": "12345", "skuId": 7, "quantity": 0}]}
    )
    assert response.status_code == 400
    assert response.json() == error(
        400,
        [
            "items.0.skuId must be shorter than or equal to 64 characters",
            "items.0.skuId must be a string",
            "items.0.quantity must not be less than 1",
        ],
        "Bad Request",
    )


def test_empty_batch_is_400(client: TestClient) -> None:
    response = client.post("/cart/items/batch", json={"items": []})
    assert response.status_code == 400
    assert response.json() == error(400, ["items should not be empty"], "Bad Request")


def test_adding_more_than_the_stock_is_400_and_adds_nothing(client: TestClient) -> None:
    response = client.post(
        "/cart/items", json={"productId": "12345", "skuId": "s002", "quantity": 31}
    )
    assert response.status_code == 400
    assert response.json() == error(
        400, "Insufficient stock for SKU s002: requested 31, available 30", "Bad Request"
    )
    assert client.get("/cart").json()["data"]["totalItems"] == 1


def test_each_add_is_checked_alone_against_the_stock(client: TestClient) -> None:
    for _ in range(2):
        line = {"productId": "12345", "skuId": "s002", "quantity": 30}
        assert client.post("/cart/items", json=line).status_code == 201


def test_sold_out_sku_cannot_be_added(client: TestClient) -> None:
    response = client.post("/cart/items", json={"productId": 13579, "skuId": "s099", "quantity": 1})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Insufficient stock for SKU s099: requested 1, available 0"
    )


def test_unknown_product_and_sku_in_the_body_are_404(client: TestClient) -> None:
    unknown_product = client.post(
        "/cart/items", json={"productId": "999", "skuId": "s001", "quantity": 1}
    )
    assert unknown_product.status_code == 404
    assert unknown_product.json() == error(404, "Product not found", "Not Found")
    unknown_sku = client.post(
        "/cart/items", json={"productId": "12345", "skuId": "s999", "quantity": 1}
    )
    assert unknown_sku.json() == error(404, "SKU not found", "Not Found")


def test_add_validation_reports_every_violation_in_class_validator_wording(
    client: TestClient,
) -> None:
    response = client.post("/cart/items", json={"productId": "abc", "quantity": -1, "foo": 1})
    assert response.status_code == 400
    assert response.json() == error(
        400,
        [
            "property foo should not exist",
            "productId must be a numeric string or a positive integer",
            "skuId should not be empty",
            "skuId must be shorter than or equal to 64 characters",
            "skuId must be a string",
            "quantity must not be less than 1",
        ],
        "Bad Request",
    )


def test_fractional_and_string_quantities_are_refused(client: TestClient) -> None:
    for quantity, messages in [
        (1.5, ["quantity must be an integer number"]),
        ("2", ["quantity must not be less than 1", "quantity must be an integer number"]),
        (True, ["quantity must not be less than 1", "quantity must be an integer number"]),
    ]:
        response = client.post(
            "/cart/items", json={"productId": "12345", "skuId": "s001", "quantity": quantity}
        )
        assert response.status_code == 400, quantity
        assert response.json()["message"] == messages


def test_empty_body_and_non_json_body_report_the_missing_fields(client: TestClient) -> None:
    expected = [
        "productId must be a numeric string or a positive integer",
        "skuId should not be empty",
        "skuId must be shorter than or equal to 64 characters",
        "skuId must be a string",
        "quantity must not be less than 1",
        "quantity must be an integer number",
    ]
    assert client.post("/cart/items").json() == error(400, expected, "Bad Request")
    text = client.post(
        "/cart/items", content=b"productId=12345", headers={"Content-Type": "text/plain"}
    )
    assert text.json() == error(400, expected, "Bad Request")


def test_updating_a_line_gives_the_documented_response(client: TestClient) -> None:
    client.post("/cart/items", json={"productId": "12345", "skuId": "s001", "quantity": 2})
    response = client.patch("/cart/items/502", json={"quantity": 3, "selected": True})
    assert response.status_code == 200
    assert response.json() == {
        "data": {"id": 502, "quantity": 3, "selected": True, "message": "Cart item updated"}
    }


def test_deselected_lines_leave_the_total(client: TestClient) -> None:
    client.patch("/cart/items/501", json={"selected": False})
    cart = client.get("/cart").json()["data"]
    assert cart["items"][0]["selected"] is False
    assert cart["totalAmount"] == 0.00


def test_update_checks_stock_and_types(client: TestClient) -> None:
    too_many = client.patch("/cart/items/501", json={"quantity": 51})
    assert too_many.status_code == 400
    wrong = client.patch("/cart/items/501", json={"quantity": 0, "selected": "yes"})
    assert wrong.json() == error(
        400,
        ["quantity must not be less than 1", "selected must be a boolean value"],
        "Bad Request",
    )
    assert client.get("/cart").json()["data"]["items"][0]["quantity"] == 2


def test_removing_a_line_gives_the_documented_response(client: TestClient) -> None:
    response = client.delete("/cart/items/501")
    assert response.status_code == 200
    assert response.json() == {"data": {"message": "Item removed"}}
    assert client.get("/cart").json()["data"] == {"items": [], "totalItems": 0, "totalAmount": 0.00}


def test_unknown_line_is_404_and_bad_line_id_is_400(client: TestClient) -> None:
    for method in ("PATCH", "DELETE"):
        missing = client.request(method, "/cart/items/999", json={})
        assert missing.status_code == 404
        assert missing.json() == error(404, "Cart item not found", "Not Found")
        bad = client.request(method, "/cart/items/x1", json={})
        assert bad.json() == error(
            400, "Validation failed (numeric string is expected)", "Bad Request"
        )


def test_clearing_the_cart(client: TestClient) -> None:
    client.post("/cart/items", json={"productId": "12345", "skuId": "s001", "quantity": 1})
    response = client.delete("/cart")
    assert response.status_code == 200
    assert response.json() == {"data": {"message": "Cart cleared"}}
    assert client.get("/cart").json()["data"]["items"] == []


def test_another_tenants_cart_lines_are_404(client: TestClient) -> None:
    minted = client.post("/__sandbox/keys", json={}).json()["data"]["key"]
    other = {"Authorization": f"Bearer {minted}"}
    created = client.post(
        "/cart/items", headers=other, json={"productId": "12345", "skuId": "s001", "quantity": 1}
    )
    line_id = created.json()["data"]["id"]
    assert line_id == 502  # per-tenant sequences: the copy of the story continues at 502
    client.post("/cart/items", json={"productId": "12345", "skuId": "s001", "quantity": 1})
    client.delete("/cart/items/502", headers=other)
    # user 1001's own line 502 is untouched by the other tenant's delete
    assert [i["id"] for i in client.get("/cart").json()["data"]["items"]] == [501, 502]
