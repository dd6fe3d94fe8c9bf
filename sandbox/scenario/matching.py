"""What a scenario rule asks of a request, and how long it delays it: pure functions."""

from __future__ import annotations

import math
import random
from typing import Any, Protocol

from sandbox.scenario.model import Latency, Match


class Request(Protocol):
    """What the matcher reads of a request (an :class:`~sandbox.http.exchange.Exchange`)."""

    method: str
    path: str

    @property
    def headers(self) -> dict[str, str]: ...

    def query(self) -> dict[str, str | list[str]]: ...

    @property
    def json(self) -> Any: ...


def matches(match: Match, request: Request, key: str) -> bool:
    """Whether ``request`` (sent with ``key``) meets every condition of ``match``."""
    if match.methods is not None and request.method not in match.methods:
        return False
    if match.path is not None and match.path.fullmatch(request.path) is None:
        return False
    if match.keys is not None and key not in match.keys:
        return False
    for name, value in match.headers:
        if request.headers.get(name) != value:
            return False
    if match.query:
        query = request.query()
        for name, value in match.query:
            found = query.get(name)
            if found != value and not (isinstance(found, list) and value in found):
                return False
    if match.body:
        body = request.json
        for path, value in match.body:
            if not _equal(_field(body, path), value):
                return False
    return True


_MISSING = object()


def _field(document: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if isinstance(document, dict) and part in document:
            document = document[part]
        elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        else:
            return _MISSING
    return document


def _equal(found: Any, wanted: Any) -> bool:
    """JSON equality: numbers compare by value, but a bool is not a number."""
    if found is _MISSING or isinstance(found, bool) != isinstance(wanted, bool):
        return False
    numbers = isinstance(found, int | float) and isinstance(wanted, int | float)
    return bool(found == wanted) and (numbers or type(found) is type(wanted))


def sample_latency(latency: Latency, rng: random.Random) -> float:
    """Milliseconds of added latency, drawn from ``rng``."""
    if latency.median is not None:
        if latency.median <= 0:
            return 0.0
        return min(latency.cap, rng.lognormvariate(math.log(latency.median), latency.sigma))
    if latency.high is None:
        return latency.low
    return rng.uniform(latency.low, latency.high)
