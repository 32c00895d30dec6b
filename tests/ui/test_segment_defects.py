"""Defect 13: rating rows of same-named segments are told apart, labels keep the scheme's
order when a rating changes, whole-session ratings are not drawn under the first segment, and
a segment can be renamed and retyped (undoably)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from coder.commands import AddSegment, SetRating
from coder.model import Segment
from ui.dialogs.segment_dialog import SegmentDialog
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def rating_texts(w: MainWindow) -> list[tuple[float, str]]:
    assert w.scene is not None
    return sorted((lab.pos().x(), lab.text()) for lab in w.scene._rating_labels if lab.isVisible())


def test_ratings_rows_labels_and_session_ratings(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.session is not None and w.ratings is not None and w.scene is not None
    scheme = w.session.scheme
    per_segment = [r for r in scheme.ratings if r.per.value == "segment"]
    assert len(per_segment) >= 2, "attachment-core rates per segment"
    first, second = per_segment[0], per_segment[1]
    push = w.history.push
    assert push(AddSegment(Segment("g1", "s1", "Free play", 0, 2000, None)))
    assert push(AddSegment(Segment("g2", "s1", "Free play", 2000, 4000, None)))
    # Two same-named segments: their rating rows say which is which.
    group = w.ratings.widget()
    texts = [lab.text() for lab in group.findChildren(type(w.status_time))]
    assert any("Free play (00:00:00.000–00:00:02.000)" in t for t in texts)
    assert any("Free play (00:00:02.000–00:00:04.000)" in t for t in texts)
    # Ratings keep the scheme's order on the timeline whatever order they were set in.
    assert push(SetRating("o1", second.id, "g1", second.maximum))
    assert push(SetRating("o1", first.id, "g1", first.minimum))
    shown = [t for _, t in rating_texts(w)]
    assert shown[0].startswith(first.name.split()[0]) and shown[1].startswith(
        second.name.split()[0]
    )
    assert push(SetRating("o1", second.id, "g1", second.minimum))  # editing does not reorder
    assert [t.split()[0] for _, t in rating_texts(w)] == [t.split()[0] for t in shown]
    # A whole-session rating is in the lane's name, not drawn inside the first segment.
    assert push(SetRating("o1", first.id, None, first.maximum))
    assert len(rating_texts(w)) == 2
    index = w.scene.lanes.index(("ratings", ""))
    assert w.scene.lane_label(index).startswith("Ratings · session: ")
    assert f"{first.name} {first.maximum:g}" in w.scene.lane_label(index)


def test_segment_is_renamed_and_retyped_undoably(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.project is not None and w.session is not None
    definition = w.session.scheme.segments[0]
    assert w.history.push(AddSegment(Segment("g1", "s1", "Segment 1", 0, 2000, None)))
    w.player.seek(1000)

    def accept(dialog: SegmentDialog) -> int:
        dialog.kind.setCurrentIndex(dialog.kind.findData(definition.id))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(SegmentDialog, "exec", accept)
    w.menu_actions.edit_segment.trigger()
    (seg,) = w.project.segments("s1")
    assert (seg.name, seg.definition_id) == (definition.name, definition.id)
    w.history.undo()
    (seg,) = w.project.segments("s1")
    assert (seg.name, seg.definition_id) == ("Segment 1", None)
