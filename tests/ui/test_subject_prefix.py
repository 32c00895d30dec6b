"""Defect 1: the Shift+subject prefix is a one-shot for the next code, shown in the toolbar
while pending, announced when it expires, and named as such in the shortcut list."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

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


def test_prefix_is_shown_used_once_and_expiry_is_announced(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.session is not None and w.coding is not None and w.project is not None
    now = [100.0]
    w.session.clock = lambda: now[0]
    assert w.prefix_label.text() == ""
    QTest.keyClick(w, Qt.Key.Key_C, Qt.KeyboardModifier.ShiftModifier)
    assert "Next code: Child (2.0 s)" in w.prefix_label.text()
    now[0] += 0.5
    qtbot.waitUntil(lambda: "(1.5 s)" in w.prefix_label.text(), timeout=2000)
    QTest.keyClick(w, Qt.Key.Key_W)  # warmth: for the child, then the prefix is gone
    assert w.prefix_label.text() == ""
    w.player.seek(400)
    QTest.keyClick(w, Qt.Key.Key_W)  # no prefix: the Subject box's subject (Parent)
    subjects = [e.subject_id for e in sorted(w.project.events("o1"), key=lambda e: e.onset_ms)]
    assert subjects == ["child", "parent"]
    # Expiry: the label clears and the status bar says where codes go now.
    QTest.keyClick(w, Qt.Key.Key_C, Qt.KeyboardModifier.ShiftModifier)
    assert "Child" in w.prefix_label.text()
    now[0] += 2.5
    qtbot.waitUntil(lambda: w.prefix_label.text() == "", timeout=2000)
    assert "Subject prefix Child expired" in w.statusBar().currentMessage()
    # The shortcut list says it is for the next code only.
    texts = [a.text() for a in w.actions() if a.shortcut().toString() == "Shift+C"]
    assert texts and "next code only" in texts[0]
