"""CodingSession: change messages filtered to the open observation, selection in the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.app.session import CodingSession, SelectionChanged, SessionMessage
from coder.commands import AddEvent, AddHighlight, DeleteEvents, SetRating
from coder.errors import CommandError, ProjectError
from coder.model import Event, Highlight, Observation, Session
from coder.store import Change, Project


@pytest.fixture
def session(project: Project) -> CodingSession:
    snap = project.observation("o1").snapshot_id
    project.add_observation(Observation("o2", "s1", "Bea", snap))
    with project.transaction():
        project.add_session(Session("s2", "Week 2", "m1"))
    project.add_observation(Observation("o3", "s2", "Ana", snap))
    return CodingSession.open(project, "o1")


def heard(session: CodingSession) -> list[SessionMessage]:
    got: list[SessionMessage] = []
    session.subscribe(got.append)
    return got


def test_open_builds_the_time_base_from_the_stored_frame_table(session: CodingSession) -> None:
    assert session.timebase.frame_count == 1500 and session.timebase.snap(1013) == 1000
    assert (session.session_id, session.scheme.id) == ("s1", "attachment-core")


def test_messages_are_only_about_this_observation_and_its_session(
    session: CodingSession, project: Project
) -> None:
    got = heard(session)
    session.push(AddEvent(Event("mine", "o1", "attunement", "parent", 400)))
    session.stack.push(AddEvent(Event("theirs", "o2", "attunement", "parent", 400)))
    session.stack.push(AddEvent(Event("other", "o3", "attunement", "parent", 400)))
    session.push(SetRating("o2", "warmth_global", None, 5))  # someone else's rating
    session.push(SetRating("o1", "warmth_global", None, 4))
    session.push(AddHighlight(Highlight("h", "s1", 0, 1000)))  # the session's: shared
    session.push(AddHighlight(Highlight("h2", "s2", 0, 1000)))  # another session's
    project.set_observation_final("o2", True)
    project.set_observation_final("o1", True)
    assert [(m.entity, m.kind) for m in got if isinstance(m, Change)] == [
        ("event", "added"),
        ("rating", "added"),
        ("highlight", "added"),
        ("observation", "changed"),
    ]
    assert session.observation.final  # kept current from the message


def test_selection_lives_in_the_session(session: CodingSession) -> None:
    session.push(AddEvent(Event("a", "o1", "attunement", "parent", 400)))
    session.push(AddEvent(Event("b", "o1", "warmth", "child", 800)))
    session.stack.push(AddEvent(Event("x", "o2", "attunement", "parent", 400)))
    got = heard(session)
    session.select(["b", "a", "x", "nope"])  # other observations' ids are not selectable
    session.select(["a", "b"])  # the same selection again: no message
    assert session.selection == {"a", "b"}
    assert [e.id for e in session.selected_events()] == ["a", "b"]
    session.push(DeleteEvents(["a"]))  # a deleted event leaves the selection
    assert session.selection == {"b"}
    assert [m for m in got if isinstance(m, SelectionChanged)] == [
        SelectionChanged(frozenset({"a", "b"})),
        SelectionChanged(frozenset({"b"})),
    ]
    session.select([])
    assert session.selection == frozenset() and got[-1] == SelectionChanged(frozenset())


def test_refused_edit_raises_and_changes_nothing(session: CodingSession) -> None:
    got = heard(session)
    with pytest.raises(CommandError):
        session.push(AddEvent(Event("bad", "o1", "no_such_code", "parent", 400)))
    assert session.events() == [] and got == [] and not session.stack.can_undo


def test_closed_session_hears_nothing(session: CodingSession) -> None:
    got = heard(session)
    session.close()
    session.stack.push(AddEvent(Event("a", "o1", "attunement", "parent", 400)))
    assert got == []


def test_a_session_without_video_is_refused(project: Project) -> None:
    with project.transaction():
        project.add_session(Session("nv", "No video", None))
    project.add_observation(Observation("o9", "nv", "Ana", project.observation("o1").snapshot_id))
    with pytest.raises(ProjectError, match="has no video"):
        CodingSession.open(project, "o9")


def test_apply_turns_a_refusal_into_a_message(session: CodingSession) -> None:
    from coder.app.session import EditRefused

    got = heard(session)
    assert not session.apply(AddEvent(Event("bad", "o1", "no_such_code", "parent", 400)))
    assert len(got) == 1 and isinstance(got[0], EditRefused) and "no_such_code" in got[0].message
    assert session.apply(AddEvent(Event("ok", "o1", "attunement", "parent", 400)))
    assert [e.id for e in session.events()] == ["ok"]


# --- coding by key press (moved here from the GUI's ui/coding.py) ---------------------------
def codes(session: CodingSession) -> list[tuple[str, str, int, int | None]]:
    return [(e.code_id, e.subject_id, e.onset_ms, e.offset_ms) for e in session.events()]


def test_point_and_state_presses_at_the_frame_shown(session: CodingSession) -> None:
    assert session.press("attunement", 1013)  # point: the start of the frame shown (1000)
    assert session.press("following_lead", 1050)  # state starts at 1040
    assert session.press("following_lead", 2999)  # the same key again ends it at 2960
    assert codes(session) == [
        ("attunement", "parent", 1000, None),
        ("following_lead", "parent", 1040, 2960),
    ]


def test_ending_a_state_on_its_own_frame_makes_it_one_frame_long(session: CodingSession) -> None:
    session.press("following_lead", 400)
    session.press("following_lead", 410)
    assert codes(session) == [("following_lead", "parent", 400, 440)]


def test_subject_prefix_is_one_shot_and_times_out(session: CodingSession) -> None:
    now = [100.0]
    session.clock = lambda: now[0]
    session.prefix_subject("child")
    assert session.pending_prefix == "child"
    session.press("warmth", 0)  # warmth: parent or child -> the prefix decides
    session.press("warmth", 40)  # prefix used up: the active subject (parent)
    session.prefix_subject("child")
    now[0] += 2.5  # too late: the prefix has lapsed
    assert session.pending_prefix is None
    session.press("warmth", 80)
    session.prefix_subject("child")
    session.press("attunement", 120)  # not codable for the child: its only subject
    session.set_active_subject("child")
    session.press("warmth", 160)
    assert [(c, s) for c, s, _, _ in codes(session)] == [
        ("warmth", "child"),
        ("warmth", "parent"),
        ("warmth", "parent"),
        ("attunement", "parent"),
        ("warmth", "child"),
    ]


def test_reaction_time_moves_the_code_back_and_never_before_zero(session: CodingSession) -> None:
    session.reaction_ms = 300
    session.press("attunement", 2000)  # 1700 is inside frame 42 (1680)
    session.press("warmth", 100)
    assert [on for _, _, on, _ in codes(session)] == [0, 1680]


def test_modifiers_are_asked_only_when_an_event_starts(session: CodingSession) -> None:
    asked: list[str] = []

    def choose(code):  # type: ignore[no-untyped-def]
        asked.append(code.id)
        return {"intensity": "high"}

    session.press("attunement", 400, choose)  # has modifiers
    session.press("following_lead", 800, choose)  # starts (no modifiers in its scheme entry)
    session.press("following_lead", 1200, choose)  # ends: never asks
    assert asked == ["attunement"]
    assert session.events()[0].modifiers == {"intensity": "high"}


def test_press_on_a_read_only_project_is_refused_with_a_message(
    project: Project, tmp_path: Path
) -> None:
    from coder.app.session import EditRefused

    path = project.path
    project.close()
    with Project.open(path, read_only=True) as reader:
        ro = CodingSession.open(reader, "o1")
        got = heard(ro)
        assert not ro.press("attunement", 400)
        assert got == [EditRefused("This project is open read-only; codes cannot be added.")]


def test_running_states_end_together_as_one_undo_step(session: CodingSession) -> None:
    session.press("following_lead", 1000)  # starts, still running
    session.press("attunement", 1200)  # a point: never "running"
    assert [(e.code_id, e.onset_ms) for e in session.running_states()] == [("following_lead", 1000)]
    session.push(session.end_running_states(1000))  # at its own start: one frame long
    assert ("following_lead", "parent", 1000, 1040) in codes(session)
    assert session.running_states() == []
    session.stack.undo()
    assert len(session.running_states()) == 1


def test_next_and_previous_event_start(session: CodingSession) -> None:
    for at in (400, 1200, 1200, 2000):
        session.press("attunement", at)
    assert session.event_start_beside(400, 1) == 1200
    assert session.event_start_beside(1200, -1) == 400
    assert session.event_start_beside(2000, 1) is None
    assert session.event_start_beside(400, -1) is None


def test_the_listed_events_follow_every_change_without_reading_them_again(
    session: CodingSession, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With 100,000 events a fresh read took half a second: the session keeps its list in
    # (onset, id) order through adds, moves, state trims, deletes, undo and redo.
    from coder.commands import EditEvent

    session.push(AddEvent(Event("b", "o1", "attunement", "parent", 800)))
    assert [e.id for e in session.events()] == ["b"]
    reads: list[str] = []
    real = project.events
    monkeypatch.setattr(project, "events", lambda o: reads.append(o) or real(o))
    steps = [
        AddEvent(Event("a", "o1", "attunement", "parent", 800)),  # same onset: id orders it
        AddEvent(Event("c", "o1", "warmth", "child", 40)),
        EditEvent("b", onset_ms=1200),
        AddEvent(Event("s1", "o1", "following_lead", "parent", 100, 2000)),
        AddEvent(Event("s2", "o1", "directing", "parent", 1000, 3000)),  # trims s1 (exclusive)
        DeleteEvents(["a"]),
    ]
    for step in steps:
        session.push(step)
        assert session.events() == real("o1")
    for _ in steps:
        session.stack.undo()
        assert session.events() == real("o1")
    for _ in steps:
        session.stack.redo()
        assert session.events() == real("o1")
    assert reads == []
