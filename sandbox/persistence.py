"""State files: the whole sandbox state saved atomically and loaded with checks.

A state file is ``{"kind": "commerce-api-sandbox/state", "version": 1, "savedAt", "state"}``
where ``state`` is what ``GET /__sandbox/state`` returns. Saving writes a temporary file in the
same folder (``.NAME.tmp``), fsyncs it, renames it over the target and fsyncs the folder, so the
file always holds the last complete state, whenever the process dies. Loading refuses a corrupt
or foreign file with a message naming the file and the reason; it never replaces it silently.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sandbox.clock import isoformat
from sandbox.errors import ApiError, BadRequest
from sandbox.schemas import problems
from sandbox.store import Store

KIND = "commerce-api-sandbox/state"
VERSION = 1


class StateFileError(ValueError):
    """A state file that cannot be loaded, with its path and the reason."""


class InvalidState(BadRequest):
    """400: a state document that does not match the state schema or contradicts itself."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)


def state_problems(state: Any) -> list[str]:
    """Every reason ``state`` cannot be restored, as ``field: reason``; empty when it can."""
    found = problems(state, "state")
    if found:
        return found
    users = {u["id"] for u in state["users"]}
    found += [
        f"keys[{i}].userId: user {k['userId']} is not in users"
        for i, k in enumerate(state["keys"])
        if k["userId"] not in users
    ]
    found += [
        f"mints[{i}].userId: user {m['userId']} is not in users"
        for i, m in enumerate(state.get("mints", []))
        if m["userId"] not in users
    ]
    if len(users) != len(state["users"]):
        found.append("users: two users have the same id")
    return found


def check_state(state: Any) -> dict[str, Any]:
    """``state`` when it can be restored; :class:`InvalidState` naming every problem else."""
    found = state_problems(state)
    if found:
        raise InvalidState(found)
    checked: dict[str, Any] = state
    return checked


def save_state(store: Store, path: Path) -> str:
    """Write the store's state to ``path`` atomically; returns its ``savedAt``."""
    saved_at = isoformat(datetime.now(UTC))
    document = {
        "kind": KIND,
        "version": VERSION,
        "savedAt": saved_at,
        "state": store.export(),
    }
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    path = Path(path)
    # One fixed name: a save cut short by a kill leaves at most this one file, which the next
    # save overwrites (a name per process would pile up one per killed process).
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a failed save leaves the last complete file alone
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return saved_at


def read_state(path: Path) -> dict[str, Any]:
    """The ``state`` of the file at ``path``, checked; :class:`StateFileError` otherwise."""
    try:
        document = orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise StateFileError(f"{path}: cannot read the state file: {exc.strerror}") from None
    except orjson.JSONDecodeError as exc:
        raise StateFileError(f"{path}: not a sandbox state file (corrupt JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise StateFileError(f'{path}: not a sandbox state file (no "kind": "{KIND}")')
    if document.get("version") != VERSION:
        raise StateFileError(
            f"{path}: state file version {document.get('version')!r} is not supported "
            f"(this sandbox reads version {VERSION})"
        )
    found = state_problems(document.get("state"))
    if found:
        raise StateFileError("\n".join(f"{path}: state.{problem}" for problem in found))
    state: dict[str, Any] = document["state"]
    return state


def load_state(store: Store, path: Path) -> None:
    """Replace the store's state with the file's; :class:`StateFileError` when it cannot."""
    state = read_state(path)  # checked
    try:
        store.restore(state)
    except (ApiError, KeyError, ValueError, TypeError, ArithmeticError) as exc:
        reason = exc.message if isinstance(exc, ApiError) else repr(exc)
        raise StateFileError(f"{path}: the state cannot be restored: {reason}") from None


def load_if_present(store: Store, path: Path) -> bool:
    """Load the state file into ``store`` when it exists (``True``). A missing file is made by
    the first save, so only its folder must exist; a file that cannot be loaded is refused
    (:class:`StateFileError`) and left as it is."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        load_state(store, path)
        return True
    if not path.parent.is_dir():
        raise StateFileError(f"{path}: cannot create the state file: no folder {path.parent}")
    return False
