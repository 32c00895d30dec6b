"""Menu actions, driven as a user would (dialogs answered by monkeypatch), offscreen.

File (new/open/recent/add video/new observation/relink/consent/scheme), Playback (go to,
speed, volume, mute, loop, reaction time, backend), View and Help. Every assertion reads the
project back or the widget the user sees.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from coder.commands import AddEvent
from coder.model import Event
from coder.store import Project
from ui.dialogs.session_dialog import SessionDialog
from ui.main_window import MainWindow


def answer(monkeypatch: pytest.MonkeyPatch, cls: type, name: str, value: object) -> None:
    monkeypatch.setattr(cls, name, lambda *a, **k: value)


# --- File ------------------------------------------------------------------------------------
def test_new_project_with_a_shipped_scheme(qtbot, prefs, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(tmp_path / "fresh"), ""))
    answer(monkeypatch, QInputDialog, "getItem", ("Attachment core", True))
    w.menu_actions.new_project.trigger()
    assert w.project is not None and w.project.path == tmp_path / "fresh.attune"
    assert [s.scheme.id for s in w.project.snapshots()] == ["attachment-core"]
    assert w.windowTitle() == f"Attune — fresh.attune — coding as {w.user}"
    # Cancelling the scheme choice creates nothing.
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(tmp_path / "other.attune"), ""))
    answer(monkeypatch, QInputDialog, "getItem", ("", False))
    w.menu_actions.new_project.trigger()
    assert not (tmp_path / "other.attune").exists()
    w.close()


def test_open_and_open_recent(qtbot, prefs, index_project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    answer(monkeypatch, QFileDialog, "getOpenFileName", (str(index_project), ""))
    w.menu_actions.open_project.trigger()
    assert w.project is not None and w.observation is not None and w.observation.id == "o1"
    w.close_project()
    assert w.project is None and w.observation_box.count() == 0
    menu = w.menu_actions.recent_menu
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] == [str(index_project.resolve())]
    menu.actions()[0].trigger()
    assert w.project is not None and w.project.path.resolve() == index_project.resolve()
    w.close()


def test_add_video_makes_a_session_and_an_observation_for_the_user(
    qtbot, window: MainWindow, index_project: Path
) -> None:  # type: ignore[no-untyped-def]
    video = index_project.parent / "second visit.mp4"
    shutil.copy(index_project.parent / "clip.mp4", video)
    window.user = "Bea"
    window.projects.add_video(str(video))
    qtbot.waitUntil(lambda: window.observation_box.count() == 2, timeout=10000)
    assert window.project is not None and window.observation is not None
    session = window.project.session(window.observation.session_id)
    assert session.label == "second visit"
    assert (window.observation.coder, window.observation.name) == ("Bea", "second visit/Bea")
    assert window.observation_box.currentText() == "second visit — Bea"
    assert window.player.timebase is not None and window.player.timebase.frame_count == 100


def test_add_video_needs_a_writable_project(qtbot, prefs, no_modal_boxes: list[str]) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.projects.add_video("whatever.mp4")
    assert no_modal_boxes == ["Open a project (for writing) first."]


def test_new_observation_blind_for_a_second_coder(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answer(monkeypatch, QInputDialog, "getText", (" Bea ", True))
    answer(monkeypatch, QMessageBox, "question", QMessageBox.StandardButton.Yes)
    window.menu_actions.new_observation.trigger()
    assert window.observation is not None
    assert (window.observation.coder, window.observation.blind) == ("Bea", True)
    assert window.observation.session_id == "s1"
    assert window.observation_box.count() == 2


def test_relink_refuses_another_recording_and_accepts_the_original(
    qtbot, window: MainWindow, index_project: Path, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    from coder.media.synth import write_index_video

    other = index_project.parent / "other.mp4"
    write_index_video(other, frames=30, gop=12, size=(160, 120))
    answer(monkeypatch, QFileDialog, "getOpenFileName", (str(other), ""))
    window.menu_actions.relink_video.trigger()
    assert no_modal_boxes and "not the same recording" in no_modal_boxes[-1]
    moved = index_project.parent / "moved.mp4"
    shutil.copy(index_project.parent / "clip.mp4", moved)
    answer(monkeypatch, QFileDialog, "getOpenFileName", (str(moved), ""))
    window.menu_actions.relink_video.trigger()
    assert window.project is not None
    assert window.project.media(window.project.session("s1").media_id or "").path == str(moved)
    assert window.player.path == str(moved)


def test_consent_dialog_saves_the_session(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def accept(dialog: SessionDialog) -> int:
        dialog.family.setText("Rivera family")
        dialog.flags["research"].setChecked(True)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(SessionDialog, "exec", accept)
    window.menu_actions.consent.trigger()
    assert window.project is not None
    session = window.project.session("s1")
    assert session.family == "Rivera family" and session.consent.research


def test_scheme_editor_opens_on_the_observation_scheme(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.menu_actions.edit_scheme.trigger()
    editor = window.projects.scheme_editor
    assert editor is not None and editor.isVisible()
    assert "attachment-core" in editor.editor.toPlainText()
    editor.close()


# --- Playback and view ----------------------------------------------------------------------
def test_go_to_time_frame_and_bad_input(
    qtbot, window: MainWindow, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    answer(monkeypatch, QInputDialog, "getText", ("00:02.010", True))
    window.menu_actions.go_to.trigger()
    assert (window.player.position, window.player.frame) == (2000, 50)
    answer(monkeypatch, QInputDialog, "getText", ("f10", True))
    window.menu_actions.go_to.trigger()
    assert (window.player.position, window.player.frame) == (400, 10)
    answer(monkeypatch, QInputDialog, "getText", ("soon", True))
    window.menu_actions.go_to.trigger()
    assert "'soon' is not a time or a frame" in no_modal_boxes[-1]
    assert window.player.position == 400


def test_speed_steps_volume_mute(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    actions = window.menu_actions
    actions.faster.trigger()
    assert window.player.rate == 1.25 and window.status_speed.text() == "1.25×"
    actions.slower.trigger()
    actions.slower.trigger()
    assert window.player.rate == 0.75
    for _ in range(10):
        actions.slower.trigger()
    assert window.player.rate == 0.1  # the slowest step, no further
    actions.normal_speed.trigger()
    assert window.player.rate == 1.0
    actions.volume_down.trigger()
    actions.volume_down.trigger()
    assert window.playback.volume_level == pytest.approx(0.8)
    assert window.statusBar().currentMessage() == "Volume 80%"
    for _ in range(5):
        actions.volume_up.trigger()
    assert window.playback.volume_level == 1.0
    actions.mute.trigger()
    assert actions.mute.isChecked()


def test_loop_selected_state_event(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.history.push(AddEvent(Event("st", "o1", "following_lead", "parent", 800, 1600)))
    assert window.scene is not None
    window.menu_actions.loop.trigger()
    assert window.player.loop is None and window.statusBar().currentMessage() == "Loop off"
    window.scene.items_by_id["st"].setSelected(True)
    window.menu_actions.loop.trigger()
    assert window.player.loop == (800, 1600) and window.player.position == 800


def test_next_and_previous_event(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    for i, at in enumerate((400, 1200)):
        window.history.push(AddEvent(Event(f"e{i}", "o1", "attunement", "parent", at)))
    window.menu_actions.next_event.trigger()
    assert window.player.position == 400
    window.menu_actions.next_event.trigger()
    assert window.player.position == 1200
    window.menu_actions.next_event.trigger()
    assert window.player.position == 1200  # nothing later
    window.menu_actions.prev_event.trigger()
    assert window.player.position == 400


def test_reaction_time_and_backend_preferences(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answer(monkeypatch, QInputDialog, "getInt", (250, True))
    window.menu_actions.reaction_time.trigger()
    assert window.prefs.reaction_ms == 250
    assert window.coding is not None and window.coding.reaction_ms == 250
    window.player.seek(2000)
    QTest.keyClick(window, Qt.Key.Key_A)
    assert window.project is not None
    assert [e.onset_ms for e in window.project.events("o1")] == [1720]  # frame at 1750 ms
    answer(monkeypatch, QInputDialog, "getItem", ("Qt Multimedia (frame-exact)", True))
    window.prefs.backend = "vlc"
    window.menu_actions.player_backend.trigger()
    assert window.prefs.backend == "qt"


def test_view_zoom_fit_follow_and_ask_modifiers(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    timeline = window.timeline
    assert timeline is not None
    window.menu_actions.whole_session.trigger()
    fitted = timeline.timeline.px_per_ms
    window.menu_actions.zoom_in.trigger()
    assert timeline.timeline.px_per_ms == pytest.approx(fitted * 1.5)
    window.menu_actions.zoom_out.trigger()
    assert timeline.timeline.px_per_ms == pytest.approx(fitted)
    window.menu_actions.follow.trigger()
    assert timeline.follow is False and window.follow_playhead is False
    window.menu_actions.ask_modifiers.trigger()
    assert window.prefs.ask_modifiers is True


def test_delete_selected_events_from_the_edit_menu(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.history.push(AddEvent(Event("x", "o1", "attunement", "parent", 400)))
    assert window.scene is not None
    window.scene.items_by_id["x"].setSelected(True)
    window.menu_actions.delete_selected.trigger()
    assert window.project is not None and window.project.events("o1") == []
    assert window.menu_actions.undo.text() == "&Undo Delete event"


def test_shortcut_sheet_lists_transport_and_code_keys(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.menu_actions.shortcuts.trigger()
    dialog = window.menu_actions.shortcuts_dialog
    assert dialog is not None
    from PySide6.QtWidgets import QTableWidget

    table = dialog.findChild(QTableWidget)
    assert table is not None
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert rows["Play / pause"] == "Space" and rows["Attunement"] == "A"
    dialog.close()


def test_read_only_when_locked_by_another_instance(
    qtbot, prefs, index_project: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    holder = Project.open(index_project, user="someone")
    try:
        answer(monkeypatch, QMessageBox, "question", QMessageBox.StandardButton.Yes)
        w = MainWindow(prefs, audio=False)
        qtbot.addWidget(w)
        assert w.open_project(str(index_project))
        assert w.project is not None and w.project.read_only
        assert "(read-only) — coding as" in w.windowTitle()
        w.close()
    finally:
        holder.close()


def test_every_action_without_a_project_explains_instead_of_failing(
    qtbot, prefs, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """Each menu entry with nothing open either does nothing or says what to open first."""
    for name in ("getOpenFileName", "getSaveFileName"):
        answer(monkeypatch, QFileDialog, name, ("", ""))
    answer(monkeypatch, QFileDialog, "getExistingDirectory", "")
    answer(monkeypatch, QInputDialog, "getText", ("", False))
    answer(monkeypatch, QInputDialog, "getItem", ("", False))
    answer(monkeypatch, QInputDialog, "getInt", (0, False))
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    actions = w.menu_actions
    skip = {actions.quit, actions.shortcuts}
    for action in [a for a in vars(actions).values() if a not in skip]:
        if hasattr(action, "trigger"):
            action.trigger()
    assert set(no_modal_boxes) == {
        "Open a project first.",
        "Open an observation first.",
        "Open a project (for writing) first.",
        "Open a project for writing first.",
    }
    assert w.project is None
