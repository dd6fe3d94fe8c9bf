"""Routing: operations by method and path inside a plane, and planes by path prefix.

:class:`Router` maps a plane's paths to its operations (the API's, the control plane's).
:class:`Under` is the Starlette route that hands a whole prefix to one plane: unlike
``Mount``, it takes the bare prefix too (``/__sandbox`` is the control plane's own 404), and it
leaves ``root_path`` alone, so a plane sees the same paths however the application is mounted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import unquote

from starlette.routing import BaseRoute, Match, NoMatchFound, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.errors import BadRequest
from sandbox.http.exchange import route_path


class Routed(Protocol):
    """What the router needs of an operation (an API or a control-plane one)."""

    @property
    def method(self) -> str: ...

    @property
    def path(self) -> str: ...


Op = TypeVar("Op", bound=Routed)


class Router(Generic[Op]):
    """Paths to operations by method, as Express routes them: case-insensitively, and a
    ``HEAD`` by the ``GET`` route when there is no ``HEAD`` one. Static paths are one dict
    lookup (two for a path in another case); templated paths are matched with the patterns
    Starlette compiles for them (every parameter a string segment: the pipeline parses ids
    itself, as NestJS's pipes do)."""

    def __init__(self, operations: Iterable[Op]) -> None:
        by_path: dict[str, dict[str, Op]] = {}
        for operation in operations:
            by_path.setdefault(operation.path, {})[operation.method] = operation
        self.static = {p: ops for p, ops in by_path.items() if "{" not in p}
        self.dynamic = [(compile_path(p)[0], ops) for p, ops in by_path.items() if "{" in p]
        # The same, in any case: tried only when the path as written matches nothing.
        self.folded = {p.lower(): ops for p, ops in self.static.items()}
        self.dynamic_folded = [
            (re.compile(pattern.pattern, re.IGNORECASE), ops) for pattern, ops in self.dynamic
        ]

    def match(self, method: str, path: str) -> tuple[Op | None, dict[str, str]]:
        """The operation for ``method`` on ``path`` (None: unknown route or method), and the
        path's parameters."""
        found = self._match(path, self.static, self.dynamic)
        if found is None:
            found = self._match(path.lower(), self.folded, ())
            if found is None:
                found = self._match(path, {}, self.dynamic_folded)
                if found is None:
                    return None, {}
        ops, params = found
        operation = ops.get(method)
        if operation is None and method == "HEAD":
            operation = ops.get("GET")
        return operation, params

    @staticmethod
    def _match(
        path: str,
        static: dict[str, dict[str, Op]],
        dynamic: Iterable[tuple[re.Pattern[str], dict[str, Op]]],
    ) -> tuple[dict[str, Op], dict[str, str]] | None:
        ops = static.get(path)
        if ops is not None:
            return ops, {}
        for pattern, candidates in dynamic:
            found = pattern.match(path)
            if found is not None:
                return candidates, found.groupdict()
        return None


_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def decode_params(params: dict[str, str]) -> dict[str, str]:
    """Path parameters captured from an undecoded path, decoded as Express's router does
    (``decodeURIComponent``): a malformed escape or one that is not UTF-8 is a 400
    ``Failed to decode param '%FF'``."""
    decoded = {}
    for name, raw in params.items():
        try:
            if _MALFORMED_ESCAPE.search(raw):
                raise ValueError(raw)
            decoded[name] = unquote(raw, errors="strict")
        except ValueError:  # UnicodeDecodeError included
            raise BadRequest(f"Failed to decode param '{raw}'") from None
    return decoded


class Under(BaseRoute):
    """Every HTTP request whose path starts with ``path``, handed to ``app`` as it is."""

    def __init__(self, path: str, app: ASGIApp) -> None:
        self.path = path
        self.app = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and route_path(scope).startswith(self.path):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, app={self.app!r})"
