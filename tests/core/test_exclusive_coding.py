"""Exclusive groups hold for ended states too, and key presses mean the same everywhere.

attachment-core's "Parent engagement" group (following_lead f, directing d, disengaged x) is
exclusive for the parent; the fixture video is 60 s at 25 fps (frames every 40 ms).
"""

from __future__ import annotations

import itertools

import pytest

from coder.app.session import CodingSession
from coder.commands import AddEvent, CommandStack, EditEvent
from coder.errors import CommandError
from coder.model import Event
from coder.store import Project
from coder.timebase import TimeBase


@pytest.fixture
def session(project: Project) -> CodingSession:
    return CodingSession(project, "o1", TimeBase([i * 40 for i in range(1500)], 60_000))


def spans(session: CodingSession) -> list[tuple[str, int, int | None]]:
    return [(e.code_id, e.onset_ms, e.offset_ms) for e in session.events()]


def add(session: CodingSession, code: str, on: int, off: int | None) -> None:
    session.add_event(code, "parent", on, off)


def test_a_state_coded_inside_an_ended_one_takes_over_to_its_end(session: CodingSession) -> None:
    add(session, "following_lead", 10_000, 30_000)
    pressed = session.code_press("directing", 20_000)
    assert pressed.action == "started"
    assert spans(session) == [("following_lead", 10_000, 20_000), ("directing", 20_000, 30_000)]
    # The same key again ends it sooner (the state the time falls inside).
    assert session.code_press("directing", 25_000).action == "ended"
    assert spans(session) == [("following_lead", 10_000, 20_000), ("directing", 20_000, 25_000)]
    session.stack.undo()
    session.stack.undo()
    assert spans(session) == [("following_lead", 10_000, 30_000)]


def test_a_state_with_an_end_splits_the_state_it_lies_in_and_undo_restores(
    session: CodingSession,
) -> None:
    add(session, "following_lead", 10_000, 30_000)
    session.push(EditEvent(session.events()[0].id, note="n"))
    add(session, "directing", 15_000, 20_000)
    got = session.events()
    assert [(e.code_id, e.onset_ms, e.offset_ms) for e in got] == [
        ("following_lead", 10_000, 15_000),
        ("directing", 15_000, 20_000),
        ("following_lead", 20_000, 30_000),
    ]
    assert got[0].note == "n" and got[2].note == ""  # the note stays with the first part
    assert "adjusts 1 state" in session.stack.undo_text
    session.stack.undo()
    assert spans(session) == [("following_lead", 10_000, 30_000)]
    session.stack.redo()
    assert len(session.events()) == 3


def test_trim_move_and_remove_around_a_new_state(session: CodingSession) -> None:
    add(session, "following_lead", 0, 4_000)
    add(session, "disengaged", 5_000, 6_000)
    add(session, "following_lead", 7_000, 12_000)
    add(session, "directing", 3_000, 9_000)
    assert spans(session) == [
        ("following_lead", 0, 3_000),  # trimmed
        ("directing", 3_000, 9_000),  # disengaged inside was removed
        ("following_lead", 9_000, 12_000),  # start moved to the new end
    ]
    session.stack.undo()
    assert spans(session) == [
        ("following_lead", 0, 4_000),
        ("disengaged", 5_000, 6_000),
        ("following_lead", 7_000, 12_000),
    ]


def test_a_press_before_a_later_state_ends_where_that_one_starts(session: CodingSession) -> None:
    add(session, "following_lead", 30_000, 40_000)
    session.code_press("directing", 10_000)
    assert spans(session) == [("directing", 10_000, 30_000), ("following_lead", 30_000, 40_000)]


def test_live_coding_still_ends_the_running_state(session: CodingSession) -> None:
    session.code_press("following_lead", 1_000)
    session.code_press("directing", 5_000)
    assert spans(session) == [("following_lead", 1_000, 5_000), ("directing", 5_000, None)]
    assert session.code_press("directing", 8_000).action == "ended"
    assert spans(session)[-1] == ("directing", 5_000, 8_000)


def test_same_moment_is_refused_and_nothing_changes(session: CodingSession) -> None:
    add(session, "following_lead", 10_000, 30_000)
    with pytest.raises(CommandError, match="starts at this moment"):
        session.code_press("directing", 10_000)
    assert spans(session) == [("following_lead", 10_000, 30_000)]


def test_editing_a_state_over_its_neighbour_trims_the_neighbour(session: CodingSession) -> None:
    add(session, "following_lead", 0, 10_000)
    add(session, "directing", 10_000, 20_000)
    first = session.events()[0]
    session.push(EditEvent(first.id, offset_ms=15_000))
    assert spans(session) == [("following_lead", 0, 15_000), ("directing", 15_000, 20_000)]


def test_no_group_ever_exceeds_the_session(session: CodingSession) -> None:
    """Random reviewing presses and typed states: the group's time never passes 100 %."""
    import random

    rng = random.Random(7)
    codes = ["following_lead", "directing", "disengaged"]
    for _ in range(120):
        at = rng.randrange(0, 60_000, 40)
        code = rng.choice(codes)
        try:
            if rng.random() < 0.5:
                session.code_press(code, at)
            else:
                session.add_event(
                    code, "parent", at, min(60_000, at + rng.randrange(40, 9_000, 40))
                )
        except CommandError:
            continue
        states = sorted(
            (e.onset_ms, e.offset_ms if e.offset_ms is not None else 60_000)
            for e in session.events()
        )
        for (_, end), (start, _) in itertools.pairwise(states):
            assert end <= start, states
    coded = sum((e.offset_ms or 60_000) - e.onset_ms for e in session.events())
    assert 0 < coded <= 60_000


def test_the_demo_summary_never_passes_100_percent_for_an_exclusive_group(demo_dir) -> None:  # type: ignore[no-untyped-def]
    from exports.bundle import bundles_from_project
    from exports.summary import summary_long

    with Project.open(demo_dir / "demo.attune", read_only=True) as p:
        bundles = bundles_from_project(p)
    long = summary_long(bundles)
    for b in bundles:
        for group in b.scheme.groups:
            if not group.exclusive:
                continue
            rows = long[
                (long.observation == (b.observation.name or b.observation.id))
                & long.code.isin(group.codes)
                & (long.measure == "percent_time")
            ]
            assert not rows.empty
            for subject, share in rows.groupby("subject")["value"].sum().items():
                assert share <= 100.0 + 1e-9, (group.id, subject, share)


def test_times_snap_to_frames_and_outside_the_video_is_refused(session: CodingSession) -> None:
    event = session.add_event("attunement", "parent", 1_234)
    assert event.onset_ms == 1_200  # the frame shown at 1.234 s starts at 1.200 s
    with pytest.raises(
        CommandError,
        match=r"outside the video; use a time from .* to 00:01:00.000 \(0 to 60000 ms\)",
    ):
        session.add_event("attunement", "parent", 61_000)
    with pytest.raises(CommandError, match="outside the video"):
        session.add_event("following_lead", "parent", 1_000, 90_000)


def test_reaction_time_moves_the_coded_moment_back_onto_a_frame(session: CodingSession) -> None:
    session.reaction_ms = 300
    assert session.coding_time(10_030) == 9_720
    assert session.coding_time(100) == 0


def test_the_cli_codes_like_a_key_press(project: Project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ui.cli import main

    path = str(project.path)
    project.close()
    assert (
        main(
            [
                "events",
                "add",
                path,
                "--observation",
                "o1",
                "--code",
                "following_lead",
                "--subject",
                "parent",
                "--at",
                "10000",
                "--until",
                "30000",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "events",
                "add",
                path,
                "--observation",
                "o1",
                "--code",
                "directing",
                "--subject",
                "parent",
                "--at",
                "20013",
            ]
        )
        == 0
    )
    with Project.open(path) as p:
        got = [(e.code_id, e.onset_ms, e.offset_ms) for e in p.events("o1")]
    assert got == [("following_lead", 10_000, 20_000), ("directing", 20_000, 30_000)]


def test_a_plain_stack_push_obeys_the_rule_too(project: Project) -> None:
    stack = CommandStack(project)
    stack.push(AddEvent(Event("e1", "o1", "following_lead", "parent", 0, 10_000)))
    stack.push(AddEvent(Event("e2", "o1", "disengaged", "parent", 2_000, 4_000)))
    got = [(e.id, e.onset_ms, e.offset_ms) for e in project.events("o1")]
    assert got[0] == ("e1", 0, 2_000) and got[1] == ("e2", 2_000, 4_000)
    assert got[2][1:] == (4_000, 10_000)
