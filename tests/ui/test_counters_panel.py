"""The Counters tab while coding by keys: running counts in the segment at the playhead against
the mastery targets, following the playhead between segments and undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from coder.commands import AddSegment, CommandStack
from coder.media.probe import media_from_probe, probe
from coder.media.synth import write_index_video
from coder.model import Observation, Segment, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, prefs, tmp_path: Path):  # type: ignore[no-untyped-def]
    video = tmp_path / "clip.mp4"
    write_index_video(video, frames=100, gop=12, size=(160, 120))
    path = tmp_path / "pcit.attune"
    scheme, text = load_shipped("pcit-style")
    result = probe(video)
    media = media_from_probe(video, result)
    with Project.create(path, user="ui") as project:
        snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
        with project.transaction():
            project.add_media(media, result.frame_times_ms)
            project.add_session(Session("s1", "Week 3", media.id))
        project.add_observation(Observation("o1", "s1", "Ana", snap.id, name="Week 3/Ana"))
        stack = CommandStack(project)
        stack.push(AddSegment(Segment("a", "s1", "Child-led play", 0, 2000, "cdi")))
        stack.push(AddSegment(Segment("b", "s1", "Parent-led play", 2000, 4000, "pdi")))
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(path))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def row(w: MainWindow, metric: str) -> list[str]:
    assert w.counters is not None
    table = w.counters.table
    for r in range(table.rowCount()):
        if table.item(r, 0).text() == metric:
            return [table.item(r, c).text() for c in range(table.columnCount())]
    raise AssertionError(f"no row {metric}")


def press_at(qtbot, w: MainWindow, ms: int, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    w.player.seek(ms)
    QTest.keyClick(w, key)


def test_counts_follow_coding_segments_and_undo(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.counters is not None
    assert w.side.tabText(w.side.indexOf(w.counters)) == "Counters"
    assert w.counters.table.rowCount() == 0  # not counted while the tab is hidden
    w.side.setCurrentWidget(w.counters)
    assert "Child-led play" in w.counters.heading.text()
    assert row(w, "Labelled praises") == ["Labelled praises", "0", "≥ 10", "not yet"]
    for ms in (400, 800):
        press_at(qtbot, w, ms, Qt.Key.Key_L)
    press_at(qtbot, w, 1200, Qt.Key.Key_R)
    assert row(w, "Labelled praises")[1] == "2"
    assert row(w, "Reflections")[1] == "1"
    assert row(w, "Questions, commands and negative talk")[1:] == ["0", "≤ 3", "✓ met"]
    for ms in (2200, 2400, 2600, 2800):  # four questions in the parent-led segment
        press_at(qtbot, w, ms, Qt.Key.Key_Q)
    assert "Parent-led play" in w.counters.heading.text()
    assert row(w, "Labelled praises")[1] == "0"  # the praises were in the other segment
    assert row(w, "Questions, commands and negative talk")[1:] == ["4", "≤ 3", "not yet"]
    w.history.undo()
    assert row(w, "Questions, commands and negative talk")[1:] == ["3", "≤ 3", "✓ met"]
    w.player.seek(1000)
    assert "Child-led play" in w.counters.heading.text()
    assert row(w, "Labelled praises")[1] == "2"
    assert w.project is not None and len(w.project.events("o1")) == 6
