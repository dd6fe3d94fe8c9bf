"""Scenario rules that pass the JSON Schema but can never match: found before they are used.

A rule's ``match`` is checked against the API's operations, given by the caller as (method,
path template) pairs (the control plane and the CLI pass ``sandbox.http.routes.OPERATIONS``;
this package does not import the HTTP layer). Each problem is a ``field: reason`` line:

- a ``path`` written with ``/v1`` (rules match the path without it: a request to
  ``/v1/orders`` is matched by ``path: /orders``);
- a ``path`` that no operation has, with the nearest operation named;
- a ``method`` the API does not serve (``FETCH``), or one the path's operations do not take;
- a ``match`` field that a rule does not read, with those it does;
- a ``body`` condition on a rule that only matches requests without a body (``GET``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

#: Every field a rule's ``match`` reads.
MATCH_FIELDS = ("method", "path", "key", "headers", "query", "body")

#: Methods whose requests carry no body the API reads.
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Methods assumed when the caller gives no operations.
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

Route = tuple[str, str]


def rule_problems(document: Any, routes: Iterable[Route] | None = None) -> list[str]:
    """Every ``rules[i].match`` problem of a scenario document (one that may not have passed
    the schema yet: only what can be read is checked)."""
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        return []
    known = [(method.upper(), path) for method, path in routes] if routes is not None else None
    found: list[str] = []
    for i, rule in enumerate(document["rules"]):
        match = rule.get("match") if isinstance(rule, dict) else None
        if isinstance(match, dict):
            found += _match_problems(f"rules[{i}].match", match, known)
    return found


def _match_problems(field: str, match: dict[str, Any], routes: list[Route] | None) -> list[str]:
    found = [
        f"{field}.{name}: a rule cannot match on {name!r}; it matches on " + ", ".join(MATCH_FIELDS)
        for name in match
        if name not in MATCH_FIELDS
    ]
    served = sorted({m for m, _ in routes}) if routes is not None else list(HTTP_METHODS)
    methods = _strings(match.get("method"))
    unknown = [m for m in methods if m.upper() not in served]
    for method in unknown:
        found.append(
            f"{field}.method: {method} is not a method the API serves "
            f"({', '.join(served)}), so the rule never matches"
        )
    path = match.get("path")
    if isinstance(path, str) and path.startswith("/"):
        found += _path_problems(field, path, [m.upper() for m in methods if m not in unknown],
                                routes)  # fmt: skip
    if "body" in match and methods and all(m.upper() in BODYLESS for m in methods):
        found.append(
            f"{field}.body: {'/'.join(m.upper() for m in methods)} requests carry no body, "
            "so the rule never matches; drop body, or match a method that sends one"
        )
    return found


def _path_problems(
    field: str, path: str, methods: Sequence[str], routes: list[Route] | None
) -> list[str]:
    segments = _segments(path)
    if segments[:1] == ["v1"]:
        bare = "/" + "/".join(segments[1:])
        return [
            f"{field}.path: {path} never matches: rule paths are written without /v1, which "
            f"is implied (path: {bare} matches requests to both {bare} and /v1{bare})"
        ]
    if routes is None:
        return []
    reachable = [(m, p) for m, p in routes if _overlap(segments, _segments(p))]
    if not reachable:
        return [
            f"{field}.path: {path} matches no operation of the API; nearest: "
            f"{_nearest(path, methods, routes)} (paths are written without /v1)"
        ]
    if methods and not any(m in methods for m, _ in reachable):
        taken = ", ".join(f"{m} {p}" for m, p in reachable[:4])
        return [
            f"{field}: no operation is {'/'.join(methods)} {path}, so the rule never "
            f"matches; {path} is {taken}"
        ]
    return []


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def _is_variable(segment: str) -> bool:
    return segment == "*" or (segment.startswith("{") and segment.endswith("}"))


def _overlap(rule: list[str], operation: list[str]) -> bool:
    """Whether some request path matches both the rule's pattern (``*``, ``{x}``: one
    segment; ``**``: any rest) and the operation's template (``{x}``: one segment)."""
    if rule and rule[0] == "**":
        return True
    if not rule or not operation:
        return not rule and not operation
    head, op = rule[0], operation[0]
    if not (_is_variable(head) or _is_variable(op) or head.lower() == op.lower()):
        return False
    return _overlap(rule[1:], operation[1:])


def _nearest(path: str, methods: Sequence[str], routes: list[Route]) -> str:
    """The operation whose path reads most like ``path`` (of the rule's methods first)."""
    candidates = [r for r in routes if not methods or r[0] in methods] or routes
    paths = sorted({p for _, p in candidates})
    close = difflib.get_close_matches(path, paths, n=1, cutoff=0.0)
    best = close[0] if close else paths[0]
    return ", ".join(f"{m} {p}" for m, p in candidates if p == best)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
