"""The event table opens in onset order without sorting through Python (the model already
keeps that order; a proxy sort by onset called data() millions of times for 100,000 events),
and keeps that order and the rows right as events are added, moved and removed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from coder.app.session import CodingSession
from coder.commands import AddEvent, CommandStack, DeleteEvents, EditEvent
from coder.model import Event
from coder.store import Project
from ui.events.table import ONSET, EventTableModel
from ui.events.view import EventTableWidget


class CountingModel(EventTableModel):
    sort_key_calls = 0

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if role == Qt.ItemDataRole.UserRole:
            CountingModel.sort_key_calls += 1
        return super().data(index, role)


def shown_ids(widget: EventTableWidget) -> list[str]:
    proxy = widget.proxy
    return [
        widget.model.events[proxy.mapToSource(proxy.index(r, 0)).row()].id
        for r in range(proxy.rowCount())
    ]


def test_table_opens_in_onset_order_without_sort_calls_and_follows_edits(
    qtbot, index_project: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    with Project.open(index_project) as project:
        stack = CommandStack(project)
        events = [
            Event(f"e{i:04d}", "o1", "attunement", "parent", (i * 37) % 3000) for i in range(500)
        ]
        for e in events:
            stack.push(AddEvent(e))
        session = CodingSession.open(project, "o1", stack)
        monkeypatch.setattr("ui.events.view.EventTableModel", CountingModel)
        CountingModel.sort_key_calls = 0
        widget = EventTableWidget(session)
        qtbot.addWidget(widget)
        assert widget.table.horizontalHeader().sortIndicatorSection() == ONSET
        assert CountingModel.sort_key_calls == 0
        expected = [e.id for e in sorted(project.events("o1"), key=lambda e: (e.onset_ms, e.id))]
        assert shown_ids(widget) == expected

        # Add, move and remove: the rows follow, still in onset order.
        session.push(AddEvent(Event("new", "o1", "attunement", "parent", 1520)))
        session.push(EditEvent("e0007", onset_ms=40))
        session.push(DeleteEvents(["e0003"]))
        expected = [e.id for e in sorted(project.events("o1"), key=lambda e: (e.onset_ms, e.id))]
        assert shown_ids(widget) == expected
        assert "e0003" not in shown_ids(widget) and "new" in shown_ids(widget)

        # Another column still sorts (through the proxy), and back to onset order.
        widget.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        widget.table.sortByColumn(ONSET, Qt.SortOrder.AscendingOrder)
        assert shown_ids(widget) == expected
        widget.close_table()
        session.close()
