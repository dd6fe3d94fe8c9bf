"""Scenario documents: the schema, the loader and the bundled files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.scenario.loader import (
    ScenarioError,
    bundled_scenarios,
    load_scenario,
    parse_scenario,
    resolve,
)
from sandbox.scenario.model import compile_path

SMALLEST = b"""\
name: orders-flaky
description: POST /orders fails twice with 503, then succeeds
rules:
  - match: {method: POST, path: /orders}
    times: 2
    respond: {status: 503}
"""

BUNDLED = {
    "rate-limit-strict", "insufficient-scope", "invalid-key", "server-errors", "slow-network",
    "order-lifecycle", "shipping-lifecycle", "qc-failed", "insufficient-balance", "out-of-stock",
}  # fmt: skip


def test_the_smallest_document_of_the_spec_is_accepted_as_is() -> None:
    scenario = parse_scenario(SMALLEST)
    assert scenario.name == "orders-flaky"
    (rule,) = scenario.rules
    assert rule.times == 2
    assert rule.respond is not None and rule.respond.statuses == (503,)
    assert rule.match.methods == frozenset({"POST"})


def test_the_ten_bundled_scenarios_exist_by_name_each_with_a_description() -> None:
    found = bundled_scenarios()
    assert set(found) == BUNDLED
    assert all(len(s.description) > 40 for s in found.values())


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (b"description: no name\n", "(root): 'name' is a required property"),
        (b"name: Bad Name\n", "name: 'Bad Name' does not match"),
        (b"name: x\nrules: [{respond: {status: 99}}]\n", "rules[0].respond.status"),
        (b"name: x\nrules: [{match: {path: /a}}]\n", "rules[0]"),
        (b"name: x\nrules: [{latency: {min: 9, max: 1}}]\n", "rules[0].latency: min must"),
        (b"name: x\nrules: [{fault: explode}]\n", "rules[0].fault"),
        (b"name: x\nkey: {rateLimit: {limit: 0, windowSeconds: 1}}\n", "key.rateLimit.limit"),
        (b"name: x\norders: {progression: time}\n", "orders.seconds: is required"),
        (b"name: x\nwallet: {available: -1}\n", "wallet.available"),
        (b"name: x\nsurprise: 1\n", "(root): Additional properties"),
        (b"name: [unclosed\n", "(root): not valid YAML"),
        (b"a: &a [1]\nb: *a\nname: x\n", "(root): YAML anchors and aliases are not accepted"),
    ],
)
def test_a_bad_document_is_refused_naming_the_field(document: bytes, field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(document)
    assert any(p.startswith(field) for p in caught.value.problems), caught.value.problems


def test_a_json_document_is_read_as_json() -> None:
    scenario = parse_scenario(b'{"name": "j", "rules": [{"latency": 5}]}', json=True)
    assert scenario.rules[0].latency is not None and scenario.rules[0].latency.low == 5


def test_a_file_is_refused_with_its_path_field_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nrules: [{times: 0, respond: {status: 503}}]\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml: rules\[0\]\.times: 0 is less than"):
        load_scenario(path)


def test_resolve_takes_a_known_name_or_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_bytes(SMALLEST)
    known = bundled_scenarios()
    assert resolve("slow-network", known).name == "slow-network"
    assert resolve(str(path), known).name == "orders-flaky"
    with pytest.raises(ValueError, match="no such scenario"):
        resolve("nope", known)


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("/orders", "/orders", True),
        ("/orders", "/orders/1", False),
        ("/orders/{id}", "/orders/ORD-1", True),
        ("/orders/*", "/orders/ORD-1/status", False),
        ("/orders/**", "/orders/ORD-1/status", True),
        ("/orders/**", "/orders", True),
        ("/**", "/anything/at/all", True),
        ("/a.b", "/axb", False),
    ],
)
def test_path_patterns(pattern: str, path: str, matched: bool) -> None:
    assert (compile_path(pattern).fullmatch(path) is not None) is matched
