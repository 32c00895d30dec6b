"""A large observation opens at once and its timeline fills in over the next event-loop turns;
edits and the selection made meanwhile are not lost or duplicated."""

from __future__ import annotations

from pathlib import Path

import ui.timeline.scene as scene_module
from coder.app.session import CodingSession
from coder.commands import AddEvent, CommandStack, DeleteEvents, EditEvent
from coder.model import Event
from coder.store import Project
from ui.timeline.items import EventItem
from ui.timeline.scene import TimelineScene


def test_timeline_fills_in_chunks_and_keeps_edits_made_meanwhile(
    qtbot, index_project: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(scene_module, "EAGER_ITEMS", 50)
    monkeypatch.setattr(scene_module, "CHUNK_ITEMS", 40)
    with Project.open(index_project) as project:
        stack = CommandStack(project)
        for i in range(300):
            stack.push(AddEvent(Event(f"e{i:03d}", "o1", "attunement", "parent", i * 10)))
        session = CodingSession.open(project, "o1", stack)
        session.select(["e250"])
        scene = TimelineScene(session)
        assert scene.building and len(scene.items_by_id) < 300  # the window did not wait
        # Edits while it fills in: one to a built item, one to an item not built yet.
        session.push(EditEvent("e299", onset_ms=5))
        session.push(DeleteEvents(["e298"]))
        session.push(AddEvent(Event("new", "o1", "attunement", "parent", 1234)))
        qtbot.waitUntil(lambda: not scene.building, timeout=20_000)
        assert set(scene.items_by_id) == {e.id for e in project.events("o1")}
        assert len([i for i in scene.items() if isinstance(i, EventItem)]) == 300  # no twins
        assert scene.items_by_id["e299"].event.onset_ms == 5
        assert scene.items_by_id["e250"].isSelected()
        assert {e.id for e in scene.all_events()} == set(scene.items_by_id)
        scene.close()
        session.close()
