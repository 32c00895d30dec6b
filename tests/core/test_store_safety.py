"""The project file survives a second writer, a full disk and a read-only folder; it is private.

Reproduces the audit of issue 10: a hard link or a symlink let two writers in at once; a disk
full at COMMIT broke the audit chain for good; a read-only folder was called damage; files were
created 0644 under a normal umask; SQLite's messages echoed clinical text.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coder.errors import DiskFullError, ProjectError, ProjectLockedError
from coder.model import Event
from coder.store import Project, schema
from ui.cli import main as cli

SECRET = "SECRET-note-4b1d"


def _add(project: Project, n: int, note: str = "") -> None:
    with project.transaction():
        for i in range(n):
            project.insert_event(
                Event(
                    f"e{n}-{i}-{os.urandom(4).hex()}",
                    "o1",
                    "attunement",
                    "parent",
                    i,
                    None,
                    {},
                    note,
                )
            )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- one writer per file, whatever its name -------------------------------------------------


def test_hard_linked_project_is_refused_for_writing(project: Project, tmp_path: Path) -> None:
    path = project.path
    project.close()
    other = tmp_path / "other-name.attune"
    os.link(path, other)
    for name in (path, other):
        with pytest.raises(ProjectError, match="hard links"):
            Project.open(name)
    with Project.open(other, read_only=True) as viewer:  # reading cannot damage it
        assert viewer.observations()[0].id == "o1"
    os.unlink(other)
    with Project.open(path) as writer:  # one name again: fine
        _add(writer, 1)


def test_symlinked_project_shares_the_lock_and_keeps_the_journal_beside_the_file(
    project: Project, tmp_path: Path
) -> None:
    path = project.path
    elsewhere = tmp_path / "shortcuts"
    elsewhere.mkdir()
    link = elsewhere / "project-link.attune"
    link.symlink_to(path)
    with pytest.raises(ProjectLockedError):
        Project.open(link)  # the same file: already open for writing above
    project.close()
    with Project.open(link) as writer:
        _add(writer, 3)
        assert path.with_name(path.name + "-wal").exists()
        assert not (elsewhere / "project-link.attune-wal").exists()
        with pytest.raises(ProjectLockedError):
            Project.open(path)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["project-link.attune"]
    with Project.open(path) as again:
        assert again.verify_audit_chain() == []
        assert len(again.events("o1")) == 3


# --- a full disk rolls everything back --------------------------------------------------------


def _fail_commit_once(project: Project) -> None:
    real_execute = project.db.execute
    state = {"armed": True}

    def execute(sql: str, params: object = ()) -> object:
        if sql == "COMMIT" and state["armed"]:
            state["armed"] = False
            exc = sqlite3.OperationalError("database or disk is full")
            exc.sqlite_errorcode = 13  # type: ignore[attr-defined]
            exc.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
            raise exc
        return real_execute(sql, params)

    project.db.execute = execute  # type: ignore[method-assign]


def test_disk_full_at_commit_rolls_back_the_audit_hash(project: Project) -> None:
    _add(project, 2)
    heard: list[object] = []
    project.subscribe(heard.append)
    heard.clear()
    _fail_commit_once(project)
    with pytest.raises(DiskFullError) as caught:
        _add(project, 5, note=SECRET)
    assert "the disk is full; nothing was lost; free space and retry" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert heard == []  # nobody was told about changes that are not on disk
    assert not project.db.in_transaction
    _add(project, 4)  # the retry after freeing space
    assert len(project.events("o1")) == 6
    assert project.verify_audit_chain() == []
    path = project.path
    project.close()
    with Project.open(path, read_only=True) as reopened:
        assert reopened.verify_audit_chain() == [] and len(reopened.events("o1")) == 6


def test_disk_full_while_writing_gives_the_message_and_keeps_the_chain(project: Project) -> None:
    _add(project, 2)
    pages = project.db.execute("PRAGMA page_count").fetchone()[0]
    project.db.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk fills up
    with pytest.raises(DiskFullError, match="the disk is full; nothing was lost; free space"):
        _add(project, 400, note="x" * 500)
    project.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    _add(project, 3)
    assert len(project.events("o1")) == 5
    assert project.verify_audit_chain() == []


# --- read-only folders are named as such ----------------------------------------------------


def _unprivileged(fn: Callable[[], str]) -> str:
    """Run ``fn`` as a user without root's powers (root ignores file modes)."""
    if os.geteuid() != 0:
        return fn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            os.setgid(65534)
            os.setuid(65534)
            result = fn()
        except BaseException as exc:
            result = f"{type(exc).__name__}: {exc}"
        os.write(write, result.encode("utf-8", "replace"))
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8")


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder outside root's private temp tree, so an unprivileged user can look in."""
    folder = Path(tempfile.mkdtemp(prefix="attune-ro-"))
    os.chmod(folder, 0o755)
    yield folder
    os.chmod(folder, 0o755)
    shutil.rmtree(folder, ignore_errors=True)


def test_read_only_folder_is_reported_as_such_and_still_opens_read_only(
    project: Project, shared_folder: Path
) -> None:
    _add(project, 2, note=SECRET)
    project.close()
    path = shared_folder / "p.attune"
    shutil.copy(project.path, path)
    os.chmod(path, 0o644)
    os.chmod(shared_folder, 0o555)

    def open_for_writing() -> str:
        try:
            Project.open(path).close()
        except ProjectError as exc:
            return f"ProjectError: {exc}"
        return "opened"

    def open_read_only() -> str:
        with Project.open(path, read_only=True) as viewer:
            return f"{len(viewer.events('o1'))} events"

    answer = _unprivileged(open_for_writing)
    assert answer.startswith("ProjectError:") and "read-only folder" in answer, answer
    assert "backup" not in answer
    assert _unprivileged(open_read_only) == "2 events"
    assert sorted(p.name for p in shared_folder.iterdir()) == ["p.attune"]


# --- owner-only files under a normal umask -------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_project_files_are_owner_only(
    tmp_path: Path, umask_022: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coder.schemes import load_shipped, scheme_content_hash

    path = tmp_path / "new.attune"
    with Project.create(path) as p:
        scheme, text = load_shipped("attachment-core")
        p.adopt_scheme(scheme, text, scheme_content_hash(text))
        names = {f.name: _mode(f) for f in tmp_path.iterdir()}
    assert names == {
        "new.attune": 0o600,
        "new.attune-wal": 0o600,
        "new.attune-shm": 0o600,
        "new.attune.lock": 0o600,
    }

    def v_next(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE extra (x)")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, v_next])
    with Project.open(path) as migrated:
        assert migrated.backup_path is not None
        assert _mode(migrated.backup_path) == 0o600


# --- no clinical text in any error ----------------------------------------------------------


def test_damaged_schema_message_does_not_echo_the_file(project: Project) -> None:
    path = project.path
    project.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = ? WHERE name = 'segments'",
        (f"CREATE TABLE segments (x) {SECRET} and more of the note",),
    )
    db.commit()
    db.close()
    with pytest.raises(ProjectError) as caught, Project.open(path, read_only=True) as p:
        p.sessions()
    assert SECRET not in str(caught.value)
    assert "damaged" in str(caught.value)


def test_damaged_rows_give_a_clear_error_without_their_content(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from coder.model import Highlight

    with project.transaction():
        project.put_highlight(Highlight("h1", "s1", 0, 1000, shareable=True), existed=False)
    _add(project, 1, note=SECRET)
    path = project.path
    project.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE highlights SET freeze_points = ?", (f'[{{"at_ms": 5, "{SECRET}": 1}}]',))
    db.execute("UPDATE events SET onset_ms = note")
    db.commit()
    db.close()
    assert cli(["highlights", str(path), "--session", "s1", "--json"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "highlight" in err and SECRET not in err
    assert cli(["events", "list", str(path), "--json"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "onset_ms" in err and SECRET not in err


def test_damaged_row_version_is_a_clear_error(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(project, 1, note=SECRET)
    path = project.path
    project.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE events SET row_version = ?", (SECRET,))
    db.commit()
    db.close()
    assert cli(["events", "list", str(path), "--json"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "row_version" in err and SECRET not in err
    assert "internal error" not in err


def test_damaged_audit_row_is_reported_not_a_crash(project: Project) -> None:
    _add(project, 1, note=SECRET)
    path = project.path
    project.close()
    db = sqlite3.connect(path)
    for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        db.execute(f'DROP TRIGGER "{trigger}"')  # as a damaged or hand-edited file could be
    db.execute("UPDATE audit_log SET summary = X'41' WHERE seq = (SELECT MAX(seq) FROM audit_log)")
    db.commit()
    db.close()
    with Project.open(path, read_only=True) as reopened:
        problems = reopened.verify_audit_chain()
    assert len(problems) == 1 and "damaged" in problems[0]
