"""Scenarios: ``GET /__sandbox/scenarios``, ``POST /__sandbox/scenarios`` (a document, YAML or
JSON) and ``POST /__sandbox/scenarios/{name}/activate|deactivate``.

With a key these act on that key's tenant only (a posted scenario is then known to that tenant
alone); without one, on the whole sandbox. Activating an active scenario, or deactivating an
inactive one, changes nothing. A posted document is only parsed: nothing in it names a file.
"""

from __future__ import annotations

from typing import Any

from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.errors import BadRequest
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


def post_scenario(call: ControlCall) -> dict[str, Any]:
    """Register a posted document and activate it (afresh if it was active)."""
    try:
        if "json" in call.content_type.lower():
            scenario = (
                parse_scenario(call.raw, json=True) if call.raw.strip()
                else check_scenario(None, source="<posted>")
            )  # fmt: skip
        else:
            scenario = parse_scenario(call.raw)
    except ScenarioError as exc:
        raise BadRequest(exc.problems) from None
    call.backend.register(scenario, call.user_id)
    return _view(call, scenario.name, True)


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
