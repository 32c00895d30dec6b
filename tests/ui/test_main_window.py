"""The coding workspace, driven by key presses as a coder would, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from coder.media.synth import read_frame_index
from ui.main_window import MainWindow


def shown_index(window: MainWindow) -> int:
    image = window.player.image.convertToFormat(QImage.Format.Format_RGB888)
    import numpy as np

    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
    rgb = arr[:, : image.width() * 3].reshape(image.height(), image.width(), 3)
    return read_frame_index(rgb)


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def wait_frame(qtbot, w: MainWindow, index: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: w.player.displayed_index == index and shown_index(w) == index, timeout=5000
    )


def test_paused_picture_is_the_exact_frame_after_seeks_and_steps(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    for ms, expected in [(1000, 25), (1039, 25), (2000, 50), (40, 1), (3960, 99)]:
        window.player.seek(ms)
        wait_frame(qtbot, window, expected)
        assert window.status_frame.text().startswith(f"frame {expected} ")
    window.player.seek(1000)
    wait_frame(qtbot, window, 25)
    for expected in (26, 27, 28):
        QTest.keyClick(window, Qt.Key.Key_Right)
        wait_frame(qtbot, window, expected)
    for expected in (27, 26, 25, 24, 23, 22):  # backwards across a GOP boundary (24)
        QTest.keyClick(window, Qt.Key.Key_Left)
        wait_frame(qtbot, window, expected)


def test_coding_by_keys_creates_events_at_the_shown_frame(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    project = window.project
    assert project is not None
    window.player.seek(1000)
    wait_frame(qtbot, window, 25)
    QTest.keyClick(window, Qt.Key.Key_A)  # attunement (point, parent only)
    QTest.keyClick(window, Qt.Key.Key_F)  # following the lead starts
    window.player.seek(2000)
    wait_frame(qtbot, window, 50)
    QTest.keyClick(window, Qt.Key.Key_D)  # directing: same exclusive group ends following
    window.player.seek(2400)
    wait_frame(qtbot, window, 60)
    QTest.keyClick(window, Qt.Key.Key_D)  # the same key ends the running state
    QTest.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ShiftModifier)  # subject prefix: child
    QTest.keyClick(window, Qt.Key.Key_W)  # warmth for the child
    events = {e.code_id: e for e in project.events("o1")}
    assert (events["attunement"].onset_ms, events["attunement"].offset_ms) == (1000, None)
    assert (events["following_lead"].onset_ms, events["following_lead"].offset_ms) == (1000, 2000)
    assert (events["directing"].onset_ms, events["directing"].offset_ms) == (2000, 2400)
    assert events["warmth"].subject_id == "child" and events["warmth"].onset_ms == 2400
    assert window.table_model is not None and len(window.table_model.events) == 4
    assert window.scene is not None and len(window.scene.items_by_id) == 4
    # Undo/redo through the Qt stack mirror the core stack.
    assert window.history.stack is not None
    window.history.undo()
    assert "warmth" not in {e.code_id for e in project.events("o1")}
    window.history.undo()
    assert project.event(events["directing"].id).offset_ms is None
    window.history.redo()
    window.history.redo()
    assert {e.code_id for e in project.events("o1")} == set(events)
    assert window.status_saved.text() == "✓ Saved"


def test_reaction_time_codes_earlier(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.coding is not None
    window.coding.reaction_ms = 300
    window.player.seek(2000)
    wait_frame(qtbot, window, 50)
    QTest.keyClick(window, Qt.Key.Key_A)
    assert [e.onset_ms for e in window.project.events("o1")] == [1680]  # type: ignore[union-attr]


def test_modifier_popup_choice_by_keyboard(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs import modifier_popup

    def fake_exec(self) -> int:  # type: ignore[no-untyped-def]
        QTest.keyClick(self, Qt.Key.Key_3) if self.modifier.id == "intensity" else None
        if self.modifier.id == "channel":
            QTest.keyClick(self, Qt.Key.Key_1)
            QTest.keyClick(self, Qt.Key.Key_3)
            self.accept()
        return int(self.result())

    monkeypatch.setattr(modifier_popup.ModifierPopup, "exec", fake_exec)
    assert window.coding is not None
    window.coding.choose_modifiers = lambda code: modifier_popup.ask_modifiers(
        code.name, [window.coding.scheme.modifier(m) for m in code.modifiers], window
    )  # type: ignore[union-attr]
    QTest.keyClick(window, Qt.Key.Key_A)
    (event,) = window.project.events("o1")  # type: ignore[union-attr]
    assert event.modifiers == {"intensity": "high", "channel": ("words", "touch")}


def test_timeline_drag_moves_by_whole_frames_in_one_command(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    project, scene, view = window.project, window.scene, window.timeline
    assert project is not None and scene is not None and view is not None
    window.player.seek(1000)
    wait_frame(qtbot, window, 25)
    QTest.keyClick(window, Qt.Key.Key_F)
    window.player.seek(2000)
    wait_frame(qtbot, window, 50)
    QTest.keyClick(window, Qt.Key.Key_F)
    (event,) = project.events("o1")
    view.set_zoom(0.25)  # 10 px per frame
    item = scene.items_by_id[event.id]
    before_items = dict(scene.items_by_id)
    start = view.mapFromScene(item.rect().center())
    commands = window.history.stack.index  # type: ignore[union-attr]
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start
    )
    for dx in (10, 30, 53):
        QTest.mouseMove(view.viewport(), start + QPoint(dx, 0))
    QTest.mouseRelease(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        start + QPoint(53, 0),
    )
    moved = project.event(event.id)
    assert window.history.stack.index == commands + 1  # type: ignore[union-attr]
    assert moved.onset_ms - 1000 in (200, 240) and (moved.onset_ms - 1000) % 40 == 0
    assert moved.offset_ms - moved.onset_ms == 1000  # type: ignore[operator]
    assert scene.items_by_id[event.id] is before_items[event.id]  # updated, not rebuilt
    window.history.undo()  # type: ignore[union-attr]
    assert project.event(event.id).onset_ms == 1000


def test_table_edit_goes_through_a_command(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(window, Qt.Key.Key_A)
    model = window.table_model
    assert model is not None
    assert model.setData(model.index(0, 2), "00:01.010")
    (event,) = window.project.events("o1")  # type: ignore[union-attr]
    assert event.onset_ms == 1000  # snapped to the frame shown at 1010 ms
    assert model.data(model.index(0, 2)).startswith("00:01.000")
    assert not model.setData(model.index(0, 2), "soon")
    window.history.undo()  # type: ignore[union-attr]
    assert window.project.events("o1")[0].onset_ms == 0  # type: ignore[union-attr]


def test_ratings_panel_keyboard_entry(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.ratings
    assert panel is not None
    box = panel.boxes[("structure_global", None)]
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "6")
    box.editingFinished.emit()
    assert [(v.rating_id, v.value) for v in window.project.rating_values("o1")] == [
        ("structure_global", 6.0)
    ]  # type: ignore[union-attr]


def test_missing_video_gives_message_not_hang(
    qtbot, prefs, index_project: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    (index_project.parent / "clip.mp4").rename(index_project.parent / "moved.mp4")
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert w.open_project(str(index_project))
    assert "missing" in w.video.message and w.scene is None
    w.close()
