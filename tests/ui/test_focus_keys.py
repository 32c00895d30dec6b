"""Defect 4: after typing a rating, Esc or a click on the video gives the coding keys back,
and the status bar says while they are paused."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def codes(w: MainWindow) -> int:
    assert w.project is not None
    return len(w.project.events("o1"))


def test_keys_come_back_after_typing_a_rating(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.ratings is not None
    box = next(iter(w.ratings.boxes.values()))
    w.side.setCurrentWidget(w.ratings)
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    assert "coding keys paused" in w.status_keys.text()
    QTest.keyClicks(box.lineEdit(), "5")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_A)  # goes to the field, not a code
    assert codes(w) == 0
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is w.video and w.status_keys.text() == ""
    QTest.keyClick(w.video, Qt.Key.Key_A)
    assert codes(w) == 1
    # Clicking the video works too.
    box.setFocus()
    assert "paused" in w.status_keys.text()
    QTest.mouseClick(w.video, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is w.video and w.status_keys.text() == ""
    w.player.seek(800)
    QTest.keyClick(w.video, Qt.Key.Key_A)
    assert codes(w) == 2
