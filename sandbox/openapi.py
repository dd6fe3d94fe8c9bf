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

import orjson

from sandbox import __version__
from sandbox.control import clock, journal, lifecycle, scenarios, state, tenants
from sandbox.errors import reason_phrase
from sandbox.http import views
from sandbox.http.routes import cart, logistics, orders, products, shipping, user, warehouse
from sandbox.http.shapes import ERROR, INTEGER, STRING, Schema, page
from sandbox.http.validation import published
from sandbox.schemas import schema

if TYPE_CHECKING:
    from sandbox.control.operation import ControlOperation
    from sandbox.http.operations import Operation

#: Where the captured examples live, beside the JSON Schemas (``python -m sandbox.examples``).
EXAMPLES_FILE = "examples.json"

_PARAM = re.compile(r"{(\w+)}")
#: What every API operation can answer besides its own: validation and parsing (400), the
#: key (401), its scope (403), body-parser's size and charset (413, 415), the limiter (429).
_API_ERRORS = (400, 401, 403, 413, 415, 429)
_CONTROL_ERRORS = (400, 401, 404, 413, 415)
_COMPONENTS = "#/components/schemas/"
#: Control-plane paths are served at the root only, whichever server the API is called on.
_ROOT = [{"url": "/", "description": "The sandbox's root (the control plane lives here only)"}]

#: Named, reusable schemas, so that generated clients read ``Product``, not
#: ``ProductsGetProductResponse200Data``: each shape below, wherever it occurs in the document
#: (request bodies as :func:`~sandbox.http.validation.published` shows them), becomes a
#: reference to ``#/components/schemas/<name>``. Names that nothing references are dropped.
NAMED: tuple[tuple[str, Schema], ...] = (
    ("ApiError", ERROR),
    ("Message", views.MESSAGE_SHAPE),
    ("Sku", views.SKU_SHAPE),
    ("Product", views.PRODUCT_SHAPE),
    ("ImportedProduct", products.IMPORT_SHAPE),
    ("Cart", cart.CART_SHAPE),
    ("CartItem", cart.CART_SHAPE["properties"]["items"]["items"]),
    ("CartItemAdded", cart.ADDED_SHAPE),
    ("CartItemsAdded", cart.BATCH_SHAPE),
    ("CartItemUpdated", cart.UPDATED_SHAPE),
    ("OrderStatus", views.ORDER_STATUS),
    ("OrderItem", views.ORDER_ITEM_SHAPE),
    ("OrderLogistics", views.LOGISTICS_SHAPE),
    ("Inspection", views.INSPECTION_SHAPE),
    ("Order", views.ORDER_SHAPE),
    ("OrderCreated", orders.CREATED_SHAPE),
    ("OrderSummary", orders.SUMMARY_SHAPE),
    ("OrderPage", page(orders.SUMMARY_SHAPE)),
    ("OrderStatusInfo", orders.STATUS_SHAPE),
    ("OrderCancelled", orders.CANCELLED_SHAPE),
    ("Country", logistics.COUNTRY_SHAPE),
    ("ShippingChannel", logistics.CHANNEL_SHAPE),
    ("FreightQuote", logistics.QUOTE_SHAPE),
    ("Package", warehouse.PACKAGE_SHAPE),
    ("PackagePage", page(warehouse.PACKAGE_SHAPE)),
    ("PackageStats", warehouse.STATS_SHAPE),
    ("ShippingStatus", views.SHIPPING_STATUS),
    ("ShippingItem", views.SHIPPING_ITEM_SHAPE),
    ("ShippingOrder", views.SHIPPING_SHAPE),
    ("ShippingOrderCreated", shipping.CREATED_SHAPE),
    ("ShippingOrderSummary", shipping.SUMMARY_SHAPE),
    ("ShippingOrderPage", page(shipping.SUMMARY_SHAPE)),
    ("ShippingOrderCancelled", shipping.CANCELLED_SHAPE),
    ("DeliveryConfirmed", shipping.CONFIRMED_SHAPE),
    ("Profile", user.PROFILE_SHAPE),
    ("WalletBalance", user.BALANCE_SHAPE),
    ("WalletTransaction", user.TRANSACTION_SHAPE),
    ("WalletTransactionPage", page(user.TRANSACTION_SHAPE)),
    ("Address", user.ADDRESS_SHAPE),
    ("Favorite", user.FAVORITE_SHAPE),
    ("Coupon", user.COUPON_SHAPE),
    ("MyCoupon", user.MY_COUPON_SHAPE),
    ("ClaimedCoupon", user.CLAIMED_SHAPE),
    ("CartItemInput", published(cart.ADD_BODY)),
    ("CartItemsInput", published(cart.BATCH_BODY)),
    ("CartItemChange", published(cart.UPDATE_BODY)),
    ("OfferImport", published(products.IMPORT_BODY)),
    ("OrderInput", published(orders.CREATE_BODY)),
    ("OrderItemInput", published(orders.CREATE_BODY["properties"]["items"]["items"])),
    ("OrderCancellation", published(orders.CANCEL_BODY)),
    ("FreightRequest", published(logistics.BATCH_BODY)),
    ("ChannelFreightRequest", published(logistics.ONE_BODY)),
    ("ShippingOrderInput", published(shipping.CREATE_BODY)),
    ("ShippingItemInput", published(shipping.CREATE_BODY["properties"]["items"]["items"])),
    ("ProfileChange", published(user.PROFILE_BODY)),
    ("AddressInput", published(user.ADDRESS_CREATE_BODY)),
    ("AddressChange", published(user.ADDRESS_UPDATE_BODY)),
    ("FavoriteInput", published(user.FAVORITE_BODY)),
    ("Wallet", views.WALLET_SHAPE),
    ("MintedKey", tenants.KEY_SHAPE),
    ("RetiredKey", tenants.RETIRED_SHAPE),
    ("Tenant", tenants.TENANT_SHAPE),
    ("Clock", clock.CLOCK_SHAPE),
    ("JournalEntry", journal.ENTRY_SHAPE),
    ("ScenarioList", scenarios.LIST_SHAPE),
    ("ScenarioChange", scenarios.CHANGE_SHAPE),
    ("StateSaved", state.SAVED_SHAPE),
    ("KeyRequest", published(tenants.KEYS_BODY)),
    ("TopUp", published(tenants.TOPUP_BODY)),
    ("ClockAdvance", published(clock.ADVANCE_BODY)),
    ("ClockSetting", published(clock.SET_BODY)),
    ("OrderAdvance", published(lifecycle.ORDER_ADVANCE_BODY)),
    ("ShippingAdvance", published(lifecycle.SHIPPING_ADVANCE_BODY)),
)

#: Rules of the scenario document that its loader checks beside its JSON Schema (a manual
#: progression needs ``times``, a time one ``seconds``), stated in the published schema too.
PROGRESSION_NEEDS = (("manual", "times"), ("time", "seconds"))

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
        paths.setdefault(path, {"servers": _ROOT})[each.method.lower()] = control_operation(each)
    paths["/__sandbox/health"] = {"servers": _ROOT, "get": health_operation()}
    paths["/openapi.json"] = {"servers": _ROOT, "get": {
        "operationId": "openapi",
        "summary": "This document.",
        "description": "The OpenAPI 3.1 document of the API and of the control plane.",
        "tags": ["control"],
        "security": [{}],
        "responses": {"200": {"description": "The OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      "304": _not_modified(),
                      **{str(status): _error_response(status) for status in (413, 415)}},
    }}  # fmt: skip
    names = {_key(shape): name for name, shape in NAMED}
    for operations_of_path in paths.values():
        for method, entry in operations_of_path.items():
            if method != "servers":
                _name_schemas(entry, names)
    schemas = {"ApiError": ERROR, **embedded_schemas()} | {
        name: _named(shape, names, name) for name, shape in NAMED
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Commerce API v1 (sandbox)",
            "version": __version__,
            "description": (
                "A high-fidelity sandbox of the purchasing-agent commerce API v1. Every path "
                "is served under `/v1` and under `/`; the control plane (`/__sandbox`) and "
                "this document only under `/`. Operations marked `x-inferred` are named by "
                "the reference without an example. Extensions: `x-required-scope` (the key's "
                "scope an operation needs), `x-inferred`, `x-messages` (the validator's own "
                "wording of a rule) and `x-format: cents` (money: at most two decimals)."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
            "contact": {"name": "The commerce-api-sandbox maintainers"},
        },
        "servers": [
            {"url": "/v1", "description": "The API, as the reference serves it"},
            {"url": "/", "description": "The API at the root, and the control plane"},
        ],
        "tags": [{"name": tag, "description": f"The `{tag}` area of the API."}
                 for tag in _tags(operations)]
        + [{"name": "control", "description": "The sandbox's control plane (`/__sandbox`)."}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "API key"}
            },
            "schemas": _used(paths, schemas),
            "headers": {
                name: {"description": text, "schema": INTEGER}
                for name, text in RATE_HEADERS.items()
            }
            | {"X-Request-Id": {"description": "Id of the journal entry.", "schema": STRING}},
        },
    }  # fmt: skip


def _key(shape: Mapping[str, Any]) -> bytes:
    return orjson.dumps(shape, option=orjson.OPT_SORT_KEYS)


def _named(shape: Mapping[str, Any], names: Mapping[bytes, str], own: str | None = None) -> Any:
    """``shape`` with each named schema inside it (itself too, unless it is ``own``) replaced
    by a reference to its component."""
    name = names.get(_key(shape))
    if name is not None and name != own:
        return {"$ref": _COMPONENTS + name}
    out = dict(shape)
    if "properties" in out:
        out["properties"] = {k: _named(v, names) for k, v in out["properties"].items()}
    for keyword in ("items", "additionalProperties"):
        if isinstance(out.get(keyword), dict):
            out[keyword] = _named(out[keyword], names)
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in out:
            out[keyword] = [_named(option, names) for option in out[keyword]]
    return out


def _name_schemas(operation: dict[str, Any], names: Mapping[bytes, str]) -> None:
    bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
    for body in bodies:
        for media in body.get("content", {}).values():
            media["schema"] = _named(media["schema"], names)


def _used(paths: Mapping[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The components that ``paths`` reference, directly or through other components."""
    found: set[str] = set()
    pending = _references(paths)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending |= _references(schemas[name])
    return {name: value for name, value in schemas.items() if name in found}


def _references(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            target = item.get("$ref")
            if isinstance(target, str) and target.startswith(_COMPONENTS):
                found.add(target.removeprefix(_COMPONENTS))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _not_modified() -> dict[str, Any]:
    return {
        "description": "Not Modified: the `If-None-Match` names the reply's weak `ETag`",
        "headers": _headers(False),
    }


def _default_error() -> dict[str, Any]:
    return {
        "description": (
            "Any other error status: one a scenario or `Prefer: code=NNN` asks for (500 and "
            "503 of `server-errors`...), or an unexpected 500"
        ),
        "headers": _headers(False),
        "content": {"application/json": {"schema": {"$ref": _COMPONENTS + "ApiError"}}},
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
            **({"304": _not_modified()} if operation.method == "GET" else {}),
            **{str(status): _error_response(status, rate_limited=status != 401)
               for status in sorted({*_API_ERRORS, *operation.errors})},
            "default": _default_error(),
        },
    }  # fmt: skip
    if operation.body is not None:
        document["requestBody"] = _request_body(
            {"application/json": published(operation.body)},
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
        # The tenant's key is optional: without it the call acts on the whole sandbox.
        "security": [{}, {"bearerAuth": []}],
        "parameters": [
            *_parameters(control.path, (), control.query),
            {"name": "X-Sandbox-Admin-Token", "in": "header", "required": False,
             "schema": STRING, "description": "Required when SANDBOX_ADMIN_TOKEN is set."},
        ],
        "responses": {
            str(control.status): _data_response(control.response),
            **({"304": _not_modified()} if control.method == "GET" else {}),
            **{str(status): _error_response(status)
               for status in sorted({*_CONTROL_ERRORS, *control.errors})},
            "default": _default_error(),
        },
    }  # fmt: skip
    if control.body is not None:
        document["requestBody"] = _request_body(
            {"application/json": published(control.body)},
            required=bool(control.body.get("required")),
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
    progression = components["scenario.progression"]
    components["scenario.progression"] = {**progression, "allOf": [
        {"if": {"properties": {"progression": {"const": kind}}, "required": ["progression"]},
         "then": {"properties": {needed: progression["properties"][needed]},
                  "required": [needed]}}
        for kind, needed in PROGRESSION_NEEDS
    ]}  # fmt: skip
    components["TenantState"] = {"$ref": _COMPONENTS + "fixture.user"}
    components["SandboxState"] = components.pop("state.document")
    components["ScenarioDocument"] = components.pop("scenario.document")
    return components


def _rewritten(node: Any, owner: str) -> Any:
    if isinstance(node, dict):
        out = {key: _rewritten(value, owner) for key, value in node.items()}
        if out.get("format") == "cents":  # not a standard format: a documented extension
            del out["format"]
            out["x-format"] = "cents"
        constant = out.get("const")
        if isinstance(constant, int) and not isinstance(constant, bool):
            # The same rule, in the form client generators render (a numeric const is not).
            del out["const"]
            out.update({"type": "integer", "enum": [constant]})
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
        "description": "Needs neither a key nor the admin token (a Docker HEALTHCHECK).",
        "tags": ["control"],
        "security": [{}],
        "responses": {
            "200": {
                "description": "Ready",
                "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"status": {"const": "ok"}},
                    "required": ["status"], "additionalProperties": False,
                }}},
            },
            "304": _not_modified(),
            **{str(status): _error_response(status) for status in (413, 415)},
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
        "content": {"application/json": {"schema": {"$ref": _COMPONENTS + "ApiError"}}},
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
