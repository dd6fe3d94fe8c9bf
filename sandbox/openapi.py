"""The OpenAPI 3.1 document, generated from the route tables.

One source: each :class:`~sandbox.http.operations.Operation` carries its path, scope, request
schemas (the very dicts the validator enforces) and response shape, and this module only
arranges them. The control plane's operations are listed under the ``control`` tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sandbox import __version__
from sandbox.errors import reason_phrase
from sandbox.http.shapes import ERROR, INTEGER, STRING

if TYPE_CHECKING:
    from sandbox.http.app import SandboxApp
    from sandbox.http.operations import Operation

_PARAM = re.compile(r"{(\w+)}")
_API_ERRORS = (400, 401, 403, 404, 409, 413, 429)
_CONTROL_ERRORS = (400, 401, 404, 409, 413)

RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the key's window.",
    "X-RateLimit-Remaining": "Requests left in the current window.",
    "X-RateLimit-Reset": "Seconds until the window ends.",
}


def build_document(app: SandboxApp) -> dict[str, Any]:
    """The whole document for ``app``'s operations and control plane."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in app.operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = api_operation(operation)
    for control in app.control.operations:
        path = "/__sandbox" + control.path
        paths.setdefault(path, {})[control.method.lower()] = control_operation(control)
    paths["/__sandbox/health"] = {"get": health_operation()}
    paths["/openapi.json"] = {"get": {
        "operationId": "openapi",
        "summary": "This document.",
        "tags": ["control"],
        "responses": {"200": {"description": "The OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Commerce API v1 (sandbox)",
            "version": __version__,
            "description": (
                "A high-fidelity sandbox of the purchasing-agent commerce API v1. Every path "
                "is served under `/v1` and under `/`. Operations marked `x-inferred` are named "
                "by the reference without an example."
            ),
        },
        "servers": [{"url": "/v1"}, {"url": "/"}],
        "tags": [{"name": tag} for tag in _tags(app.operations)] + [{"name": "control"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "API key"}
            },
            "schemas": {"Error": ERROR},
            "headers": {
                name: {"description": text, "schema": INTEGER}
                for name, text in RATE_HEADERS.items()
            }
            | {"X-Request-Id": {"description": "Id of the journal entry.", "schema": STRING}},
        },
    }


def api_operation(operation: Operation) -> dict[str, Any]:
    handler = operation.handler
    area = handler.__module__.rsplit(".", 1)[-1]
    described = f"Requires scope `{operation.scope}`."
    if operation.inferred:
        described += " Inferred: the reference names this endpoint without an example."
    document: dict[str, Any] = {
        "operationId": f"{area}_{handler.__name__}",
        "summary": operation.summary,
        "description": described,
        "tags": [area],
        "security": [{"bearerAuth": []}],
        "x-required-scope": operation.scope,
        "x-inferred": operation.inferred,
        "parameters": _parameters(operation.path, operation.int_params, operation.query),
        "responses": {
            str(operation.status): _data_response(operation.response, rate_limited=True),
            **{str(status): _error_response(status, rate_limited=status != 401)
               for status in _API_ERRORS},
        },
    }  # fmt: skip
    if operation.body is not None:
        document["requestBody"] = _request_body(operation.body)
    return document


def control_operation(control: Any) -> dict[str, Any]:
    handler = control.handler
    document: dict[str, Any] = {
        "operationId": f"control_{handler.__name__}",
        "summary": control.summary,
        "description": (
            "Control plane. With `Authorization: Bearer <key>` it acts on that key's tenant; "
            "without, on the whole sandbox."
        ),
        "tags": ["control"],
        "parameters": [
            *_parameters(control.path, (), getattr(control, "query", None)),
            {"name": "X-Sandbox-Admin-Token", "in": "header", "required": False,
             "schema": STRING, "description": "Required when SANDBOX_ADMIN_TOKEN is set."},
        ],
        "responses": {
            str(control.status): _data_response(getattr(control, "response", None)),
            **{str(status): _error_response(status) for status in _CONTROL_ERRORS},
        },
    }  # fmt: skip
    if control.body is not None:
        document["requestBody"] = _request_body(control.body)
    return document


def health_operation() -> dict[str, Any]:
    return {
        "operationId": "control_health",
        "summary": "Readiness: answers once the sandbox serves.",
        "tags": ["control"],
        "responses": {
            "200": {
                "description": "Ready",
                "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"status": {"const": "ok"}},
                    "required": ["status"], "additionalProperties": False,
                }}},
            }
        },
    }  # fmt: skip


def _parameters(
    path: str, int_params: Iterable[str], query: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    integers = set(int_params)
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": INTEGER if name in integers else STRING}
        for name in _PARAM.findall(path)
    ]  # fmt: skip
    if query is not None:
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": schema}
            for name, schema in query.get("properties", {}).items()
        ]
    return parameters


def _request_body(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "required": bool(schema.get("required")),
        "content": {"application/json": {"schema": dict(schema)}},
    }


def _data_response(
    shape: Mapping[str, Any] | None, *, rate_limited: bool = False
) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {"data": dict(shape) if shape is not None else {}},
        "required": ["data"],
        "additionalProperties": False,
    }
    return {
        "description": "Success",
        "headers": _headers(rate_limited),
        "content": {"application/json": {"schema": schema}},
    }


def _error_response(status: int, *, rate_limited: bool = False) -> dict[str, Any]:
    headers = _headers(rate_limited)
    if status == 429:
        headers["Retry-After"] = {"description": "Seconds to wait.", "schema": INTEGER}
    return {
        "description": reason_phrase(status),
        "headers": headers,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _headers(rate_limited: bool) -> dict[str, Any]:
    names = ["X-Request-Id", *(RATE_HEADERS if rate_limited else ())]
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _tags(operations: Iterable[Operation]) -> list[str]:
    return list(dict.fromkeys(op.handler.__module__.rsplit(".", 1)[-1] for op in operations))
