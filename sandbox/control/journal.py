"""The request journal: ``GET|DELETE /__sandbox/requests``.

With a key: that tenant's entries. Without one: every entry of the sandbox, every tenant's
and the anonymous ones (requests without a known key), newest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.http.shapes import INTEGER, STRING, TIMESTAMP, array, nullable, obj

if TYPE_CHECKING:
    from sandbox.admin import ControlCall, ControlOperation


def list_requests(call: ControlCall) -> list[dict[str, Any]]:
    query = call.query  # validated against FILTERS_QUERY by the control plane
    return call.app.journal.entries(
        call.user_id,
        everyone=call.key is None,
        method=query.get("method") or None,
        path=query.get("path") or None,
        status=query.get("status") or None,
    )


def clear_requests(call: ControlCall) -> dict[str, Any]:
    call.app.journal.clear(call.user_id, everyone=call.key is None)
    return {"cleared": True}


ENTRY_SHAPE = obj({
    "requestId": STRING, "method": STRING, "path": STRING,
    "query": {"type": "object", "additionalProperties": {"anyOf": [STRING, array(STRING)]}},
    "key": nullable(STRING),
    "body": {"description": "The parsed JSON body, the raw text when not JSON, or null"},
    "status": nullable(INTEGER), "scenario": nullable(STRING), "time": TIMESTAMP,
})  # fmt: skip
FILTERS_QUERY = {
    "type": "object",
    "properties": {
        "method": {"type": "string", "description": "HTTP method (any case)"},
        "path": {"type": "string", "description": "The request path, matched exactly"},
        "status": {"type": "integer", "description": "Response status"},
    },
    "additionalProperties": False,
}


def _operations() -> tuple[ControlOperation, ...]:
    from sandbox.admin import ControlOperation

    return (
        ControlOperation("GET", "/requests", list_requests, response=array(ENTRY_SHAPE),
                         query=FILTERS_QUERY,
                         summary="The request journal, newest first; ?method=&path=&status=."),
        ControlOperation("DELETE", "/requests", clear_requests,
                         response=obj({"cleared": {"const": True}}),
                         summary="Clear the request journal."),
    )  # fmt: skip


OPERATIONS = _operations()
