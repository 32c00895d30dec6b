"""Live counters: running counts in the segment at the playhead, against mastery targets,
updated from change messages (only the touched segment is recomputed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.app.counters import WHOLE_SESSION, CountersChanged, LiveCounters, target_text, value_text
from coder.app.session import CodingSession
from coder.commands import AddEvent, AddSegment, CommandStack, DeleteEvents, EditEvent
from coder.model import Event, Fingerprint, Media, Observation, Segment, Session, new_id
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from coder.timebase import TimeBase

MINUTES_10 = 600_000


@pytest.fixture
def pcit(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = Project.create(tmp_path / "pcit.attune", user="t")
    scheme, text = load_shipped("pcit-style")
    snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    media = Media("m", "v.mp4", Fingerprint(1, "a", "b", MINUTES_10), MINUTES_10, 25.0)
    frames = [i * 40 for i in range(MINUTES_10 // 40)]
    with project.transaction():
        project.add_media(media, frames)
        project.add_session(Session("s", "Week 3", "m"))
    project.add_observation(Observation("o", "s", "A", snap.id))
    stack = CommandStack(project)
    stack.push(AddSegment(Segment("cdi", "s", "Child-led play", 0, 300_000, "cdi")))
    stack.push(AddSegment(Segment("pdi", "s", "Parent-led play", 300_000, MINUTES_10, "pdi")))
    session = CodingSession(project, "o", TimeBase(frames, MINUTES_10), stack)
    yield project, stack, session
    session.close()
    project.close()


def praise(at: int, code: str = "labelled_praise") -> AddEvent:
    return AddEvent(Event(new_id(), "o", code, "parent", at))


def by_id(counters: LiveCounters) -> dict[str, float]:
    return {r.metric_id: r.value for r in counters.results()}


def test_counts_in_the_current_segment_against_the_target(pcit) -> None:  # type: ignore[no-untyped-def]
    _project, stack, session = pcit
    counters = LiveCounters(session)
    heard: list[CountersChanged] = []
    counters.subscribe(heard.append)
    counters.set_position(12_000)
    assert counters.window.key == "cdi" and counters.window.name == "Child-led play"
    for i in range(9):
        stack.push(praise(1000 + i * 1000))
    lp = next(r for r in counters.results() if r.metric_id == "lp_count")
    assert (lp.value, lp.met, target_text(lp), value_text(lp)) == (9, False, "≥ 10", "9")
    stack.push(praise(20_000))
    lp = next(r for r in counters.results() if r.metric_id == "lp_count")
    assert lp.value == 10 and lp.met is True  # mastery reached in this segment
    assert heard[-1].window.key == "cdi" and len(heard) == 10  # one message per coded event
    # Questions/commands/negative talk: at most 3.
    for i, code in enumerate(["question", "command", "negative_talk", "question"]):
        stack.push(praise(30_000 + i * 500, code))
    qcn = next(r for r in counters.results() if r.metric_id == "qcn_count")
    assert (qcn.value, qcn.met, target_text(qcn)) == (4, False, "≤ 3")
    # Undo takes a count back; praise per minute over the 5-minute segment.
    stack.undo()
    values = by_id(counters)
    assert values["qcn_count"] == 3 and values["praise_rate"] == pytest.approx(10 / 5)


def test_only_the_touched_segment_is_recomputed(pcit) -> None:  # type: ignore[no-untyped-def]
    project, stack, session = pcit
    counters = LiveCounters(session)
    counters.set_position(1000)
    counters.results()
    counters.set_position(400_000)
    counters.results()
    assert counters.recomputed == ["cdi", "pdi"]
    stack.push(praise(350_000))  # in the parent-led segment, where the playhead is
    assert by_id(counters)["lp_count"] == 1
    assert counters.recomputed == ["cdi", "pdi", "pdi"]
    counters.set_position(5000)
    assert by_id(counters)["lp_count"] == 0  # cdi kept: nothing of it changed
    assert counters.recomputed == ["cdi", "pdi", "pdi"]
    event_id = project.events("o")[0].id
    stack.push(EditEvent(event_id, onset_ms=2000))  # moved from pdi into cdi
    assert by_id(counters)["lp_count"] == 1
    counters.set_position(400_000)
    assert by_id(counters)["lp_count"] == 0
    stack.push(DeleteEvents([event_id]))
    counters.set_position(5000)
    assert by_id(counters)["lp_count"] == 0


def test_whole_session_without_segments_and_segment_edits(pcit) -> None:  # type: ignore[no-untyped-def]
    _project, stack, session = pcit
    stack.push(praise(100))
    counters = LiveCounters(session)
    counters.set_position(100)
    assert counters.window.key == "cdi"
    from coder.commands import DeleteSegment

    stack.push(DeleteSegment("cdi"))
    assert counters.window.key == WHOLE_SESSION and counters.window.end_ms == MINUTES_10
    assert by_id(counters)["lp_count"] == 1
    stack.undo()
    assert counters.window.key == "cdi"
