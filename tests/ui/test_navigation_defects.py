"""Defect 14: Down/Up select the event they go to; Go to's help and its refusals agree (and
name the valid range); closing with a running state asks to end it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from coder.app.goto import GO_TO_HELP, go_to_ms
from coder.errors import CommandError
from coder.store import Project
from coder.timebase import TimeBase
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


def test_next_and_previous_event_select_what_they_reach(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.session is not None and w.project is not None
    for ms in (400, 1200, 2000):
        w.player.seek(ms)
        QTest.keyClick(w, Qt.Key.Key_A)  # attunement points
    by_time = {e.onset_ms: e.id for e in w.project.events("o1")}
    w.player.seek(0)
    QTest.keyClick(w, Qt.Key.Key_Down)
    assert w.player.position == 400 and w.session.selection == {by_time[400]}
    QTest.keyClick(w, Qt.Key.Key_Down)
    assert w.player.position == 1200 and w.session.selection == {by_time[1200]}
    QTest.keyClick(w, Qt.Key.Key_Up)
    assert w.player.position == 400 and w.session.selection == {by_time[400]}
    assert w.table_model is not None


def test_go_to_accepts_what_its_help_shows_and_refusals_repeat_it() -> None:
    tb = TimeBase([i * 40 for i in range(100)], 4000)  # 25 fps, 4 s
    # Every example in the help text is accepted.
    assert go_to_ms("00:02.400", tb) == 2400
    assert go_to_ms("f50", tb) == 2000 and go_to_ms("00:01.013", tb) == 1000  # frame grid
    assert "01:23.400" in GO_TO_HELP and "f2085" in GO_TO_HELP
    for bad in ("abc", "50", "f", "1:2:3:4"):
        with pytest.raises(CommandError) as info:
            go_to_ms(bad, tb)
        assert GO_TO_HELP in str(info.value)
    with pytest.raises(CommandError, match=r"frames f0 to f99"):
        go_to_ms("f100", tb)
    with pytest.raises(CommandError, match=r"to 00:00:03.960"):
        go_to_ms("00:05.000", tb)


def test_go_to_dialog_shows_the_help_and_reports_the_range(
    qtbot, window: MainWindow, monkeypatch, no_modal_boxes
) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def answer(text: str):  # type: ignore[no-untyped-def]
        def get_text(_parent, _title, label, *a, **k):  # type: ignore[no-untyped-def]
            asked.append(label)
            return text, True

        return get_text

    monkeypatch.setattr(QInputDialog, "getText", answer("f60"))
    window.menu_actions.go_to.trigger()
    assert window.player.frame == 60 and GO_TO_HELP in asked[0]
    monkeypatch.setattr(QInputDialog, "getText", answer("f500"))
    window.menu_actions.go_to.trigger()
    assert window.player.frame == 60 and "f0 to f99" in no_modal_boxes[-1]


def test_closing_with_a_running_state_offers_to_end_it(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.project is not None
    w.player.seek(1000)
    QTest.keyClick(w, Qt.Key.Key_F)  # following the lead starts (a state)
    w.player.seek(2000)
    asked: list[str] = []
    buttons = QMessageBox.StandardButton

    def reply(choice):  # type: ignore[no-untyped-def]
        def question(_parent, _title, text, *a, **k):  # type: ignore[no-untyped-def]
            asked.append(text)
            return choice

        return question

    monkeypatch.setattr(QMessageBox, "question", reply(buttons.Cancel))
    assert not w.close() and w.isVisible()  # cancelled: nothing changed, still open
    assert "Following the lead" in asked[-1] and "00:01.000" in asked[-1]
    monkeypatch.setattr(QMessageBox, "question", reply(buttons.Yes))
    assert w.close()
    with Project.open(Path(w.prefs.recent()[0])) as project:
        (event,) = [e for e in project.events("o1") if e.code_id == "following_lead"]
        assert (event.onset_ms, event.offset_ms) == (1000, 2000)
