"""Scenarios: ``GET /__sandbox/scenarios``, ``POST /__sandbox/scenarios`` (a document, YAML or
JSON) and ``POST /__sandbox/scenarios/{name}/activate|deactivate``.

With a key these act on that key's tenant only (a posted scenario is then known to that tenant
alone); without one, on the whole sandbox. Activating an active scenario, or deactivating an
inactive one, changes nothing. A posted document is only parsed: nothing in it names a file.

A posted document is read as its ``Content-Type`` says: JSON (``application/json``), YAML
(``application/yaml``, ``application/x-yaml``, ``text/yaml``), or, when the type says neither
(none at all, or curl's default ``application/x-www-form-urlencoded``), JSON if it parses as
JSON and YAML otherwise. A document that does not parse is a 400 saying which format was tried
and how to send the other. Rules whose path or method no API operation has are refused too.
"""

from __future__ import annotations

from typing import Any

from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.errors import BadRequest
from sandbox.http.routes import OPERATIONS as API_OPERATIONS
from sandbox.http.shapes import BOOLEAN, STRING, array, enum, obj, ref
from sandbox.scenario.loader import ScenarioError, check_scenario, parse_scenario
from sandbox.scenario.model import Scenario


def _origin(scenario: Scenario) -> str:
    if scenario.source.startswith("<"):
        return "posted"
    return "bundled" if scenario.source.startswith("bundled/") else "file"


def list_scenarios(call: ControlCall) -> dict[str, Any]:
    engine = call.backend.scenarios
    known = engine.catalogue(call.user_id)
    return {
        "known": [
            {"name": s.name, "description": s.description, "origin": _origin(s)}
            for s in known.values()
        ],
        "active": engine.active_names(call.user_id),
    }


def _view(call: ControlCall, name: str, changed: bool) -> dict[str, Any]:
    return {
        "name": name,
        "active": name in call.backend.scenarios.active_names(call.user_id),
        "changed": changed,
        "scope": "sandbox" if call.key is None else "tenant",
    }


def _switch(call: ControlCall, on: bool) -> dict[str, Any]:
    name = call.params["name"]
    backend = call.backend
    changed = (backend.activate if on else backend.deactivate)(name, call.user_id)
    return _view(call, name, changed)


def activate(call: ControlCall) -> dict[str, Any]:
    return _switch(call, on=True)


def deactivate(call: ControlCall) -> dict[str, Any]:
    return _switch(call, on=False)


#: The API's operations as scenario rules are checked against them: (method, path template).
ROUTES = tuple((op.method, op.path) for op in API_OPERATIONS)

#: Media types a scenario document is read as YAML under.
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")

_SEND_JSON = "to send JSON, use Content-Type: application/json"
_SEND_YAML = "to send YAML, use Content-Type: application/yaml"


def media_type(content_type: str) -> str:
    """``application/yaml`` of ``Application/YAML; charset=utf-8``; empty when none."""
    return content_type.split(";", 1)[0].strip().lower()


def post_scenario(call: ControlCall) -> dict[str, Any]:
    """Register a posted document and activate it (afresh if it was active)."""
    media = media_type(call.content_type)
    try:
        if "json" in media:
            scenario = (
                parse_scenario(call.raw, json=True, routes=ROUTES) if call.raw.strip()
                else check_scenario(None, source="<posted>", routes=ROUTES)
            )  # fmt: skip
        else:  # YAML, declared or not (JSON is YAML too)
            scenario = parse_scenario(call.raw, routes=ROUTES)
    except ScenarioError as exc:
        raise BadRequest([_explained(p, media) for p in exc.problems]) from None
    call.backend.register(scenario, call.user_id)
    return _view(call, scenario.name, True)


def _explained(problem: str, media: str) -> str:
    """A parse error, with the format tried and how to send the other."""
    if problem.startswith("(root): not valid JSON"):
        return f"{problem} (read as JSON, as Content-Type: {media} says; {_SEND_YAML})"
    if problem.startswith("(root): not valid YAML"):
        if media in YAML_TYPES:
            return f"{problem} (read as YAML, as Content-Type: {media} says; {_SEND_JSON})"
        said = f"Content-Type {media} says neither" if media else "no Content-Type was sent"
        return (f"{problem} (read as YAML, since the body is not JSON and {said}; "
                f"{_SEND_YAML}, or {_SEND_JSON})")  # fmt: skip
    return problem


LIST_SHAPE = obj({
    "known": array(obj({"name": STRING, "description": STRING,
                        "origin": enum("bundled", "file", "posted")})),
    "active": array(STRING),
})  # fmt: skip
CHANGE_SHAPE = obj(
    {"name": STRING, "active": BOOLEAN, "changed": BOOLEAN, "scope": enum("sandbox", "tenant")}
)
DOCUMENT = {"application/yaml": ref("ScenarioDocument"),
            "application/json": ref("ScenarioDocument")}  # fmt: skip


OPERATIONS = (
    ControlOperation("GET", "/scenarios", list_scenarios, response=LIST_SHAPE,
                     summary="The scenarios known, and those active."),
    ControlOperation("POST", "/scenarios", post_scenario, status=201,
                     response=CHANGE_SHAPE, document_body=DOCUMENT,
                     summary="Register a scenario document (YAML or JSON) and activate it."),
    ControlOperation("POST", "/scenarios/{name}/activate", activate, response=CHANGE_SHAPE,
                     summary="Activate a known scenario (a no-op when active)."),
    ControlOperation("POST", "/scenarios/{name}/deactivate", deactivate, response=CHANGE_SHAPE,
                     summary="Deactivate a scenario; state it set stays until a reset."),
)  # fmt: skip
