"""The validator's fast path ("fast accept, slow explain") changes nothing.

For every request schema of the API and of the control plane (and a few that use what those
do not), documents built from the schema, and broken ones, go through the compiled checker and
through the interpreter alone: the checker either leaves a document to the interpreter or
returns exactly what the interpreter returns (same keys in the same order, same values of the
same types), and never accepts what the interpreter refuses. And the checker does accept the
documented requests, so that it cannot quietly become dead code.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.control.plane import OPERATIONS as CONTROL_OPERATIONS
from sandbox.errors import ValidationFailed
from sandbox.examples import REFERENCE
from sandbox.http import validation
from sandbox.http.operations import body_schema
from sandbox.http.routes import OPERATIONS
from sandbox.http.validation import check_schema, coerce_query, validate
from sandbox.querystring import parse_query

Schema = Mapping[str, Any]

_LINE = {
    "type": "object",
    "properties": {
        "sku": {"type": "string", "minLength": 1, "maxLength": 4},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 3},
        "tags": {"type": "array", "items": {"type": "string"}},
        "parts": {
            "type": "array",
            "maxItems": 2,
            "items": body_schema({"n": {"type": "integer"}}, ("n",)),
        },
    },
    "required": ["sku"],
    "additionalProperties": False,
}
#: What the API's schemas do not use, or not together: each keyword on each type, arrays of
#: arrays, objects in objects, untyped and typed properties with their own wording, required
#: sets on a nested object, and an object that drops what it does not know.
EXOTIC: tuple[dict[str, Any], ...] = (
    body_schema(
        {
            "tags": {"type": "array", "uniqueItems": True, "maxItems": 3,
                     "items": {"type": "string", "enum": ["a", "b", "c"]}},
            "flags": {"type": "array", "minItems": 2, "items": {"type": "boolean"}},
            "counts": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0}},
            "grid": {"type": "array", "items": {"type": "array", "maxItems": 2,
                                                  "items": {"type": "integer"}}},
            "lines": {"type": "array", "maxItems": 4, "items": _LINE},
            "nested": {"type": "object", "required": ["n"], "additionalProperties": False,
                       "properties": {"n": {"type": "integer", "maximum": 5},
                                      "s": {"type": "string", "minLength": 2}}},
            "loose": {"type": "object"},
            "free": {"description": "anything at all"},
            "email": {"type": "string", "format": "email"},
            "site": {"type": "string", "format": "uri", "maxLength": 30},
            "ratio": {"type": "number", "minimum": 0.5, "maximum": 1.5},
            "level": {"type": "integer", "enum": [1, 2, 3]},
            "on": {"type": "boolean", "enum": [True]},
            "code": {"type": "string", "pattern": "^[A-Z]{2}$", "x-messages": ["{} is no code"]},
            "choice": {"anyOf": [{"type": "string", "maxLength": 3},
                                 {"type": "number", "minimum": 10}],
                       "x-messages": ["{} must be short or big"]},
            "named": {"type": "string", "minLength": 3},
            "empty": {"type": "string", "minLength": 0, "maxLength": 0},
        },
        ("counts",),
    ),
    {
        "type": "object",
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": "string"},
            "c": {"type": "array", "items": {"type": "object", "properties": {
                "x": {"type": "integer"}, "y": {"type": "integer"}},
                "anyOf": [{"required": ["x"]}, {"required": ["y"]}], "x-messages": ["x or y"]}},
            "d": {"type": "object", "properties": {"x": {"type": "number"}}},
            "any": {},
        },
        "required": ["any"],
        "anyOf": [{"required": ["a"]}, {"required": ["b", "c"]}],
        "x-messages": ["a, or b and c"],
    },
)  # fmt: skip


def _schemas() -> list[tuple[str, Schema, bool]]:
    """(where, schema, is a query) of every request schema, each once."""
    found: dict[int, tuple[str, Schema, bool]] = {}
    for operation in (*OPERATIONS, *CONTROL_OPERATIONS):
        for kind in ("body", "query"):
            schema = getattr(operation, kind)
            if schema is not None:
                where = f"{operation.method} {operation.path} {kind}"
                found.setdefault(id(schema), (where, schema, kind == "query"))
    for index, schema in enumerate(EXOTIC):
        check_schema(schema)  # what the validator may be given
        found[id(schema)] = (f"exotic {index}", schema, False)
    return list(found.values())


SCHEMAS = _schemas()
BODY_SCHEMAS = [(where, schema) for where, schema, _ in SCHEMAS]
QUERY_SCHEMAS = [(where, schema) for where, schema, query in SCHEMAS if query]


# What a JSON body can hold, and a few values it cannot (a query's digits can: coerce_query
# makes numbers of any size).
_HUGE = st.sampled_from([2**53 + 1, 2**63, 2**64, 2**1023, 2**1024, -(2**1030), 10**400])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(max_size=6)
    | _HUGE
)
GARBAGE = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
_EMAILS = st.from_regex(r"\A[a-z.]{1,5}@[a-z]{1,5}\.[a-z]{2,3}\Z")
_URLS = st.from_regex(r"\Ahttps?://[a-z]{1,8}\.[a-z]{2,3}(/[a-z0-9]{0,6})?\Z")


def _integers(sub: Schema) -> st.SearchStrategy[int]:
    low, high = sub.get("minimum"), sub.get("maximum")
    return st.integers(
        min_value=None if low is None else math.ceil(low),
        max_value=None if high is None else math.floor(high),
    )


def valid(sub: Schema, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that property ``sub`` takes (mostly: a pattern's match may be too long)."""
    kind = sub.get("type")
    if "anyOf" in sub and "properties" not in sub:
        return st.one_of([valid(option, depth) for option in sub["anyOf"]])
    if "enum" in sub:
        return st.sampled_from(sub["enum"])
    if kind == "string":
        low = sub.get("minLength", 0)
        high = sub.get("maxLength", low + 8)
        if "pattern" in sub:
            return st.from_regex(sub["pattern"], fullmatch=True)
        if sub.get("format") == "email":
            return _EMAILS
        if sub.get("format") == "uri":
            return _URLS
        return st.text(min_size=low, max_size=min(high, low + 8))
    if kind == "integer":
        ints = _integers(sub)
        return ints | ints.filter(lambda n: abs(n) < 2**53).map(float)  # 2.0 is an integer
    if kind == "number":
        low, high = sub.get("minimum"), sub.get("maximum")
        return st.floats(low, high, allow_nan=False, allow_infinity=False) | _integers(sub)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        low = sub.get("minItems", 0)
        high = min(sub.get("maxItems", low + 3), low + 3)
        items = valid(sub.get("items", {}), depth + 1) if depth < 3 else st.nothing()
        return st.lists(items, min_size=low, max_size=high, unique=bool(sub.get("uniqueItems")))
    if kind == "object" and "properties" in sub:
        return documents(sub, depth + 1, mutations=0)
    if kind == "object":
        return st.dictionaries(st.text(max_size=4), GARBAGE, max_size=3)
    return GARBAGE


def _near(sub: Schema) -> st.SearchStrategy[Any]:
    """Values on and just past the edges of ``sub``'s bounds, and of the wrong type."""
    options: list[st.SearchStrategy[Any]] = [GARBAGE, _HUGE, st.floats(-2.5, 2.5)]
    low, high = sub.get("minimum"), sub.get("maximum")
    edges = [e + d for e in (low, high) if e is not None for d in (-1, -0.5, 0, 0.5, 1)]
    if edges:
        options.append(st.sampled_from(edges))
    if "minLength" in sub or "maxLength" in sub or "pattern" in sub:
        low, high = sub.get("minLength", 0), sub.get("maxLength", 3)
        lengths = sorted({max(low - 1, 0), low, high, high + 1})
        options.append(st.sampled_from(lengths).map(lambda n: "x" * n))
        options.append(st.from_regex(sub.get("pattern", "."), fullmatch=False))
    return st.one_of(options)


def values(sub: Schema, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of property ``sub``: ones it takes, and near misses, and garbage; an array or
    object of ones with faults of their own."""
    kind = sub.get("type")
    options = [valid(sub, depth), _near(sub)]
    if kind == "array" and depth < 3:
        items = values(sub.get("items", {}), depth + 1)
        low = sub.get("minItems", 0)
        options.append(st.lists(items, min_size=low, max_size=low + 3))
        # as many equal items as the bounds allow, and one more: equal items are checked once
        most = sub.get("maxItems", 4)
        sizes = st.sampled_from(sorted({low, most, most + 1}))
        options.append(st.tuples(valid(sub.get("items", {}), depth + 1), sizes).map(
            lambda pair: [copy.deepcopy(pair[0]) for _ in range(pair[1])]))  # fmt: skip
    elif kind == "object" and "properties" in sub and depth < 3:
        options.append(documents(sub, depth + 1))
    return st.one_of(options)


@st.composite
def documents(
    draw: st.DrawFn, schema: Schema, depth: int = 0, mutations: int | None = None
) -> dict[str, Any]:
    """An object for ``schema``: a valid one (each optional property sent, left out or null,
    one of its ``required`` sets sent), then ``mutations`` faults (a few, unless said): a
    property's value replaced, a required one dropped or nulled, an unknown one added; its
    keys in any order."""
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    for names in schema.get("anyOf", ()):
        if draw(st.booleans()):
            required |= set(names["required"])
            break
    document: dict[str, Any] = {}
    for name, sub in properties.items():
        how = "sent" if name in required else draw(st.sampled_from(["sent", "absent", "null"]))
        if how == "sent":
            document[name] = draw(valid(sub, depth))
        elif how == "null":
            document[name] = None
    if mutations is None:
        mutations = draw(st.sampled_from([0, 0, 1, 1, 2]))
    for _ in range(mutations):
        fault = draw(st.sampled_from(["value", "value", "drop", "null", "unknown"]))
        if fault == "unknown" or not properties:
            document[draw(st.text(max_size=6))] = draw(GARBAGE)
            continue
        name = draw(st.sampled_from(sorted(properties)))
        if fault == "value":
            document[name] = draw(values(properties[name], depth))
        elif fault == "drop":
            document.pop(name, None)
        else:
            document[name] = None
    order = draw(st.permutations(list(document.items())))
    return dict(order)


#: What a value at any depth is replaced with: each type, the values that are two at once in
#: Python (1, 1.0 and True), and numbers past what a float holds or JSON says.
_CONFUSING = [None, True, False, 0, 1, -1, 1.0, 1.5, -0.0, "", "1", "x", [], [1], {}, {"a": 1},
              2**53 + 1, 2**64, 2**1024, 10**400, 1e300, math.nan, math.inf]  # fmt: skip
CONFUSERS = st.sampled_from(_CONFUSING)


@st.composite
def faulty(draw: st.DrawFn, schema: Schema) -> Any:
    """A document for ``schema`` with faults at any depth: a value replaced (by one of
    :data:`CONFUSERS`, or garbage), a key or an item dropped, one added or repeated."""
    document = copy.deepcopy(draw(documents(schema)))
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2]))):
        places: list[tuple[Any, Any]] = []
        _places(document, places)
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        fault = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add"]))
        if fault == "replace":
            container[key] = draw(CONFUSERS | GARBAGE)
        elif fault == "drop":
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.text(max_size=4))] = draw(GARBAGE)
        else:
            container.append(copy.deepcopy(draw(st.sampled_from(container) | GARBAGE)))
    return document


def _places(node: Any, places: list[tuple[Any, Any]]) -> None:
    keys = list(node) if isinstance(node, dict) else range(len(node))
    for key in keys:
        places.append((node, key))
        if isinstance(node[key], dict | list):
            _places(node[key], places)


def _queries(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    """Query strings' values: what its numbers and words look like as text, and worse."""
    words = [e for sub in schema.get("properties", {}).values() for e in sub.get("enum", [])]
    texts = st.one_of(
        st.integers(-5, 200).map(str),
        st.sampled_from(["", "0", "1.5", "1e3", "-", "007", " 1", "1 ", "٣", "9" * 20, "9" * 400]),
        st.floats(allow_nan=False).map(repr),
        st.text(max_size=6),
        st.sampled_from(words or ["x"]),
    )
    names = st.sampled_from([*schema.get("properties", {}), "other"])
    return st.dictionaries(names, texts | st.lists(texts, min_size=2, max_size=3), max_size=4)


def _edges(sub: Schema) -> list[Any]:
    """Values on and just past each of ``sub``'s bounds and rules."""
    out: list[Any] = []
    for key in ("minimum", "maximum"):
        if key in sub:
            bound = sub[key]
            out += [bound - 1, bound - 0.5, bound, float(bound), bound + 0.5, bound + 1]
    for key in ("minLength", "maxLength"):
        if key in sub:
            out += ["x" * max(sub[key] - 1, 0), "x" * sub[key], "x" * (sub[key] + 1)]
    if "pattern" in sub:
        out += ["US", "US\n", "us", "U", "USA", "1" * 18, "1" * 19, "0", "12a", "١٢"]
    if "enum" in sub:
        out += [f"{e} " for e in sub["enum"]] + [str(e).upper() for e in sub["enum"]]
    if "format" in sub:
        out += ["a@b.co", "a@b", "a b@c.de", "https://x.io", "http://x", "ftp://x.io"]
    if "items" in sub:
        out += [[], [None], ["x"], [0], [{}], [[]]]
    for option in sub.get("anyOf", ()):
        out += _edges(option)
    return out


def _positions(node: Any, sub: Schema | None, path: tuple[Any, ...], out: list[Any]) -> None:
    """Every place in ``node`` (a document for ``sub``), with the schema of what is there."""
    sub = sub or {}
    if isinstance(node, dict):
        properties = sub.get("properties", {})
        for key, value in node.items():
            inner = properties.get(key)
            out.append(((*path, key), inner))
            _positions(value, inner, (*path, key), out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append(((*path, index), sub.get("items")))
            _positions(value, sub.get("items"), (*path, index), out)


_DROP = object()


def single_faults(document: dict[str, Any], schema: Schema) -> list[dict[str, Any]]:
    """``document`` with one fault, in each way at each place: each value replaced by each of
    :data:`_CONFUSING` and of its schema's :func:`_edges`, dropped, or nulled; an unknown key
    added to each object, an item repeated in each array."""
    places: list[tuple[tuple[Any, ...], Schema | None]] = [((), schema)]
    _positions(document, schema, (), places)
    out = []
    for path, sub in places:
        if path:
            for value in [*_CONFUSING, *_edges(sub or {}), _DROP]:
                faulty = copy.deepcopy(document)
                container = _at(faulty, path[:-1])
                if value is _DROP:
                    del container[path[-1]]
                else:
                    container[path[-1]] = value
                out.append(faulty)
        target = _at(document, path)
        if isinstance(target, dict | list):
            faulty = copy.deepcopy(document)
            grown = _at(faulty, path)
            if isinstance(grown, dict):
                grown["unknown"] = 1
            elif grown:
                grown.append(copy.deepcopy(grown[0]))
            out.append(faulty)
    return out


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _typed(value: Any, sent: Any = None) -> Any:
    """``value`` with every type, key order and container spelled out: 1, 1.0 and True
    differ, and so do a list of the document ``sent`` and an equal new one, or one item twice
    and two equal ones."""
    labels: dict[int, str] = {}
    _label(sent, labels)
    return _spell(value, labels)


def _label(node: Any, labels: dict[int, str]) -> None:
    if isinstance(node, dict | list):
        labels.setdefault(id(node), f"sent {len(labels)}")
        for child in node.values() if isinstance(node, dict) else node:
            _label(child, labels)


def _spell(value: Any, labels: dict[int, str]) -> Any:
    if isinstance(value, dict | list):
        label = labels.setdefault(id(value), f"new {len(labels)}")
        if isinstance(value, dict):
            return (
                "dict",
                label,
                [(_spell(k, labels), _spell(v, labels)) for k, v in value.items()],
            )
        return ("list", label, [_spell(v, labels) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def _outcome(function: Any, schema: Schema, document: Any) -> tuple[str, Any]:
    try:
        return ("ok", _typed(function(schema, document), document))
    except ValidationFailed as failed:
        return ("refused", failed.message)
    except Exception as exc:  # whatever the interpreter raises, validate raises too
        return ("raised", type(exc).__name__)


def _fast(schema: Schema, document: Any) -> Any:
    accept = validation._accepter(schema)
    assert accept is not None, "every request schema compiles"
    try:
        return accept(document)
    except Exception:
        return validation._UNSURE


def _check(schema: Schema, document: Any) -> None:
    interpreted = _outcome(validation._interpret, schema, document)
    if isinstance(document, dict):
        fast = _fast(schema, document)
        if fast is not validation._UNSURE:
            assert interpreted == ("ok", _typed(fast, document)), (document, fast)
    assert _outcome(validate, schema, document) == interpreted


_SETTINGS = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_SETTINGS
@given(data=st.data())
def test_the_fast_path_returns_what_the_interpreter_returns_or_leaves_it(data: Any) -> None:
    where, schema = data.draw(st.sampled_from(BODY_SCHEMAS), label="schema")
    whole = data.draw(st.integers(0, 19), label="not an object") == 0
    document = data.draw(GARBAGE if whole else faulty(schema), label=where)
    _check(schema, document)


@settings(_SETTINGS, max_examples=120)
@given(data=st.data())
def test_every_single_fault_of_a_valid_document_is_left_to_the_interpreter(data: Any) -> None:
    where, schema = data.draw(st.sampled_from(BODY_SCHEMAS), label="schema")
    document = data.draw(documents(schema, mutations=0), label=where)
    _check(schema, document)
    for faulty in single_faults(document, schema):
        _check(schema, faulty)


@settings(_SETTINGS, max_examples=400)
@given(data=st.data())
def test_query_strings_are_coerced_and_validated_as_before(data: Any) -> None:
    where, schema = data.draw(st.sampled_from(QUERY_SCHEMAS), label="schema")
    query = data.draw(_queries(schema), label=where)
    coerced = coerce_query(schema, query)
    assert _typed(coerced, query) == _typed(validation._coerce_each(schema, query), query)
    assert _typed(coerced, query) == _typed(_coerce_as_before(schema, query), query)
    _check(schema, coerced)


@settings(_SETTINGS, max_examples=300)
@given(raw=st.text(alphabet="0123456789-.e+ _٣x", max_size=8) | st.text(max_size=4))
def test_a_query_number_is_read_as_before(raw: str) -> None:
    for kind in ("integer", "number"):
        assert _outcome(validation._number, raw, kind) == _outcome(_number_as_before, raw, kind)


_INTEGER = re.compile(r"\A-?[0-9]+\Z")


def _number_as_before(raw: str, kind: str) -> Any:
    """``_number`` before the fast path (with JavaScript's ``Number()`` for integer strings
    beyond every double: Infinity)."""
    if raw == "":
        return 0
    if _INTEGER.match(raw):
        rounded = float(raw)
        return rounded if math.isinf(rounded) else int(raw)
    try:
        return float(raw) if kind == "number" else raw
    except ValueError:
        return raw


def _coerce_as_before(schema: Schema, query: Mapping[str, Any]) -> dict[str, Any]:
    """``coerce_query`` before the fast path."""
    properties = schema.get("properties", {})
    coerced: dict[str, Any] = {}
    for name, raw in query.items():
        kind = properties.get(name, {}).get("type")
        if kind in ("integer", "number") and isinstance(raw, str):
            coerced[name] = _number_as_before(raw, kind)
        else:
            coerced[name] = raw
    return coerced


# The fast path takes the common requests.

_BODIES = {op.path: op.body for op in OPERATIONS if op.body is not None}
_QUERIES = {op.path: op.query for op in OPERATIONS if op.query is not None}
_CONTROL = {op.path: op.body for op in CONTROL_OPERATIONS if op.body is not None}
_ITEM = {"productId": 12345, "skuId": "s001", "quantity": 1}
COMMON: list[tuple[Schema, Any]] = [
    (_BODIES["/logistics/calculate-freight-batch"],
     {"country": "US", "weight": 1500, "length": 30, "width": 20, "height": 15}),
    (_BODIES["/logistics/calculate-freight-batch"],
     {"country": "US", "weight": 1500.0, "length": 30.5, "cargoType": "battery"}),
    (_BODIES["/cart/items"], _ITEM),
    (_BODIES["/cart/items"], {**_ITEM, "productId": "12345", "remark": "gift", "quantity": 2.0}),
    (_BODIES["/cart/items/batch"], {"items": [_ITEM, {**_ITEM, "skuId": "s002"}, _ITEM]}),
    (_BODIES["/orders"], {"items": [_ITEM, {**_ITEM, "productId": "12346", "remark": None}],
                          "remark": "fast", "couponId": 7}),
    (_BODIES["/orders"], {"items": [_ITEM], "couponId": None}),
    (_BODIES["/orders/{id}/cancel"], None),
    (_BODIES["/user/profile"], {"username": "Ann", "email": "ann@example.com",
                                "avatar": "https://example.com/a.png", "language": "fr"}),
    (_BODIES["/products/import/1688"], {"offerId": "610947572360"}),
    (_CONTROL["/keys"], {"scopes": ["cart:read", "orders:read"], "balance": 10, "story": False}),
    (_CONTROL["/clock"], {"frozen": True}),
    (_QUERIES["/orders"], coerce_query(_QUERIES["/orders"], {"page": "1", "limit": "20"})),
]  # fmt: skip
_TWICE = {"sku": "a", "quantity": 2.0, "tags": ["x"], "parts": [{"n": 1}]}
COMMON += [  # equal items are checked once: the second is a copy of the first's result
    (EXOTIC[0], {"counts": [1, 2.0], "lines": [_TWICE, copy.deepcopy(_TWICE), {"sku": "b"}]}),
]
COMMON += [
    (_BODIES[example.template], example.body) for example in REFERENCE if example.body is not None
]
COMMON += [
    (_QUERIES[example.template], coerce_query(_QUERIES[example.template], parse_query(query)))
    for example in REFERENCE
    if (query := urlsplit(example.url).query)
]


@pytest.mark.parametrize(("schema", "document"), COMMON)
def test_the_fast_path_takes_the_common_valid_requests(schema: Schema, document: Any) -> None:
    fast = _fast(schema, {} if document is None else document)
    assert fast is not validation._UNSURE, "left to the interpreter"
    assert _typed(fast, document) == _typed(validation._interpret(schema, document), document)
    assert _typed(validate(schema, document), document) == _typed(fast, document)


def test_what_the_fast_path_returns_is_the_callers_own() -> None:
    schema = _BODIES["/orders"]
    body = {"items": [_ITEM, _ITEM], "remark": "x"}
    first = validate(schema, body)
    first["items"][0]["quantity"] = 99  # equal items are checked once, and each copied
    assert first["items"][1] == _ITEM
    first["items"].append("junk")
    first["remark"] = "changed"
    assert validate(schema, body) == {"items": [_ITEM, _ITEM], "remark": "x"}
    assert body == {"items": [_ITEM, _ITEM], "remark": "x"}
    query = _QUERIES["/orders"]
    taken = validate(query, coerce_query(query, {"page": "2"}))
    taken["page"] = 5
    assert validate(query, coerce_query(query, {"page": "2"})) == {"page": 2}


def test_the_fast_path_refuses_nothing_it_should_explain() -> None:
    schema = _BODIES["/cart/items"]
    for broken in ({**_ITEM, "quantity": 0}, {**_ITEM, "extra": 1}, {"skuId": "s001"},
                   {**_ITEM, "productId": True}, {**_ITEM, "quantity": 1.5}):  # fmt: skip
        assert _fast(schema, broken) is validation._UNSURE
        with pytest.raises(ValidationFailed):
            validate(schema, broken)
