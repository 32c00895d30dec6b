"""The store suite every backend must pass (SQLite files and PostgreSQL team projects).

Each test runs once per backend (``backend_name``). "Someone else" is a second Project on
the same store: on PostgreSQL another connection; on SQLite a second connection to the file
made without the single-writer lock (a file normally has one writer; this is the only way
to reproduce what a concurrent writer would do to it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from coder.cameras import Camera
from coder.commands import AddEvent, CommandStack, DeleteEvents, EditEvent, SetRating
from coder.errors import CommandError, ConcurrentEditError, ReadOnlyError
from coder.model import Event, Fingerprint, Media, Observation, Segment
from coder.store import Change, Project
from coder.store.backend import SqliteBackend
from coder.store.opening import connect
from tests.core.store_fixtures import as_login


@pytest.fixture
def other(store: Project, request: pytest.FixtureRequest) -> Iterator[Project]:
    """A second writer, logged in as "other"."""
    if isinstance(store.db, SqliteBackend):
        path = store.db.path
        p = Project(SqliteBackend(connect(path), path), None, "other", read_only=False)
    else:
        server = request.getfixturevalue("pg_server")
        p = Project.open(as_login(server, store.location, "other", "admin"))
    yield p
    p.close()


def _event(i: int, onset: int, code: str = "warmth") -> Event:
    return Event(f"e{i}", "o1", code, "parent", onset, None)


def test_commands_round_trip_and_audit_chain(store: Project) -> None:
    stack = CommandStack(store)
    stack.push(AddEvent(_event(1, 1000)))
    stack.push(AddEvent(_event(2, 500)))
    stack.push(EditEvent("e1", onset_ms=1500, note="later"))
    assert [(e.id, e.onset_ms) for e in store.events("o1")] == [("e2", 500), ("e1", 1500)]
    assert store.event("e1").note == "later"
    stack.push(DeleteEvents(["e2"]))
    stack.undo()
    stack.undo()  # the edit
    assert store.event("e1").onset_ms == 1000 and store.event("e1").note == ""
    stack.push(SetRating("o1", "warmth_global", None, 5))
    assert [v.value for v in store.rating_values("o1")] == [5.0]
    log = store.audit_log()
    assert [(a.action, a.entity) for a in log[-3:]] == [
        ("added", "event"),
        ("changed", "event"),
        ("added", "rating"),
    ]
    assert store.verify_audit_chain() == []
    assert store.integrity_check() == ["ok"]


def test_failed_command_changes_nothing(store: Project) -> None:
    stack = CommandStack(store)
    before = len(store.audit_log())
    with pytest.raises(CommandError):
        stack.push(AddEvent(Event("bad", "o1", "no-such-code", "parent", 0)))
    assert store.find_event("bad") is None and len(store.audit_log()) == before


def test_edit_of_a_row_changed_elsewhere_is_refused_with_the_current_value(
    store: Project, other: Project
) -> None:
    stack = CommandStack(store)
    stack.push(AddEvent(_event(1, 1000)))
    assert store.events("o1")[0].onset_ms == 1000  # what this window shows
    theirs = CommandStack(other)
    theirs.push(EditEvent("e1", onset_ms=2000))  # they load the current row and move it
    heard: list[Change] = []
    store.subscribe(heard.append)
    with pytest.raises(
        ConcurrentEditError, match="changed by other at .* your edit was not saved"
    ) as err:
        stack.push(EditEvent("e1", onset_ms=3000))
    assert isinstance(err.value.current, Event) and err.value.current.onset_ms == 2000
    assert "0:02.000" in str(err.value)  # the current value, in words
    assert store.event("e1").onset_ms == 2000  # theirs was kept
    # The views were told the value that won, so the user sees it at once.
    assert [(c.kind, c.after.onset_ms) for c in heard if isinstance(c.after, Event)] == [
        ("changed", 2000)
    ]
    # Now that it is shown, a new edit is deliberate and goes through.
    stack.push(EditEvent("e1", onset_ms=3000))
    assert store.event("e1").onset_ms == 3000
    assert store.verify_audit_chain() == []


def test_delete_of_a_row_removed_elsewhere_is_refused(store: Project, other: Project) -> None:
    stack = CommandStack(store)
    stack.push(AddEvent(_event(1, 1000)))
    store.events("o1")
    CommandStack(other).push(DeleteEvents(["e1"]))
    with pytest.raises(ConcurrentEditError, match="removed by other"):
        stack.push(EditEvent("e1", note="x"))


def test_changes_by_another_writer_arrive_as_change_messages(
    store: Project, other: Project
) -> None:
    store.events("o1")
    heard: list[Change] = []
    store.subscribe(heard.append)
    assert store.poll_changes() == 0
    theirs = CommandStack(other)
    theirs.push(AddEvent(_event(7, 700)))
    theirs.push(EditEvent("e7", onset_ms=800))
    with other.transaction():
        other.put_segment(Segment("g1", "s1", "child-led", 0, 5000), existed=False)
    deadline = time.monotonic() + 1.0
    while len(heard) < 2 and time.monotonic() < deadline:
        store.poll_changes(timeout=0.05)
    kinds = [(c.kind, c.entity, c.remote) for c in heard]
    # Added then changed before we looked: we never showed it, so it arrives as one "added".
    assert kinds == [("added", "event", True), ("added", "segment", True)]
    event = heard[0].after
    assert isinstance(event, Event) and event.onset_ms == 800
    heard.clear()
    theirs.push(DeleteEvents(["e7"]))
    deadline = time.monotonic() + 1.0
    while not heard and time.monotonic() < deadline:
        store.poll_changes(timeout=0.05)
    assert [(c.kind, c.entity) for c in heard] == [("removed", "event")]
    assert isinstance(heard[0].before, Event) and heard[0].before.id == "e7"
    # Our own edits are announced once, by the commit, never again by the poll.
    heard.clear()
    CommandStack(store).push(AddEvent(_event(8, 900)))
    assert [(c.kind, c.remote) for c in heard] == [("added", False)]
    other.poll_changes()
    assert store.poll_changes() == 0 and len(heard) == 1


def test_read_only_project_refuses_writes(store: Project) -> None:
    location = store.location
    store.close()
    with Project.open(location, read_only=True) as viewer:
        assert viewer.events("o1") == []
        with pytest.raises(CommandError, match="read-only") as err:
            CommandStack(viewer).push(AddEvent(_event(1, 1)))
        assert isinstance(err.value.__cause__, ReadOnlyError)


def test_blind_rule_in_the_store(store: Project) -> None:
    snap = store.snapshots()[0].id
    store.add_observation(Observation("o2", "s1", "Supervisor B", snap, blind=True))
    assert [o.id for o in store.observations_visible_to("s1", "Supervisor B")] == ["o2"]
    store.set_observation_final("o2", True)
    store.set_observation_final("o1", True)
    assert {o.id for o in store.observations_visible_to("s1", "Supervisor B")} == {"o1", "o2"}


def test_highlight_and_session_updates_are_versioned(store: Project, other: Project) -> None:
    session = store.session("s1")
    other.update_session(replace(other.session("s1"), goal="theirs"))
    with pytest.raises(ConcurrentEditError, match="session was changed by other"):
        store.update_session(replace(session, goal="mine"))
    assert store.session("s1").goal == "theirs"


def test_cameras_are_versioned_and_announced_on_every_backend(
    store: Project, other: Project
) -> None:
    """The session_media table (issue 14) behaves like every other edited table."""
    with store.transaction():
        store.add_media(
            Media("m2", "side.mp4", Fingerprint(11, "c" * 64, "d" * 64, 60_000), 60_000, 25.0),
            [i * 40 for i in range(1500)],
        )
        store.put_camera(Camera("c1", "s1", "m2", 1, "side", 0), existed=False)
    mine = store.camera("c1")
    store.poll_changes()
    heard: list[Change] = []
    store.subscribe(heard.append)
    with other.transaction():
        other.put_camera(replace(other.camera("c1"), offset_ms=-250), existed=True)
    deadline = time.monotonic() + 1.0
    while not heard and time.monotonic() < deadline:
        store.poll_changes(timeout=0.05)
    assert [(c.kind, c.entity, c.remote) for c in heard] == [("changed", "camera", True)]
    assert isinstance(heard[0].after, Camera) and heard[0].after.offset_ms == -250
    # An edit based on what we showed before their change is refused, with the value now.
    # (what we show now is their offset; they change the label again before our edit)
    with other.transaction():
        other.put_camera(replace(other.camera("c1"), label="theirs"), existed=True)
    with pytest.raises(ConcurrentEditError, match="changed by other") as err, store.transaction():
        store.put_camera(replace(mine, label="mine"), existed=True)
    assert isinstance(err.value.current, Camera) and err.value.current.label == "theirs"
    assert store.verify_audit_chain() == []
