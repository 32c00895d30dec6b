"""Reading many events fast (issue 16: 100,000 events open in under a second) reads them
exactly as the checked one-row reader does: same events, same order, same refusals."""

from __future__ import annotations

import gc
import random
import sqlite3
from pathlib import Path

import pytest

from coder.commands import CommandStack, EditEvent
from coder.errors import ConcurrentEditError, ProjectError
from coder.heap import long_lived_load
from coder.model import Event, Observation
from coder.store import Project
from coder.store.backend import SqliteBackend
from coder.store.opening import connect
from coder.store.seen import SeenRows

SECRET = "Mum said the word PINEAPPLE"


def _varied_events(observation_id: str, n: int, seed: int) -> list[Event]:
    """Plain points, states, modifiers, notes, ELAN text/tier/parent links, tied onsets."""
    rng = random.Random(seed)
    events: list[Event] = []
    for i in range(n):
        onset = rng.randrange(0, 50_000, 40)  # many ties: order falls back to the id
        offset = None if i % 3 else onset + rng.randrange(0, 2000, 40)
        kind = i % 7
        events.append(
            Event(
                f"{observation_id}-{rng.getrandbits(40):010x}",
                observation_id,
                ("attunement", "warmth", "child_bid")[i % 3],
                ("parent", "child")[i % 2],
                onset,
                offset,
                {"intensity": "high"} if kind == 1 else {},
                "a note" if kind == 2 else "",
                "free text" if kind == 3 else ("" if kind == 4 else None),
                events[0].id if kind == 5 and events else None,
                "Tier A" if kind == 6 else None,
            )
        )
    return events


def _insert(project: Project, events: list[Event]) -> None:
    with project.transaction():
        for e in events:
            project.insert_event(e)


def _second_observation(project: Project, observation_id: str) -> None:
    snap = project.observation("o1").snapshot_id
    project.add_observation(Observation(observation_id, "s1", "Coder B", snap))


@pytest.mark.parametrize("others", [0, 1, 20])
def test_many_events_read_as_the_one_row_reader_reads_them(project: Project, others: int) -> None:
    # 1,500 events: the straight read with a sort here (others = 0 or 1 observations beside
    # it), and the ordered index read when the observation is a small part of the file (20).
    mine = _varied_events("o1", 1500, seed=1)
    _insert(project, mine)
    for k in range(others):
        _second_observation(project, f"other{k}")
        _insert(project, _varied_events(f"other{k}", 600, seed=10 + k))
    read = project.events("o1")
    assert [e.id for e in read] == [e.id for e in sorted(mine, key=lambda e: (e.onset_ms, e.id))]
    one_by_one = [project.event(e.id) for e in read]
    assert read == one_by_one
    assert {e.id: e for e in read} == {e.id: e for e in mine}  # every field, modifiers too


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("onset_ms", "'twelve'"),  # text among numbers: the sort here fails, SQL orders it
        ("onset_ms", "1.5"),
        ("onset_ms", "-40"),
        ("offset_ms", "onset_ms - 40"),
        ("code_id", "X'07'"),  # a blob: text columns turn numbers into text
        ("note", "X'00'"),
        ("row_version", "0"),
        ("tier", "X'33'"),
        ("modifiers", "'[1'"),
    ],
)
def test_a_damaged_row_among_many_is_refused_by_name(
    project: Project, column: str, value: str
) -> None:
    events = _varied_events("o1", 1200, seed=2)
    events[600] = Event(events[600].id, "o1", "warmth", "parent", 4000, 5000, {}, SECRET)
    _insert(project, events)
    path = project.path
    project.close()
    db = sqlite3.connect(path)
    db.execute(f"UPDATE events SET {column} = {value} WHERE id = ?", (events[600].id,))
    db.commit()
    db.close()
    with Project.open(path) as again, pytest.raises(ProjectError) as caught:
        again.events("o1")
    assert "damaged" in str(caught.value) and column in str(caught.value)
    assert SECRET not in str(caught.value)


def test_an_edit_of_a_changed_event_read_in_bulk_is_refused(project: Project) -> None:
    # The versions of a bulk read are remembered as one batch (coder/store/seen.py): an edit
    # of a row someone changed since must still be refused, and then go through once shown.
    events = _varied_events("o1", 1200, seed=3)
    _insert(project, events)
    shown = next(e for e in project.events("o1")[10:] if e.code_id == "warmth" and not e.text)
    path = project.path
    other = Project(SqliteBackend(connect(path), path), None, "other", read_only=False)
    CommandStack(other).push(EditEvent(shown.id, onset_ms=shown.onset_ms + 40))  # a 2nd writer
    other.close()
    stack = CommandStack(project)
    with pytest.raises(ConcurrentEditError):
        stack.push(EditEvent(shown.id, onset_ms=shown.onset_ms + 80))
    stack.push(EditEvent(shown.id, onset_ms=shown.onset_ms + 80))
    assert project.event(shown.id).onset_ms == shown.onset_ms + 80


def test_seen_rows_keep_the_order_of_writes_across_batches() -> None:
    class Row:
        def __init__(self, id: str) -> None:
            self.id = id

    seen = SeenRows()
    a, b, c = Row("x"), Row("x"), Row("y")
    seen.add_batch("event", [(a, 1)])
    seen[("event", "x")] = (2, b)  # after the first batch: wins over it
    assert seen.get(("event", "x")) == (2, b)
    seen.add_batch("event", [(c, 5), (a, 3)])  # a later batch wins over both
    seen[("event", "z")] = (1, c)
    assert seen.get(("event", "x")) == (3, a)
    assert ("event", "y") in seen and ("event", "z") in seen
    del seen[("event", "y")]
    assert seen.pop(("event", "y")) is None
    assert sorted(k for k, _ in seen.items()) == [("event", "x"), ("event", "z")]


def test_a_long_lived_load_is_set_aside_until_the_next(tmp_path: Path) -> None:
    gc.unfreeze()
    try:
        with long_lived_load():
            assert not gc.isenabled()  # no collector pass while the load is made
            held = [[i] for i in range(10_000)]
        assert gc.isenabled()
        frozen = gc.get_freeze_count()
        assert frozen >= len(held)
        del held
        with long_lived_load():  # the next load gives the previous one back first
            assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_the_pairs_in_use_are_read_from_the_index(project: Project) -> None:
    events = _varied_events("o1", 1200, seed=4)
    _insert(project, events)
    assert project.pairs_in_use("o1") == {(e.subject_id, e.code_id) for e in events}
    assert project.pairs_in_use("no-such-observation") == set()
