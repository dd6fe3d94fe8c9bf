"""The whole state: ``GET|PUT /__sandbox/state``.

With a key: that tenant's state, in the fixture's ``users[]`` format. Without one: the store's
export (keys, minted tenants, 1688 imports and every user). ``PUT`` takes exactly what ``GET``
returned; a document that does not check is a 400 naming the field, and changes nothing. A
large one is checked and built in a worker thread (``prepare``), then put in place at once.

``POST /__sandbox/state/save`` writes the whole sandbox (whatever key is sent) to the state file
of ``--state-file`` / ``SANDBOX_STATE_FILE``, atomically (:mod:`sandbox.persistence`); without a
state file it is a 409, since it is the server's configuration, not the request, that is amiss.
"""

from __future__ import annotations

from typing import Any

from sandbox.control.operation import ControlCall, ControlOperation
from sandbox.errors import ApiError, BadRequest, Conflict
from sandbox.http.shapes import INTEGER, STRING, const, obj, one_of, ref
from sandbox.persistence import save_state


def get_state(call: ControlCall) -> dict[str, Any]:
    return call.backend.export(call.user_id)


def prepare_state(call: ControlCall) -> Any:
    """Check and build the document, changing nothing (in a worker thread when it is large):
    a 400 for one that does not check, or that the domain cannot read."""
    backend, user_id = call.backend, call.user_id
    if user_id is not None:
        return _built(lambda: backend.prepare_tenant(user_id, call.document))
    return _built(lambda: backend.prepare_restore(call.document))


def put_state(call: ControlCall) -> dict[str, Any]:
    backend, user_id = call.backend, call.user_id
    if user_id is not None:
        backend.install_tenant(user_id, call.prepared)
        return {"scope": "tenant", "userId": user_id, "message": "Tenant state restored"}
    backend.install(call.prepared)
    return {"scope": "sandbox", "message": "Sandbox state restored"}


def save_state_file(call: ControlCall) -> dict[str, Any]:
    path = call.settings.state_file
    if path is None:
        raise NoStateFile()
    try:
        saved_at = save_state(call.backend.store, path)
    except OSError as exc:
        raise ApiError(f"Cannot save the state to {path}: {exc.strerror}") from None
    return {"path": str(path), "savedAt": saved_at, "message": "State saved"}


class NoStateFile(Conflict):
    """409: ``POST /__sandbox/state/save`` on a sandbox started without a state file."""

    default_message = (
        "No state file: start the sandbox with --state-file PATH (or SANDBOX_STATE_FILE)"
    )


def _built(build: Any) -> Any:
    """Run ``build``, turning a document the domain cannot read into a 400."""
    try:
        return build()
    except ApiError:
        raise
    except (KeyError, ValueError, TypeError, ArithmeticError) as exc:
        raise BadRequest([f"(root): the state cannot be restored: {exc!r}"]) from None


STATE_SHAPE = one_of(ref("TenantState"), ref("SandboxState"))
RESTORED_SHAPE = one_of(
    obj({"scope": const("tenant"), "userId": INTEGER, "message": STRING}),
    obj({"scope": const("sandbox"), "message": STRING}),
)
SAVED_SHAPE = obj({"path": STRING, "savedAt": STRING, "message": STRING})


OPERATIONS = (
    ControlOperation("GET", "/state", get_state, response=STATE_SHAPE,
                     summary="The whole state (or the key's tenant's) as JSON."),
    ControlOperation("PUT", "/state", put_state, response=RESTORED_SHAPE, prepare=prepare_state,
                     document_body={"application/json": STATE_SHAPE},
                     summary="Restore a state GET /__sandbox/state returned."),
    ControlOperation("POST", "/state/save", save_state_file, response=SAVED_SHAPE, errors=(409,),
                     summary="Save the whole state to the state file (409 without one)."),
)  # fmt: skip
