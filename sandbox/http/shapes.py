"""JSON Schema building blocks for response shapes.

Each routes module declares the shape of its ``data`` next to the view that renders it; the
OpenAPI document publishes them and the test suite validates every response it receives
against them, so a shape cannot change without the contract changing too.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

MONEY: Schema = {"type": "number", "description": "CNY, two decimals"}
TIMESTAMP: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601 UTC"}
URL: Schema = {"type": "string", "format": "uri"}
STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
MESSAGE: Schema = {"type": "object", "properties": {"message": STRING}, "required": ["message"],
                   "additionalProperties": False}  # fmt: skip


def obj(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An object with exactly ``properties``, all required but ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def const(value: Any) -> Schema:
    return {"const": value}


def ref(name: str) -> Schema:
    """A reference to ``#/components/schemas/<name>`` of the OpenAPI document."""
    return {"$ref": f"#/components/schemas/{name}"}


def one_of(*schemas: Schema) -> Schema:
    """Exactly one of ``schemas`` (each closed, so they never overlap)."""
    return {"oneOf": list(schemas)}


def page(items: Schema) -> Schema:
    """A paginated list: ``{"items", "total", "page", "limit"}``."""
    return obj({"items": array(items), "total": INTEGER, "page": INTEGER, "limit": INTEGER})


ERROR: Schema = {
    "type": "object",
    "properties": {
        "statusCode": INTEGER,
        "message": {"anyOf": [STRING, array(STRING)]},
        "error": STRING,
    },
    "required": ["statusCode", "message", "error"],
    "additionalProperties": False,
}
