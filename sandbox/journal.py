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

An entry is found again by its request id (:meth:`Journal.find`), and a journal may have a
``listener``, called with each entry as it is recorded (``sandbox serve --log-requests`` prints
one line per request with it: :func:`log_line`).
"""

from __future__ import annotations

import heapq
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

import orjson

from sandbox.clock import isoformat
from sandbox.querystring import parse_query

#: Entries kept per tenant (and for anonymous requests) by default.
JOURNAL_SIZE = 1000

#: Entries kept in all, every tenant's together (then the oldest go first).
JOURNAL_TOTAL = 50_000

#: Bytes of request and response bodies the journal keeps in all (then the oldest go first).
JOURNAL_BYTES = 64 * 2**20

#: Bytes of a request body an entry keeps; a longer one is cut and marked.
BODY_LIMIT = 16 * 1024


class RequestIds:
    """The ``X-Request-Id`` of every request, which its journal entry carries too: a prefix
    random per process (ids of two sandboxes never collide) and a sequence."""

    __slots__ = ("_counter", "_format", "prefix")

    def __init__(self) -> None:
        self.prefix = os.urandom(4).hex()
        self._counter = itertools.count(1)
        self._format = f"req-{self.prefix}-%08d"

    def next(self) -> str:
        return self._format % next(self._counter)


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


#: Called with the tenant (None: anonymous) and each entry as it is recorded.
Listener = Callable[[int | None, Entry], None]


class Journal:
    """Per-tenant ring buffers of :class:`Entry`; ``None`` is the anonymous journal.

    Beside each book's own bound (``size`` entries), the whole journal holds at most ``total``
    entries and ``budget`` bytes of bodies: past either, the oldest entries of the sandbox go
    first, whichever tenant's."""

    __slots__ = ("_arrivals", "_bytes", "_held", "_sequence", "books", "budget", "by_id",
                 "listener", "size", "total")  # fmt: skip

    def __init__(
        self,
        size: int = JOURNAL_SIZE,
        total: int = JOURNAL_TOTAL,
        listener: Listener | None = None,
        budget: int = JOURNAL_BYTES,
    ) -> None:
        self.size = size
        self.total = total
        self.budget = budget
        self.books: dict[int | None, deque[Entry]] = {}
        #: Request id -> (book, entry); an entry its book dropped is skipped by :meth:`find`.
        self.by_id: dict[str, tuple[int | None, Entry]] = {}
        #: Called with each entry as it is recorded (``--log-requests``), or None.
        self.listener = listener
        self._sequence = itertools.count()
        self._arrivals: deque[tuple[int | None, int]] = deque()  # (book, sequence), oldest first
        self._held = 0  # entries in every book
        self._bytes = 0  # their request and response bodies

    def record(
        self,
        user_id: int | None,
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
        sequence = next(self._sequence)
        if len(book) < self.size:
            self._held += 1  # else the book drops its own oldest entry
        else:
            self.by_id.pop(book[0].request_id, None)
            self._bytes -= _size(book[0])
        self._bytes += len(body) + len(response)
        entry = Entry(sequence, request_id, method, path, query_string, key, body,
                      status, scenario, time, response, duration_ms)  # fmt: skip
        book.append(entry)
        self.by_id[request_id] = (user_id, entry)
        if self.listener is not None:
            self.listener(user_id, entry)
        self._arrivals.append((user_id, sequence))
        if self._held > self.total or self._bytes > self.budget:
            self._evict()
        elif len(self._arrivals) > 2 * self.total:
            self._compact()

    def _evict(self) -> None:
        """Drop the sandbox's oldest entries until ``total`` and ``budget`` hold."""
        while (self._held > self.total or self._bytes > self.budget) and self._arrivals:
            user_id, sequence = self._arrivals.popleft()
            book = self.books.get(user_id)
            if book and book[0].sequence == sequence:
                dropped = book.popleft()
                self.by_id.pop(dropped.request_id, None)
                self._bytes -= _size(dropped)
                self._held -= 1
                if not book:
                    del self.books[user_id]

    def _compact(self) -> None:
        """Forget the arrivals of entries that their own book already dropped."""
        held = {(user_id, e.sequence) for user_id, book in self.books.items() for e in book}
        self._arrivals = deque(a for a in self._arrivals if a in held)

    def find(
        self, request_id: str, user_id: int | None = None, *, everyone: bool = False
    ) -> dict[str, Any] | None:
        """The entry of one request (its ``X-Request-Id``), while the journal of ``user_id``
        (with ``everyone``: any journal) still holds it."""
        found = self.by_id.get(request_id)
        if found is None or not (everyone or found[0] == user_id):
            return None
        owner, entry = found
        book = self.books.get(owner)
        # Books drop entries only from their oldest end, or all at once.
        if not book or not book[0].sequence <= entry.sequence <= book[-1].sequence:
            return None
        return entry.render()

    def entries(
        self,
        user_id: int | None = None,
        *,
        everyone: bool = False,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first: one tenant's entries, or with ``everyone`` every journal's; at most
        ``limit`` of them (only those are rendered)."""
        if everyone:
            books: Iterable[deque[Entry]] = list(self.books.values())
        else:
            books = [self.books.get(user_id, deque())]
        newest_first = heapq.merge(*(reversed(b) for b in books), key=lambda e: -e.sequence)
        wanted_method = method.upper() if method else None
        wanted_path = api_path(path) if path is not None else None
        wanted = (
            entry
            for entry in newest_first
            if (wanted_method is None or entry.method == wanted_method)
            and (wanted_path is None or api_path(entry.path) == wanted_path)
            and (status is None or entry.status == status)
        )
        return [entry.render() for entry in itertools.islice(wanted, limit)]

    def count(self, user_id: int | None) -> int:
        """How many entries one tenant's journal (``None``: the anonymous one) holds."""
        book = self.books.get(user_id)
        return len(book) if book is not None else 0

    def clear(self, user_id: int | None = None, *, everyone: bool = False) -> None:
        if everyone:
            self.books.clear()
            self.by_id.clear()
            self._arrivals.clear()
            self._held = self._bytes = 0
        else:
            dropped = self.books.pop(user_id, None)
            if dropped:
                self._held -= len(dropped)  # their arrivals go at the next compaction
                self._bytes -= sum(_size(entry) for entry in dropped)
                for entry in dropped:
                    self.by_id.pop(entry.request_id, None)

    def __len__(self) -> int:
        return self._held


def api_path(path: str) -> str:
    """A path as the API routes it, and as the ``path`` filter compares it: without ``/v1``
    and without a trailing slash (``/v1/cart/`` is ``/cart``)."""
    if path == "/v1" or path.startswith("/v1/"):
        path = path[3:] or "/"
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def log_line(user_id: int | None, entry: Entry) -> str:
    """One request as ``sandbox serve --log-requests`` prints it: the tenant's clock, the
    tenant, method, path and query, status, duration and the scenario that answered."""
    tenant = f"user {user_id}" if user_id is not None else "anonymous"
    target = f"{entry.path}?{entry.query_string}" if entry.query_string else entry.path
    status = "-" if entry.status is None else str(entry.status)
    line = (f"{isoformat(entry.time)}  {tenant:<10}  {entry.method:<6} {target}  {status}  "
            f"{entry.duration_ms:.1f} ms")  # fmt: skip
    return f"{line}  scenario {entry.scenario}" if entry.scenario else line


def print_request(user_id: int | None, entry: Entry) -> None:
    """A journal listener printing :func:`log_line` to standard output."""
    print(log_line(user_id, entry), flush=True)


def _size(entry: Entry) -> int:
    return len(entry.body) + len(entry.response)


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
