"""The sandbox clock: ``GET|PUT /__sandbox/clock`` and ``POST /__sandbox/clock/advance``.

Each tenant has its own clock. With a key these act on that tenant's clock; without one,
advancing and setting act on every tenant's clock and reads show the fixture's first user's.
Moving a clock forward fires every progression step due on the way, each at its own moment,
and ends every rate-limit window that has run out (windows are read from the clock).
"""

from __future__ import annotations

from typing import Any

from sandbox.clock import isoformat, parse_iso
from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.domain.tenant import Tenant
from sandbox.errors import ValidationFailed
from sandbox.http.operations import body_schema
from sandbox.http.shapes import BOOLEAN, TIMESTAMP, obj

#: Ten years: the furthest one call may move a clock.
MAX_SECONDS = 10 * 366 * 24 * 3600


def clock_view(tenant: Tenant) -> dict[str, Any]:
    return {"now": isoformat(tenant.clock.now()), "frozen": tenant.clock.frozen}


def get_clock(call: ControlCall) -> dict[str, Any]:
    return clock_view(call.default_tenant())


def advance_clock(call: ControlCall) -> dict[str, Any]:
    call.backend.advance_clock(call.user_id, call.body["seconds"])
    return clock_view(call.default_tenant())


def set_clock(call: ControlCall) -> dict[str, Any]:
    body = call.body
    if not body:
        raise ValidationFailed(["now or frozen must be given"])
    now = None
    if "now" in body:
        try:
            now = parse_iso(body["now"])
        except ValueError:
            raise ValidationFailed(["now must be a valid ISO 8601 date string"]) from None
    call.backend.set_clock(call.user_id, now, body.get("frozen"))
    return clock_view(call.default_tenant())


ADVANCE_BODY = body_schema(
    {"seconds": {"type": "number", "minimum": 0, "maximum": MAX_SECONDS}}, ("seconds",)
)
SET_BODY = {
    **body_schema({"now": {"type": "string"}, "frozen": {"type": "boolean"}}),
    "anyOf": [{"required": ["now"]}, {"required": ["frozen"]}],
    "x-messages": ["now or frozen must be given"],
}
CLOCK_SHAPE = obj({"now": TIMESTAMP, "frozen": BOOLEAN})


OPERATIONS = (
    ControlOperation("GET", "/clock", get_clock, response=CLOCK_SHAPE,
                     summary="The sandbox clock, as {now, frozen}."),
    ControlOperation("POST", "/clock/advance", advance_clock, body=ADVANCE_BODY,
                     response=CLOCK_SHAPE,
                     summary="Move the clock forward, firing every step and window due."),
    ControlOperation("PUT", "/clock", set_clock, body=SET_BODY, response=CLOCK_SHAPE,
                     summary="Set the clock (now) and freeze or thaw it (frozen)."),
)  # fmt: skip
