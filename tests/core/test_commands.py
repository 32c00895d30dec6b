"""Commands and the undo stack: round trips, exclusive groups, validation, notifications."""

from __future__ import annotations

import pytest

from coder.commands import (
    AddEvent,
    AddHighlight,
    AddSegment,
    CommandStack,
    Composite,
    DeleteEvents,
    DeleteSegment,
    EditEvent,
    EditHighlight,
    EndStateEvent,
    SetRating,
)
from coder.errors import CommandError, ReadOnlyError
from coder.model import Event, Highlight, Segment
from coder.store import Change, Project


def ev(i: str, code: str, subject: str, on: int, off: int | None = None, **kw: object) -> Event:
    return Event(i, "o1", code, subject, on, off, **kw)  # type: ignore[arg-type]


def state(project: Project) -> list[Event]:
    return project.events("o1")


def test_add_edit_delete_undo_redo_round_trip(project: Project) -> None:
    stack = CommandStack(project)
    snapshots = [state(project)]
    stack.push(AddEvent(ev("a", "attunement", "parent", 1000, modifiers={"intensity": "high"})))
    snapshots.append(state(project))
    stack.push(EditEvent("a", onset_ms=1040, note="internal"))
    snapshots.append(state(project))
    stack.push(AddEvent(ev("b", "warmth", "child", 2000)))
    snapshots.append(state(project))
    stack.push(DeleteEvents(["a", "b"]))
    snapshots.append(state(project))
    assert snapshots[-1] == []
    for expected in reversed(snapshots[:-1]):
        stack.undo()
        assert state(project) == expected
    assert not stack.can_undo and stack.redo_text == "Add Attunement"
    for expected in snapshots[1:]:
        stack.redo()
        assert state(project) == expected


def test_exclusive_group_ends_running_state_in_same_command(project: Project) -> None:
    stack = CommandStack(project)
    stack.push(AddEvent(ev("f", "following_lead", "parent", 0)))
    stack.push(AddEvent(ev("d", "directing", "parent", 4000)))
    by_id = {e.id: e for e in state(project)}
    assert by_id["f"].offset_ms == 4000 and by_id["d"].offset_ms is None
    stack.undo()  # one step undoes both the add and the automatic end
    assert [(e.id, e.offset_ms) for e in state(project)] == [("f", None)]
    stack.push(EndStateEvent("f", 5000))
    assert project.event("f").offset_ms == 5000


def test_validation_errors_change_nothing(project: Project) -> None:
    stack = CommandStack(project)
    bad = [
        (ev("x", "nope", "parent", 0), "not a code"),
        (ev("x", "following_lead", "child", 0), "cannot be coded for 'child'"),
        (ev("x", "attunement", "parent", 10, 20), "point code; it has no end"),
        (ev("x", "following_lead", "parent", 100, 50), "must end after it starts"),
        (ev("x", "attunement", "parent", -5), "before the video starts"),
        (
            ev("x", "attunement", "parent", 0, modifiers={"intensity": "huge"}),
            "not a valid Intensity",
        ),
    ]
    for event, message in bad:
        with pytest.raises(CommandError, match=message):
            stack.push(AddEvent(event))
    assert state(project) == [] and not stack.can_undo
    with pytest.raises(CommandError, match="not on the scale"):
        stack.push(SetRating("o1", "warmth_global", None, 9))


def test_composite_is_one_undo_step_and_rolls_back_whole(project: Project) -> None:
    stack = CommandStack(project)
    stack.push(
        Composite("Paste", [AddEvent(ev(str(i), "warmth", "parent", i * 100)) for i in range(5)])
    )
    assert len(state(project)) == 5
    stack.undo()
    assert state(project) == []
    failing = Composite(
        "Bad paste",
        [AddEvent(ev("ok", "warmth", "parent", 0)), AddEvent(ev("bad", "nope", "parent", 0))],
    )
    with pytest.raises(CommandError):
        stack.push(failing)
    assert state(project) == []  # the first add was rolled back too


def test_ratings_segments_highlights(project: Project) -> None:
    stack = CommandStack(project)
    seg = Segment("g1", "s1", "Child-led play", 0, 300_000, "child_led")
    stack.push(AddSegment(seg))
    stack.push(SetRating("o1", "warmth_global", "g1", 5))
    stack.push(SetRating("o1", "warmth_global", "g1", 6))
    assert [v.value for v in project.rating_values("o1")] == [6.0]
    stack.undo()
    assert [v.value for v in project.rating_values("o1")] == [5.0]
    stack.push(SetRating("o1", "warmth_global", "g1", None))
    assert project.rating_values("o1") == []
    h = Highlight("h1", "s1", 1000, 9000, title="Lead", shareable=True)
    stack.push(AddHighlight(h))
    stack.push(EditHighlight(Highlight("h1", "s1", 2000, 9000, title="Lead 2")))
    assert project.highlight("h1").title == "Lead 2"
    stack.undo()
    assert project.highlight("h1") == h
    stack.push(DeleteSegment("g1"))
    assert project.segments("s1") == []
    stack.undo()
    assert project.segments("s1") == [seg]


def test_clean_state_marker(project: Project) -> None:
    stack = CommandStack(project)
    assert stack.is_clean
    stack.push(AddEvent(ev("a", "warmth", "parent", 0)))
    assert not stack.is_clean
    stack.set_clean()
    stack.push(AddEvent(ev("b", "warmth", "parent", 40)))
    stack.undo()
    assert stack.is_clean
    stack.undo()
    stack.push(AddEvent(ev("c", "warmth", "parent", 80)))  # clean state is now unreachable
    assert not stack.is_clean


def test_notifications_after_commit_only(project: Project) -> None:
    seen: list[Change] = []
    unsubscribe = project.subscribe(seen.append)
    stack = CommandStack(project)
    stack.push(AddEvent(ev("a", "warmth", "parent", 0)))
    assert [(c.kind, c.entity) for c in seen] == [("added", "event")]
    with pytest.raises(CommandError):
        stack.push(
            Composite(
                "x",
                [AddEvent(ev("b", "warmth", "parent", 0)), AddEvent(ev("c", "nope", "parent", 0))],
            )
        )
    assert len(seen) == 1  # nothing announced for the rolled-back transaction
    stack.undo()
    assert seen[-1].kind == "removed" and seen[-1].before == ev("a", "warmth", "parent", 0)
    unsubscribe()
    stack.redo()
    assert len(seen) == 2


def test_audit_chain_records_every_write_and_detects_tampering(project: Project) -> None:
    stack = CommandStack(project)
    stack.push(AddEvent(ev("a", "warmth", "parent", 0, note="private words")))
    log = project.audit_log()
    assert log[-1].action == "added" and log[-1].entity == "event" and log[-1].user == "tester"
    assert all("private" not in (e.summary + e.entity_id) for e in log)
    assert project.verify_audit_chain() == []
    with pytest.raises(Exception, match="append-only"):
        project.db.execute("UPDATE audit_log SET user = 'x'")
    project.db.execute("DROP TRIGGER audit_log_append_only_update")
    project.db.execute("UPDATE audit_log SET user = 'mallory' WHERE seq = 1")
    assert "changed after it was written" in project.verify_audit_chain()[0]


def test_read_only_project_refuses_writes(project: Project) -> None:
    other = Project.open(project.path, read_only=True)
    try:
        assert other.events("o1") == []
        with pytest.raises(CommandError, match="read-only"):
            CommandStack(other).push(AddEvent(ev("a", "warmth", "parent", 0)))
        with pytest.raises(ReadOnlyError):
            other.set_observation_final("o1", True)
    finally:
        other.close()


def test_mark_final_is_undoable_and_audited(project: Project) -> None:
    from coder.commands import SetObservationFinal

    stack = CommandStack(project)
    audited = len(project.audit_log())
    stack.push(SetObservationFinal("o1", True))
    assert project.observation("o1").final and stack.undo_text == "Mark final"
    assert len(project.audit_log()) == audited + 1
    stack.undo()
    assert not project.observation("o1").final
    stack.redo()
    assert project.observation("o1").final
    stack.push(SetObservationFinal("o1", False))
    assert not project.observation("o1").final and stack.undo_text == "Mark not final"
