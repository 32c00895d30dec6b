"""Event table: edits go through EditEvent (and undo restores), rows follow the project
incrementally, the proxy filters by subject, code and text."""

from __future__ import annotations

import pytest

from coder.commands import AddEvent, EditEvent
from coder.model import Event
from ui.events.table import CODE, NOTE, ONSET, EventFilterProxy, EventTableModel


@pytest.fixture
def table(qtbot, recorded_session):  # type: ignore[no-untyped-def]
    project, stack, session, pushed = recorded_session
    stack.push(AddEvent(Event("a", "o1", "warmth", "parent", 400)))
    stack.push(AddEvent(Event("b", "o1", "following_lead", "parent", 1000, 2000, note="calm")))
    model = EventTableModel(session)
    yield project, stack, model, pushed
    model.close()


def test_edit_onset_pushes_edit_event_and_undo_restores(table) -> None:  # type: ignore[no-untyped-def]
    project, stack, model, pushed = table
    row = model.row_of("a")
    assert model.setData(model.index(row, ONSET), "00:00:01.213")
    assert len(pushed) == 1 and isinstance(pushed[0], EditEvent)
    assert project.event("a").onset_ms == 1200  # snapped to the 40 ms frame grid
    assert "00:01.200" in model.data(model.index(model.row_of("a"), ONSET))
    assert "(f30)" in model.data(model.index(model.row_of("a"), ONSET))
    stack.undo()
    assert project.event("a").onset_ms == 400
    assert model.events[model.row_of("a")].onset_ms == 400


def test_bad_time_is_refused_without_a_command(table) -> None:  # type: ignore[no-untyped-def]
    _project, _stack, model, pushed = table
    assert not model.setData(model.index(0, ONSET), "soon")
    assert pushed == []


def test_code_and_note_edits(table) -> None:  # type: ignore[no-untyped-def]
    project, _stack, model, _pushed = table
    model.setData(model.index(model.row_of("a"), CODE), "attunement")
    model.setData(model.index(model.row_of("a"), NOTE), "looked up")
    assert project.event("a").code_id == "attunement"
    assert project.event("a").note == "looked up"


def test_rows_are_inserted_and_removed_incrementally(table, qtbot) -> None:  # type: ignore[no-untyped-def]
    _project, stack, model, _pushed = table
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    stack.push(AddEvent(Event("c", "o1", "warmth", "child", 600)))
    assert inserted == [(1, 1)]  # between a (400) and b (1000)
    stack.undo()
    assert model.rowCount() == 2 and resets == []


def test_filter_by_subject_code_and_text(table) -> None:  # type: ignore[no-untyped-def]
    _project, stack, model, _pushed = table
    stack.push(AddEvent(Event("c", "o1", "warmth", "child", 600)))
    proxy = EventFilterProxy()
    proxy.setSourceModel(model)
    assert proxy.rowCount() == 3
    proxy.set_filter(subject="child")
    assert proxy.rowCount() == 1
    proxy.set_filter(code="warmth")
    assert proxy.rowCount() == 2
    proxy.set_filter(text="CALM")
    assert proxy.rowCount() == 1
    src = proxy.mapToSource(proxy.index(0, 0))
    assert model.events[src.row()].id == "b"


def test_widget_filters_seeks_and_shares_the_session_selection(table, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from coder.app.session import SelectionChanged
    from ui.events.view import EventTableWidget

    _project, _stack, model, _pushed = table
    session = model.session
    widget = EventTableWidget(session)
    qtbot.addWidget(widget)
    widget.resize(800, 300)
    widget.show()
    seeks: list[int] = []
    chosen: list[frozenset[str]] = []
    widget.seekRequested.connect(seeks.append)
    session.subscribe(lambda m: chosen.append(m.ids) if isinstance(m, SelectionChanged) else None)
    session.select(["b"])  # chosen elsewhere (the timeline)
    assert widget.selected_ids() == ["b"] and chosen == [{"b"}]  # shown, not echoed back
    index = widget.proxy.mapFromSource(widget.model.index(widget.model.row_of("b"), 0))
    rect = widget.table.visualRect(index)
    QTest.mouseClick(widget.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen == [{"b"}]  # b was already selected
    a_index = widget.proxy.mapFromSource(widget.model.index(widget.model.row_of("a"), 0))
    QTest.mouseClick(
        widget.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=widget.table.visualRect(a_index).center(),
    )
    assert chosen[-1] == {"a"} and session.selection == {"a"}
    # Qt's item views take a double-click only after a press on the same cell, as a user does.
    QTest.mouseClick(widget.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(widget.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seeks == [1000]
    widget.text_box.setText("calm")
    assert widget.proxy.rowCount() == 1
    widget.text_box.setText("")
    widget.subject_box.setCurrentIndex(widget.subject_box.findData("child"))
    assert widget.proxy.rowCount() == 0
    widget.close_table()
