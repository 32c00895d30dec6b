"""Defect 3: the disagreement review has its own frame-exact video (the main player does not
move), closes with Esc or its Close button, and marks what was accepted (undo unmarks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from coder.commands import AddEvent
from coder.model import Event, Observation
from tests.ui.test_cameras_gui import index_of
from ui.main_window import MainWindow
from ui.reliability.review import DisagreementReview


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def test_review_has_its_own_exact_video_closes_on_esc_and_marks_decisions(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    w = window
    project = w.project
    assert project is not None
    snapshot = project.observation("o1").snapshot_id
    project.add_observation(Observation("o2", "s1", "Bea", snapshot, name="Week 1/Bea"))
    push = w.history.push
    assert push(AddEvent(Event("a1", "o1", "attunement", "parent", 1200)))
    assert push(AddEvent(Event("b1", "o2", "warmth", "parent", 2800)))
    w.player.seek(400)
    qtbot.waitUntil(lambda: w.player.displayed_index == 10, timeout=5000)
    review = DisagreementReview(project, "o1", "o2", w.player, w.history, tolerance_ms=300)
    qtbot.addWidget(review)
    review.show()
    assert len(review.items) == 2
    for row, frame in ((0, 30), (1, 70)):
        review.list.setCurrentRow(row)
        qtbot.waitUntil(
            lambda f=frame: (
                review.player.displayed_index == f and index_of(review.player.image) == f
            ),
            timeout=5000,
        )
        assert w.player.frame == 10 and index_of(w.player.image) == 10  # main video stays put
    review.list.setCurrentRow(0)
    review.accept_side("a")
    assert review.list.item(0).text().startswith("✓ A accepted")
    assert not review.list.item(1).text().startswith("✓")
    assert "1 decided" in review.status.text()
    w.history.undo()
    assert not review.list.item(0).text().startswith("✓")
    assert "0 decided" in review.status.text()
    QTest.keyClick(review, Qt.Key.Key_Escape)
    assert not review.isVisible()
