from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from sandbox.cli import main
from sandbox.examples import REFERENCE, Example, capture
from sandbox.http.app import SandboxApplication
from sandbox.http.validation import validate as validate_request
from sandbox.openapi import reference_examples
from tests import contract


def test_the_document_is_valid_openapi_3_1(anonymous: TestClient) -> None:
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_names_every_operation_with_its_scope(
    anonymous: TestClient, app: SandboxApplication
) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for operation in app.operations:
        entry = paths[operation.path][operation.method.lower()]
        assert entry["x-required-scope"] == operation.scope
        assert str(operation.status) in entry["responses"]
    for control in app.control.operations:
        assert control.method.lower() in paths["/__sandbox" + control.path]


def test_request_schemas_are_the_validators_own(
    anonymous: TestClient, app: SandboxApplication
) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    add = next(op for op in app.operations if op.path == "/cart/items" and op.method == "POST")
    published = paths["/cart/items"]["post"]["requestBody"]["content"]["application/json"]
    assert published["schema"] == add.body


# -- every status, every shape ----------------------------------------------------------


def test_each_operation_lists_only_the_statuses_it_can_answer(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    assert sorted(paths["/cart"]["get"]["responses"]) == ["200", "400", "401", "403", "413", "429"]
    cancel = paths["/orders/{id}/cancel"]["post"]["responses"]
    assert {"404", "409"} <= set(cancel)
    assert "409" not in paths["/orders/{id}"]["get"]["responses"]
    assert "409" in paths["/__sandbox/orders/{orderNo}/advance"]["post"]["responses"]
    assert "409" not in paths["/__sandbox/clock"]["get"]["responses"]


def test_every_operation_publishes_the_shape_of_its_data(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
            schema = success["content"]["application/json"]["schema"]
            if path not in ("/openapi.json", "/__sandbox/health"):
                assert schema["properties"]["data"], f"{method.upper()} {path} has no shape"


def test_a_null_answer_is_in_the_document(client: TestClient) -> None:
    # ORD-20240120-001 is pending: no logistics, no inspection yet (checked by the contract).
    assert client.get("/orders/ORD-20240120-001/logistics").json() == {"data": None}
    assert client.get("/orders/ORD-20240120-001/inspection").json() == {"data": None}


def test_the_state_documents_are_embedded(anonymous: TestClient, client: TestClient) -> None:
    document = anonymous.get("/openapi.json").json()
    assert {"TenantState", "SandboxState", "ScenarioDocument"} <= set(
        document["components"]["schemas"]
    )
    # Both forms of the state check against the document (the contract client validates them).
    assert anonymous.get("/__sandbox/state").status_code == 200
    assert client.get("/__sandbox/state").status_code == 200


# -- the reference's examples -----------------------------------------------------------


def _schema_validator(schema: dict[str, object]) -> Draft202012Validator:
    return Draft202012Validator(
        {**schema, "components": contract.document()["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.mark.parametrize("example", REFERENCE, ids=lambda e: e.operation)
def test_each_example_checks_against_its_own_schemas(example: Example) -> None:
    operation = contract.document()["paths"][example.template][example.method.lower()]
    stored = reference_examples()[example.operation]
    success = operation["responses"][str(stored["status"])]["content"]["application/json"]
    assert success["examples"]["reference"]["value"] == stored["response"]
    _schema_validator(success["schema"]).validate(stored["response"])
    if example.body is not None:
        request = operation["requestBody"]["content"]["application/json"]
        assert request["examples"]["reference"]["value"] == example.body
        _schema_validator(request["schema"]).validate(example.body)
        validate_request(request["schema"], example.body)  # the sandbox's own validator too


def test_every_documented_endpoint_has_its_example() -> None:
    documented = {e.operation for e in REFERENCE}
    assert len(documented) == len(REFERENCE) == 22
    assert set(reference_examples()) == documented


def test_the_stored_examples_are_what_the_default_fixture_answers() -> None:
    """Run ``python -m sandbox.examples`` when this fails after a deliberate change."""
    assert capture() == reference_examples()


def test_examples_carry_concrete_urls() -> None:
    text = json.dumps(reference_examples())
    assert "https://..." not in text
    assert reference_examples()["POST /shipping/create"]["response"]["data"]["shippingFee"] == 185


# -- the command line -------------------------------------------------------------------


def test_sandbox_openapi_prints_the_served_document(
    anonymous: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["openapi"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == anonymous.get("/openapi.json").json()
    validate(printed)


def test_links_lead_from_what_creates_to_what_reads_it(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    ids = {op["operationId"] for operations in paths.values() for op in operations.values()}
    links = paths["/shipping/create"]["post"]["responses"]["201"]["links"]
    assert set(links) == {
        "shipping_get_detail", "shipping_cancel", "shipping_confirm",
    }  # fmt: skip
    for link in links.values():
        assert link["operationId"] in ids
        assert link["parameters"] == {"id": "$response.body#/data/orderNo"}
