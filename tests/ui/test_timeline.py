"""Timeline editing: edge resize snaps to frames and edges, rubber band + Delete, incremental
items, overview when zoomed far out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from coder.commands import AddEvent
from coder.model import Event
from ui.timeline.scene import TimelineScene
from ui.timeline.view import TimelineView


@pytest.fixture
def timeline(qtbot, recorded_session):  # type: ignore[no-untyped-def]
    project, stack, session, pushed = recorded_session
    scene = TimelineScene(session)
    view = TimelineView(scene)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    view.set_zoom(0.25)  # 10 px per 40 ms frame
    view.horizontalScrollBar().setValue(0)
    yield project, stack, scene, view, pushed
    view.close_view()


def test_resize_right_edge_snaps_to_frames_and_other_edges(timeline) -> None:  # type: ignore[no-untyped-def]
    project, stack, scene, view, pushed = timeline
    stack.push(AddEvent(Event("s", "o1", "following_lead", "parent", 400, 1000)))
    stack.push(AddEvent(Event("w", "o1", "attunement", "parent", 1480)))
    item = scene.items_by_id["s"]
    right = view.mapFromScene(item.rect().right() - 1, item.rect().center().y())
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, right
    )
    QTest.mouseMove(view.viewport(), right + QPoint(57, 0))
    QTest.mouseRelease(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        right + QPoint(57, 0),
    )
    moved = project.event("s")
    assert moved.onset_ms == 400 and moved.offset_ms % 40 == 0 and 1200 <= moved.offset_ms <= 1280
    assert len(pushed) == 1
    # Near another event's edge (within 5 px), the edge snaps onto it.
    assert scene.snap_ms(1478, exclude="s") == 1480


def test_rubber_band_select_and_delete_then_undo(timeline) -> None:  # type: ignore[no-untyped-def]
    project, stack, scene, view, _pushed = timeline
    for i, at in enumerate((200, 400, 600)):
        stack.push(AddEvent(Event(f"e{i}", "o1", "warmth", "parent", at)))
    first = dict(scene.items_by_id)
    lane_y = view.mapFromScene(0, scene.items_by_id["e0"].rect().center().y()).y()
    # At 0.25 px/ms the points sit at scene x = 50, 100, 150: a band from 80 to 120 holds e1 only.
    start = QPoint(view.mapFromScene(80, 0).x(), lane_y - 8)
    end = QPoint(view.mapFromScene(120, 0).x(), lane_y + 8)
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start
    )
    QTest.mouseMove(view.viewport(), end)
    QTest.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end
    )
    chosen = {i.event.id for i in scene.selected_events()}
    assert chosen == {"e1"}
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert {e.id for e in project.events("o1")} == {"e0", "e1", "e2"} - chosen
    stack.undo()
    assert {e.id for e in project.events("o1")} == {"e0", "e1", "e2"}
    kept = set(first) - chosen
    assert all(scene.items_by_id[k] is first[k] for k in kept)  # untouched items were not rebuilt


def test_overview_replaces_items_when_zoomed_far_out(timeline) -> None:  # type: ignore[no-untyped-def]
    _project, stack, scene, _view, _pushed = timeline
    from coder.commands import Composite

    stack.push(
        Composite(
            "many", [AddEvent(Event(f"p{i}", "o1", "warmth", "parent", i)) for i in range(2500)]
        )
    )
    scene.set_zoom(0.01)
    assert scene.overview_mode and not any(i.isVisible() for i in scene.items_by_id.values())
    scene.set_zoom(1.0)
    assert not scene.overview_mode and all(i.isVisible() for i in scene.items_by_id.values())


def test_collapse_by_category_and_by_subject(timeline) -> None:  # type: ignore[no-untyped-def]
    _project, stack, scene, _view, _pushed = timeline
    stack.push(AddEvent(Event("a", "o1", "intrusiveness", "parent", 400)))
    before = len(scene.lanes)
    index = scene.lanes.index(("parent", "intrusiveness"))
    scene.toggle_lane(index)  # category "engagement": 4 codes of the parent in one lane
    assert ("parent", "#engagement") in scene.lanes and len(scene.lanes) == before - 3
    y, _ = scene.lane_rect("parent", "intrusiveness")
    assert scene.items_by_id["a"].rect().top() == y + 3  # the event moved into the shared lane
    scene.toggle_lane(scene.lanes.index(("parent", "#engagement")))
    assert len(scene.lanes) == before
    scene.toggle_lane(index, whole_subject=True)
    assert ("parent", "*") in scene.lanes


def test_drag_moves_onset_by_whole_frames_with_one_command(timeline) -> None:  # type: ignore[no-untyped-def]
    project, stack, scene, view, pushed = timeline
    stack.push(AddEvent(Event("m", "o1", "following_lead", "parent", 400, 1000)))
    item = scene.items_by_id["m"]
    mid = view.mapFromScene(item.rect().center())
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, mid
    )
    for dx in (10, 30, 63):  # several moves, still one command on release
        QTest.mouseMove(view.viewport(), mid + QPoint(dx, 0))
    QTest.mouseRelease(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        mid + QPoint(63, 0),
    )
    moved = project.event("m")
    shift = moved.onset_ms - 400
    assert shift != 0 and shift % 40 == 0  # whole 40 ms frames of the 25 fps video
    assert moved.offset_ms == 1000 + shift  # moved, not resized
    assert len(pushed) == 1
    stack.undo()
    assert project.event("m").onset_ms == 400


def test_adding_an_event_adds_one_item_and_keeps_the_others(timeline) -> None:  # type: ignore[no-untyped-def]
    _project, stack, scene, _view, _pushed = timeline
    stack.push(AddEvent(Event("x", "o1", "warmth", "parent", 200)))
    stack.push(AddEvent(Event("y", "o1", "warmth", "parent", 800)))
    before = dict(scene.items_by_id)
    count = len(scene.items())
    stack.push(AddEvent(Event("z", "o1", "attunement", "parent", 1200)))
    assert set(scene.items_by_id) == set(before) | {"z"}
    assert all(scene.items_by_id[k] is v for k, v in before.items())
    assert len(scene.items()) == count + 1


def test_click_on_empty_area_seeks_to_a_frame(timeline) -> None:  # type: ignore[no-untyped-def]
    _project, _stack, scene, view, _pushed = timeline
    seen: list[int] = []
    view.seekRequested.connect(seen.append)
    y, h = (
        scene.lane_rect("child", scene.lanes[-1][1])
        if ("child", scene.lanes[-1][1]) in scene.lanes
        else (scene.sceneRect().bottom() - 10, 5)
    )
    where = view.mapFromScene(253, y + h / 2)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where
    )
    assert len(seen) == 1 and seen[0] % 40 == 0 and abs(seen[0] - 1012) <= 60
