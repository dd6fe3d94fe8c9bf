"""``application/x-www-form-urlencoded`` bodies as body-parser's extended parser (``qs``)
reads them, since NestJS parses them like JSON: ``items[0][skuId]=s001&items[0][quantity]=2``
is ``{"items": [{"skuId": "s001", "quantity": "2"}]}``.

Every value is a string, as in ``qs``; a repeated name is a list; ``a[]=x`` appends; bracketed
integer keys up to :data:`ARRAY_LIMIT` (or the number of parameters, if larger) make an array,
compacted in index order; larger or mixed keys make an object. Keys nest at most
:data:`DEPTH` levels (deeper brackets stay one literal key, as body-parser 2 sets ``qs``), more
than :data:`PARAMETER_LIMIT` parameters is body-parser's 413 ``too many parameters``, and the
whole parse is linear in the body's length.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from sandbox.errors import PayloadTooLarge

PARAMETER_LIMIT = 1000
ARRAY_LIMIT = 100
DEPTH = 32

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")


def parse_form(text: str) -> dict[str, Any]:
    """The object body-parser's ``urlencoded({extended: true})`` makes of ``text``."""
    parts = [part for part in text.split("&") if part]
    if len(parts) > PARAMETER_LIMIT:
        raise PayloadTooLarge("too many parameters")
    root: dict[str, Any] = {}
    for part in parts:
        key, _, value = part.partition("=")
        name = _decoded(key)
        if name:
            _assign(root, _segments(name), _decoded(value))
    limit = max(ARRAY_LIMIT, len(parts))
    result: dict[str, Any] = _arrays(root, limit)
    return result


def _decoded(text: str) -> str:
    # qs decodes with decodeURIComponent and keeps the text as it was when that throws.
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def _segments(name: str) -> list[str]:
    first = name.find("[")
    if first <= 0:  # no brackets, or a leading bracket: qs reads "[a]" as "a"
        if first < 0:
            return [name]
        first = 0
    segments = [name[:first]] if first else []
    position = first
    for match in _BRACKETS.finditer(name, first):
        if match.start() != position or len(segments) > DEPTH:
            break
        segments.append(match.group(1))
        position = match.end()
    if position < len(name):
        segments.append(name[position:])  # what is left past the depth, one literal key
    return segments or [name]


def _assign(root: dict[str, Any], segments: list[str], value: str) -> None:
    node = root
    for segment in segments[:-1]:
        key = segment if segment else str(_next_index(node))
        child = node.get(key)
        if not isinstance(child, dict):
            child = {} if child is None else {"0": child}
            node[key] = child
        node = child
    last = segments[-1]
    if not last:
        node[str(_next_index(node))] = value
        return
    previous = node.get(last)
    if previous is None:
        node[last] = value
    elif isinstance(previous, list):
        previous.append(value)
    elif isinstance(previous, str):
        node[last] = [previous, value]
    else:
        previous[str(_next_index(previous))] = value


def _next_index(node: dict[str, Any]) -> int:
    """Where ``a[]`` appends: after every entry (an array's length)."""
    return len(node)


def _arrays(node: Any, limit: int) -> Any:
    """Objects whose keys are all array indices up to ``limit`` become arrays."""
    if isinstance(node, list):
        return [_arrays(value, limit) for value in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _arrays(value, limit) for key, value in node.items()}
    if converted and all(_INDEX.fullmatch(key) and int(key) <= limit for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
