"""Defect 16: an Attune JSON file imports into a freshly created project that already adopted
the same scheme; importing it twice is refused in words (no database message)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.errors import ImportFormatError
from coder.model import Event, Fingerprint, Media, Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from exports.json_io import import_json, write_json


def new_project(path: Path) -> Project:
    """What `attune project new --scheme attachment-core` and File > New project make."""
    scheme, text = load_shipped("attachment-core")
    project = Project.create(path, user="t")
    project.adopt_scheme(scheme, text, scheme_content_hash(text))
    return project


def test_json_imports_into_a_new_project_with_the_same_scheme(tmp_path: Path) -> None:
    source = new_project(tmp_path / "a.attune")
    snap = source.snapshots()[0]
    media = Media("m1", "v.mp4", Fingerprint(10, "h", "t", 4000), 4000, 25.0)
    with source.transaction():
        source.add_media(media, [i * 40 for i in range(100)])
        source.add_session(Session("s1", "Week 1", "m1"))
    source.add_observation(Observation("o1", "s1", "Ana", snap.id, name="Week 1/Ana"))
    with source.transaction():
        for i, at in enumerate((400, 800, 1200)):
            source.insert_event(Event(f"e{i}", "o1", "attunement", "parent", at, None, {}))
    write_json(source, tmp_path / "a.json")
    source.close()

    with new_project(tmp_path / "fresh.attune") as fresh:
        held = fresh.snapshots()[0].id
        counts = import_json(fresh, tmp_path / "a.json")
        assert counts["events"] == 3 and counts["observations"] == 1
        assert len(fresh.snapshots()) == 1  # the same scheme is reused, not duplicated
        assert fresh.observation("o1").snapshot_id == held
        assert [e.onset_ms for e in fresh.events("o1")] == [400, 800, 1200]
        with pytest.raises(ImportFormatError) as info:
            import_json(fresh, tmp_path / "a.json")
        message = str(info.value)
        assert "already has some of the file's videos" in message
        assert "UNIQUE" not in message and "constraint" not in message
        assert len(fresh.events("o1")) == 3  # nothing changed
