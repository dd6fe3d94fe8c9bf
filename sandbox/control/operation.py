"""What a control-plane handler is declared as, and what it is called with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.backend import Backend
from sandbox.domain.access import ApiKey
from sandbox.domain.tenant import Tenant
from sandbox.http.validation import check_schema
from sandbox.settings import Settings


@dataclass(slots=True)
class ControlCall:
    """What a control handler gets: the backend, the key's tenant (if a key was sent), the
    path parameters, the validated body, and the raw request for handlers that read it."""

    backend: Backend
    settings: Settings
    key: ApiKey | None  # the tenant's key when the request names one
    tenant: Tenant | None
    params: dict[str, str]
    body: dict[str, Any]
    query: dict[str, Any] = field(default_factory=dict)  # validated against the op's query
    raw: bytes = b""
    content_type: str = ""
    document: Any = None  # the JSON body as sent, for handlers that check it themselves
    prepared: Any = None  # what the operation's ``prepare`` returned, when it has one

    @property
    def user_id(self) -> int | None:
        """The key's user, or None: the call acts on the whole sandbox."""
        return self.key.user_id if self.key is not None else None

    def default_tenant(self) -> Tenant:
        """The key's tenant, or the fixture's first user for a sandbox-wide read."""
        if self.tenant is not None:
            return self.tenant
        return self.backend.tenant(self.backend.default_user_id)


@dataclass(frozen=True, slots=True)
class ControlOperation:
    method: str
    path: str  # below /__sandbox, in Starlette syntax
    handler: Callable[[ControlCall], Any]
    status: int = 200
    body: dict[str, Any] | None = None
    summary: str = ""
    #: JSON Schema of ``data`` in the success reply, for the OpenAPI document.
    response: Mapping[str, Any] | None = None
    #: The query parameters the handler reads, validated like a body, for the document too.
    query: Mapping[str, Any] | None = None
    #: A request body the handler checks itself: media type to JSON Schema, for the document.
    document_body: Mapping[str, Mapping[str, Any]] | None = None
    #: Statuses the handler can answer beyond the control plane's 400, 401, 404 and 413.
    errors: tuple[int, ...] = ()
    #: The slow half of the handler that changes nothing (checking and building a large
    #: document), run in a worker thread before it, so that the sandbox goes on serving; the
    #: handler finds its result in ``ControlCall.prepared`` and applies it on the event loop.
    prepare: Callable[[ControlCall], Any] | None = None

    def __post_init__(self) -> None:
        for schema in (self.body, self.query):
            if schema is not None:
                check_schema(schema, f"{self.method} /__sandbox{self.path}")
