"""CodingSession: change messages filtered to the open observation, selection in the session."""

from __future__ import annotations

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
