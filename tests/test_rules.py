"""Each rule is stated once: statuses by the lifecycle tables, scopes by the access module,
the enforced request keywords by the validator. The JSON Schemas that repeat them (they are
files users read) are tested equal to them."""

from __future__ import annotations

import pytest

from sandbox.control.plane import OPERATIONS as CONTROL_OPERATIONS
from sandbox.domain.access import SCOPES
from sandbox.domain.lifecycle import (
    ORDER_LIFECYCLE,
    ORDER_STATUSES,
    PACKAGE_STATUSES,
    SHIPPING_LIFECYCLE,
    SHIPPING_STATUSES,
)
from sandbox.http.operations import Operation, body_schema
from sandbox.http.routes import OPERATIONS
from sandbox.http.validation import UnsupportedSchema, check_schema
from sandbox.schemas import schema

FIXTURE = schema("fixture")["$defs"]


def test_the_fixture_schemas_statuses_are_the_lifecycle_tables() -> None:
    assert FIXTURE["order"]["properties"]["status"]["enum"] == list(ORDER_STATUSES)
    assert FIXTURE["package"]["properties"]["status"]["enum"] == list(PACKAGE_STATUSES)
    assert FIXTURE["shippingOrder"]["properties"]["status"]["enum"] == list(SHIPPING_STATUSES)


def test_a_scenarios_progression_targets_are_the_forward_statuses() -> None:
    targets = schema("scenario")["$defs"]["progression"]["properties"]["to"]["enum"]
    assert targets == [*ORDER_LIFECYCLE.flow[1:], *SHIPPING_LIFECYCLE.flow[1:]]


def test_the_fixture_schemas_scopes_are_the_scope_list() -> None:
    assert FIXTURE["scope"]["enum"] == list(SCOPES)


def test_the_lifecycle_tables_give_the_statuses_and_the_forward_flow() -> None:
    assert ORDER_LIFECYCLE.flow == (
        "pending", "paid", "purchased", "shipped_to_warehouse", "in_warehouse", "completed",
    )  # fmt: skip
    assert (*ORDER_LIFECYCLE.flow, "cancelled") == ORDER_STATUSES
    assert SHIPPING_STATUSES == ("pending", "processing", "shipped", "delivered", "cancelled")


def test_every_request_schema_uses_only_what_the_validator_enforces() -> None:
    for operation in [*OPERATIONS, *CONTROL_OPERATIONS]:
        for request_schema in (operation.body, operation.query):
            if request_schema is not None:
                check_schema(request_schema)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"const": "a"}, "keywords not enforced by the validator: ['const']"),
        ({"format": "date-time"}, "format 'date-time' is not checked"),
        ({"anyOf": [{"type": "string"}]}, "anyOf needs x-messages (its wording)"),
    ],
)
def test_an_operation_with_a_keyword_the_validator_skips_is_refused_when_declared(
    extra: dict[str, object], reason: str
) -> None:
    body = body_schema({"name": {"type": "string", **extra}})
    with pytest.raises(UnsupportedSchema) as caught:
        Operation("POST", "/things", lambda call: None, "cart:write", body=body)
    assert str(caught.value) == f"POST /things.name: {reason}"
