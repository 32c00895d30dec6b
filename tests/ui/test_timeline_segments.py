"""Segments lane: drag to create (named from the scheme's definitions), drag an edge to
resize, Delete removes; one command per gesture."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from coder.commands import AddSegment, DeleteSegment, EditSegment
from ui.timeline.scene import TimelineScene
from ui.timeline.view import TimelineView


def _drag(view: TimelineView, a: QPoint, b: QPoint) -> None:
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(view.viewport(), left, none, a)
    QTest.mouseMove(view.viewport(), (a + b) / 2)
    QTest.mouseMove(view.viewport(), b)
    QTest.mouseRelease(view.viewport(), left, none, b)


@pytest.fixture
def lane(qtbot, recorded_session):  # type: ignore[no-untyped-def]
    project, stack, session, pushed = recorded_session
    scene = TimelineScene(session)
    view = TimelineView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 400)
    view.show()
    view.set_zoom(0.25)
    view.horizontalScrollBar().setValue(0)
    y, h = scene.lane_rect("segments", "")
    yield project, stack, scene, view, pushed, y + h / 2
    view.close_view()


def test_drag_creates_resize_and_delete_segment(lane) -> None:  # type: ignore[no-untyped-def]
    project, stack, scene, view, pushed, mid_y = lane
    at = lambda x: view.mapFromScene(x, mid_y)  # noqa: E731
    _drag(view, at(50), at(200))  # 200 ms .. 800 ms
    assert len(pushed) == 1 and isinstance(pushed[0], AddSegment)
    (seg,) = project.segments("s1")
    assert (seg.onset_ms, seg.offset_ms) == (200, 800)
    defs = project.scheme_for_observation("o1").segments
    if defs:
        assert seg.name == defs[0].name and seg.definition_id == defs[0].id
    assert seg.id in scene.bands
    _drag(view, at(200 - 1), at(251))  # right edge 800 -> ~1000 ms, on a frame
    assert len(pushed) == 2 and isinstance(pushed[1], EditSegment)
    (seg,) = project.segments("s1")
    assert seg.onset_ms == 200 and seg.offset_ms % 40 == 0 and 960 <= seg.offset_ms <= 1040
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(120)
    )
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert isinstance(pushed[-1], DeleteSegment) and project.segments("s1") == []
    stack.undo()
    assert [s.id for s in project.segments("s1")] == [seg.id]
