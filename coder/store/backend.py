"""The seam between the project store and a database engine (DESIGN §11).

``Project`` and ``Queries`` talk to a ``Backend`` only: portable SQL through ``execute``
(see ``coder.store.dialect``), transactions through ``begin/commit/rollback``, and a few
engine-specific services (schema version, audit-chain lock, change wake-ups). Two exist:
``SqliteBackend`` (a ``*.attune`` file, the default) and ``PostgresBackend``
(``coder.store.postgres``, a ``postgresql://`` team project).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from coder.store.dialect import check_portable

# A result row: sqlite3.Row or postgres.PgRow. Both index by position and by column name.
Row = Any

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_location(location: str | Path) -> bool:
    """True for a ``postgresql://`` URL, False for a project file path."""
    return isinstance(location, str) and location.lower().startswith(SERVER_SCHEMES)


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Row | None: ...

    def fetchall(self) -> list[Row]: ...

    def __iter__(self) -> Iterator[Row]: ...


class Backend(Protocol):
    dialect: str  # "sqlite" or "postgresql"
    location: str  # the path, or the URL (never with a password)
    name: str  # short, for messages: "week1.attune" or "clinic on db.example"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one portable statement (translated for the engine)."""
        ...

    def execute_native(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run an engine-specific statement as written (schema extras, PRAGMA)."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one portable statement for many parameter rows (bulk copies)."""
        ...

    def insert_at_commit(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows as the last step of this transaction (the audit rows): the engine may
        send them together with the COMMIT; a failure fails the commit."""
        ...

    def after_bulk_copy(self) -> None:
        """Rows were inserted with explicit keys: move key generators past them."""
        ...

    def begin(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...

    def audit_head(self) -> tuple[str, int]:
        """Take the audit chain until this transaction ends; its last hash and number."""
        ...

    appended: range  # the audit numbers the last committed transaction wrote

    def append_audit(self, user: str, items: Sequence[tuple[str, str, str]]) -> None:
        """Extend the audit chain with this transaction's (action, entity, entity id) rows,
        as its last step: the chain is held from here until COMMIT or ROLLBACK."""
        ...

    def announce_changes(self) -> None:
        """Inside a write transaction: wake other open projects once it commits."""
        ...

    def changed_elsewhere(self, timeout: float) -> bool:
        """Whether another connection may have committed since the last call."""
        ...

    def integrity_check(self) -> list[str]: ...


class SqliteBackend:
    """A project file. Opening, checking and migrating it live in ``coder.store.opening``."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.location = str(path)
        self.name = path.name
        self._data_version: int | None = None
        self.appended = range(0)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        if not sql.lstrip()[:6].upper().startswith("PRAGMA"):
            check_portable(sql)  # fail in the SQLite run too, not first on a team server
        return self.conn.execute(sql, params)

    def execute_native(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        check_portable(sql)
        self.conn.executemany(sql, rows)

    def insert_at_commit(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.executemany(sql, rows)  # a local file: no round trip to save

    def after_bulk_copy(self) -> None:
        """AUTOINCREMENT keys follow the largest one inserted by themselves."""

    # Through self.execute, so a test can make one of them fail like a full disk would.
    def begin(self) -> None:
        self.execute("BEGIN IMMEDIATE")
        self.appended = range(0)

    def commit(self) -> None:
        try:
            self.execute("COMMIT")
        except sqlite3.Error as exc:  # whatever layer it comes from: the same message
            from coder.store.opening import explain

            raise explain(exc, self.name) from exc

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def close(self) -> None:
        self.conn.close()

    def audit_head(self) -> tuple[str, int]:
        """BEGIN IMMEDIATE already made this the only writer of the file."""
        from coder.store.audit import head

        return head(self)

    def append_audit(self, user: str, items: Sequence[tuple[str, str, str]]) -> None:
        from coder.store.audit import append_rows

        head = self.audit_head()
        _, last = append_rows(self, head, user, items)
        self.appended = range(head[1] + 1, last + 1)

    def announce_changes(self) -> None:
        """Readers notice a commit through PRAGMA data_version; nothing to send."""

    def changed_elsewhere(self, timeout: float) -> bool:
        # data_version changes when another connection commits to the file (not for our own).
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        changed = self._data_version is not None and version != self._data_version
        first = self._data_version is None
        self._data_version = version
        return changed or first

    def integrity_check(self) -> list[str]:
        return [str(r[0]) for r in self.conn.execute("PRAGMA integrity_check")]

    # Kept so older code and tests that used the sqlite3 connection directly still work.
    def backup(self, target: sqlite3.Connection) -> None:
        self.conn.backup(target)
