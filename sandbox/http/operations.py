"""Operations: one declarative entry per endpoint.

An :class:`Operation` names its method, path, required scope, success status, request
schemas and handler. The dispatcher enforces the pipeline (authentication, rate limit, scope,
validation, handler) and the OpenAPI document is generated from the same table, so the
contract and the behaviour are one source.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.backend import Backend
from sandbox.domain.access import ApiKey
from sandbox.domain.tenant import Tenant
from sandbox.http.validation import check_schema
from sandbox.store import Store


@dataclass(slots=True)
class Call:
    """What a handler gets: the caller's tenant and the validated request."""

    backend: Backend
    key: ApiKey
    tenant: Tenant
    params: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any]

    @property
    def store(self) -> Store:
        return self.backend.store

    @property
    def now(self) -> datetime:
        return self.tenant.clock.now()


Handler = Callable[[Call], Any]


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str  # Starlette syntax: "/products/{id}"
    handler: Handler
    scope: str
    status: int = 200
    summary: str = ""
    int_params: tuple[str, ...] = ()  # path parameters parsed by ParseIntPipe
    body: Mapping[str, Any] | None = None
    query: Mapping[str, Any] | None = None
    response: Mapping[str, Any] | None = None  # JSON Schema of ``data``
    inferred: bool = False  # not shown in the reference, inferred from it (SPEC §4)
    #: Statuses the handler's domain can answer (404, 409) beyond the pipeline's own
    #: 400, 401, 403, 413 and 429, which every operation can answer.
    errors: tuple[int, ...] = ()
    #: Its answer depends only on the tenant's own state (not on the clock or the shared
    #: catalog): it is encoded once per state and served again (sandbox.replies).
    cached: bool = False

    def __post_init__(self) -> None:
        for schema in (self.body, self.query):
            if schema is not None:
                check_schema(schema, f"{self.method} {self.path}")


def body_schema(properties: Mapping[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A request body DTO: the listed properties and no others."""
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(required),
        "additionalProperties": False,
    }


#: The largest integer a JSON number carries exactly (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1

#: ``page`` and ``limit`` as every paginated list takes them (SPEC §3, Pagination). A page is
#: echoed in the reply, so it stays a number JSON carries exactly.
PAGINATION: dict[str, Any] = {
    "page": {"type": "integer", "minimum": 1, "maximum": MAX_SAFE_INTEGER, "default": 1},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
}

#: An id the reference shows both as a string and as an integer.
ID_STRING_OR_INTEGER: dict[str, Any] = {
    "anyOf": [{"type": "string", "pattern": r"^[0-9]{1,18}$"}, {"type": "integer", "minimum": 1}],
    "x-messages": ["{} must be a numeric string or a positive integer"],
}


def page_of(
    items: list[Any], query: Mapping[str, Any], view: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """``{"items", "total", "page", "limit"}`` for one page of ``items``, each rendered by
    ``view`` when given (only the page's items are rendered)."""
    page = query.get("page", 1)
    limit = query.get("limit", 20)
    start = (page - 1) * limit
    chosen = items[start : start + limit]
    return {
        "items": chosen if view is None else [view(item) for item in chosen],
        "total": len(items),
        "page": page,
        "limit": limit,
    }


def page_by_status(
    items: Iterable[Any], query: Mapping[str, Any], view: Callable[[Any], Any]
) -> dict[str, Any]:
    """One page of the ``items`` whose ``status`` is the query's (all without one), each
    rendered by ``view``: only the page's items are rendered."""
    status = query.get("status")
    if status is None and isinstance(items, Sized):  # the page alone, whatever the total
        page, limit = query.get("page", 1), query.get("limit", 20)
        start = (page - 1) * limit
        chosen = list(itertools.islice(items, start, start + limit))
        return {"items": [view(i) for i in chosen], "total": len(items), "page": page,
                "limit": limit}  # fmt: skip
    return page_of([i for i in items if status is None or i.status == status], query, view)
