"""Move a whole project between a file and a team server: ``push`` and ``pull``, without loss.

Every table is copied row for row — sessions, observations, events, ratings, segments,
highlights, scheme snapshots, media records with their fingerprints and frame tables, row
versions, analysis caches, and the audit chain exactly as it was (same numbers, times,
logins and hashes), in one transaction on the target. The target then gets one more audit
row saying who copied it from where. Videos stay files: a media record carries its path and
fingerprint, and each machine finds the file by fingerprint (``coder.store.media_folders``).

Tables are discovered from the database itself, so tables added by later migrations travel
too; both sides must be at the same schema version (opening a project upgrades it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coder.errors import Cancelled, ProjectError
from coder.store.backend import Backend, is_server_location
from coder.store.project import Project

Progress = Callable[[float], None]
_SKIP = {"attune_schema", "sqlite_sequence"}
_BATCH = 500


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied

    def summary(self) -> str:
        interesting = ("sessions", "observations", "events", "rating_values", "segments")
        parts = [f"{self.rows.get(t, 0)} {t.replace('_values', 's')}" for t in interesting]
        parts.append(f"{self.rows.get('audit_log', 0)} audit entries")
        return ", ".join(parts)


def push(
    source_file: str | Path,
    target_url: str,
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> CopyReport:
    """Copy a project file into a new (or empty) team project on a server."""
    if not is_server_location(target_url):
        raise ProjectError(f"{target_url}: push needs a postgresql:// address to copy to")
    with Project.open(source_file, read_only=True) as source:
        try:
            target = Project.open(target_url)
        except ProjectError as exc:
            if "there is no database" not in str(exc) and "not an Attune project" not in str(exc):
                raise
            target = Project.create(target_url)
        with target:
            if target.role != "admin":
                raise ProjectError(
                    f"{target.name}: only a team admin may push a project (it brings other "
                    f"people's audit entries); your login '{target.user}' is a {target.role}"
                )
            return _copy(source, target, "push", progress, cancel)


def pull(
    source_url: str,
    target_file: str | Path,
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> CopyReport:
    """Copy a team project into a new project file (written under a temporary name first)."""
    if not is_server_location(source_url):
        raise ProjectError(f"{source_url}: pull needs a postgresql:// address to copy from")
    final = Path(target_file)
    if final.exists():
        raise ProjectError(f"{final}: already exists; pull into a new file name")
    partial = final.with_name(f".{final.name}.pulling")
    _remove_file_set(partial)
    with Project.open(source_url, read_only=True) as source:
        if source.role not in ("admin", "auditor"):
            raise ProjectError(
                f"{source.name}: your login '{source.user}' sees only part of this project "
                f"(as a {source.role}), so a copy would be incomplete; ask an admin or an "
                "auditor to pull it"
            )
        try:
            with Project.create(partial, user=source.user) as target:
                report = _copy(source, target, "pull", progress, cancel)
            os.replace(partial, final)
        finally:
            _remove_file_set(partial)
    return report


def _remove_file_set(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _copy(
    source: Project,
    target: Project,
    how: str,
    progress: Progress | None,
    cancel: Callable[[], bool] | None,
) -> CopyReport:
    src_tables, dst_tables = tables(source.db), tables(target.db)
    if set(src_tables) != set(dst_tables):
        raise ProjectError(
            f"{source.name} and {target.name} have different tables; open both with this "
            "version of Attune first (that upgrades them)"
        )
    for name, (columns, _) in src_tables.items():
        if set(columns) != set(dst_tables[name][0]):
            raise ProjectError(f"{name}: its columns differ between the two projects")
    order = _dependency_order(src_tables)
    total = sum(_count(source.db, t) for t in order) or 1
    report, done = CopyReport(), 0
    with target.transaction():
        for table in order:
            if _count(target.db, table):
                raise ProjectError(
                    f"{target.name}: already holds data ({table}); copy into a new project"
                )
        for table in order:
            columns = src_tables[table][0]
            names = ", ".join(f'"{c}"' for c in columns)
            key = "seq" if table == "audit_log" else "rowid"
            rows = source.db.execute(f"SELECT {names} FROM {table} ORDER BY {key}").fetchall()
            insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
            for start in range(0, len(rows), _BATCH):
                if cancel is not None and cancel():
                    raise Cancelled(f"the {how} was cancelled; nothing was copied")
                batch = [tuple(r) for r in rows[start : start + _BATCH]]
                target.db.executemany(insert, batch)
                done += len(batch)
                if progress is not None:
                    progress(done / total)
            report.rows[table] = len(rows)
        target.db.after_bulk_copy()
        target.append_audit("copied", "project", f"{how} from {source.dialect}")
    problems = target.verify_audit_chain()
    if problems:  # cannot happen unless the source chain was already broken
        raise ProjectError(f"{target.name}: the copied audit chain does not verify: {problems[0]}")
    return report


def _count(db: Backend, table: str) -> int:
    row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row is not None else 0


Tables = dict[str, tuple[list[str], set[str]]]  # table -> (columns, tables it references)


def tables(db: Backend) -> Tables:
    """Every project table with its columns (hidden PostgreSQL rowid left out) and references."""
    found: Tables = {}
    if db.dialect == "sqlite":
        names = [
            r[0]
            for r in db.execute_native(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
        ]
        for name in names:
            if name in _SKIP:
                continue
            columns = [r[1] for r in db.execute_native(f"PRAGMA table_info({name})").fetchall()]
            refs = {r[2] for r in db.execute_native(f"PRAGMA foreign_key_list({name})").fetchall()}
            found[name] = (columns, refs - {name})
        return found
    for table, column in db.execute_native(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ).fetchall():
        if table not in _SKIP and column != "rowid":
            found.setdefault(table, ([], set()))[0].append(column)
    for table, referenced in db.execute_native(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
    ).fetchall():
        if table in found and referenced != table:
            found[table][1].add(referenced)
    return found


def _dependency_order(found: Tables) -> list[str]:
    order: list[str] = []
    pending = dict(found)
    while pending:
        ready = sorted(t for t, (_, refs) in pending.items() if refs <= set(order))
        if not ready:
            raise ProjectError(f"tables refer to each other in a cycle: {sorted(pending)}")
        order += ready
        for t in ready:
            del pending[t]
    return order
