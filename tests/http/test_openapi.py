from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from sandbox.cli import main
from sandbox.control.clock import SET_BODY
from sandbox.errors import ValidationFailed
from sandbox.examples import REFERENCE, Example, capture
from sandbox.http.app import SandboxApplication
from sandbox.http.routes.cart import ADD_BODY
from sandbox.http.routes.products import IMPORT_BODY
from sandbox.http.validation import published
from sandbox.http.validation import validate as validate_request
from sandbox.openapi import NAMED, reference_examples
from sandbox.scenario.loader import ScenarioError, check_scenario
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


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every reference to a component replaced by the component, inlined."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return _resolved(document, document["components"]["schemas"][name])
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: _resolved(document, v) for k, v in out["properties"].items()}
    if "items" in out:
        out["items"] = _resolved(document, out["items"])
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in out:
            out[keyword] = [_resolved(document, option) for option in out[keyword]]
    if "then" in out:
        out["then"] = _resolved(document, out["then"])
    return out


def test_request_schemas_are_the_validators_own(
    anonymous: TestClient, app: SandboxApplication
) -> None:
    document = anonymous.get("/openapi.json").json()
    for operation in app.operations:
        if operation.body is None:
            continue
        entry = document["paths"][operation.path][operation.method.lower()]
        schema = entry["requestBody"]["content"]["application/json"]["schema"]
        assert _resolved(document, schema) == published(operation.body), operation.path
    add = document["paths"]["/cart/items"]["post"]["requestBody"]["content"]
    assert add["application/json"]["schema"] == {"$ref": "#/components/schemas/CartItemInput"}


def test_optional_request_fields_accept_null_as_the_validator_does() -> None:
    schema = published(ADD_BODY)
    body = {"productId": "12345", "skuId": "s001", "quantity": 1, "remark": None}
    Draft202012Validator(schema).validate(body)
    assert validate_request(ADD_BODY, body) == {"productId": "12345", "skuId": "s001",
                                                "quantity": 1}  # fmt: skip
    # A required field stays non-null in both.
    assert not Draft202012Validator(schema).is_valid({**body, "skuId": None})


@pytest.mark.parametrize(
    ("schema", "fields", "message"),
    [
        (IMPORT_BODY, ("url", "offerId"), "url or offerId is required"),
        (SET_BODY, ("now", "frozen"), "now or frozen must be given"),
    ],
)
def test_one_of_these_fields_is_required_in_the_schema_and_the_validator(
    schema: dict[str, Any], fields: tuple[str, str], message: str
) -> None:
    values = {"url": "https://detail.1688.com/offer/1234567890.html", "offerId": "1234567890",
              "now": "2024-01-01T00:00:00Z", "frozen": True}  # fmt: skip
    checker = Draft202012Validator(published(schema))
    assert not checker.is_valid({})
    with pytest.raises(ValidationFailed) as refused:
        validate_request(schema, {})
    assert refused.value.message == [message]
    for name in fields:
        sent = {name: values[name]}
        assert checker.is_valid(sent)
        assert validate_request(schema, sent) == sent


def test_a_manual_progression_needs_times_in_the_document_too() -> None:
    document = contract.document()
    progression = {"$ref": "#/components/schemas/scenario.progression", **document}
    checker = Draft202012Validator(progression)
    assert not checker.is_valid({"progression": "manual"})
    assert checker.is_valid({"progression": "manual", "times": 2})
    assert not checker.is_valid({"progression": "time"})
    with pytest.raises(ScenarioError):  # the loader says the same
        check_scenario({"name": "m", "orders": {"progression": "manual"}}, source="<test>")


def test_every_operation_has_a_default_error_and_the_304_of_its_etag(
    anonymous: TestClient,
) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            if method == "servers":
                continue
            responses = operation["responses"]
            if path not in ("/openapi.json", "/__sandbox/health"):
                assert responses["default"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ApiError"
                }
            assert ("304" in responses) == (method == "get"), (method, path)
    assert "409" in paths["/__sandbox/state/save"]["post"]["responses"]
    assert "415" in paths["/cart/items"]["post"]["responses"]


def test_the_control_plane_takes_an_optional_key_and_lives_at_the_root(
    anonymous: TestClient,
) -> None:
    document = anonymous.get("/openapi.json").json()
    assert [s["url"] for s in document["servers"]] == ["/v1", "/"]
    for path, item in document["paths"].items():
        if path.startswith("/__sandbox") or path == "/openapi.json":
            assert [s["url"] for s in item["servers"]] == ["/"], path
        else:
            assert "servers" not in item
    topup = document["paths"]["/__sandbox/wallet/topup"]["post"]
    assert topup["security"] == [{}, {"bearerAuth": []}]
    assert document["paths"]["/cart"]["get"]["security"] == [{"bearerAuth": []}]


def test_components_are_named_used_and_standard(anonymous: TestClient) -> None:
    document = anonymous.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"Product", "CartItem", "Order", "ShippingOrder", "Package", "ApiError"} <= set(schemas)
    assert "Error" not in schemas
    ok = document["paths"]["/products/{id}"]["get"]["responses"]["200"]["content"]
    assert ok["application/json"]["schema"]["properties"]["data"] == {
        "$ref": "#/components/schemas/Product"
    }
    text = json.dumps(document)
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert referenced == set(schemas)  # every component is used, and every reference exists
    formats = set(re.findall(r'"format": "([^"]+)"', text))
    assert formats <= {"date-time", "uri", "email"}
    assert '"x-format": "cents"' in text
    names = [name for name, _ in NAMED]
    assert len(names) == len(set(names))
    assert len({json.dumps(s, sort_keys=True) for _, s in NAMED}) == len(NAMED)


# -- every status, every shape ----------------------------------------------------------


def test_each_operation_lists_only_the_statuses_it_can_answer(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    assert sorted(paths["/cart"]["get"]["responses"]) == [
        "200", "304", "400", "401", "403", "413", "415", "429", "default",
    ]  # fmt: skip
    cancel = paths["/orders/{id}/cancel"]["post"]["responses"]
    assert {"404", "409"} <= set(cancel)
    assert "409" not in paths["/orders/{id}"]["get"]["responses"]
    assert "409" in paths["/__sandbox/orders/{orderNo}/advance"]["post"]["responses"]
    assert "409" not in paths["/__sandbox/clock"]["get"]["responses"]


def test_every_operation_publishes_the_shape_of_its_data(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "servers":
                continue
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
    ids = {
        op["operationId"]
        for operations in paths.values()
        for method, op in operations.items()
        if method != "servers"
    }
    links = paths["/shipping/create"]["post"]["responses"]["201"]["links"]
    assert set(links) == {
        "shipping_get_detail", "shipping_cancel", "shipping_confirm",
    }  # fmt: skip
    for link in links.values():
        assert link["operationId"] in ids
        assert link["parameters"] == {"id": "$response.body#/data/orderNo"}
