"""The project store (DESIGN §4, §11): a ``*.attune`` file or a ``postgresql://`` team project.

Every write happens inside ``transaction()`` and is durable when the outermost one returns
(SQLite: WAL + synchronous=FULL; PostgreSQL: the server's commit). Subscribers hear about
changes only after a commit. Every write also appends a hash-chained audit row (ids and
kinds only, never clinical text), serialised across writers by the backend's chain lock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from coder.errors import AttuneError, ProjectError, ReadOnlyError
from coder.files import part_path
from coder.model import Observation, Scheme, SchemeSnapshot, new_id
from coder.store import rows as R
from coder.store.backend import Backend, Row, SqliteBackend, is_server_location
from coder.store.changes import Change, ChangeKind, Listener
from coder.store.lock import ProjectLock, refuse_other_names
from coder.store.opening import backup_copy, check_file, connect, create_file, migrate, verify
from coder.store.queries import Queries
from coder.store.schema import current_version
from coder.store.versions import TABLES

__all__ = ["Change", "ChangeKind", "Listener", "Project"]


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        with suppress(OSError):
            path.with_name(path.name + suffix).unlink()


class Project(Queries):
    def __init__(
        self,
        db: Backend,
        lock: ProjectLock | None,
        user: str,
        read_only: bool,
        role: str = "admin",
    ) -> None:
        super().__init__(db)
        self.location = db.location
        self.name = db.name
        self.dialect = db.dialect
        self._file = db.path if isinstance(db, SqliteBackend) else None
        self.user = user
        self.role = role  # admin on a file; the login's role on a team server
        self.read_only = read_only
        self._lock = lock
        self._pending: list[Change] = []
        self._listeners: list[Listener] = []
        self._schemes: dict[str, Scheme] = {}
        self._snapshots: dict[str, SchemeSnapshot] = {}
        self._snapshots_pending: dict[str, SchemeSnapshot] = {}  # read in a transaction
        self._audit_queue: list[tuple[str, str, str]] = []  # written just before COMMIT
        self._own_seqs: set[int] = set()
        self._feed_seq = self._max_audit_seq()
        self.backup_path: Path | None = None

    @property
    def path(self) -> Path:
        """The project file; a team project on a server has none (use ``location``)."""
        if self._file is not None:
            return self._file
        raise ProjectError(f"{self.name} is a team project on a server; it has no file path")

    @property
    def is_team(self) -> bool:
        return self.dialect != "sqlite"

    # --- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, location: str | Path, *, user: str = "") -> Project:
        """A new project: a file path (SQLite) or an empty PostgreSQL database URL."""
        if is_server_location(location):
            from coder.store.postgres import create_server_project

            create_server_project(str(location))
            return cls.open(location, user=user)
        path = Path(location)
        create_file(path)
        return cls.open(path, user=user)

    @classmethod
    @contextmanager
    def create_atomically(cls, location: str | Path, *, user: str = "") -> Iterator[Project]:
        """A new project file that appears at ``location`` only when the block succeeds.

        It is built under a hidden temporary name; an error, a cancel or a crash leaves no
        project file behind (and coder.files sweeps what a crash left)."""
        path = Path(location)
        if path.exists():
            raise ProjectError(f"{path}: already exists; choose another name or open it instead")
        tmp = part_path(path)
        project = cls.create(tmp, user=user)
        try:
            yield project
        except BaseException:
            project.close()
            _remove_with_sidecars(tmp)
            raise
        project.close()
        try:
            try:
                os.link(tmp, path)  # no-clobber: fails if someone made ``path`` meanwhile
            except FileExistsError:
                raise ProjectError(
                    f"{path}: appeared while it was being made; nothing was written there"
                ) from None
            except OSError:  # a file system without hard links (a FAT USB stick)
                if path.exists():
                    raise ProjectError(f"{path}: appeared while it was being made") from None
                os.replace(tmp, path)
        finally:
            _remove_with_sidecars(tmp)

    @classmethod
    def open(cls, location: str | Path, *, read_only: bool = False, user: str = "") -> Project:
        if is_server_location(location):
            from coder.store.postgres import open_server_project

            # On a server the login is the user: the audit chain records the real person.
            backend, login, role = open_server_project(str(location), read_only=read_only)
            return cls(backend, None, login, read_only, role)
        return cls._open_file(Path(location), read_only=read_only, user=user)

    @classmethod
    def _open_file(cls, path: Path, *, read_only: bool, user: str) -> Project:
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
            except BaseException:
                db.close()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        project = cls(SqliteBackend(db, path), lock, user, read_only)
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
        database, the audit chain head and the queued notifications, so the next write
        continues an intact audit chain (the head is re-read, under the chain lock, by the
        first write of every transaction).
        """
        self._writable()
        outermost = self._depth == 0
        if outermost:
            self.db.begin()
            self._pending, self._audit_queue = [], []
            self._seen_pending, self._snapshots_pending = {}, {}
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if outermost:
                self._abort()
            raise
        self._depth -= 1
        if outermost:
            try:
                self._write_audit()
                if self._pending:
                    self.db.announce_changes()
                self.db.commit()
            except BaseException:
                self._abort()
                raise
            self._own_seqs.update(self.db.appended)
            self._snapshots.update(self._snapshots_pending)  # committed rows: immutable now
            self._snapshots_pending = {}
            self._commit_versions()
            changes, self._pending = self._pending, []
            self._dispatch(changes + self._take_refresh())

    def _abort(self) -> None:
        try:
            with suppress(AttuneError):  # the engine may have rolled back by itself
                self.db.rollback()
        finally:
            self._pending, self._audit_queue = [], []
            self._seen_pending = {}
            self._schemes_dirty()
            self._dispatch(self._take_refresh())  # views show the value that won

    def _dispatch(self, changes: list[Change]) -> None:
        for change in changes:
            for listener in list(self._listeners):
                listener(change)

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
        self.append_audit(kind, entity, entity_id)
        self._pending.append(Change(kind, entity, before, after))

    def append_audit(self, action: str, entity: str, entity_id: str) -> None:
        """One audit row by this project's user; call only inside ``transaction()``."""
        if self._depth == 0:
            raise ProjectError("internal: a write outside a transaction")
        self._audit_queue.append((action, entity, entity_id))

    def _write_audit(self) -> None:
        """Extend the chain with this transaction's rows, at the last moment before COMMIT:
        the chain is taken here and held only until the commit, so concurrent writers on a
        server wait for each other as briefly as a strict chain allows."""
        if not self._audit_queue:
            return
        self.db.append_audit(self.user, self._audit_queue)  # the chain is held until COMMIT
        self._audit_queue = []

    def _change(self, kind: ChangeKind, entity: str, before: object, after: object) -> Change:
        return Change(kind, entity, before, after, remote=True)

    def _writable(self) -> None:
        if self.db is None:
            raise ProjectError(f"{self.name} is closed")
        if self.read_only:
            raise ReadOnlyError(f"{self.name} is open read-only; changes cannot be saved")

    def _schemes_dirty(self) -> None:
        self._schemes.clear()
        self._snapshots.clear()
        self._snapshots_pending.clear()

    # --- other writers' changes ----------------------------------------------------------
    def _max_audit_seq(self) -> int:
        row = self.db.execute("SELECT max(seq) FROM audit_log").fetchone()
        return int(row[0]) if row is not None and row[0] is not None else 0

    def poll_changes(self, timeout: float = 0.0) -> int:
        """Announce changes other connections committed since the last call; how many.

        Cheap when nothing happened (PostgreSQL: a socket check for NOTIFY; SQLite: PRAGMA
        data_version). A GUI calls it from a timer; ``timeout`` waits that long for news.
        """
        if self.db is None or self._depth:
            return 0
        if not self.db.changed_elsewhere(timeout):
            return 0
        rows = self.db.execute(
            "SELECT seq, entity, entity_id FROM audit_log WHERE seq > ? ORDER BY seq",
            (self._feed_seq,),
        ).fetchall()
        changes: list[Change] = []
        for seq, entity, entity_id in ((int(r[0]), str(r[1]), str(r[2])) for r in rows):
            self._feed_seq = seq
            if seq in self._own_seqs:
                self._own_seqs.discard(seq)
                continue
            change = self._remote_change(entity, entity_id)
            if change is not None:
                changes.append(change)
        self._own_seqs = {s for s in self._own_seqs if s > self._feed_seq}
        if any(c.entity == "snapshot" for c in changes):
            self._schemes_dirty()
        self._dispatch(changes)
        return len(changes)

    def _remote_change(self, entity: str, entity_id: str) -> Change | None:
        if entity == "snapshot":
            try:
                return self._change("added", "snapshot", None, self.snapshot(entity_id))
            except ProjectError:
                return None
        if entity not in TABLES:
            return self._change("changed", entity, None, None)  # a kind views reload wholesale
        key = (entity, entity_id)
        seen = self._seen.get(key)
        now = self._load(entity, entity_id)  # through our own connection: RLS applies
        if now is None:
            if seen is None:
                return None  # added and removed meanwhile, or not visible to this login
            del self._seen[key]
            return self._change("removed", entity, seen[1], None)
        current, version = now
        if seen is not None and seen[0] == version:
            return None  # already showing this version
        self._seen[key] = (version, current)
        return self._change(
            "changed" if seen else "added", entity, seen[1] if seen else None, current
        )

    # --- schemes -------------------------------------------------------------------------
    def snapshot(self, snapshot_id: str) -> SchemeSnapshot:
        # Immutable rows: read once. One first read inside a transaction is kept only if that
        # transaction commits (it could have added the row itself and then rolled back).
        cached = self._snapshots.get(snapshot_id) or self._snapshots_pending.get(snapshot_id)
        if cached is not None:
            return cached
        row = self.db.execute(
            "SELECT * FROM scheme_snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(f"{self.name}: no scheme snapshot {snapshot_id}")
        sid, _, content_hash, source_text = R.snapshot_fields(row)
        snap = SchemeSnapshot(sid, self._scheme(row), content_hash, source_text)
        (self._snapshots if self._depth == 0 else self._snapshots_pending)[snapshot_id] = snap
        return snap

    def snapshots(self) -> list[SchemeSnapshot]:
        rows = self.db.execute(
            "SELECT * FROM scheme_snapshots ORDER BY adopted_at, rowid"
        ).fetchall()
        found = []
        for r in rows:
            sid, _, content_hash, source_text = R.snapshot_fields(r)
            found.append(SchemeSnapshot(sid, self._scheme(r), content_hash, source_text))
        return found

    def _scheme(self, row: Row) -> Scheme:
        sid, scheme_id, _, source_text = R.snapshot_fields(row)
        cached = self._schemes.get(sid)
        if cached is None:
            from coder.schemes import load_scheme_text

            cached = load_scheme_text(source_text, f"scheme snapshot {scheme_id}")
            self._schemes[sid] = cached
        return cached

    def scheme_for_observation(self, observation_id: str) -> Scheme:
        row = self._one("SELECT snapshot_id FROM observations WHERE id = ?", observation_id)
        return self.snapshot(self._require(row, "observation", observation_id)[0]).scheme

    def adopt_scheme(self, scheme: Scheme, source_text: str, content_hash: str) -> SchemeSnapshot:
        """Store an immutable snapshot of ``scheme``; the same content is adopted only once."""
        row = self.db.execute(
            "SELECT id FROM scheme_snapshots WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        if row is not None:
            return self.snapshot(row["id"])
        snapshot_id = new_id()
        with self.transaction():
            self._insert_snapshot(snapshot_id, scheme, source_text, content_hash)
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
            self._insert_snapshot(snapshot_id, scheme, source_text, content_hash)
            snap = SchemeSnapshot(snapshot_id, scheme, content_hash, source_text)
            self.record("added", "snapshot", snapshot_id, None, snap)
        return snap

    def _insert_snapshot(
        self, snapshot_id: str, scheme: Scheme, source_text: str, content_hash: str
    ) -> None:
        adopted_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        self.db.execute(
            "INSERT INTO scheme_snapshots "
            "(id, scheme_id, version, content_hash, source_text, adopted_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (snapshot_id, scheme.id, scheme.version, content_hash, source_text, adopted_at),
        )

    # --- blind coding ---------------------------------------------------------------------
    def observations_visible_to(self, session_id: str, coder: str) -> list[Observation]:
        """What ``coder`` may see of a session (the one blind rule, coder/app/visibility.py).

        On a team server the same rule is enforced by row-level security
        (``coder.store.pg_security``), so this filter then changes nothing.
        """
        from coder.app.visibility import visible_among

        return visible_among(self._all_observations(session_id), coder)
