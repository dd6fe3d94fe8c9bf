"""One request and the reply it gets, as the pipeline and the journal see them."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from sandbox.errors import ApiError, BadRequest, PayloadTooLarge
from sandbox.http.forms import parse_form
from sandbox.http.responses import JSON_CONTENT_TYPE, Encoded, data_body, error_body
from sandbox.querystring import parse_query

Headers = list[tuple[bytes, bytes]]

#: The scope extension through which a server offers to write a whole reply in one piece: a
#: callable ``(status, header lines, body) -> bool`` (see ``sandbox.http.limits.ReplyWriter``).
WRITE_REPLY = "sandbox.write_reply"


class ClientGone(Exception):
    """The client went away before its request's body was complete: nothing to answer."""


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    headers: Headers = field(default_factory=list)
    content_type: bytes = JSON_CONTENT_TYPE
    #: The body's weak ``ETag``, sent with it (see ``endpoint.conditional``).
    etag: bytes | None = None

    @classmethod
    def data(cls, status: int, data: Any, headers: Headers | None = None) -> Reply:
        if type(data) is Encoded:
            return cls(status, data.body, headers or [], etag=data.etag)
        return cls(status, data_body(data), headers or [])

    @classmethod
    def error(cls, error: ApiError, headers: Headers | None = None) -> Reply:
        extra = [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
        merged = {name: value for name, value in (headers or [])}
        merged.update(extra)
        return cls(error.status_code, error_body(error), list(merged.items()))


class UnsupportedCharset(ApiError):
    """415: a JSON or form body in a charset other than UTF-8 (body-parser's wording)."""

    status_code = 415


class Exchange:
    """The parsed request: method, paths, headers, query and body."""

    __slots__ = (
        "_headers",
        "_json",
        "body",
        "encoded",
        "form",
        "key",
        "method",
        "now",
        "outcome",
        "path",
        "query_string",
        "rate_headers",
        "raw_headers",
        "raw_path",
        "request_id",
        "scenario",
        "scope",
        "sent_path",
        "started",
        "user_id",
        "writer",
    )

    def __init__(self, scope: Mapping[str, Any], request_id: str) -> None:
        self.scope = scope
        self.started = time.perf_counter()
        self.request_id = request_id
        self.method: str = scope["method"]
        self.raw_path: str = route_path(scope)  # percent-decoded, as the journal shows it
        self.query_string: str = scope.get("query_string", b"").decode("latin-1")
        #: The request's headers as sent (lower-case names; of a repeated one, the last).
        self.raw_headers: dict[bytes, bytes] = dict(scope["headers"])
        self._headers: dict[str, str] | None = None
        # Express routes the path as sent and decodes only the parameters it captures, so a
        # percent-encoded path is routed undecoded (``encoded``: its parameters are decoded
        # after routing, see routing.decode_params).
        sent = self.raw_path
        raw: bytes | None = scope.get("raw_path")
        self.encoded = raw is not None and b"%" in raw
        if raw is not None and self.encoded:
            sent = raw.decode("latin-1")
            root: str = scope.get("root_path", "")
            if root and sent.startswith(root):
                sent = sent[len(root) :] or "/"
        self.sent_path = sent
        path = sent
        if path.startswith(("/v1", "/V1")) and (len(path) == 3 or path[3] == "/"):
            path = path[3:] or "/"
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]  # Express routes are not strict about a trailing slash
        self.path = path
        self.body = b""
        self._json: Any = None
        self.form = False  # the body was form-encoded: its values are strings
        self.key: str | None = None
        self.user_id: int | None = None  # the tenant of an authenticated key
        self.now: datetime | None = None  # the tenant's clock when the request was taken
        #: The server's writer of whole replies, when it offers one (sandbox.http.limits).
        extensions = scope.get("extensions")
        self.writer: Any = extensions.get(WRITE_REPLY) if extensions else None
        self.rate_headers: Headers = []
        self.scenario: str | None = None  # the scenario that answered, for the journal
        self.outcome: Any = None  # a scenario's delay or transport fault, applied on send

    @property
    def headers(self) -> dict[str, str]:
        """The headers as text (decoded on first use: the hot path reads ``raw_headers``)."""
        if self._headers is None:
            self._headers = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in self.raw_headers.items()
            }
        return self._headers

    @property
    def url(self) -> str:
        """The original URL, undecoded, as NestJS echoes it in ``Cannot GET /path?query``."""
        path = self.sent_path
        return f"{path}?{self.query_string}" if self.query_string else path

    def bearer(self) -> str | None:
        value = self.raw_headers.get(b"authorization")
        if value is None:
            return None
        scheme, _, token = value.decode("latin-1").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    def query(self) -> dict[str, str | list[str]]:
        return parse_query(self.query_string)

    async def read_body(self, receive: Any, limit: int, forms: bool = True) -> None:
        """Read the body as Express's body-parser does under NestJS: a JSON or form body in
        a charset other than UTF-8 is a 415, over ``limit`` bytes is a 413, and a JSON body
        that does not parse, or whose top level is not an object or an array, is a 400 with
        the parser's message. Only ``application/json`` is JSON (any case, as ``type-is``
        matches it; not ``application/vnd.api+json``); an
        ``application/x-www-form-urlencoded`` body is parsed as ``qs`` does (unless not
        ``forms``: then it is left unparsed, like any other type)."""
        raw = self.raw_headers
        content_type = raw.get(b"content-type")
        kind = _body_kind(content_type.decode("latin-1") if content_type is not None else None)
        if kind == "form" and not forms:
            kind = None
        declared = raw.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge()
        chunks = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone()  # a body cut short is never handled
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge()
            chunks.append(chunk)
            more = message.get("more_body", False)
        self.body = b"".join(chunks)
        if not self.body or kind is None:
            return
        if kind == "form":
            try:
                text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                text = self.body.decode("latin-1")
            self._json = parse_form(text)
            self.form = True
            return
        self._json = parse_json(self.body)

    @property
    def json(self) -> Any:
        """The parsed JSON (or form) body, or ``None`` when there is none (or it is neither)."""
        return self._json


def _body_kind(content_type: str | None) -> str | None:
    """``"json"``, ``"form"`` or None for a ``Content-Type``; 415 for a charset body-parser
    refuses (anything but UTF-8, the one the sandbox reads)."""
    if content_type is None:
        return None
    media, _, parameters = content_type.partition(";")
    media = media.strip().lower()
    kind = _KINDS.get(media)
    if kind is None or not parameters:
        return kind
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            if charset not in ("utf-8", "utf8"):
                raise UnsupportedCharset(f'unsupported charset "{charset.upper()}"')
    return kind


_KINDS = {"application/json": "json", "application/x-www-form-urlencoded": "form"}


def parse_json(body: bytes) -> Any:
    """``body`` as body-parser's strict JSON parser reads it (an object or an array), or a
    400 with the parser's message. A lone UTF-16 surrogate escape (``"\\ud800"``), which
    ``JSON.parse`` accepts, is read as U+FFFD: a string the sandbox stores and answers must be
    valid Unicode."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "surrogate" not in str(exc):
            raise BadRequest(f"Malformed JSON: {exc}") from None
        parsed = _with_lone_surrogates(body, exc)
    if not isinstance(parsed, dict | list):
        raise BadRequest("Malformed JSON: the top level must be an object or an array")
    return parsed


def _with_lone_surrogates(body: bytes, error: orjson.JSONDecodeError) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        parsed = json.loads(body, parse_constant=refuse)
    except (ValueError, RecursionError):
        raise BadRequest(f"Malformed JSON: {error}") from None
    text = _SURROGATE.sub("\ufffd", json.dumps(parsed, ensure_ascii=False))
    return orjson.loads(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def route_path(scope: Mapping[str, Any]) -> str:
    """The path below the application's root (where it is mounted), as Starlette routes it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path
