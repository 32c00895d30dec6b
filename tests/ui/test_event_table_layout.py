"""Defect 7: in the event table the times with their frame numbers always fit, modifiers and
notes need no sideways scrolling (full text in the tooltip, modifier names not ids)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from coder.commands import AddEvent
from coder.model import Event
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


def test_times_fit_and_long_text_needs_no_sideways_scrolling(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.session is not None and w.events_widget is not None
    scheme = w.session.scheme
    code = next(c for c in scheme.codes if c.modifiers)
    modifier = scheme.modifier(code.modifiers[0])
    value = modifier.values[0] if modifier.values else 1.0
    note = "A long note about this moment " * 8
    event = Event(
        "e1", "o1", code.id, scheme.subjects_for(code)[0], 3960, None, {modifier.id: value}, note
    )
    assert w.history.push(AddEvent(event))
    w.resize(1400, 900)  # the window's first size
    w.side.setCurrentIndex(0)
    qtbot.wait(100)
    table = w.events_widget.table
    model = w.events_widget.model
    metrics = table.fontMetrics()
    for column in (2,):  # onset with its frame number: never cut
        text = model.data(model.index(0, column))
        assert "(f99)" in text
        assert table.columnWidth(column) >= metrics.horizontalAdvance(text)
    total = sum(table.columnWidth(c) for c in range(model.columnCount()))
    assert total <= table.viewport().width() + 2  # everything fits: no sideways scrolling
    assert not table.horizontalScrollBar().isVisible()
    tip = model.data(model.index(0, 5), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"{modifier.name}: ")  # the modifier's name, not its id
    assert model.data(model.index(0, 6), Qt.ItemDataRole.ToolTipRole) == note


def test_a_code_coded_later_widens_its_column_to_fit(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    # Widths are measured on the names in use (not on 100,000 rows at each change): a code
    # used for the first time must still fit.
    w = window
    assert w.session is not None and w.events_widget is not None
    scheme = w.session.scheme
    longest = max(scheme.codes, key=lambda c: len(c.name))
    table = w.events_widget.table
    before = table.columnWidth(1)
    subject = scheme.subjects_for(longest)[0]
    assert w.history.push(AddEvent(Event("e2", "o1", longest.id, subject, 400, 800)))
    assert table.columnWidth(1) >= table.fontMetrics().horizontalAdvance(longest.name)
    assert table.columnWidth(1) > before
