"""ValidationPipe semantics, checked without HTTP."""

from __future__ import annotations

import pytest

from sandbox.errors import BadRequest, ValidationFailed
from sandbox.http.operations import body_schema
from sandbox.http.validation import coerce_query, parse_int_param, validate

LINE = body_schema(
    {
        "skuId": {"type": "string", "minLength": 1},
        "quantity": {"type": "integer", "minimum": 1},
        "remark": {"type": "string", "maxLength": 5},
    },
    ("skuId", "quantity"),
)
ORDER = body_schema({"items": {"type": "array", "minItems": 1, "items": LINE}}, ("items",))


def messages(schema: dict, value: object) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        validate(schema, value)
    assert isinstance(caught.value.message, list)
    return caught.value.message


def test_a_valid_body_passes_and_drops_null_optionals() -> None:
    assert validate(LINE, {"skuId": "s", "quantity": 2, "remark": None}) == {
        "skuId": "s",
        "quantity": 2,
    }


def test_integral_floats_count_as_integers_as_in_javascript() -> None:
    assert validate(LINE, {"skuId": "s", "quantity": 2.0}) == {"skuId": "s", "quantity": 2}


def test_a_missing_property_breaks_every_constraint_type_last() -> None:
    assert messages(LINE, {"skuId": "s"}) == [
        "quantity must not be less than 1",
        "quantity must be an integer number",
    ]


def test_required_null_is_missing() -> None:
    assert messages(LINE, {"skuId": None, "quantity": 1}) == [
        "skuId should not be empty",
        "skuId must be a string",
    ]


def test_a_wrong_type_only_breaks_what_class_validator_would() -> None:
    assert messages(LINE, {"skuId": 5, "quantity": 1}) == ["skuId must be a string"]
    assert messages(LINE, {"skuId": "s", "quantity": 1.5}) == ["quantity must be an integer number"]


def test_unknown_properties_come_first() -> None:
    assert messages(LINE, {"zzz": 1, "skuId": "s", "quantity": 0}) == [
        "property zzz should not exist",
        "quantity must not be less than 1",
    ]


def test_nested_messages_carry_the_parent_path() -> None:
    assert messages(ORDER, {"items": [{"skuId": "s", "quantity": 1}, {"skuId": "", "x": 1}]}) == [
        "items.1.property x should not exist",
        "items.1.skuId should not be empty",
        "items.1.quantity must not be less than 1",
        "items.1.quantity must be an integer number",
    ]


def test_array_rules() -> None:
    assert messages(ORDER, {"items": []}) == ["items should not be empty"]
    assert messages(ORDER, {"items": "x"}) == [
        "items should not be empty",
        "items must be an array",
        "each value in nested property items must be either object or array",
    ]
    assert messages(ORDER, {"items": [3]}) == [
        "items.each value in nested property items must be either object or array"
    ]


def test_no_body_is_validated_as_empty_and_an_array_is_refused_whole() -> None:
    assert messages(LINE, None)[0] == "skuId should not be empty"
    assert messages(LINE, ["skuId"]) == ["an unknown value was passed to the validate function"]


def test_query_strings_become_numbers_before_validation() -> None:
    schema = body_schema({"page": {"type": "integer", "minimum": 1}})
    assert coerce_query(schema, {"page": "3"}) == {"page": 3}
    assert messages(schema, coerce_query(schema, {"page": "x"})) == [
        "page must not be less than 1",
        "page must be an integer number",
    ]
    assert messages(schema, coerce_query(schema, {"page": ""})) == ["page must not be less than 1"]


@pytest.mark.parametrize("raw", ["12", "-3", "007"])
def test_parse_int_accepts_numeric_strings(raw: str) -> None:
    assert parse_int_param(raw) == int(raw)


@pytest.mark.parametrize("raw", ["1.5", "abc", "", "1e3", " 1"])
def test_parse_int_refuses_everything_else(raw: str) -> None:
    with pytest.raises(BadRequest, match=r"numeric string is expected"):
        parse_int_param(raw)
