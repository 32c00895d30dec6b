"""Ratings panel: keyboard entry makes one SetRating command; the panel shows stored values."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from coder.commands import SetRating
from ui.ratings.panel import RatingsPanel


def test_digit_entry_sets_rating_and_undo_clears(qtbot, recorded_session) -> None:  # type: ignore[no-untyped-def]
    project, stack, session, pushed = recorded_session
    panel = RatingsPanel(session)
    qtbot.addWidget(panel)
    panel.show()
    scale = project.scheme_for_observation("o1").ratings[0]
    box = panel.boxes[(scale.id, None)]
    assert box.text() == "—"  # unset
    assert box.toolTip()  # anchors as tooltip
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "5")
    QTest.keyClick(box, Qt.Key.Key_Return)
    values = {v.rating_id: v.value for v in project.rating_values("o1")}
    assert values[scale.id] == 5
    assert pushed and all(isinstance(c, SetRating) for c in pushed)
    stack.undo()
    while stack.can_undo:
        stack.undo()
    assert project.rating_values("o1") == []
    assert box.text() == "—"  # refreshed from the change notification
    stack.push(SetRating("o1", scale.id, None, 3))
    assert box.value() == 3
    panel.close_panel()
