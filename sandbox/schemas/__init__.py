"""JSON Schemas of the files and documents the sandbox reads, and one way to check them.

jsonschema (and referencing, attrs...) is imported on the first check, not with this module:
serving the bundled fixture checks nothing against a schema, and the import would be about
40 ms of ``sandbox serve``'s start.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError
    from referencing import Registry


@functools.cache
def formats() -> FormatChecker:
    """The formats jsonschema checks out of the box, plus ``cents`` (a number with at most two
    decimals: money) and ``date-time`` as the sandbox reads timestamps."""
    from jsonschema import FormatChecker

    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_timestamp)
    checker.checks("cents")(_is_cents)
    return checker


def _is_timestamp(value: object) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _is_cents(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return Decimal(repr(value)).as_tuple().exponent >= -2  # type: ignore[operator]


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """The parsed ``<name>.schema.json`` beside this module."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@functools.cache
def _registry() -> Registry:
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    # Every schema here, by its $id, so that one may refer to another's $defs.
    names = [p.name.removesuffix(".schema.json") for p in resources.files(__package__).iterdir()
             if p.name.endswith(".schema.json")]  # fmt: skip
    return Registry().with_resources(
        (schema(n)["$id"], DRAFT202012.create_resource(schema(n))) for n in names
    )


@functools.cache
def validator(name: str, definition: str | None = None) -> Draft202012Validator:
    """The validator of ``<name>.schema.json`` beside this module (or of its
    ``$defs/<definition>``), built once. (The schemas themselves are checked against the
    meta-schema by the test suite, not at every start: that check alone costs more than the
    rest of loading the default fixture.)"""
    from jsonschema import Draft202012Validator

    document = schema(name)
    if definition is not None:
        document = {"$ref": f"{document['$id']}#/$defs/{definition}"}
    return Draft202012Validator(document, format_checker=formats(), registry=_registry())


def problems(
    instance: Any, name: str, definition: str | None = None, *, prefix: str = ""
) -> list[str]:
    """Every violation of schema ``name`` (or of its ``$defs/<definition>``) by
    ``instance``, as ``field: reason`` sentences in document order, each field under
    ``prefix``. Empty when the instance is valid."""
    errors = sorted(
        validator(name, definition).iter_errors(instance), key=lambda e: list(map(str, e.path))
    )
    return [f"{field_path(error, prefix)}: {error.message}" for error in errors]


#: Above this many items, :func:`bulk_problems` checks them with a compiled validator.
BULK = 1000


def bulk_problems(items: list[Any], name: str, definition: str, prefix: str) -> list[str]:
    """The problems of ``items``, each an instance of ``$defs/<definition>`` of schema
    ``name``, as ``prefix[i].field: reason`` sentences.

    jsonschema takes about 300 µs a product, half a minute for a 100,000-product fixture;
    fastjsonschema compiles the definition into Python once (about 20 ms, worth it only for
    a large list) and checks the same list in about two seconds. It stops at the first
    problem, so jsonschema then explains every problem of the item that failed.
    """
    import fastjsonschema

    check = _compiled(name, definition)
    try:
        check(items)
    except fastjsonschema.JsonSchemaValueException as exc:
        index = int(exc.path[1]) if len(exc.path) > 1 and str(exc.path[1]).isdigit() else 0
        where = f"{prefix}[{index}]"
        found = problems(items[index], name, definition, prefix=where)
        return found or [f"{where}: {exc.message}"]
    return []


@functools.cache
def _compiled(name: str, definition: str) -> Any:
    import fastjsonschema

    document = {"$defs": schema(name)["$defs"], "type": "array",
                "items": {"$ref": f"#/$defs/{definition}"}}  # fmt: skip
    return fastjsonschema.compile(document, formats={"cents": _is_cents})


def field_path(error: ValidationError, prefix: str = "") -> str:
    """``users[0].wallet.balance`` for an error at that place (after ``prefix``, if any);
    ``(root)`` at the top."""
    text = prefix
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def fast_valid(instance: Any, name: str) -> bool:
    """Whether ``instance`` is valid under schema ``name``, checked by a compiled validator
    (fastjsonschema: a hundred times faster than jsonschema on a large document, but with
    one terse message). A caller explains an invalid instance with :func:`problems`."""
    import fastjsonschema

    try:
        _compiled_whole(name)(instance)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@functools.cache
def _compiled_whole(name: str) -> Any:
    import fastjsonschema

    # One self-contained document: the $defs of every schema it refers to, inlined.
    text = json.dumps(schema(name))
    defs: dict[str, Any] = {}
    for other in ("fixture", "scenario", "state"):
        prefix = f"{other}.schema.json#/$defs/"
        if other != name and prefix in text:
            defs.update(schema(other)["$defs"])
            text = text.replace(prefix, "#/$defs/")
    document = json.loads(text)
    document["$defs"] = {**defs, **document.get("$defs", {})}
    document.pop("$id", None)
    formats = {"cents": _is_cents, "date-time": _is_date_time}
    return fastjsonschema.compile(document, formats=formats)


def _is_date_time(value: object) -> bool:
    try:
        return _is_timestamp(value)
    except ValueError:
        return False
