"""The project store: one SQLite file per project (DESIGN §4).

WAL with synchronous=FULL; every write happens inside ``transaction()`` and is on disk when
the outermost one returns. Subscribers hear about changes only after a commit. Every write
also appends a hash-chained audit row (ids and kinds only, never clinical text).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from coder.errors import AttuneError, ProjectError, ReadOnlyError
from coder.model import Observation, Scheme, SchemeSnapshot
from coder.store import audit
from coder.store import rows as R
from coder.store.lock import ProjectLock, refuse_other_names
from coder.store.opening import (
    backup_copy,
    check_file,
    connect,
    create_file,
    explain,
    migrate,
    verify,
)
from coder.store.queries import Queries
from coder.store.schema import current_version

ChangeKind = Literal["added", "changed", "removed"]


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    entity: str  # event, segment, rating, highlight, session, observation, media, snapshot
    before: object | None
    after: object | None


Listener = Callable[[Change], None]


class Project(Queries):
    def __init__(
        self,
        path: Path,
        db: sqlite3.Connection,
        lock: ProjectLock | None,
        user: str,
        read_only: bool,
        last_hash: str,
    ) -> None:
        super().__init__(db)
        self.path = path
        self.user = user
        self.read_only = read_only
        self._lock = lock
        self._depth = 0
        self._pending: list[Change] = []
        self._listeners: list[Listener] = []
        self._schemes: dict[str, Scheme] = {}
        self._last_hash = last_hash
        self.backup_path: Path | None = None

    # --- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, user: str = "") -> Project:
        path = Path(path)
        create_file(path)
        return cls.open(path, user=user)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, user: str = "") -> Project:
        path = Path(path)
        check_file(path)
        if not read_only:
            refuse_other_names(path)
        lock = None if read_only else ProjectLock(path, user)
        try:
            db = connect(path, read_only=read_only)
            try:
                version = verify(db, path)
                backup = None
                if version < current_version():
                    if read_only:
                        raise ProjectError(
                            f"{path}: uses an older format ({version}) that must be upgraded "
                            "before use; open it once for writing"
                        )
                    backup = backup_copy(db, path, version)
                    migrate(db, version)
                if read_only:
                    db.execute("PRAGMA query_only = ON")
                else:
                    db.execute("PRAGMA journal_mode = WAL")
                last = audit.last_hash(db)
            except BaseException:
                db.close()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        project = cls(path, db, lock, user, read_only, last)
        project.backup_path = backup
        return project

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None  # type: ignore[assignment]
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions and notifications --------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic, durable unit; nested calls join the outermost one.

        Any failure, the disk filling up at COMMIT included, rolls everything back: the
        database, the cached audit hash and the queued notifications, so the next write
        continues an intact audit chain.
        """
        self._writable()
        if self._depth == 0:
            self.db.execute("BEGIN IMMEDIATE")
            self._pending = []
            saved_hash = self._last_hash
            try:  # the chain continues from what is on disk, whatever the cache says
                self._last_hash = audit.last_hash(self.db)
            except BaseException:
                self._undo(saved_hash)
                raise
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._undo(saved_hash)
            raise
        self._depth -= 1
        if self._depth == 0:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:  # whatever layer it comes from: the same message
                self._undo(saved_hash)
                raise explain(exc, self.path.name) from exc
            except BaseException:
                self._undo(saved_hash)
                raise
            changes, self._pending = self._pending, []
            for change in changes:
                for listener in list(self._listeners):
                    listener(change)

    def _undo(self, saved_hash: str) -> None:
        """Roll back the open transaction and everything cached about it."""
        if self.db.in_transaction:
            with suppress(AttuneError, sqlite3.Error):  # SQLite may have rolled back itself
                self.db.execute("ROLLBACK")
        self._last_hash = saved_hash
        self._pending = []
        self._schemes_dirty()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def record(
        self,
        kind: ChangeKind,
        entity: str,
        entity_id: str,
        before: object | None,
        after: object | None,
    ) -> None:
        """Audit and queue a change; call only inside ``transaction()``."""
        if self._depth == 0:
            raise ProjectError("internal: a write outside a transaction")
        self._last_hash = audit.append(self.db, self._last_hash, self.user, kind, entity, entity_id)
        self._pending.append(Change(kind, entity, before, after))

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{self.path.name} is open read-only; changes cannot be saved")
        if self.db is None:
            raise ProjectError(f"{self.path.name} is closed")

    def _schemes_dirty(self) -> None:
        self._schemes.clear()

    # --- schemes -------------------------------------------------------------------------
    def snapshot(self, snapshot_id: str) -> SchemeSnapshot:
        row = self.db.execute(
            "SELECT * FROM scheme_snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(f"{self.path.name}: no scheme snapshot {snapshot_id}")
        sid, _, content_hash, source_text = R.snapshot_fields(row)
        return SchemeSnapshot(sid, self._scheme(row), content_hash, source_text)

    def snapshots(self) -> list[SchemeSnapshot]:
        rows = self.db.execute(
            "SELECT * FROM scheme_snapshots ORDER BY adopted_at, rowid"
        ).fetchall()
        found = []
        for r in rows:
            sid, _, content_hash, source_text = R.snapshot_fields(r)
            found.append(SchemeSnapshot(sid, self._scheme(r), content_hash, source_text))
        return found

    def _scheme(self, row: sqlite3.Row) -> Scheme:
        sid, scheme_id, _, source_text = R.snapshot_fields(row)
        cached = self._schemes.get(sid)
        if cached is None:
            from coder.schemes import load_scheme_text

            cached = load_scheme_text(source_text, f"scheme snapshot {scheme_id}")
            self._schemes[sid] = cached
        return cached

    def scheme_for_observation(self, observation_id: str) -> Scheme:
        return self.snapshot(self.observation(observation_id).snapshot_id).scheme

    def adopt_scheme(self, scheme: Scheme, source_text: str, content_hash: str) -> SchemeSnapshot:
        """Store an immutable snapshot of ``scheme``; the same content is adopted only once."""
        row = self.db.execute(
            "SELECT id FROM scheme_snapshots WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        if row is not None:
            return self.snapshot(row["id"])
        from coder.model import new_id

        snapshot_id = new_id()
        with self.transaction():
            self.db.execute(
                "INSERT INTO scheme_snapshots VALUES "
                "(?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%f', 'now'))",
                (snapshot_id, scheme.id, scheme.version, content_hash, source_text),
            )
            self._schemes[snapshot_id] = scheme
            snap = SchemeSnapshot(snapshot_id, scheme, content_hash, source_text)
            self.record("added", "snapshot", snapshot_id, None, snap)
        return snap

    def restore_snapshot(
        self, snapshot_id: str, source_text: str, content_hash: str
    ) -> SchemeSnapshot:
        """Insert a snapshot with a known id (imports); the text must be a valid scheme."""
        from coder.schemes import load_scheme_text

        scheme = load_scheme_text(source_text, f"imported scheme snapshot {snapshot_id}")
        with self.transaction():
            self.db.execute(
                "INSERT INTO scheme_snapshots VALUES "
                "(?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%f', 'now'))",
                (snapshot_id, scheme.id, scheme.version, content_hash, source_text),
            )
            snap = SchemeSnapshot(snapshot_id, scheme, content_hash, source_text)
            self.record("added", "snapshot", snapshot_id, None, snap)
        return snap

    # --- blind coding ---------------------------------------------------------------------
    def observations_visible_to(self, session_id: str, coder: str) -> list[Observation]:
        """A blind coder sees others' observations only once their own and those are final."""
        all_obs = self.observations(session_id)
        own = [o for o in all_obs if o.coder == coder]
        if not any(o.blind for o in own):
            return all_obs
        own_final = all(o.final for o in own)
        return [o for o in all_obs if o.coder == coder or (own_final and o.final)]

    def _require(self, found: Any, what: str, key: str) -> Any:
        if found is None:
            raise ProjectError(f"{self.path.name}: no {what} '{key}'")
        return found
