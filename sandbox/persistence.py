"""State files: the whole sandbox state saved atomically and loaded with checks.

A state file is ``{"kind": "commerce-api-sandbox/state", "version": 1, "savedAt", "state"}``
where ``state`` is what ``GET /__sandbox/state`` returns. Saving writes a temporary file in the
same folder (``.NAME.tmp``), fsyncs it, renames it over the target and fsyncs the folder, so the
file always holds the last complete state, whenever the process dies. Loading refuses a corrupt
or foreign file with a message naming the file and the reason; it never replaces it silently.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sandbox.clock import EARLIEST, LATEST, in_range, isoformat, parse_iso
from sandbox.durable import DurableState, is_database
from sandbox.errors import ApiError, BadRequest
from sandbox.money import money
from sandbox.schemas import bulk_problems, fast_valid, problems
from sandbox.store import Store

KIND = "commerce-api-sandbox/state"
VERSION = 1


#: Above this many users, a state's users are checked in bulk.
BULK_USERS = 50


class StateFileError(ValueError):
    """A state file that cannot be loaded, with its path and the reason."""


class InvalidState(BadRequest):
    """400: a state document that does not match the state schema or contradicts itself."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)


def state_problems(state: Any) -> list[str]:
    """Every reason ``state`` cannot be restored, as ``field: reason``; empty when it can.

    A state of many tenants is checked by a compiled validator (:func:`fast_valid`, a hundred
    times faster than jsonschema); only one it refuses is explained, its users in bulk."""
    users = state.get("users") if isinstance(state, dict) else None
    if not (isinstance(users, list) and len(users) > BULK_USERS):
        found = problems(state, "state")
    elif fast_valid(state, "state"):
        found = []
    else:
        rest = problems({**state, "users": []}, "state")
        found = rest or bulk_problems(users, "fixture", "user", "users")
    if found:
        return found
    found = [p for i, u in enumerate(state["users"]) for p in user_problems(u, f"users[{i}].")]
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


def user_problems(user: dict[str, Any], prefix: str = "") -> list[str]:
    """What the schema cannot say of one (schema-valid) user: a clock out of the sandbox's
    range, a negative balance, frozen funds the balance does not cover."""
    found = []
    clock = user.get("clock")
    if clock is not None and not in_range(parse_iso(clock["now"])):
        found.append(f"{prefix}clock.now: must be between {isoformat(EARLIEST)} and "
                     f"{isoformat(LATEST)}")  # fmt: skip
    wallet = user["wallet"]
    balance, frozen = money(wallet["balance"]), money(wallet.get("frozenBalance", 0))
    if balance < 0 or frozen < 0:
        found.append(f"{prefix}wallet: balance and frozenBalance must not be negative")
    elif frozen > balance:
        found.append(f"{prefix}wallet.frozenBalance: must not exceed the balance ({balance})")
    return found


def check_state(state: Any) -> dict[str, Any]:
    """``state`` when it can be restored; :class:`InvalidState` naming every problem else."""
    found = state_problems(state)
    if found:
        raise InvalidState(found)
    checked: dict[str, Any] = state
    return checked


def save_state(store: Store, path: Path) -> str:
    """Write the store's state to ``path`` atomically; returns its ``savedAt``. (A
    write-through database, :mod:`sandbox.durable`, gets every row rewritten.)"""
    saved_at = isoformat(datetime.now(UTC))
    if is_database(path):
        database = DurableState(path)
        try:
            database.write(store)
        finally:
            database.close()
        return saved_at
    state = orjson.dumps(store.export())
    head = {"kind": KIND, "version": VERSION, "savedAt": saved_at,
            "digest": hashlib.sha256(state).hexdigest()}  # fmt: skip
    data = orjson.dumps(head)[:-1] + b',"state":' + state + b"}"
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
    """The ``state`` of the file at ``path``, checked; :class:`StateFileError` otherwise.

    A file this sandbox wrote, unchanged since (its ``digest`` is the SHA-256 of its ``state``
    as written), is not checked again field by field: that is what lets 10,000 tenants load
    in seconds. A file edited by hand, or without a digest, is checked in full."""
    try:
        data = Path(path).read_bytes()
        document = orjson.loads(data)
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
    if _untouched(data, document.get("digest")):
        trusted: dict[str, Any] = document["state"]
        return trusted
    found = state_problems(document.get("state"))
    if found:
        raise StateFileError("\n".join(f"{path}: state.{problem}" for problem in found))
    state: dict[str, Any] = document["state"]
    return state


def read_database(path: Path) -> dict[str, Any]:
    """The state a write-through database holds (the sandbox's own rows, not checked
    again), or the fixtures' when it is new."""
    try:
        database = DurableState(path)
        try:
            state = database.load()
        finally:
            database.close()
    except sqlite3.Error as exc:
        raise StateFileError(f"{path}: not a sandbox state database ({exc})") from None
    if state is None:
        raise StateFileError(f"{path}: the state database holds no tenants")
    return state


def _untouched(data: bytes, digest: Any) -> bool:
    """Whether ``data`` is a state file as :func:`save_state` wrote it, with ``digest``."""
    marker = data.find(b',"state":')
    if not isinstance(digest, str) or marker < 0 or not data.endswith(b"}"):
        return False
    return hashlib.sha256(data[marker + len(b',"state":') : -1]).hexdigest() == digest


def load_state(store: Store, path: Path) -> None:
    """Replace the store's state with the file's; :class:`StateFileError` when it cannot."""
    _restore(store, read_database(path) if is_database(path) else read_state(path), path)


def _restore(store: Store, state: dict[str, Any], path: Path) -> None:
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
    if is_database(path) and (path.exists() or path.is_symlink()):
        try:
            state = read_database(path)
        except StateFileError as exc:
            if "holds no tenants" not in str(exc):
                raise
            return False  # made by a start that wrote nothing yet
        _restore(store, state, path)
        return True
    if path.exists() or path.is_symlink():
        load_state(store, path)
        return True
    if not path.parent.is_dir():
        raise StateFileError(f"{path}: cannot create the state file: no folder {path.parent}")
    return False
