"""Write-through persistence: the state mirrored into SQLite as it changes.

With ``--state-file PATH.db`` (or ``.sqlite``, ``.sqlite3``) the state lives in a SQLite
database in WAL mode, a row per tenant: every write the sandbox acknowledges is committed
before its reply is sent, so it survives the process being killed (``SIGKILL`` included; WAL
with ``synchronous=NORMAL`` loses nothing on a process crash, only possibly the last commits
on a power loss). A write costs one upsert of its tenant's row; a sandbox-wide control action
(a reset, a top-up of everyone) rewrites every row.

The rows hold the same documents as ``GET /__sandbox/state``: a tenant's ``users[]`` entry,
its keys and how it was minted; the 1688 imports have their own table. Loading assembles
them into that format again. A JSON state file (any other name) keeps the snapshot
behaviour of :mod:`sandbox.persistence`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from sandbox.store import Store

#: State-file names that select write-through persistence.
SUFFIXES = (".db", ".sqlite", ".sqlite3")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    user_id INTEGER PRIMARY KEY,
    state   BLOB NOT NULL,   -- the users[] entry
    keys    BLOB NOT NULL,   -- the tenant's entries of keys[]
    mint    BLOB             -- its entry of mints[], for a minted tenant
);
CREATE TABLE IF NOT EXISTS imports (offer TEXT PRIMARY KEY, position INTEGER NOT NULL);
"""


def is_database(path: Path) -> bool:
    """Whether a state file of this name is a write-through database."""
    return Path(path).suffix.lower() in SUFFIXES


class DurableState:
    """A store's state, committed to SQLite as it changes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.connection = sqlite3.connect(self.path, isolation_level=None,
                                          check_same_thread=False)  # fmt: skip
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.executescript(_SCHEMA)
        self.imports = 0  # how many imports the table holds

    def empty(self) -> bool:
        """Whether the database holds no tenant yet (a first start)."""
        return self.connection.execute("SELECT 1 FROM tenants LIMIT 1").fetchone() is None

    def close(self) -> None:
        self.connection.close()

    def load(self) -> dict[str, Any] | None:
        """The state as ``GET /__sandbox/state`` gives it, or None for a new database."""
        rows = self.connection.execute(
            "SELECT state, keys, mint FROM tenants ORDER BY user_id"
        ).fetchall()
        if not rows:
            return None
        offers = self.connection.execute("SELECT offer FROM imports ORDER BY position")
        imports = [offer for (offer,) in offers]
        self.imports = len(imports)
        return {
            "version": 1,
            "keys": [key for _, keys, _ in rows for key in orjson.loads(keys)],
            "mints": [orjson.loads(mint) for _, _, mint in rows if mint is not None],
            "imports": imports,
            "users": [orjson.loads(state) for state, _, _ in rows],
        }

    def write(self, store: Store, user_ids: list[int] | None = None) -> None:
        """Commit the tenants ``user_ids`` as they are now (gone ones deleted), or every
        tenant when None; and any new 1688 imports. One transaction."""
        connection = self.connection
        connection.execute("BEGIN")
        try:
            if user_ids is None:
                connection.execute("DELETE FROM tenants")
                user_ids = list(store.tenants)
            for user_id in user_ids:
                self._write_tenant(store, user_id)
            self._write_imports(store)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _write_tenant(self, store: Store, user_id: int) -> None:
        tenant = store.tenants.get(user_id)
        if tenant is None:
            self.connection.execute("DELETE FROM tenants WHERE user_id = ?", (user_id,))
            return
        keys = [
            {"key": k.key, "userId": k.user_id, "scopes": list(k.scopes), "minted": k.minted}
            for k in store.keys_of(user_id)
        ]
        made = store.mints.get(user_id)
        mint = None if made is None else orjson.dumps({
            "userId": user_id, "balance": None if made.balance is None else str(made.balance),
            "story": made.story,
        })  # fmt: skip
        self.connection.execute(
            "INSERT OR REPLACE INTO tenants (user_id, state, keys, mint) VALUES (?, ?, ?, ?)",
            (user_id, orjson.dumps(tenant.to_state()), orjson.dumps(keys), mint),
        )

    def _write_imports(self, store: Store) -> None:
        offers = list(store.catalog.offers.values())
        if len(offers) < self.imports:  # a reset forgot them
            self.connection.execute("DELETE FROM imports")
            self.imports = 0
        if len(offers) > self.imports:
            self.connection.executemany(
                "INSERT OR IGNORE INTO imports (offer, position) VALUES (?, ?)",
                [(offer, self.imports + i) for i, offer in enumerate(offers[self.imports :])],
            )
            self.imports = len(offers)
