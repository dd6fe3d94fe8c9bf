from __future__ import annotations

from openapi_spec_validator import validate
from starlette.testclient import TestClient

from sandbox.http.app import SandboxApp


def test_the_document_is_valid_openapi_3_1(anonymous: TestClient) -> None:
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_names_every_operation_with_its_scope(
    anonymous: TestClient, app: SandboxApp
) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for operation in app.operations:
        entry = paths[operation.path][operation.method.lower()]
        assert entry["x-required-scope"] == operation.scope
        assert str(operation.status) in entry["responses"]
    for control in app.control.operations:
        assert control.method.lower() in paths["/__sandbox" + control.path]


def test_request_schemas_are_the_validators_own(anonymous: TestClient, app: SandboxApp) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    add = next(op for op in app.operations if op.path == "/cart/items" and op.method == "POST")
    published = paths["/cart/items"]["post"]["requestBody"]["content"]["application/json"]
    assert published["schema"] == add.body
