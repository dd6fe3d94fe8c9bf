"""The OpenAPI 3.1 document, generated from the route tables.

One source: each :class:`~sandbox.http.operations.Operation` carries its path, scope, request
schemas (the very dicts the validator enforces) and response shape, and this module only
arranges them. The control plane's operations are listed under the ``control`` tag.

Each operation lists every status it can answer: its success, the pipeline's errors (400, 401,
403, 413, 429 for the API; 400, 401, 404, 413 for the control plane) and the ones its domain
declares (``errors``: 404, 409). The reference's examples, captured from the default fixture
(:mod:`sandbox.examples`), are published on the request bodies and success responses. The JSON
Schemas of the state and scenario documents are embedded under ``components/schemas``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from sandbox import __version__
from sandbox.errors import reason_phrase
from sandbox.http.shapes import ERROR, INTEGER, STRING
from sandbox.schemas import schema

if TYPE_CHECKING:
    from sandbox.control.operation import ControlOperation
    from sandbox.http.operations import Operation

#: Where the captured examples live, beside the JSON Schemas (``python -m sandbox.examples``).
EXAMPLES_FILE = "examples.json"

_PARAM = re.compile(r"{(\w+)}")
_API_ERRORS = (400, 401, 403, 413, 429)
_CONTROL_ERRORS = (400, 401, 404, 413)
_COMPONENTS = "#/components/schemas/"

#: OpenAPI links, for clients and stateful testers: what a creating operation's reply names,
#: and the path (with its parameter) of every operation that takes it.
LINKS = (
    ("POST", "/orders", "/data/orderNo", "/orders/{id}"),
    ("POST", "/shipping/create", "/data/orderNo", "/shipping/orders/{id}"),
    ("POST", "/cart/items", "/data/id", "/cart/items/{itemId}"),
    ("POST", "/user/addresses", "/data/id", "/user/addresses/{id}"),
    ("POST", "/user/favorites", "/data/id", "/user/favorites/{id}"),
)

RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the key's window.",
    "X-RateLimit-Remaining": "Requests left in the current window.",
    "X-RateLimit-Reset": "Seconds until the window ends.",
}


def build_document(
    operations: Iterable[Operation], control: Iterable[ControlOperation]
) -> dict[str, Any]:
    """The whole document of the API's ``operations`` and the ``control`` plane's."""
    operations = tuple(operations)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = api_operation(operation)
    _add_links(paths)
    for each in control:
        path = "/__sandbox" + each.path
        paths.setdefault(path, {})[each.method.lower()] = control_operation(each)
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
        "tags": [{"name": tag} for tag in _tags(operations)] + [{"name": "control"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "API key"}
            },
            "schemas": {"Error": ERROR, **embedded_schemas()},
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
    example = reference_examples().get(f"{operation.method} {operation.path}")
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
            str(operation.status): _data_response(operation.response, rate_limited=True,
                                                  example=example),
            **{str(status): _error_response(status, rate_limited=status != 401)
               for status in sorted({*_API_ERRORS, *operation.errors})},
        },
    }  # fmt: skip
    if operation.body is not None:
        document["requestBody"] = _request_body(
            {"application/json": operation.body},
            required=bool(operation.body.get("required")),
            example=example,
        )
    return document


def control_operation(control: ControlOperation) -> dict[str, Any]:
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
            *_parameters(control.path, (), control.query),
            {"name": "X-Sandbox-Admin-Token", "in": "header", "required": False,
             "schema": STRING, "description": "Required when SANDBOX_ADMIN_TOKEN is set."},
        ],
        "responses": {
            str(control.status): _data_response(control.response),
            **{str(status): _error_response(status)
               for status in sorted({*_CONTROL_ERRORS, *control.errors})},
        },
    }  # fmt: skip
    if control.body is not None:
        document["requestBody"] = _request_body(
            {"application/json": control.body}, required=bool(control.body.get("required"))
        )
    elif control.document_body is not None:
        document["requestBody"] = _request_body(control.document_body, required=True)
    return document


def _add_links(paths: dict[str, dict[str, Any]]) -> None:
    for method, path, pointer, target in LINKS:
        (parameter,) = _PARAM.findall(target)
        response = next(
            v for k, v in paths[path][method.lower()]["responses"].items() if k.startswith("2")
        )
        response["links"] = {
            operation["operationId"]: {
                "operationId": operation["operationId"],
                "parameters": {parameter: f"$response.body#{pointer}"},
            }
            for other, operations in paths.items()
            if other == target or other.startswith(target + "/")
            for operation in operations.values()
        }


def embedded_schemas() -> dict[str, Any]:
    """The state and scenario documents' JSON Schemas, with every ``$defs`` entry moved to a
    component of its own (``fixture.user``, ``scenario.rule``) and the references rewritten:
    ``TenantState`` (one user's story), ``SandboxState`` and ``ScenarioDocument``."""
    components: dict[str, Any] = {}
    for name in ("fixture", "scenario", "state"):
        document = _rewritten(schema(name), name)
        for key, definition in document.pop("$defs", {}).items():
            components[f"{name}.{key}"] = definition
        for key in ("$schema", "$id"):
            document.pop(key, None)
        components[f"{name}.document"] = document
    components.pop("fixture.document")  # a fixture file is not served
    components["TenantState"] = {"$ref": _COMPONENTS + "fixture.user"}
    components["SandboxState"] = components.pop("state.document")
    components["ScenarioDocument"] = components.pop("scenario.document")
    return components


def _rewritten(node: Any, owner: str) -> Any:
    if isinstance(node, dict):
        out = {key: _rewritten(value, owner) for key, value in node.items()}
        target = out.get("$ref")
        if isinstance(target, str):
            document, _, pointer = target.partition("#")
            name = document.removesuffix(".schema.json") or owner
            out["$ref"] = _COMPONENTS + name + "." + pointer.removeprefix("/$defs/")
        return out
    if isinstance(node, list):
        return [_rewritten(value, owner) for value in node]
    return node


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


def _request_body(
    media: Mapping[str, Mapping[str, Any]],
    *,
    required: bool,
    example: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {kind: {"schema": dict(body)} for kind, body in media.items()}
    if example is not None and example["request"] is not None:
        content["application/json"]["examples"] = _examples(example, example["request"])
    return {"required": required, "content": content}


def _data_response(
    shape: Mapping[str, Any] | None,
    *,
    rate_limited: bool = False,
    example: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body = {
        "type": "object",
        "properties": {"data": dict(shape) if shape is not None else {}},
        "required": ["data"],
        "additionalProperties": False,
    }
    media: dict[str, Any] = {"schema": body}
    if example is not None:
        media["examples"] = _examples(example, example["response"])
    return {
        "description": "Success",
        "headers": _headers(rate_limited),
        "content": {"application/json": media},
    }


def _examples(example: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """The reference's example, as the default fixture answers it (see sandbox.examples)."""
    return {"reference": {"summary": example["summary"], "value": value}}


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


@functools.cache
def reference_examples() -> dict[str, dict[str, Any]]:
    """The captured examples as stored in ``schemas/examples.json``."""
    text = resources.files("sandbox.schemas").joinpath(EXAMPLES_FILE).read_text("utf-8")
    stored: dict[str, dict[str, Any]] = json.loads(text)
    return stored
