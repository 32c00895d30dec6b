"""Videos on a team's shared folder: each machine finds them by fingerprint, wherever mounted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coder.media.fingerprint import fingerprint
from coder.model import Fingerprint, Media, Session
from coder.store import Project
from coder.store.media_folders import ENV, MediaFinder, locate


def _video(path: Path, seed: int, size: int = 3 << 20) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes((i * seed) % 251 for i in range(size)))
    return path


def test_each_machine_finds_the_video_by_fingerprint(store: Project, tmp_path: Path) -> None:
    original = _video(tmp_path / "recorder" / "week3.mp4", 7)
    media = Media("m3", str(original), fingerprint(original, 60_000), 60_000, 25.0, 160, 120)
    with store.transaction():
        store.add_media(media, [0, 40])
        store.add_session(Session("s3", "Week 3", "m3"))
    # On this machine the team drive is mounted elsewhere, and the file was renamed there.
    mount = tmp_path / "mnt" / "team-videos"
    decoy = _video(mount / "2024" / "week3.mp4", 11)  # same name and size, other content
    copy = mount / "2024" / "family-r" / "session-3.mp4"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(original.read_bytes())
    original.unlink()
    assert decoy.stat().st_size == copy.stat().st_size
    assert store.media("m3").path == str(original)  # no folders known yet: the stored path
    store.media_finder.set_folders([mount])
    assert store.media("m3").path == str(copy)
    assert [m.path for m in store.media_list() if m.id == "m3"] == [str(copy)]
    # The project still holds the original path: another machine is not affected.
    row = store.db.execute("SELECT path FROM media WHERE id = ?", ("m3",)).fetchone()
    assert row[0] == str(original)


def test_locate_prefers_the_stored_path_then_the_same_name(tmp_path: Path) -> None:
    a = _video(tmp_path / "a" / "v.mp4", 3, size=4096)
    media = Media("m", str(a), fingerprint(a, 1000), 1000, 25.0, 16, 16)
    assert locate(media, [tmp_path]) == a
    b = tmp_path / "b" / "v.mp4"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    a.unlink()
    assert locate(media, [tmp_path / "b"]) == b
    b.unlink()
    assert locate(media, [tmp_path]) is None
    # An imported placeholder (name and length only) is never matched by name alone.
    _video(tmp_path / "c" / "v.mp4", 3, size=4096)
    placeholder = Media("p", "v.mp4", Fingerprint(0, "", "", 1000), 1000, 25.0)
    assert locate(placeholder, [tmp_path / "c"]) is None


def test_folders_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV, os.pathsep.join([str(tmp_path / "x"), "", str(tmp_path / "y")]))
    assert MediaFinder().folders == [tmp_path / "x", tmp_path / "y"]
    finder = MediaFinder()
    finder.set_folders([tmp_path / "z"])
    assert finder.folders == [tmp_path / "z", tmp_path / "x", tmp_path / "y"]


def test_an_unusable_stored_path_is_not_found_rather_than_a_crash(tmp_path: Path) -> None:
    folders = MediaFinder([tmp_path])
    for path in ("x" * 5000 + ".mp4", "a\0b.mp4"):  # too long; a NUL no file system accepts
        media = Media("m1", path, Fingerprint(1, "", "", 1000), 1000, 25.0)
        folders.forget("m1")
        assert folders.local_path(media) == path  # not found: the stored path, as written
