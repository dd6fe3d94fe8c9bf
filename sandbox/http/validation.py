"""Request validation with NestJS's ValidationPipe semantics, driven by JSON Schemas.

Each operation describes its body and query as a JSON Schema subset: the keywords of
:data:`KEYWORDS` (and the annotations of :data:`ANNOTATIONS`). The same dicts go into the
OpenAPI document, so the contract and the checks cannot disagree; and :func:`check_schema`,
which every operation runs on its schemas when it is declared, refuses any other keyword, so a
published rule can never be one the validator silently skips.

The checks are class-validator's, not a JSON Schema validator's, because the messages and
their multiplicity are part of the contract: every constraint of a property is evaluated the
way class-validator evaluates it (a missing ``quantity`` breaks both ``@Min(1)`` and
``@IsInt()``, a ``5`` for a string only ``@IsString()``), unknown properties are reported
first as ``property foo should not exist``, and nested messages carry their parent's path
(``items.0.skuId must be a string``). A property may give its own wording in
``x-messages`` (for a ``pattern`` or an ``anyOf``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from sandbox.errors import BadRequest, ValidationFailed

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_INTEGER = re.compile(r"^-?\d+$")

#: The keywords the validator enforces. ``anyOf`` and ``pattern`` words its own message in
#: ``x-messages`` where class-validator's default would not fit.
KEYWORDS = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "minimum", "maximum",
    "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "enum", "pattern",
    "format", "anyOf", "x-messages",
})  # fmt: skip
#: Keywords that only describe (the OpenAPI document shows them; nothing is checked).
ANNOTATIONS = frozenset({"description", "default", "examples", "title", "deprecated"})
#: The ``format`` values the validator checks.
FORMATS = frozenset({"email", "uri"})


class UnsupportedSchema(ValueError):
    """A request schema that uses what the validator does not enforce."""


def check_schema(schema: Mapping[str, Any], where: str = "(root)") -> None:
    """Refuse (:class:`UnsupportedSchema`) a keyword, ``format`` or ``additionalProperties``
    value the validator would not enforce, anywhere in ``schema``."""
    unknown = sorted(set(schema) - KEYWORDS - ANNOTATIONS)
    if unknown:
        raise UnsupportedSchema(f"{where}: keywords not enforced by the validator: {unknown}")
    if "format" in schema and schema["format"] not in FORMATS:
        raise UnsupportedSchema(f"{where}: format {schema['format']!r} is not checked")
    if schema.get("additionalProperties", False) is not False:
        raise UnsupportedSchema(f"{where}: only additionalProperties: false is enforced")
    if "anyOf" in schema and "x-messages" not in schema:
        raise UnsupportedSchema(f"{where}: anyOf needs x-messages (its wording)")
    for name, sub in schema.get("properties", {}).items():
        check_schema(sub, f"{where}.{name}")
    if "items" in schema:
        check_schema(schema["items"], f"{where}[]")
    for index, option in enumerate(schema.get("anyOf", ())):
        check_schema(option, f"{where}.anyOf[{index}]")


_TYPE_MESSAGES = {
    "string": "{} must be a string",
    "integer": "{} must be an integer number",
    "number": "{} must be a number conforming to the specified constraints",
    "boolean": "{} must be a boolean value",
    "array": "{} must be an array",
    "object": "nested property {} must be either object or array",
}


def validate(schema: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """Return the object ``value`` without its ``null`` optional properties, or raise
    :class:`ValidationFailed` with every violation, as ValidationPipe would."""
    document = value if isinstance(value, dict) else {}
    messages: list[str] = []
    cleaned = _check_object(schema, document, "", messages)
    if messages:
        raise ValidationFailed(messages)
    return cleaned


def coerce_query(schema: Mapping[str, Any], query: Mapping[str, str | list[str]]) -> dict[str, Any]:
    """Query strings as ``@Type(() => Number)`` turns them into numbers before validation."""
    properties = schema.get("properties", {})
    coerced: dict[str, Any] = {}
    for name, raw in query.items():
        kind = properties.get(name, {}).get("type")
        if kind in ("integer", "number") and isinstance(raw, str):
            if raw == "":
                coerced[name] = 0
            elif _INTEGER.match(raw):
                coerced[name] = int(raw)
            else:
                try:
                    coerced[name] = float(raw) if kind == "number" else raw
                except ValueError:
                    coerced[name] = raw
        else:
            coerced[name] = raw
    return coerced


def parse_int_param(raw: str) -> int:
    """NestJS's ParseIntPipe."""
    if not _INTEGER.match(raw):
        raise BadRequest("Validation failed (numeric string is expected)")
    return int(raw)


def _check_object(
    schema: Mapping[str, Any], document: dict[str, Any], prefix: str, messages: list[str]
) -> dict[str, Any]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    if schema.get("additionalProperties") is False:
        messages.extend(
            f"{prefix}property {name} should not exist"
            for name in document
            if name not in properties
        )
    cleaned: dict[str, Any] = {}
    for name, sub in properties.items():
        present = name in document and document[name] is not None
        if not present and name not in required:
            continue  # @IsOptional(): undefined and null skip every check
        value = document.get(name)
        messages.extend(prefix + m for m in _violations(name, sub, value, present))
        if present:
            cleaned[name] = _nested(name, sub, value, prefix, messages)
    return cleaned


def _nested(name: str, sub: Mapping[str, Any], value: Any, prefix: str, messages: list[str]) -> Any:
    """Validate what lies inside an array of objects or an object, and return it cleaned."""
    if sub.get("type") == "array" and isinstance(value, list):
        items = sub.get("items", {})
        if items.get("type") == "object":
            out = []
            for index, element in enumerate(value):
                path = f"{prefix}{name}.{index}."
                if isinstance(element, dict):
                    out.append(_check_object(items, element, path, messages))
                else:
                    messages.append(f"{prefix}{name}.{index} must be an object")
            return out
        if items:
            for index, element in enumerate(value):
                messages.extend(
                    f"{prefix}" + m for m in _violations(f"{name}.{index}", items, element, True)
                )
    if sub.get("type") == "object" and isinstance(value, dict) and "properties" in sub:
        return _check_object(sub, value, f"{prefix}{name}.", messages)
    if sub.get("type") == "integer" and isinstance(value, float):
        return int(value)
    return value


def _violations(name: str, sub: Mapping[str, Any], value: Any, present: bool) -> list[str]:
    """Every message of ``sub``'s constraints that ``value`` breaks, constraints first and the
    type last, in class-validator's wording."""
    custom = sub.get("x-messages")
    if custom is not None:
        return [] if present and _matches(sub, value) else [m.format(name) for m in custom]
    found: list[str] = []
    kind = sub.get("type")
    is_number = _is_number(value)
    if "minimum" in sub and not (is_number and value >= sub["minimum"]):
        found.append(f"{name} must not be less than {_num(sub['minimum'])}")
    if "maximum" in sub and not (is_number and value <= sub["maximum"]):
        found.append(f"{name} must not be greater than {_num(sub['maximum'])}")
    if "minLength" in sub:
        if sub["minLength"] == 1:
            if not present or value == "":
                found.append(f"{name} should not be empty")
        elif not (isinstance(value, str) and len(value) >= sub["minLength"]):
            found.append(f"{name} must be longer than or equal to {sub['minLength']} characters")
    if "maxLength" in sub and not (isinstance(value, str) and len(value) <= sub["maxLength"]):
        found.append(f"{name} must be shorter than or equal to {sub['maxLength']} characters")
    if "minItems" in sub and not (isinstance(value, list) and len(value) >= sub["minItems"]):
        found.append(
            f"{name} should not be empty"
            if sub["minItems"] == 1
            else f"{name} must contain at least {sub['minItems']} elements"
        )
    if "maxItems" in sub and not (isinstance(value, list) and len(value) <= sub["maxItems"]):
        found.append(f"{name} must contain no more than {sub['maxItems']} elements")
    if sub.get("uniqueItems") and isinstance(value, list) and not _unique(value):
        found.append(f"All {name}'s elements must be unique")
    if "enum" in sub and value not in sub["enum"]:
        choices = ", ".join(str(v) for v in sub["enum"])
        found.append(f"{name} must be one of the following values: {choices}")
    if "pattern" in sub and not (isinstance(value, str) and re.search(sub["pattern"], value)):
        found.append(f"{name} must match {sub['pattern']} regular expression")
    if sub.get("format") == "email" and not (isinstance(value, str) and _EMAIL.match(value)):
        found.append(f"{name} must be an email")
    if sub.get("format") == "uri" and not (isinstance(value, str) and _URL.match(value)):
        found.append(f"{name} must be a URL address")
    if kind is not None and not _has_type(kind, value):
        found.append(_TYPE_MESSAGES[kind].format(name))
    return found


def _matches(sub: Mapping[str, Any], value: Any) -> bool:
    """Whether ``value`` satisfies a property that words its own message."""
    if "anyOf" in sub:
        return any(_matches(option, value) for option in sub["anyOf"])
    if "type" in sub and not _has_type(sub["type"], value):
        return False
    if "pattern" in sub and not (isinstance(value, str) and re.search(sub["pattern"], value)):
        return False
    if "minimum" in sub and not (_is_number(value) and value >= sub["minimum"]):
        return False
    return not ("maxLength" in sub and len(value) > sub["maxLength"])


def _unique(values: list[Any]) -> bool:
    """Whether no two elements are equal (``1`` and ``True`` differ, as in JavaScript)."""
    seen = {(type(v).__name__, orjson.dumps(v, option=orjson.OPT_SORT_KEYS)) for v in values}
    return len(seen) == len(values)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_type(kind: str, value: Any) -> bool:
    if kind == "integer":
        return _is_number(value) and float(value).is_integer()
    if kind == "number":
        return _is_number(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
