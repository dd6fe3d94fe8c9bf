"""The request journal: ``GET|DELETE /__sandbox/requests`` and
``GET /__sandbox/requests/{requestId}``.

With a key: that tenant's entries. Without one: every entry of the sandbox, every tenant's
and the anonymous ones (requests without a known key), newest first. The ``path`` filter
matches a path with or without ``/v1`` (``/cart`` finds ``GET /v1/cart`` too), as scenario
rules do; ``limit`` keeps the newest entries only (and costs only what it keeps, however full
the journal); one entry is read by the ``X-Request-Id`` of its response.
"""

from __future__ import annotations

from typing import Any

from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.errors import NotFound
from sandbox.http.shapes import INTEGER, STRING, TIMESTAMP, array, nullable, obj
from sandbox.journal import JOURNAL_TOTAL


def list_requests(call: ControlCall) -> list[dict[str, Any]]:
    query = call.query  # validated against FILTERS_QUERY by the control plane
    return call.backend.journal.entries(
        call.user_id,
        everyone=call.key is None,
        method=query.get("method") or None,
        path=query.get("path") or None,
        status=query.get("status") or None,
        limit=query.get("limit"),
    )


class UnknownRequest(NotFound):
    """404: no journal entry (of the key's tenant, with a key) has that request id."""

    default_message = "Request not found"


def get_request(call: ControlCall) -> dict[str, Any]:
    request_id = call.params["requestId"]
    entry = call.backend.journal.find(request_id, call.user_id, everyone=call.key is None)
    if entry is None:
        raise UnknownRequest(
            f"Request {request_id} not found" + (" in this tenant's journal" if call.key else "")
        )
    return entry


def clear_requests(call: ControlCall) -> dict[str, Any]:
    call.backend.journal.clear(call.user_id, everyone=call.key is None)
    return {"cleared": True}


ENTRY_SHAPE = obj({
    "requestId": STRING, "method": STRING, "path": STRING,
    "query": {"type": "object", "additionalProperties": {"anyOf": [STRING, array(STRING)]}},
    "key": nullable(STRING),
    "body": {"description": "The parsed JSON body, the raw text when not JSON, or null"},
    "status": nullable(INTEGER), "scenario": nullable(STRING), "time": TIMESTAMP,
    "response": {"description": "The response body: parsed JSON, the raw text, or null"},
    "durationMs": {"type": "number", "minimum": 0,
                   "description": "Milliseconds from the request's arrival to its reply"},
})  # fmt: skip
FILTERS_QUERY = {
    "type": "object",
    "properties": {
        "method": {"type": "string", "description": "HTTP method (any case)"},
        "path": {"type": "string", "description": "The request path, with or without /v1"},
        "status": {"type": "integer", "description": "Response status"},
        "limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": JOURNAL_TOTAL,
            "description": "At most this many entries, the newest (default: all)",
        },
    },
    "additionalProperties": False,
}


OPERATIONS = (
    ControlOperation("GET", "/requests", list_requests, response=array(ENTRY_SHAPE),
                     query=FILTERS_QUERY,
                     summary="The request journal, newest first; ?method=&path=&status=&limit=."),
    ControlOperation("GET", "/requests/{requestId}", get_request, response=ENTRY_SHAPE,
                     summary="One journal entry, by the X-Request-Id of its response."),
    ControlOperation("DELETE", "/requests", clear_requests,
                     response=obj({"cleared": {"const": True}}),
                     summary="Clear the request journal."),
)  # fmt: skip
