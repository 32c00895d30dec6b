"""Creating, opening, checking and migrating project files, without ever damaging one.

A missing path, a non-SQLite file, a damaged file or a file from a newer Attune gives a
ProjectError and nothing is written. Migration runs only after a backup copy is made.

Every SQLite failure reaches the caller as an AttuneError whose message names the file, the
kind of failure and the fix, and never repeats SQLite's own message (which can quote the
damaged content: clinical text). New files are owner-only (coder.files).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

from coder.errors import AttuneError, CommandError, DiskFullError, ProjectError
from coder.files import create_private
from coder.store import schema
from coder.store.lock import folder_problem
from coder.store.schema import APPLICATION_ID, current_version

SQLITE_MAGIC = b"SQLite format 3\x00"

# Primary SQLite result codes (errorcode & 0xff) and what they mean for a project file.
_PERM, _BUSY, _LOCKED, _NOMEM, _READONLY, _IOERR, _FULL, _CANTOPEN = 3, 5, 6, 7, 8, 10, 13, 14
_PASS_THROUGH = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)

DISK_FULL = "the disk is full; nothing was lost; free space and retry"


def explain(exc: sqlite3.Error, name: str) -> AttuneError:
    """A user-facing error for a SQLite failure on project ``name`` (no SQLite message text)."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    kind = getattr(exc, "sqlite_errorname", "") or type(exc).__name__
    if code == _FULL or "disk is full" in str(exc):
        return DiskFullError(f"{name}: {DISK_FULL}")
    if code in (_READONLY, _PERM, _CANTOPEN):
        return ProjectError(
            f"{name}: cannot be written here ({kind}: the file or its folder is read-only, or the "
            "drive was removed); copy the project to a folder you can write to, or open it "
            "read-only"
        )
    if code == _IOERR:
        return ProjectError(
            f"{name}: the disk reported an error ({kind}); the last change was not saved; check "
            "the drive (a USB stick unplugged?) and retry"
        )
    if code in (_BUSY, _LOCKED):
        return ProjectError(f"{name}: is busy in another program ({kind}); wait a moment and retry")
    if code == _NOMEM:
        return ProjectError(f"{name}: out of memory ({kind}); close other programs and retry")
    return ProjectError(
        f"{name}: the project file is damaged ({kind}); restore it from a backup copy"
    )


def _raise(exc: sqlite3.Error, name: str) -> NoReturn:
    if isinstance(exc, _PASS_THROUGH):
        raise exc
    raise explain(exc, name) from exc


def _undecodable(name: str) -> ProjectError:
    return ProjectError(
        f"{name}: the project file is damaged (a text value is not UTF-8); restore it from a "
        "backup copy"
    )


def _unencodable() -> CommandError:
    return CommandError(
        "a text holds characters that are not valid Unicode (lone surrogates); nothing was "
        "saved — remove them and retry"
    )


class _Guarded:
    """Turns a cursor's failures into AttuneErrors that never echo the database's content:
    SQLite's own errors explained, undecodable text as damage, values SQLite cannot hold as a
    refused edit (``writing``)."""

    def __init__(self, name: str, writing: bool = False) -> None:
        self.name, self.writing = name, writing

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any
    ) -> None:
        if isinstance(exc, sqlite3.Error):
            _raise(exc, self.name)
        if isinstance(exc, UnicodeDecodeError):  # a text value that is not UTF-8: damage
            raise _undecodable(self.name) from None
        if self.writing and isinstance(exc, UnicodeEncodeError):  # UTF-8 cannot hold it
            raise _unencodable() from None
        if self.writing and isinstance(exc, OverflowError):  # beyond SQLite's 64 bits
            raise CommandError(
                "a number is too large to store (beyond 64 bits); nothing was saved"
            ) from None


class SafeCursor(sqlite3.Cursor):
    """A cursor whose failures are AttuneErrors that never echo the database's content."""

    def _guard(self, writing: bool = False) -> _Guarded:
        return _Guarded(str(getattr(self.connection, "display_name", "the project")), writing)

    def execute(self, sql: str, parameters: Any = (), /) -> SafeCursor:
        with self._guard(writing=True):
            super().execute(sql, parameters)
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> SafeCursor:
        with self._guard(writing=True):
            super().executemany(sql, seq_of_parameters)
        return self

    def fetchone(self) -> Any:
        with self._guard():
            return super().fetchone()

    def fetchall(self) -> list[Any]:
        with self._guard():
            return super().fetchall()

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        with self._guard():
            return super().fetchmany(size if size is not None else self.arraysize)

    def __next__(self) -> Any:
        with self._guard():
            return super().__next__()


class ProjectConnection(sqlite3.Connection):
    """A connection to a project file; every statement runs through a SafeCursor."""

    display_name = "the project"

    def cursor(self, factory: Any = SafeCursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, parameters)


def connect(path: Path, *, create: bool = False, read_only: bool = False) -> sqlite3.Connection:
    """Open the real file (symlinks resolved, so SQLite's -wal/-shm sit beside it)."""
    real = path.resolve()
    mode = "rwc" if create else "rw"
    if read_only and folder_problem(real) is not None:
        # A read-only folder: SQLite cannot create its -shm file there. Read the WAL that is
        # already there, or (without one) treat the file as unchanging, which it then is.
        wal = real.with_name(real.name + "-wal")
        mode = "ro" if wal.exists() else "ro&immutable=1"
    uri = f"file:{quote(real.as_posix())}?mode={mode}"
    try:
        db = sqlite3.connect(
            uri,
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=5,
            factory=ProjectConnection,
        )
    except sqlite3.Error as exc:
        _raise(exc, path.name)
    db.display_name = path.name
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
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    problems = [r[0] for r in db.execute("PRAGMA quick_check(5)")]
    if app_id != APPLICATION_ID:
        raise ProjectError(f"{path}: is a database but not an Attune project; open a .attune file")
    if problems != ["ok"]:  # the problem text can quote damaged rows: never shown
        raise ProjectError(
            f"{path}: the project file is damaged ({len(problems)} problem(s) found by SQLite's "
            "check); restore it from a backup copy"
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
    problem = folder_problem(path)
    if problem is not None:
        raise ProjectError(problem)
    tmp = path.with_name(f".{path.name}.creating")
    tmp.unlink(missing_ok=True)
    try:
        create_private(tmp)  # owner-only from the start; SQLite's journals copy its mode
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
    try:
        create_private(target)
        dest = sqlite3.connect(str(target))
        try:
            db.backup(dest)
        finally:
            dest.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        _raise(exc, path.name)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise ProjectError(
            f"{path.name}: cannot write the backup copy made before upgrading it "
            f"({exc.strerror}); free space or copy the project to a writable folder"
        ) from None
    return target
