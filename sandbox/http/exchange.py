"""One request and the reply it gets, as the pipeline and the journal see them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from sandbox.errors import ApiError, BadRequest, PayloadTooLarge
from sandbox.http.responses import JSON_CONTENT_TYPE, data_body, error_body
from sandbox.querystring import parse_query

Headers = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    headers: Headers = field(default_factory=list)
    content_type: bytes = JSON_CONTENT_TYPE

    @classmethod
    def data(cls, status: int, data: Any, headers: Headers | None = None) -> Reply:
        return cls(status, data_body(data), headers or [])

    @classmethod
    def error(cls, error: ApiError, headers: Headers | None = None) -> Reply:
        extra = [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
        merged = {name: value for name, value in (headers or [])}
        merged.update(extra)
        return cls(error.status_code, error_body(error), list(merged.items()))


class Exchange:
    """The parsed request: method, paths, headers, query and body."""

    __slots__ = (
        "_json",
        "body",
        "headers",
        "key",
        "method",
        "outcome",
        "path",
        "query_string",
        "rate_headers",
        "raw_path",
        "request_id",
        "scenario",
        "scope",
        "started",
        "user_id",
    )

    def __init__(self, scope: Mapping[str, Any], request_id: str) -> None:
        self.scope = scope
        self.started = time.perf_counter()
        self.request_id = request_id
        self.method: str = scope["method"]
        self.raw_path: str = route_path(scope)
        self.query_string: str = scope.get("query_string", b"").decode("latin-1")
        self.headers: dict[str, str] = {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
        }
        path = self.raw_path
        if path == "/v1" or path.startswith("/v1/"):
            path = path[3:] or "/"
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]  # Express routes are not strict about a trailing slash
        self.path = path
        self.body = b""
        self._json: Any = None
        self.key: str | None = None
        self.user_id: int | None = None  # the tenant of an authenticated key
        self.rate_headers: Headers = []
        self.scenario: str | None = None  # the scenario that answered, for the journal
        self.outcome: Any = None  # a scenario's delay or transport fault, applied on send

    @property
    def url(self) -> str:
        """The original URL, as NestJS echoes it in ``Cannot GET /path?query``."""
        return f"{self.raw_path}?{self.query_string}" if self.query_string else self.raw_path

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    def query(self) -> dict[str, str | list[str]]:
        return parse_query(self.query_string)

    async def read_body(self, receive: Any, limit: int) -> None:
        """Read the body as Express's body-parser does: over ``limit`` bytes is a 413, and
        a JSON body that does not parse, or whose top level is not an object or an array,
        is a 400 with the parser's message."""
        declared = self.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge()
        chunks = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge()
            chunks.append(chunk)
            more = message.get("more_body", False)
        self.body = b"".join(chunks)
        if self.body and "json" in self.headers.get("content-type", ""):
            try:
                parsed = orjson.loads(self.body)
            except orjson.JSONDecodeError as exc:
                raise BadRequest(f"Malformed JSON: {exc}") from None
            if not isinstance(parsed, dict | list):
                raise BadRequest("Malformed JSON: the top level must be an object or an array")
            self._json = parsed

    @property
    def json(self) -> Any:
        """The parsed JSON body, or ``None`` when there is none (or it is not JSON)."""
        return self._json


def route_path(scope: Mapping[str, Any]) -> str:
    """The path below the application's root (where it is mounted), as Starlette routes it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path
