"""Coding ergonomics: a configurable step size, press-and-hold coding for states, and the
coding pad (a click is a key press; a running state's button stays down)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.test_main_window import wait_frame
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


def test_step_size_moves_n_frames_and_shows_the_exact_frame(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    w.set_step_size(5)
    assert w.menu_actions.next_frame.text() == "Next 5 frames" and w.prefs.step_frames == 5
    QTest.keyClick(w, Qt.Key.Key_Right)
    wait_frame(qtbot, w, 5)
    QTest.keyClick(w, Qt.Key.Key_Right)
    wait_frame(qtbot, w, 10)
    QTest.keyClick(w, Qt.Key.Key_Left)
    wait_frame(qtbot, w, 5)
    w.set_step_size(1)
    QTest.keyClick(w, Qt.Key.Key_Left)
    wait_frame(qtbot, w, 4)


def test_holding_a_state_key_codes_the_state_until_release(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.project is not None
    w.menu_actions.hold_states.trigger()
    assert w.prefs.hold_states and w.coding is not None and w.coding.hold_states
    w.player.seek(1000)
    QTest.keyPress(w, Qt.Key.Key_F)  # following the lead (a state) starts
    w.player.seek(1800)  # still held while the video moves on
    QTest.keyRelease(w, Qt.Key.Key_F)
    (event,) = w.project.events("o1")
    assert (event.code_id, event.onset_ms, event.offset_ms) == ("following_lead", 1000, 1800)
    # A point code is unaffected; without hold mode a release does nothing.
    w.menu_actions.hold_states.trigger()
    w.player.seek(2400)
    QTest.keyPress(w, Qt.Key.Key_F)
    w.player.seek(2800)
    QTest.keyRelease(w, Qt.Key.Key_F)
    running = [e for e in w.project.events("o1") if e.offset_ms is None]
    assert [(e.code_id, e.onset_ms) for e in running] == [("following_lead", 2400)]


def test_pad_buttons_code_like_keys(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.pad is not None and w.project is not None and w.session is not None
    assert w.side.tabText(w.side.indexOf(w.pad)) == "Pad"
    scheme = w.session.scheme
    assert set(w.pad.buttons) == {c.id for c in scheme.codes}
    assert "[A]" in w.pad.buttons["attunement"].text().upper()
    w.player.seek(400)
    w.pad.buttons["attunement"].click()
    w.player.seek(800)
    w.pad.buttons["following_lead"].click()
    assert w.pad.buttons["following_lead"].isChecked()  # running: the button stays down
    w.player.seek(1600)
    w.pad.buttons["following_lead"].click()
    assert not w.pad.buttons["following_lead"].isChecked()
    got = sorted((e.code_id, e.onset_ms, e.offset_ms) for e in w.project.events("o1"))
    assert got == [("attunement", 400, None), ("following_lead", 800, 1600)]
    w.history.undo()  # the pad follows undo too
    assert w.pad.buttons["following_lead"].isChecked()
