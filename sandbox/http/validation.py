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
``x-messages`` (for a ``pattern`` or an ``anyOf``); so may an object whose ``anyOf`` lists
alternative ``required`` sets ("``url`` or ``offerId``"). At most :data:`MAX_MESSAGES`
messages are answered, then one line counting the rest, and every check is linear in the size
of the document. A valid document (the common case) is accepted by a checker compiled once per
schema, with the same result; the interpreter runs on whatever that checker is not sure of,
and words the messages.

:func:`published` is the JSON Schema of what :func:`validate` accepts, as the OpenAPI document
shows it: the same schema, with each optional property also accepting ``null`` (``@IsOptional``
skips ``null`` as it skips ``undefined``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from sandbox.errors import BadRequest, ValidationFailed
from sandbox.identity import IdentityCache

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_INTEGER = re.compile(r"\A-?[0-9]+\Z")  # ASCII digits only, and no trailing newline
#: Digits (and a sign) of an integer string that may be beyond every double (1.8e308).
_LONG = 300

#: The keywords the validator enforces. ``anyOf`` and ``pattern`` word their own message in
#: ``x-messages`` where class-validator's default would not fit; on an object, ``anyOf`` is a
#: list of alternative ``required`` sets, one of which must be sent (and not ``null``).
KEYWORDS = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "minimum", "maximum",
    "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "enum", "pattern",
    "format", "anyOf", "x-messages",
})  # fmt: skip
#: Keywords that only describe (the OpenAPI document shows them; nothing is checked).
ANNOTATIONS = frozenset({"description", "default", "examples", "title", "deprecated"})
#: The ``format`` values the validator checks.
FORMATS = frozenset({"email", "uri"})
#: The most messages one 400 lists; a last line says how many more there were.
MAX_MESSAGES = 100


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
    if "properties" in schema and "anyOf" in schema:
        for option in schema["anyOf"]:
            if set(option) != {"required"} or not set(option["required"]) <= set(
                schema["properties"]
            ):
                raise UnsupportedSchema(f"{where}: an object's anyOf lists required sets only")
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
    :class:`ValidationFailed` with every violation, as ValidationPipe would. No body (or one
    that is not JSON) is validated as ``{}``; a JSON array is refused whole.

    A compiled checker (see :func:`_accepter`) accepts a valid document first, with the same
    result; what it is not sure of, the interpreter (:func:`_interpret`) checks and explains."""
    if type(value) is dict or value is None:
        accept = _accepter(schema)
        if accept is not None:
            try:
                cleaned = accept({} if value is None else value)
            except Exception:  # the interpreter raises it again, or finds it is no fault
                cleaned = _UNSURE
            if cleaned is not _UNSURE:
                return cleaned  # type: ignore[no-any-return]
    return _interpret(schema, value)


def _interpret(schema: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """:func:`validate` by the interpreter alone, which finds every message."""
    if isinstance(value, list):  # not an object at all: class-validator's forbidUnknownValues
        raise ValidationFailed(["an unknown value was passed to the validate function"])
    document = value if isinstance(value, dict) else {}
    messages = _Messages()
    cleaned = _check_object(schema, document, "", messages)
    if messages:
        more = len(messages) - MAX_MESSAGES + messages.more
        if more > 0:
            kept = [*messages[:MAX_MESSAGES], f"... and {more} more validation errors"]
            raise ValidationFailed(kept)
        raise ValidationFailed(list(messages))
    return cleaned


class _Messages(list[str]):
    """The messages found so far; past the cap, array items' messages are only counted."""

    more = 0

    def add(self, path: str, found: list[str]) -> None:
        if len(self) >= MAX_MESSAGES:
            self.more += len(found)
        else:
            self.extend(path + m for m in found)


def published(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` as JSON Schema states what :func:`validate` accepts: every optional property
    (at any depth) also takes ``null``, and an object's alternative ``required`` sets (``url``
    or ``offerId``) are stated as ``if``/``then`` (if ``url`` is absent, ``offerId`` is
    required), which means the same and which client generators read as one object rather
    than as a union of partial ones."""
    out = dict(schema)
    if "properties" in schema:
        required = set(schema.get("required", ()))
        out["properties"] = {
            name: published(sub) if name in required else _or_null(published(sub))
            for name, sub in schema["properties"].items()
        }
        if "anyOf" in schema:
            del out["anyOf"]
            out.update(_one_of_required(out["properties"], schema["anyOf"]))
    if "items" in schema:
        out["items"] = published(schema["items"])
    return out


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    described = {k: v for k, v in schema.items() if k in ("description", "x-messages")}
    inner = {k: v for k, v in schema.items() if k not in described}
    options = inner["anyOf"] if set(inner) == {"anyOf"} else [inner]
    return {"anyOf": [*options, {"type": "null"}], **described}


def _one_of_required(
    properties: Mapping[str, Any], alternatives: list[dict[str, list[str]]]
) -> dict[str, Any]:
    """``if`` the first set is not all present, ``then`` the next is required, and so on."""
    first, *rest = alternatives
    if not rest:
        needed = first["required"]
        return {"properties": {n: properties[n] for n in needed}, "required": list(needed)}
    sent = {
        "properties": {n: properties[n] for n in first["required"]},
        "required": list(first["required"]),
    }
    return {"if": {"not": sent}, "then": _one_of_required(properties, rest)}  # fmt: skip


def coerce_query(schema: Mapping[str, Any], query: Mapping[str, str | list[str]]) -> dict[str, Any]:
    """Query strings as ``@Type(() => Number)`` turns them into numbers before validation."""
    numeric = _numeric_properties(schema)
    if numeric is not None:
        coerced: dict[str, Any] = {}
        for name, raw in query.items():
            kind = numeric.get(name)
            coerced[name] = _number(raw, kind) if kind is not None and isinstance(raw, str) else raw
        return coerced
    return _coerce_each(schema, query)


def _coerce_each(schema: Mapping[str, Any], query: Mapping[str, str | list[str]]) -> dict[str, Any]:
    """:func:`coerce_query`, reading the schema anew for each parameter."""
    properties = schema.get("properties", {})
    coerced: dict[str, Any] = {}
    for name, raw in query.items():
        kind = properties.get(name, {}).get("type")
        if kind in ("integer", "number") and isinstance(raw, str):
            coerced[name] = _number(raw, kind)
        else:
            coerced[name] = raw
    return coerced


def coerce_form(schema: Mapping[str, Any], value: Any) -> Any:
    """A form body's strings (every value of one is a string) as ``@Type()`` turns them
    before validation: numbers as in the query string, ``true`` and ``false`` as booleans,
    at every depth of the schema."""
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties", {})
    coerced: dict[str, Any] = {}
    for name, raw in value.items():
        sub = properties.get(name, {})
        kind = sub.get("type")
        if isinstance(raw, str) and kind in ("integer", "number"):
            coerced[name] = _number(raw, kind)
        elif isinstance(raw, str) and kind == "boolean" and raw in ("true", "false"):
            coerced[name] = raw == "true"
        elif isinstance(raw, list) and kind == "array":
            coerced[name] = [coerce_form(sub.get("items", {}), item) for item in raw]
        else:
            coerced[name] = coerce_form(sub, raw) if isinstance(raw, dict) else raw
    return coerced


def _number(raw: str, kind: str) -> Any:
    if (raw.isdigit() and raw.isascii()) or _INTEGER.match(raw):  # the first test is sooner
        if len(raw) > _LONG:  # perhaps beyond a double: JavaScript's Number() is then ±Infinity
            rounded = float(raw)
            if math.isinf(rounded):
                return rounded
        return int(raw)
    if raw == "":
        return 0
    try:
        return float(raw) if kind == "number" else raw
    except ValueError:
        return raw


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
        elif name in document and _of_objects(sub):  # null: @ValidateNested sees it
            messages.append(f"{prefix}{_NOT_NESTED.format(name)}")
    alternatives = schema.get("anyOf")
    if alternatives is not None and not any(
        all(name in cleaned for name in option["required"]) for option in alternatives
    ):
        messages.extend(prefix + m for m in schema["x-messages"])
    return cleaned


#: class-validator's message for ``@ValidateNested({each: true})`` on what is not an object.
_NOT_NESTED = "each value in nested property {} must be either object or array"


def _add(messages: list[str], path: str, found: list[str]) -> None:
    if isinstance(messages, _Messages):
        messages.add(path, found)
    else:
        messages.extend(path + m for m in found)


def _of_objects(sub: Mapping[str, Any]) -> bool:
    return sub.get("type") == "array" and sub.get("items", {}).get("type") == "object"


def _nested(name: str, sub: Mapping[str, Any], value: Any, prefix: str, messages: list[str]) -> Any:
    """Validate what lies inside an array of objects or an object, and return it cleaned.

    As ``@ValidateNested({each: true})`` does: each object item is checked as its DTO, an
    item that is not an object is ``items.each value in nested property items must be either
    object or array``, and so is the property itself when it is neither an array nor an
    object (an object is checked as one item)."""
    if _of_objects(sub):
        items = sub["items"]
        if isinstance(value, list):
            out = []
            # Equal items have equal messages: each distinct item is checked once, so that a
            # body of many equal items costs little more than its parsing.
            seen: dict[bytes, tuple[dict[str, Any], list[str]]] = {}
            for index, element in enumerate(value):
                if isinstance(element, dict):
                    key = _canonical(element)
                    checked = seen.get(key) if key is not None else None
                    if checked is None:
                        found: list[str] = []
                        checked = (_check_object(items, element, "", found), found)
                        if key is not None:
                            seen[key] = checked
                    out.append(dict(checked[0]))
                    _add(messages, f"{prefix}{name}.{index}.", checked[1])
                else:
                    messages.append(f"{prefix}{name}.{_NOT_NESTED.format(name)}")
            return out
        if isinstance(value, dict):
            _check_object(items, value, f"{prefix}{name}.", messages)
        else:
            messages.append(f"{prefix}{_NOT_NESTED.format(name)}")
        return value
    if sub.get("type") == "array" and isinstance(value, list):
        items = sub.get("items", {})
        if items:
            for index, element in enumerate(value):
                messages.extend(
                    f"{prefix}" + m for m in _violations(f"{name}.{index}", items, element, True)
                )
    if sub.get("type") == "object" and isinstance(value, dict) and "properties" in sub:
        return _check_object(sub, value, f"{prefix}{name}.", messages)
    if sub.get("type") == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)  # not an infinite one: it was refused
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
        found.append(f"{name} must match /{sub['pattern']}/ regular expression")
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
    """Whether no two elements are equal (``1`` and ``True`` differ, as in JavaScript). An
    element that has no canonical text (see :func:`_canonical`) counts as distinct."""
    seen = set()
    for value in values:
        text = _canonical(value)
        if text is None:
            continue
        key = (type(value).__name__, text)
        if key in seen:
            return False
        seen.add(key)
    return True


def _canonical(value: Any) -> bytes | None:
    """One text for equal JSON values (keys sorted), to find equal array elements in linear
    time; None for a value no encoder writes (nested past the standard library's recursion
    limit). orjson writes it, or, past its own limits (an integer beyond 64 bits, which a form
    body's digits can give, or nesting beyond 254 levels), the standard library does."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        pass
    try:
        return json.dumps(value, sort_keys=True).encode()
    except RecursionError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_type(kind: str, value: Any) -> bool:
    if kind == "integer":
        if type(value) is int:
            return True
        return isinstance(value, float) and value.is_integer()
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


# The fast path: "fast accept, slow explain".
#
# Most requests are valid, and a valid document needs no message: for each schema,
# :func:`_accepter` compiles once (closures, keyed by the schema's id) a checker that returns
# exactly what :func:`validate` returns for a document, or :data:`_UNSURE`. Only then does the
# interpreter above run, and it words the messages. A checker may be stricter than the
# interpreter, never laxer: what it is not sure of (a wrong type, a broken constraint, a
# missing required or an unknown property, a value of an unusual type) it leaves to the
# interpreter, which also raises whatever such a document makes it raise. What the checkers
# do not specialise (a property's ``x-messages`` with a ``type``, an untyped property) they
# check with the interpreter's own functions. Schemas are not changed once validated against.

#: What a checker answers for a document it leaves to the interpreter.
_UNSURE: Any = object()
_MISSING: Any = object()
_Accept = Callable[[Any], Any]
#: Checkers by schema (a memo of what never changes, as ``functools.cache`` would keep it).
_ACCEPTERS: IdentityCache[Mapping[str, Any], _Accept | None] = IdentityCache(1024)
#: The integers that ``float()`` (which ``integer``'s check calls) converts without overflow.
_FLOAT_SAFE = 2**1023
_NUMBERS = ("integer", "number")


def _accepter(schema: Mapping[str, Any]) -> _Accept | None:
    """The compiled checker of an object schema (None: the interpreter alone checks it)."""
    return _ACCEPTERS.get(schema, _compiled)


def _compiled(schema: Mapping[str, Any]) -> _Accept | None:
    try:
        return _object_accepter(schema)
    except Exception:  # a schema the compiler does not follow
        return None


#: Of each query schema, its numeric properties' types (a memo, as :data:`_ACCEPTERS`).
_NUMERIC: IdentityCache[Mapping[str, Any], dict[str, str] | None] = IdentityCache(1024)


def _numeric_properties(schema: Mapping[str, Any]) -> dict[str, str] | None:
    """The ``integer`` and ``number`` properties of ``schema`` and their types, as
    :func:`coerce_query` reads them (None: a schema it reads property by property)."""
    return _NUMERIC.get(schema, _numeric_types)


def _numeric_types(schema: Mapping[str, Any]) -> dict[str, str] | None:
    try:
        return {
            name: sub.get("type")
            for name, sub in schema.get("properties", {}).items()
            if sub.get("type") in _NUMBERS
        }
    except Exception:  # a property that is not a schema: only its use raises
        return None


def _object_accepter(schema: Mapping[str, Any]) -> _Accept:
    """:func:`_check_object`, for a document it finds no fault with."""
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fields = tuple(
        (name, name in required, _value_accepter(name, sub, nested=True))
        for name, sub in properties.items()
    )
    strict = schema.get("additionalProperties") is False
    count = len(fields)
    alternatives = schema.get("anyOf")
    sets = None
    if alternatives is not None:
        sets = tuple(tuple(option["required"]) for option in alternatives)

    def accept(document: dict[str, Any]) -> Any:
        if strict and len(document) > count:
            return _UNSURE
        cleaned: dict[str, Any] = {}
        found = 0
        for name, needed, check in fields:
            value = document.get(name, _MISSING)
            if value is _MISSING:
                if needed:
                    return _UNSURE
                continue
            found += 1
            if value is None:
                if needed:
                    return _UNSURE
                continue
            value = check(value)
            if value is _UNSURE:
                return _UNSURE
            cleaned[name] = value
        if strict and found != len(document):
            return _UNSURE
        if sets is not None and not any(all(n in cleaned for n in names) for names in sets):
            return _UNSURE
        return cleaned

    return accept


def _value_accepter(name: str, sub: Mapping[str, Any], *, nested: bool) -> _Accept:
    """A present value of property ``sub``: what :func:`_nested` makes of it (or the value
    itself, not ``nested``: an array's item) if :func:`_violations` finds nothing, else
    :data:`_UNSURE`."""
    if any(key in sub and sub[key] is None for key in KEYWORDS):  # so .get() says absent
        return _generic_accepter(name, sub, nested=nested)
    if "x-messages" in sub:
        if "type" in sub:
            return _generic_accepter(name, sub, nested=nested)
        matches = _matcher(sub)  # then _nested leaves an untyped value as it is

        def custom(value: Any) -> Any:
            return value if matches(value) else _UNSURE

        return custom
    kind = sub.get("type")
    if kind not in _KIND_TESTS:
        return _generic_accepter(name, sub, nested=nested)
    if _always_broken(sub, kind):
        return _refuse
    enum = sub.get("enum")
    if kind == "string":
        return _string_accepter(sub, enum)
    if kind in _NUMBERS:
        return _number_accepter(sub, enum, integer=kind == "integer", coerce=nested)
    if kind == "array":
        return _array_accepter(name, sub, enum, nested=nested)
    test = _KIND_TESTS[kind]
    inner = _object_accepter(sub) if kind == "object" and nested and "properties" in sub else None

    def accept(value: Any) -> Any:  # a boolean, or an object
        if not test(value) or (enum is not None and value not in enum):
            return _UNSURE
        return value if inner is None else inner(value)

    return accept


def _always_broken(sub: Mapping[str, Any], kind: str) -> bool:
    """Whether one of ``sub``'s constraints, as :func:`_violations` evaluates it, fails for
    every value of type ``kind``."""
    if kind not in _NUMBERS and ("minimum" in sub or "maximum" in sub):
        return True
    if kind != "string" and (
        ("minLength" in sub and sub["minLength"] != 1)  # a 1 is `value == ""`: never so
        or "maxLength" in sub
        or "pattern" in sub
        or sub.get("format") in ("email", "uri")
    ):
        return True
    return kind != "array" and ("minItems" in sub or "maxItems" in sub)


def _refuse(value: Any) -> Any:
    return _UNSURE


def _string_accepter(sub: Mapping[str, Any], enum: Any) -> _Accept:
    shortest = None
    if "minLength" in sub:
        shortest = 1 if sub["minLength"] == 1 else sub["minLength"]  # a 1: not ""
    longest = sub.get("maxLength")
    search = re.compile(sub["pattern"]).search if "pattern" in sub else None
    form = {"email": _EMAIL.match, "uri": _URL.match}.get(sub.get("format"))  # type: ignore[arg-type]

    def accept(value: Any) -> Any:
        if type(value) is not str:
            return _UNSURE
        if shortest is not None and not len(value) >= shortest:
            return _UNSURE
        if longest is not None and not len(value) <= longest:
            return _UNSURE
        if enum is not None and value not in enum:
            return _UNSURE
        if search is not None and not search(value):
            return _UNSURE
        if form is not None and not form(value):
            return _UNSURE
        return value

    return accept


def _number_accepter(sub: Mapping[str, Any], enum: Any, *, integer: bool, coerce: bool) -> _Accept:
    low = sub.get("minimum")
    high = sub.get("maximum")
    to_int = integer and coerce  # _nested makes an integral float an int

    def accept(value: Any) -> Any:
        kind = type(value)
        if kind is int:
            if integer and not -_FLOAT_SAFE <= value <= _FLOAT_SAFE:
                return _UNSURE
        elif kind is float:
            if integer and not value.is_integer():
                return _UNSURE
        else:
            return _UNSURE
        if low is not None and not value >= low:
            return _UNSURE
        if high is not None and not value <= high:
            return _UNSURE
        if enum is not None and value not in enum:
            return _UNSURE
        return int(value) if to_int and kind is float else value

    return accept


def _array_accepter(name: str, sub: Mapping[str, Any], enum: Any, *, nested: bool) -> _Accept:
    fewest = sub.get("minItems")
    most = sub.get("maxItems")
    unique = bool(sub.get("uniqueItems"))
    elements = objects = None
    if nested and _of_objects(sub):
        objects = _object_accepter(sub["items"])
    elif nested and sub.get("items", {}):  # each item as _violations sees it, no deeper
        elements = _value_accepter(f"{name}.0", sub["items"], nested=False)

    def accept(value: Any) -> Any:
        if type(value) is not list:
            return _UNSURE
        if fewest is not None and not len(value) >= fewest:
            return _UNSURE
        if most is not None and not len(value) <= most:
            return _UNSURE
        if unique and not _unique(value):
            return _UNSURE
        if enum is not None and value not in enum:
            return _UNSURE
        if elements is not None:
            for element in value:
                if elements(element) is _UNSURE:
                    return _UNSURE
        elif objects is not None:
            return _objects_accepted(objects, value)
        return value

    return accept


def _objects_accepted(accept: _Accept, value: list[Any]) -> Any:
    """:func:`_nested`'s array of objects, each distinct item checked once (and equal ones
    copied from it), as the interpreter does."""
    out = []
    seen: dict[bytes, Any] = {}
    for element in value:
        if type(element) is not dict:
            return _UNSURE
        key = _canonical(element)
        checked = seen.get(key) if key is not None else None
        if checked is None:
            checked = accept(element)
            if checked is _UNSURE:
                return _UNSURE
            if key is not None:
                seen[key] = checked
        out.append(dict(checked))
    return out


def _generic_accepter(name: str, sub: Mapping[str, Any], *, nested: bool) -> _Accept:
    """What the checkers do not specialise, checked by the interpreter's own functions."""

    def accept(value: Any) -> Any:
        if _violations(name, sub, value, True):
            return _UNSURE
        if not nested:
            return value
        found: list[str] = []
        value = _nested(name, sub, value, "", found)
        return _UNSURE if found else value

    return accept


def _matcher(sub: Mapping[str, Any]) -> Callable[[Any], bool]:
    """:func:`_matches`, true only where it is (and where sure of it)."""
    if "anyOf" in sub:
        options = tuple(_matcher(option) for option in sub["anyOf"])

        def any_of(value: Any) -> bool:
            for option in options:  # noqa: SIM110 - faster than any() over a generator
                if option(value):
                    return True
            return False

        return any_of
    kind = sub.get("type")
    if kind not in _KIND_TESTS or any(key in sub and sub[key] is None for key in KEYWORDS):
        return lambda value: bool(_matches(sub, value))
    if (
        ("pattern" in sub and kind != "string")
        or ("minimum" in sub and kind not in _NUMBERS)
        or ("maxLength" in sub and kind != "string")
    ):
        return lambda value: False
    test = _KIND_TESTS[kind]
    search = re.compile(sub["pattern"]).search if "pattern" in sub else None
    low = sub.get("minimum")
    longest = sub.get("maxLength")

    def matches(value: Any) -> bool:
        if not test(value):
            return False
        if search is not None and not search(value):
            return False
        if low is not None and not value >= low:
            return False
        return not (longest is not None and len(value) > longest)

    return matches


def _integral(value: Any) -> bool:
    """``_has_type("integer", value)``, for the values it cannot overflow on."""
    kind = type(value)
    if kind is int:
        return bool(-_FLOAT_SAFE <= value <= _FLOAT_SAFE)
    return kind is float and bool(value.is_integer())


#: :func:`_has_type` for values of the exact types JSON gives (a subclass is left unsure).
_KIND_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: type(value) is str,
    "integer": _integral,
    "number": lambda value: type(value) is int or type(value) is float,
    "boolean": lambda value: type(value) is bool,
    "array": lambda value: type(value) is list,
    "object": lambda value: type(value) is dict,
}
