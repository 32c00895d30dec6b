"""The views share the coding session: one selection (no hand-syncing), incremental updates
from its change messages, refused edits shown to the user."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from coder.commands import AddEvent, EditEvent
from coder.model import Event
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    assert w.session is not None
    for event in (
        Event("a", "o1", "attunement", "parent", 400),
        Event("f", "o1", "following_lead", "parent", 1000, 2000),
        Event("w", "o1", "warmth", "child", 2400),
    ):
        assert w.session.apply(AddEvent(event))
    yield w
    w.close()


def table_selection(w: MainWindow) -> set[str]:
    assert w.events_widget is not None
    return set(w.events_widget.selected_ids())


def timeline_selection(w: MainWindow) -> set[str]:
    assert w.scene is not None
    return {i.event.id for i in w.scene.selected_events()}


def test_selection_made_on_the_timeline_is_the_session_and_the_table_selection(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    assert window.scene is not None and window.session is not None
    window.scene.items_by_id["f"].setSelected(True)
    assert window.session.selection == {"f"} and table_selection(window) == {"f"}
    window.scene.items_by_id["w"].setSelected(True)
    assert window.session.selection == {"f", "w"} == table_selection(window)


def test_selection_made_in_the_table_shows_on_the_timeline(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    widget = window.events_widget
    assert widget is not None and window.session is not None
    row = widget.proxy.mapFromSource(widget.model.index(widget.model.row_of("w"), 0))
    QTest.mouseClick(
        widget.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=widget.table.visualRect(row).center(),
    )
    assert window.session.selection == {"w"} and timeline_selection(window) == {"w"}
    window.session.select([])
    assert timeline_selection(window) == set() == table_selection(window)


def test_an_edited_selected_event_stays_selected_everywhere(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.session is not None and window.scene is not None
    window.session.select(["a"])
    item = window.scene.items_by_id["a"]
    assert window.session.apply(EditEvent("a", onset_ms=3000))  # its row moves to the end
    assert window.scene.items_by_id["a"] is item  # moved, not rebuilt
    assert (
        window.session.selection == {"a"} == table_selection(window) == timeline_selection(window)
    )
    assert window.table_model is not None and window.table_model.events[-1].id == "a"


def test_delete_selected_from_the_menu_clears_the_selection(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.session is not None and window.project is not None
    window.session.select(["a", "w"])
    window.menu_actions.delete_selected.trigger()
    assert [e.id for e in window.project.events("o1")] == ["f"]
    assert window.session.selection == frozenset() and table_selection(window) == set()
    assert window.menu_actions.undo.text() == "&Undo Delete 2 events"
    window.menu_actions.undo.trigger()
    assert window.scene is not None and set(window.scene.items_by_id) == {"a", "f", "w"}


def test_dragging_on_the_timeline_keeps_the_selection(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view, scene = window.timeline, window.scene
    assert view is not None and scene is not None and window.session is not None
    view.set_zoom(0.25)
    item = scene.items_by_id["f"]
    start = view.mapFromScene(item.rect().center())
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start
    )
    for dx in (10, 20, 40):
        QTest.mouseMove(view.viewport(), start + QPoint(dx, 0))
    QTest.mouseRelease(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        start + QPoint(40, 0),
    )
    assert window.project is not None and window.project.event("f").onset_ms == 1160
    assert window.session.selection == {"f"} == table_selection(window)


def test_a_refused_edit_in_a_view_reaches_the_user(
    qtbot, window: MainWindow, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    model = window.table_model
    assert model is not None
    row = model.row_of("f")
    assert not model.setData(model.index(row, 3), "00:00.200")  # offset before the onset
    assert no_modal_boxes and "must end after it starts" in no_modal_boxes[-1]
    assert window.project is not None and window.project.event("f").offset_ms == 2000
