"""The request journal: what each tenant's clients sent and what they got, bounded.

Every API request is recorded once its status is known, in the journal of the tenant whose key
it carried (or in the sandbox's anonymous journal when the key is missing or unknown). Each
journal is a ring buffer, so memory does not grow with the number of requests. Recording is
cheap (a tuple append); bodies and query strings are parsed only when the journal is read.

Each entry keeps the request body and the response body. A body over :data:`BODY_LIMIT` bytes
is kept cut to that size and marked, so one journal holds at most ``size`` times 32 KiB of
bodies; such a ``body`` (or ``response``) is then the text of its start, ending in
``… [truncated: N bytes]`` (N being the whole size). ``durationMs`` is the wall-clock time the
sandbox took from the request's arrival to its reply (a scenario's added latency included).
"""

from __future__ import annotations

import heapq
import itertools
import os
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

import orjson

from sandbox.clock import isoformat
from sandbox.querystring import parse_query

#: Entries kept per tenant (and for anonymous requests) by default.
JOURNAL_SIZE = 1000

#: Bytes of a request body an entry keeps; a longer one is cut and marked.
BODY_LIMIT = 16 * 1024


class RequestIds:
    """The ``X-Request-Id`` of every request, which its journal entry carries too: a prefix
    random per process (ids of two sandboxes never collide) and a sequence."""

    __slots__ = ("_counter", "prefix")

    def __init__(self) -> None:
        self.prefix = os.urandom(4).hex()
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"req-{self.prefix}-{next(self._counter):08d}"


class Entry(NamedTuple):
    sequence: int
    request_id: str
    method: str
    path: str
    query_string: str
    key: str | None
    body: bytes
    status: int | None
    scenario: str | None
    time: datetime
    response: bytes
    duration_ms: float

    def render(self) -> dict[str, Any]:
        return {
            "requestId": self.request_id,
            "method": self.method,
            "path": self.path,
            "query": parse_query(self.query_string),
            "key": self.key,
            "body": _body(self.body),
            "status": self.status,
            "scenario": self.scenario,
            "time": isoformat(self.time),
            "response": _body(self.response),
            "durationMs": round(self.duration_ms, 3),
        }


class Journal:
    """Per-tenant ring buffers of :class:`Entry`; ``None`` is the anonymous journal."""

    __slots__ = ("_sequence", "books", "size")

    def __init__(self, size: int = JOURNAL_SIZE) -> None:
        self.size = size
        self.books: dict[int | None, deque[Entry]] = {}
        self._sequence = itertools.count()

    def record(
        self,
        user_id: int | None,
        *,
        request_id: str,
        method: str,
        path: str,
        query_string: str,
        key: str | None,
        body: bytes,
        status: int | None,
        scenario: str | None,
        time: datetime,
        response: bytes = b"",
        duration_ms: float = 0.0,
    ) -> None:
        if len(body) > BODY_LIMIT:
            body = truncated(body)
        if len(response) > BODY_LIMIT:
            response = truncated(response)
        book = self.books.get(user_id)
        if book is None:
            book = self.books[user_id] = deque(maxlen=self.size)
        book.append(
            Entry(next(self._sequence), request_id, method, path, query_string, key, body,
                  status, scenario, time, response, duration_ms)
        )  # fmt: skip

    def entries(
        self,
        user_id: int | None = None,
        *,
        everyone: bool = False,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first: one tenant's entries, or with ``everyone`` every journal's."""
        if everyone:
            books: Iterable[deque[Entry]] = list(self.books.values())
        else:
            books = [self.books.get(user_id, deque())]
        newest_first = heapq.merge(*(reversed(b) for b in books), key=lambda e: -e.sequence)
        wanted_method = method.upper() if method else None
        return [
            entry.render()
            for entry in newest_first
            if (wanted_method is None or entry.method == wanted_method)
            and (path is None or entry.path == path)
            and (status is None or entry.status == status)
        ]

    def count(self, user_id: int | None) -> int:
        """How many entries one tenant's journal (``None``: the anonymous one) holds."""
        book = self.books.get(user_id)
        return len(book) if book is not None else 0

    def clear(self, user_id: int | None = None, *, everyone: bool = False) -> None:
        if everyone:
            self.books.clear()
        else:
            self.books.pop(user_id, None)

    def __len__(self) -> int:
        return sum(len(book) for book in self.books.values())


def truncated(body: bytes) -> bytes:
    """The first :data:`BODY_LIMIT` bytes of ``body`` and a marker naming its whole size."""
    return body[:BODY_LIMIT] + f"\u2026 [truncated: {len(body)} bytes]".encode()


def _body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", errors="replace")
