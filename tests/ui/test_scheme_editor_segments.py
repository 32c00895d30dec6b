"""Scheme editor live validation and adoption; segments added from the scheme's definitions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog

from coder.schemes import load_shipped
from coder.store import Project
from ui.dialogs import scheme_editor
from ui.dialogs.scheme_editor import SchemeEditor
from ui.main_window import MainWindow


def test_live_validation_and_key_clash(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    text = load_shipped("attachment-core")[1]
    editor = SchemeEditor(text)
    qtbot.addWidget(editor)
    assert editor.validate() == [] and editor.codes.rowCount() == 10
    editor.editor.setPlainText(text.replace("key: d\n", "key: f\n", 1))  # clash with following_lead
    problems = editor.validate()
    assert any("key 'f' is already used" in p for p in problems)
    assert not editor.save_button.isEnabled()
    editor.editor.setPlainText(text)
    editor.add_code()
    assert editor.validate() == [] and editor.codes.rowCount() == 11  # a valid template code
    monkeypatch.setattr(scheme_editor, "user_scheme_folder", lambda: tmp_path)
    editor.editor.setPlainText(text.replace('version: "1.0"', 'version: "1.1"'))
    editor.validate()
    saved = editor.save()
    assert saved is not None and saved.read_text() == editor.editor.toPlainText()


def test_adopting_a_new_version_keeps_old_codings(qtbot, index_project: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(index_project) as project:
        text = project.snapshots()[0].source_text
        editor = SchemeEditor(text.replace('version: "1.0"', 'version: "1.1"'), project)
        qtbot.addWidget(editor)
        editor.adopt()
        snaps = project.snapshots()
        assert [s.scheme.version for s in snaps] == ["1.0", "1.1"]
        assert project.observation("o1").snapshot_id == snaps[0].id


def test_add_segment_at_playhead_from_definition(
    qtbot, prefs, index_project: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert w.open_project(str(index_project))
    w.player.seek(1000)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Child-led play", True))
    w.projects.add_segment()
    (segment,) = w.project.segments("s1")  # type: ignore[union-attr]
    assert (segment.name, segment.onset_ms, segment.definition_id) == (
        "Child-led play",
        1000,
        "child_led",
    )
    assert segment.offset_ms == w.player.timebase.duration_ms  # type: ignore[union-attr]  # capped at the end
    assert ("segments" in {lane for lane, _ in w.scene.lanes}) and w.scene.bands  # type: ignore[union-attr]
    w.projects.delete_segment()
    assert w.project.segments("s1") == []  # type: ignore[union-attr]
    w.history.undo()  # type: ignore[union-attr]
    assert len(w.project.segments("s1")) == 1  # type: ignore[union-attr]
    w.close()
