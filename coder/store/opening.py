"""Creating, opening, checking and migrating project files, without ever damaging one.

A missing path, a non-SQLite file, a damaged file or a file from a newer Attune gives a
ProjectError and nothing is written. Migration runs only after a backup copy is made.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from coder.errors import ProjectError
from coder.store import schema
from coder.store.schema import APPLICATION_ID, current_version

SQLITE_MAGIC = b"SQLite format 3\x00"


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    mode = "rwc" if create else "rw"
    uri = f"file:{path.resolve().as_posix()}?mode={mode}"
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=5)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = FULL")
    return db


def check_file(path: Path) -> None:
    """Refuse anything that is not an existing SQLite file, before SQLite touches it."""
    if not path.exists():
        raise ProjectError(f"{path}: no such project file; check the path or create a new project")
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder; choose the project's .attune file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise ProjectError(
            f"{path}: is not an Attune project (not a SQLite database, or cut short); "
            "open the right file, or restore it from a backup"
        )


def verify(db: sqlite3.Connection, path: Path) -> int:
    """Check the file is a healthy Attune project; return its format version."""
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        problems = [r[0] for r in db.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise ProjectError(
            f"{path}: the project file is damaged ({exc}); restore it from a backup copy"
        ) from exc
    if app_id != APPLICATION_ID:
        raise ProjectError(f"{path}: is a database but not an Attune project; open a .attune file")
    if problems != ["ok"]:
        raise ProjectError(
            f"{path}: the project file is damaged ({problems[0]}); restore it from a backup copy"
        )
    if version > current_version():
        raise ProjectError(
            f"{path}: was written by a newer Attune (format {version}; this version reads up to "
            f"{current_version()}); update Attune to open it"
        )
    return int(version)


def create_file(path: Path) -> None:
    """Create a new, fully migrated project file atomically (temp file + os.replace)."""
    if path.exists():
        raise ProjectError(f"{path}: already exists; choose another name or open it instead")
    if not path.parent.exists():
        raise ProjectError(f"{path.parent}: folder does not exist; create it first")
    tmp = path.with_name(f".{path.name}.creating")
    tmp.unlink(missing_ok=True)
    try:
        db = connect(tmp, create=True)
        try:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            migrate(db, 0)
            db.execute("PRAGMA journal_mode = DELETE")  # a single file until first opened
        finally:
            db.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def migrate(db: sqlite3.Connection, from_version: int) -> None:
    for version in range(from_version, current_version()):
        db.execute("BEGIN IMMEDIATE")
        try:
            schema.MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def backup_copy(db: sqlite3.Connection, path: Path, version: int) -> Path:
    """A consistent copy of the file before migrating it (SQLite's online backup API)."""
    target = path.with_name(f"{path.name}.bak-v{version}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.bak-v{version}-{n}")
    dest = sqlite3.connect(str(target))
    try:
        db.backup(dest)
    finally:
        dest.close()
    return target
