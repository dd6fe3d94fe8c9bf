"""Rendering: the one place that turns data and errors into HTTP bytes.

Success bodies are ``{"data": ...}``; errors are the reference's NestJS shape. Decimals are
written as JSON numbers with their two decimals (``598.00``), exactly as the reference does.
"""

from __future__ import annotations

from decimal import Decimal
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
