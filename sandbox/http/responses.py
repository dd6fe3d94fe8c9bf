"""Rendering: the one place that turns data and errors into HTTP bytes.

Success bodies are ``{"data": ...}``; errors are the reference's NestJS shape. Decimals are
written as JSON numbers with their two decimals (``598.00``), exactly as the reference does.
"""

from __future__ import annotations

from binascii import b2a_base64
from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha1
from typing import Any

import orjson

from sandbox.errors import ApiError

JSON_CONTENT_TYPE = b"application/json; charset=utf-8"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value).encode())
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)


def data_body(data: Any) -> bytes:
    return dumps({"data": data})


def error_body(error: ApiError) -> bytes:
    return dumps(error.body())


def weak_etag(body: bytes) -> bytes:
    """Express's default ``ETag`` of a body (the ``etag`` package, weak): ``W/"<length in
    hex>-<the first 27 characters of its SHA-1 in base64>"``."""
    return b'W/"%x-%s"' % (len(body), b2a_base64(sha1(body).digest(), newline=False)[:27])


@dataclass(frozen=True, slots=True)
class Encoded:
    """A success body encoded once, with its ``ETag``: what a handler may return for data
    that never changes (a product's catalog view), so that serving it again costs neither the
    encoding nor the hash."""

    body: bytes
    etag: bytes

    @classmethod
    def of(cls, data: Any) -> Encoded:
        body = data_body(data)
        return cls(body, weak_etag(body))
