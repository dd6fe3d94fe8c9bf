"""Scenario documents: YAML or JSON -> JSON Schema check -> :class:`Scenario`.

Files come from the bundled ``scenarios/`` directory, from paths given to ``sandbox serve
--scenario``, or from a document posted to ``/__sandbox/scenarios``. A posted document is only
ever parsed, never used to open a path.
"""

from __future__ import annotations

import dataclasses
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sandbox.fixtures import FixtureError, parse_document, read_document
from sandbox.scenario.model import Scenario, build_scenario
from sandbox.schemas import problems

_YAML_PARSER = getattr(yaml, "CParser", None)


class ScenarioError(FixtureError):
    """A scenario document that cannot be used; ``problems`` are ``field: reason`` lines."""

    def __init__(self, source: str, found: list[str]) -> None:
        self.source = source
        self.problems = found
        super().__init__("\n".join(f"{source}: {problem}" for problem in found))


def check_scenario(document: Any, *, source: str) -> Scenario:
    """A scenario from a parsed document, or :class:`ScenarioError` naming every bad field."""
    found = problems(document, "scenario")
    if found:
        raise ScenarioError(source, found)
    rules = document.get("rules", [])
    extra = [
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


def load_scenario(path: str | Path) -> Scenario:
    """Read and check one scenario file."""
    return check_scenario(read_document(path), source=str(path))


def parse_scenario(text: bytes, *, source: str = "<posted>", json: bool = False) -> Scenario:
    """Check a posted scenario document (YAML or JSON). YAML aliases are refused, so a small
    document cannot expand into a huge one."""
    if not json and _has_alias(text):
        raise ScenarioError(source, ["(root): YAML anchors and aliases are not accepted"])
    try:
        document = parse_document(text, source=source, json=json)
    except FixtureError as exc:
        raise ScenarioError(source, [f"(root): {str(exc).removeprefix(source + ': ')}"]) from None
    return check_scenario(document, source=source)


def _has_alias(text: bytes) -> bool:
    try:
        events = yaml.parse(text, Loader=_YAML_PARSER) if _YAML_PARSER else yaml.parse(text)
        return any(isinstance(event, yaml.AliasEvent) for event in events)
    except yaml.YAMLError:
        return False  # the parse proper reports it


def is_scenario_document(document: Any) -> bool:
    """Whether a parsed file looks like a scenario rather than a fixture (fixtures carry
    ``users`` and ``keys``; scenarios a ``name``)."""
    return isinstance(document, dict) and "name" in document and "users" not in document


@functools.cache
def bundled_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped with the package, by name (read once; scenarios are frozen)."""
    folder = resources.files("sandbox").joinpath("bundled/scenarios")
    found: dict[str, Scenario] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml", ".json")):
            scenario = load_scenario(Path(str(entry)))
            found[scenario.name] = dataclasses.replace(scenario, source=f"bundled/{entry.name}")
    return found


def resolve(spec: str, known: dict[str, Scenario]) -> Scenario:
    """A ``--scenario`` value: the name of a known scenario, or a path to a file."""
    if spec in known:
        return known[spec]
    if spec.endswith((".yaml", ".yml", ".json")) or "/" in spec or Path(spec).exists():
        return load_scenario(spec)
    raise FixtureError(
        f"{spec}: no such scenario (bundled: {', '.join(sorted(known)) or 'none'}) "
        "and not a scenario file"
    )
