"""Scenario documents: YAML or JSON -> JSON Schema check -> :class:`Scenario`.

Files come from the bundled ``scenarios/`` directory, from paths given to ``sandbox serve
--scenario``, or from a document posted to ``/__sandbox/scenarios``. A posted document is only
ever parsed, never used to open a path.

Every document is checked in time linear in its size before anything is built from it: YAML is
scanned with PyYAML's C parser for aliases (refused in posted documents, so a small document
cannot expand into a huge one) and for nesting deeper than :data:`MAX_DEPTH`; then every value
must be what JSON can carry (no ``!!binary``, ``!!set``, non-string keys, NaN or infinity), so
that nothing a scenario sends can fail when it is sent.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import yaml

from sandbox.fixtures import FixtureError, parse_document, read_document
from sandbox.scenario.lint import Route, rule_problems
from sandbox.scenario.model import Scenario, build_scenario
from sandbox.schemas import problems

#: PyYAML's C loader (libyaml), where it was built with one; the pure-Python one otherwise.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The deepest nesting of mappings and lists a scenario document may have.
MAX_DEPTH = 32

#: The largest posted scenario document, in bytes. Real ones are a few hundred bytes; the cap
#: bounds what one request can cost (PyYAML builds the objects in Python, about 5 µs a node).
MAX_POSTED = 32 * 1024

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_HEADER_VALUE = re.compile(r"^[\t\x20-\x7e\x80-\xff]*$")


class ScenarioError(FixtureError):
    """A scenario document that cannot be used; ``problems`` are ``field: reason`` lines."""

    def __init__(self, source: str, found: list[str]) -> None:
        self.source = source
        self.problems = found
        super().__init__("\n".join(f"{source}: {problem}" for problem in found))


def check_scenario(
    document: Any, *, source: str, routes: Iterable[Route] | None = None, schema: bool = True
) -> Scenario:
    """A scenario from a parsed document, or :class:`ScenarioError` naming every bad field.

    ``routes``, the API's (method, path template) pairs, let rules whose path or method no
    operation has be refused too (:mod:`sandbox.scenario.lint`). ``schema=False`` skips the
    JSON Schema check, for the package's own scenarios only (the test suite checks them)."""
    shape = _value_problems(document)
    if shape:
        raise ScenarioError(source, shape)
    linted = rule_problems(document, routes)
    found = problems(document, "scenario") if schema else []
    if linted:
        # The lint says better why a match field is not one: drop the schema's word for it.
        covered = {line.split(": ", 1)[0].rsplit(".", 1)[0] for line in linted}
        found = [p for p in found if not _unexpected_in(p, covered)]
    if found or linted:
        raise ScenarioError(source, linted + found)
    rules = document.get("rules", [])
    extra = [*_respond_problems(rules)]
    extra += [
        f"rules[{i}].latency: min must not exceed max"
        for i, rule in enumerate(rules)
        if isinstance(rule.get("latency"), dict)
        and "min" in rule["latency"]
        and rule["latency"]["min"] > rule["latency"]["max"]
    ]
    for name in ("orders", "shipping"):
        spec = document.get(name, {})
        if spec.get("progression") == "manual" and "times" not in spec:
            extra.append(f"{name}.times: is required by the manual progression")
        if spec.get("progression") == "time" and "seconds" not in spec:
            extra.append(f"{name}.seconds: is required by the time progression")
    if extra:
        raise ScenarioError(source, extra)
    return build_scenario(document, source=source)


_UNEXPECTED = re.compile(r"^(rules\[\d+\]\.match): Additional properties are not allowed")


def _unexpected_in(problem: str, fields: set[str]) -> bool:
    found = _UNEXPECTED.match(problem)
    return found is not None and found.group(1) in fields


def load_scenario(
    path: str | Path, *, routes: Iterable[Route] | None = None, schema: bool = True
) -> Scenario:
    """Read and check one scenario file."""
    return check_scenario(read_document(path), source=str(path), routes=routes, schema=schema)


def parse_scenario(
    text: bytes,
    *,
    source: str = "<posted>",
    json: bool = False,
    routes: Iterable[Route] | None = None,
) -> Scenario:
    """Check a posted scenario document (YAML or JSON). YAML aliases are refused, so a small
    document cannot expand into a huge one."""
    if len(text) > MAX_POSTED:
        raise ScenarioError(source, [
            f"(root): a posted scenario is at most {MAX_POSTED // 1024} KiB "
            f"(this one is {len(text)} bytes)"
        ])  # fmt: skip
    if not json:
        structure = _yaml_structure_problem(text)
        if structure is not None:
            raise ScenarioError(source, [structure])
    try:
        document = parse_document(text, source=source, json=json)
    except FixtureError as exc:
        raise ScenarioError(source, [f"(root): {str(exc).removeprefix(source + ': ')}"]) from None
    return check_scenario(document, source=source, routes=routes)


def _yaml_structure_problem(text: bytes) -> str | None:
    """An alias, or nesting deeper than :data:`MAX_DEPTH`, found by one scan of the events
    (the parse proper reports a document that does not parse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, yaml.AliasEvent):
                return "(root): YAML anchors and aliases are not accepted"
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return f"(root): nested deeper than {MAX_DEPTH} levels"
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def _value_problems(document: Any) -> list[str]:
    """Values JSON cannot carry, and nesting deeper than :data:`MAX_DEPTH`, each with its
    field; one iterative walk, so a hostile document costs time linear in its size."""
    found: list[str] = []
    stack: list[tuple[Any, str, int]] = [(document, "(root)", 0)]
    while stack and len(found) < 10:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            found.append(f"(root): nested deeper than {MAX_DEPTH} levels")
            break
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    found.append(f"{where}: key {key!r} is not a string")
                else:
                    stack.append((item, key if where == "(root)" else f"{where}.{key}", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            found.append(f"{where}: must be a finite number, not {value}")
        elif value is not None and not isinstance(value, str | int | float | bool):
            found.append(f"{where}: a {type(value).__name__} cannot be sent as JSON")
    return found


def _respond_problems(rules: list[dict[str, Any]]) -> list[str]:
    """Scripted replies that could not be sent: a body JSON cannot encode, a header name that
    is no HTTP token or a value with control characters (CR, LF...)."""
    found = []
    for i, rule in enumerate(rules):
        respond = rule.get("respond") or {}
        if "body" in respond:
            try:
                orjson.dumps(respond["body"])
            except TypeError as exc:
                found.append(f"rules[{i}].respond.body: cannot be sent as JSON ({exc})")
        for name, value in (respond.get("headers") or {}).items():
            if not _HEADER_NAME.match(name):
                found.append(f"rules[{i}].respond.headers: {name!r} is not a valid header name")
            elif not _HEADER_VALUE.match(value):
                found.append(f"rules[{i}].respond.headers.{name}: must not hold control characters")
    return found


def is_scenario_document(document: Any) -> bool:
    """Whether a parsed file looks like a scenario rather than a fixture (fixtures carry
    ``users`` and ``keys``; scenarios a ``name``)."""
    return isinstance(document, dict) and "name" in document and "users" not in document


@functools.cache
def bundled_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped with the package, by name (read once; scenarios are frozen).
    The test suite checks them against the JSON Schema (``sandbox validate``,
    tests/test_validate.py), so a start does not: see :func:`sandbox.fixtures.load_fixture`."""
    folder = resources.files("sandbox").joinpath("bundled/scenarios")
    found: dict[str, Scenario] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml", ".json")):
            scenario = load_scenario(Path(str(entry)), schema=False)
            found[scenario.name] = dataclasses.replace(scenario, source=f"bundled/{entry.name}")
    return found


def resolve(
    spec: str, known: dict[str, Scenario], routes: Iterable[Route] | None = None
) -> Scenario:
    """A ``--scenario`` value: the name of a known scenario, or a path to a file (its rules
    checked against ``routes``, when given)."""
    if spec in known:
        return known[spec]
    if spec.endswith((".yaml", ".yml", ".json")) or "/" in spec or Path(spec).exists():
        return load_scenario(spec, routes=routes)
    raise FixtureError(
        f"{spec}: no such scenario (bundled: {', '.join(sorted(known)) or 'none'}) "
        "and not a scenario file"
    )
