"""The highlights panel: create, edit, reorder, suggest, from an event, privacy blur."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from coder.media.faces import Box
from ui.feedback import blur_dialog
from ui.main_window import MainWindow


def test_create_edit_reorder_delete(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel, project = window.highlights, window.project
    assert panel is not None and project is not None
    window.player.seek(400)
    panel.new_at_playhead()
    window.player.seek(2000)
    panel.new_at_playhead()
    assert [h.in_ms for h in panel.highlights] == [400, 2000]
    panel.list.setCurrentRow(0)
    panel.title.setText("You waited for her")
    panel.title.editingFinished.emit()
    panel.shareable.setChecked(True)
    panel.speed.setCurrentIndex(1)
    first = project.highlights("s1")[0]
    assert (first.title, first.shareable, first.speed) == ("You waited for her", True, 0.5)
    panel._move(1)
    assert [h.title for h in panel.highlights][1] == "You waited for her"
    window.history.undo()  # type: ignore[union-attr]
    assert panel.highlights[0].title == "You waited for her"
    panel.list.setCurrentRow(1)
    panel.delete()
    assert len(project.highlights("s1")) == 1


def test_from_selected_event_and_suggestions(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    panel, project = window.highlights, window.project
    assert panel is not None and project is not None and window.scene is not None
    window.player.seek(1200)
    qtbot.waitUntil(lambda: window.player.frame == 30)
    QTest.keyClick(window, Qt.Key.Key_A)  # attunement: a strength code
    (event,) = project.events("o1")
    window.scene.items_by_id[event.id].setSelected(True)
    panel.from_selected_event()
    (h,) = project.highlights("s1")
    assert h.event_ids == (event.id,) and h.in_ms == 200 and h.title == "Attunement"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (a[3][0], True))
    said: list[str] = []
    panel.message.connect(said.append)
    panel.suggest()  # the only strength moment is already a highlight: nothing re-offered
    assert len(project.highlights("s1")) == 1
    assert said and "beyond the highlights you have" in said[-1]


def test_privacy_blur_boxes_are_saved(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    panel, project = window.highlights, window.project
    assert panel is not None and project is not None and window.history.stack is not None
    panel.new_at_playhead()
    monkeypatch.setattr(
        blur_dialog, "detect_faces", lambda rgb: [Box(0.1, 0.5, 0.2, 0.3), Box(0.6, 0.5, 0.2, 0.3)]
    )
    dialog = blur_dialog.BlurDialog(
        panel.highlights[0],
        project.media(project.session("s1").media_id).path,  # type: ignore[arg-type]
        window.session,
    )
    qtbot.addWidget(dialog)
    dialog.list.item(1).setCheckState(Qt.CheckState.Checked)  # only the second face (a sibling)
    dialog.list.setCurrentRow(1)
    assert dialog.spins[0].value() == pytest.approx(60.0)
    dialog.spins[2].setValue(30.0)  # the clinician widens the box to cover the hair
    dialog.save()
    (h,) = project.highlights("s1")
    assert [(b.x, b.y, round(b.w, 3)) for b in h.blur_boxes] == [(0.6, 0.5, 0.3)]
