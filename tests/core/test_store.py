"""Project files: refusal of bad files, migrations with backup, the single-writer lock."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coder.errors import ProjectError, ProjectLockedError
from coder.model import Event, Fingerprint, Observation
from coder.store import Project, schema


def _unchanged(path: Path) -> tuple[int, bytes]:
    return path.stat().st_size, path.read_bytes()[:4096]


def test_missing_file_is_not_created(tmp_path: Path) -> None:
    target = tmp_path / "nope.attune"
    with pytest.raises(ProjectError, match="no such project file"):
        Project.open(target)
    assert not target.exists()


@pytest.mark.parametrize("content", [b"", b"hello, not a database" * 10, os.urandom(4096)])
def test_non_sqlite_files_are_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    target = tmp_path / "bad.attune"
    target.write_bytes(content)
    with pytest.raises(ProjectError, match="not an Attune project"):
        Project.open(target)
    assert target.read_bytes() == content
    assert not (tmp_path / "bad.attune-wal").exists()


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "other.attune"
    db = sqlite3.connect(target)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(ProjectError, match="not an Attune project"):
        Project.open(target)


def test_truncated_and_corrupt_files_give_clear_errors(project: Project, tmp_path: Path) -> None:
    path = project.path
    project.close()
    data = path.read_bytes()
    truncated = tmp_path / "truncated.attune"
    truncated.write_bytes(data[: len(data) // 3])
    with pytest.raises(ProjectError, match="damaged|restore"):
        Project.open(truncated)
    corrupt = tmp_path / "corrupt.attune"
    mangled = bytearray(data)
    for offset in range(4096, len(mangled), 4096):  # scribble over every page after the header
        mangled[offset + 100 : offset + 400] = os.urandom(300)
    corrupt.write_bytes(bytes(mangled))
    before = corrupt.read_bytes()
    with pytest.raises(ProjectError):
        Project.open(corrupt)
    assert corrupt.read_bytes() == before


def test_create_refuses_to_overwrite(project: Project) -> None:
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(project.path)


def test_newer_format_is_refused(project: Project) -> None:
    path = project.path
    project.db.execute(f"PRAGMA user_version = {schema.current_version() + 1}")
    project.close()
    with pytest.raises(ProjectError, match="newer Attune"):
        Project.open(path)


def test_older_file_is_backed_up_then_migrated(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project.path
    project.close()
    now = schema.current_version()

    def next_version(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE extra (x)")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, next_version])
    with Project.open(path) as migrated:
        assert migrated.backup_path is not None and migrated.backup_path.exists()
        assert migrated.db.execute("PRAGMA user_version").fetchone()[0] == now + 1
        assert migrated.observations()[0].id == "o1"
    backup = sqlite3.connect(str(path.with_name(f"{path.name}.bak-v{now}")))
    assert backup.execute("PRAGMA user_version").fetchone()[0] == now
    assert backup.execute("SELECT count(*) FROM observations").fetchone()[0] == 1
    backup.close()


def test_lock_held_by_another_process_and_released_when_it_dies(project: Project) -> None:
    path = project.path
    project.close()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from coder.store import Project; "
            f"p = Project.open({str(path)!r}, user='other'); print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "open"
        with pytest.raises(ProjectLockedError, match="open in another Attune window.*other"):
            Project.open(path)
        with Project.open(path, read_only=True) as viewer:
            assert viewer.read_only and viewer.observations()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 5
    while True:  # the OS frees the lock when the holder dies
        try:
            Project.open(path).close()
            break
        except ProjectLockedError:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_frame_times_and_relink(project: Project, tmp_path: Path) -> None:
    assert project.frame_times("m1")[:3] == [0, 40, 80] and len(project.frame_times("m1")) == 1500
    same = project.media("m1").fingerprint
    moved = project.relink_media("m1", str(tmp_path / "moved.mp4"), same)
    assert project.media("m1").path.endswith("moved.mp4") and moved.fingerprint == same
    with pytest.raises(ProjectError, match="not the same recording"):
        project.relink_media("m1", "/elsewhere.mp4", Fingerprint(11, "c" * 64, "d" * 64, 1))


def test_blind_observation_hides_others_until_both_final(project: Project) -> None:
    snap = project.snapshots()[0].id
    project.add_observation(Observation("o2", "s1", "Supervisor B", snap, blind=True))
    assert [o.id for o in project.observations_visible_to("s1", "Supervisor B")] == ["o2"]
    assert {o.id for o in project.observations_visible_to("s1", "Therapist A")} == {"o1", "o2"}
    project.set_observation_final("o2", True)
    assert [o.id for o in project.observations_visible_to("s1", "Supervisor B")] == ["o2"]
    project.set_observation_final("o1", True)
    assert {o.id for o in project.observations_visible_to("s1", "Supervisor B")} == {"o1", "o2"}


def test_find_observation(project: Project) -> None:
    assert project.find_observation("o1").id == "o1"
    assert project.find_observation("Week 1/Therapist A").id == "o1"
    with pytest.raises(ProjectError, match="no observation 'x'"):
        project.find_observation("x")


def test_same_scheme_adopted_once(project: Project) -> None:
    snap = project.snapshots()[0]
    again = project.adopt_scheme(snap.scheme, snap.source_text, snap.content_hash)
    assert again.id == snap.id and len(project.snapshots()) == 1


def test_events_query_returns_20000_events_in_time_order(project: Project) -> None:
    # How fast is bench/store.py's business (timing asserts flake on a loaded machine).
    scheme = project.scheme_for_observation("o1")
    code = next(c for c in scheme.codes if c.subjects)
    rows = [
        Event(f"e{i:05d}", "o1", code.id, code.subjects[0], (i * 7919) % 3_600_000, None)
        for i in range(20_000)
    ]
    with project.transaction():
        for e in rows:
            project.insert_event(e)
    got = project.events("o1")
    assert len(got) == 20_000
    assert [e.onset_ms for e in got] == sorted(e.onset_ms for e in rows)
