"""A team on one PostgreSQL project: logins, roles, the blind rule under raw SQL, concurrent
edits, live changes, and push/pull against project files.

The throwaway server's superuser creates projects (an admin); alice and bob are coders, sue
a supervisor, carla a clinician, otto an auditor — each their own database login whose
password lives only in the passfile, as in a clinic's ~/.pgpass.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from coder.commands import AddEvent, CommandStack, EditEvent, SetRating
from coder.errors import CommandError, ConcurrentEditError, PermissionDeniedError, ProjectError
from coder.model import Consent, Event, Highlight, Observation, Segment, Session
from coder.store import Change, Project, pg_security
from coder.store.copying import pull, push
from exports.json_io import dumps, project_to_dict
from tests.core.store_fixtures import as_login, fill
from tests.pgserver import PgServer

pytestmark = pytest.mark.usefixtures("pg_server")


@pytest.fixture
def team_url(pg_server: PgServer, tmp_path: Path) -> Iterator[str]:
    """A team project with one session, its video record and the attachment-core scheme."""
    url = pg_server.new_database_url()
    with Project.create(url) as admin:
        fill(admin, str(tmp_path / "video.mp4"))
    for login, role in [
        ("alice", "coder"),
        ("bob", "coder"),
        ("sue", "supervisor"),
        ("carla", "clinician"),
        ("otto", "auditor"),
    ]:
        as_login(pg_server, url, login, role)
    yield url


def _open(pg_server: PgServer, url: str, login: str) -> Project:
    return Project.open(url.replace("//attune_root@", f"//{login}@"))


def _raw(pg_server: PgServer, url: str, login: str, query: str) -> list[tuple[object, ...]]:
    """A query typed by hand under that person's login (no Attune code involved)."""
    raw_url = url.replace("//attune_root@", f"//{login}@")
    with psycopg.connect(raw_url, autocommit=True) as conn:
        return list(conn.execute(query.encode()).fetchall())


def _wait_for(project: Project, heard: list[Change], n: int, within: float = 1.0) -> float:
    start = time.monotonic()
    while len(heard) < n and time.monotonic() - start < within:
        project.poll_changes(timeout=0.05)
    return time.monotonic() - start


def test_two_coders_and_a_supervisor_at_once(pg_server: PgServer, team_url: str) -> None:
    snap = None
    with (
        _open(pg_server, team_url, "sue") as sue,
        _open(pg_server, team_url, "alice") as alice,
        _open(pg_server, team_url, "bob") as bob,
    ):
        assert (sue.role, alice.role, bob.role) == ("supervisor", "coder", "coder")
        assert (sue.user, alice.user, bob.user) == ("sue", "alice", "bob")
        snap = sue.snapshots()[0].id
        # The supervisor assigns the session to both coders, blind (double coding).
        sue.add_observation(Observation("oa", "s1", "alice", snap, name="alice", blind=True))
        sue.add_observation(Observation("ob", "s1", "bob", snap, name="bob", blind=True))
        CommandStack(alice).push(AddEvent(Event("ea", "oa", "warmth", "parent", 1000)))
        CommandStack(bob).push(AddEvent(Event("eb", "ob", "warmth", "parent", 1200)))

        # 1. Blind rows are invisible to the other coder's connection, even typed by hand.
        assert _raw(pg_server, team_url, "bob", "SELECT id FROM events ORDER BY id") == [("eb",)]
        # (Therapist A's o1 too: it is not final, so a blind coder may not see it yet.)
        assert _raw(pg_server, team_url, "bob", "SELECT id FROM observations ORDER BY id") == [
            ("ob",)
        ]
        assert _raw(
            pg_server, team_url, "alice", "SELECT count(*) FROM events WHERE observation_id = 'ob'"
        ) == [(0,)]
        assert [e.id for e in bob.events("oa")] == [] and [e.id for e in bob.events("ob")] == ["eb"]
        assert {o.id for o in sue.observations("s1")} == {
            "o1",
            "oa",
            "ob",
        }  # the supervisor sees all
        # ...nor can bob write there, or lift his own blindness.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _raw(
                pg_server,
                team_url,
                "bob",
                "INSERT INTO events (id, observation_id, code_id, subject_id, onset_ms, modifiers, note) VALUES ('x', 'oa', 'warmth', 'parent', 1, '{}', '')",
            )
        assert (
            _raw(
                pg_server,
                team_url,
                "bob",
                "UPDATE events SET onset_ms = 0 WHERE observation_id = 'oa' RETURNING id",
            )
            == []
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _raw(pg_server, team_url, "bob", "UPDATE observations SET blind = 0 WHERE id = 'ob'")
        with pytest.raises(CommandError, match="no observation 'oa'"):  # not even its name
            CommandStack(bob).push(AddEvent(Event("ex", "oa", "warmth", "parent", 5)))
        with pytest.raises(CommandError, match="login 'sue' may not make this change"):
            CommandStack(sue).push(AddEvent(Event("ex", "oa", "warmth", "parent", 5)))

        # 2. A concurrent edit is refused with a message (alice on a second computer).
        with _open(pg_server, team_url, "alice") as alice_laptop:
            assert alice_laptop.events("oa")[0].onset_ms == 1000
            CommandStack(alice).push(EditEvent("ea", onset_ms=1500))
            with pytest.raises(
                ConcurrentEditError, match="changed by alice at .* not saved"
            ) as err:
                CommandStack(alice_laptop).push(EditEvent("ea", onset_ms=900))
            assert isinstance(err.value.current, Event) and err.value.current.onset_ms == 1500
        assert alice.event("ea").onset_ms == 1500

        # 3. A change by someone else appears live in another open project within a second.
        alice.poll_changes()  # (catch up with what happened above)
        heard: list[Change] = []
        alice.subscribe(heard.append)
        with sue.transaction():
            sue.put_segment(Segment("g1", "s1", "child-led", 0, 5000), existed=False)
        CommandStack(bob).push(AddEvent(Event("eb2", "ob", "warmth", "parent", 3000)))  # blind
        took = _wait_for(alice, heard, 1)
        assert took < 1.0 and [(c.kind, c.entity, c.remote) for c in heard] == [
            ("added", "segment", True)
        ]
        alice.poll_changes(timeout=0.2)
        assert len(heard) == 1  # bob's blind event never reached alice

        # Every observation final: now each sees the other's coding (the app's rule too).
        alice.set_observation_final("oa", True)
        bob.set_observation_final("ob", True)
        assert [o.id for o in alice.observations("s1")] == ["oa"]  # o1 is not final yet
        sue.set_observation_final("o1", True)
        assert {e.id for e in alice.events("ob")} == {"eb", "eb2"}
        for who in (alice, bob):
            visible = {o.id for o in who.observations("s1")}
            assert visible == {o.id for o in sue.observations_visible_to("s1", who.user)}

        # The supervisor builds the consensus observation; coders may not write in it.
        sue.add_observation(
            Observation("oc", "s1", "Consensus", snap, name="Consensus (alice / bob)")
        )
        CommandStack(sue).push(AddEvent(Event("ec", "oc", "warmth", "parent", 1100)))
        assert [e.id for e in sue.events("oc")] == ["ec"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _raw(
                pg_server,
                team_url,
                "bob",
                "INSERT INTO events (id, observation_id, code_id, subject_id, onset_ms, modifiers, note) VALUES ('x2', 'oc', 'warmth', 'parent', 1, '{}', '')",
            )

    # Every write is in one audit chain, each entry under the login that made it.
    with Project.open(team_url, read_only=True) as admin:
        assert admin.verify_audit_chain() == []
        by = {(a.user, a.entity) for a in admin.audit_log()}
        assert {("sue", "observation"), ("alice", "event"), ("bob", "event")} <= by


def test_push_then_pull_round_trips_byte_identically(
    pg_server: PgServer, demo_copy: Path, tmp_path: Path
) -> None:
    with Project.open(demo_copy, read_only=True) as original:
        before = dumps(project_to_dict(original))
        chain = [(a.seq, a.hash) for a in original.audit_log()]
        counts = {o.id: len(original.events(o.id)) for o in original.observations()}
    assert sum(counts.values()) > 20 and "highlights" in before
    url = pg_server.new_database_url()
    pushed = push(demo_copy, url)
    assert pushed.rows["events"] == sum(counts.values())
    with Project.open(url, read_only=True) as server:
        assert dumps(project_to_dict(server)) == before
        assert [(a.seq, a.hash) for a in server.audit_log()][: len(chain)] == chain
        assert server.audit_log()[-1].action == "copied" and server.verify_audit_chain() == []
    back = tmp_path / "back.attune"
    pull(url, back)
    with Project.open(back, read_only=True) as pulled:
        assert dumps(project_to_dict(pulled)) == before
        assert [(a.seq, a.hash) for a in pulled.audit_log()][: len(chain)] == chain
        assert [a.action for a in pulled.audit_log()[-2:]] == ["copied", "copied"]
        assert pulled.verify_audit_chain() == [] and pulled.integrity_check() == ["ok"]
    assert not list(tmp_path.glob(".back.attune.pulling*"))


def test_push_refuses_a_project_that_has_data_and_pull_an_existing_file(
    pg_server: PgServer, team_url: str, demo_copy: Path, tmp_path: Path
) -> None:
    with pytest.raises(ProjectError, match="already holds data"):
        push(demo_copy, team_url)
    with pytest.raises(ProjectError, match="already exists"):
        pull(team_url, demo_copy)
    with pytest.raises(ProjectError, match="sees only part of this project"):
        pull(team_url.replace("//attune_root@", "//alice@"), tmp_path / "partial.attune")
    assert not (tmp_path / "partial.attune").exists()


def test_roles_clinician_auditor_and_the_audit_login(pg_server: PgServer, team_url: str) -> None:
    with Project.open(team_url) as admin:
        admin.add_session(Session("s2", "Week 2", consent=Consent(show_to_parents=True)))
        snap = admin.snapshots()[0].id
        admin.add_observation(Observation("o2", "s2", "Therapist A", snap))
    with _open(pg_server, team_url, "carla") as carla:
        assert carla.role == "clinician"
        assert [s.id for s in carla.sessions()] == ["s2"]  # only the consented session
        with carla.transaction():
            carla.put_highlight(Highlight("h1", "s2", 0, 3000, title="t"), existed=False)
        with pytest.raises(PermissionDeniedError, match="carla"), carla.transaction():
            carla.put_highlight(Highlight("h2", "s1", 0, 3000), existed=False)
        assert [o.id for o in carla.observations()] == ["o2"]  # read, for suggestions
        with pytest.raises(CommandError, match="may not make this change"):
            CommandStack(carla).push(SetRating("o2", "warmth_global", None, 4))
    with _open(pg_server, team_url, "otto") as otto:
        assert otto.role == "auditor" and {s.id for s in otto.sessions()} == {"s1", "s2"}
        assert otto.verify_audit_chain() == []
        with pytest.raises(PermissionDeniedError), otto.transaction():
            otto.put_segment(Segment("g9", "s1", "x", 0, 10), existed=False)
    # Nobody can write an audit entry in someone else's name, or change one.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _raw(
            pg_server,
            team_url,
            "alice",
            """INSERT INTO audit_log (at, "user", action, entity, entity_id, summary, prev_hash, hash) VALUES ('', 'bob', 'x', 'x', 'x', '', '', '')""",
        )
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        pg_server.sql("UPDATE audit_log SET action = 'x'", team_url.rsplit("/", 1)[1])


def test_addresses_with_a_password_or_unknown_login_are_refused(
    pg_server: PgServer, team_url: str
) -> None:
    with pytest.raises(ProjectError, match="holds a password; remove it"):
        Project.open(team_url.replace("attune_root@", "attune_root:secret@"))
    with pytest.raises(ProjectError, match="did not accept the login 'mallory'"):
        Project.open(team_url.replace("//attune_root@", "//mallory@"))
    pg_server.add_login("newbie")
    with pytest.raises(PermissionDeniedError, match="no role in Attune team projects"):
        _open(pg_server, team_url, "newbie")
    with pytest.raises(ProjectError, match="there is no database 'nope'"):
        Project.open(team_url.rsplit("/", 1)[0] + "/nope")


def test_row_level_security_agrees_with_the_apps_blind_rule(
    pg_server: PgServer, team_url: str
) -> None:
    """Every combination of blind/final flags: what the server shows a login under raw SQL is
    exactly what the app's rule (Project.observations_visible_to) says that person may see."""
    import itertools

    combos = list(
        itertools.product([False, True], [False, True], [False, True], [None, False, True])
    )
    with Project.open(team_url) as admin:
        snap = admin.snapshots()[0].id
        with admin.transaction():
            for n, (alice_blind, alice_final, bob_final, consensus) in enumerate(combos):
                sid = f"c{n:02d}"
                admin.add_session(Session(sid, sid))
                admin.add_observation(
                    Observation(
                        f"{sid}-a", sid, "alice", snap, blind=alice_blind, final=alice_final
                    )
                )
                admin.add_observation(
                    Observation(f"{sid}-b", sid, "bob", snap, blind=True, final=bob_final)
                )
                if consensus is not None:
                    admin.add_observation(
                        Observation(f"{sid}-c", sid, "Consensus", snap, final=consensus)
                    )
        for login in ("alice", "bob"):
            rows = _raw(pg_server, team_url, login, "SELECT session_id, id FROM observations")
            seen: dict[str, set[str]] = {}
            for sid, oid in rows:
                seen.setdefault(str(sid), set()).add(str(oid))
            for n in range(len(combos)):
                sid = f"c{n:02d}"
                expected = {o.id for o in admin.observations_visible_to(sid, login)}
                assert seen.get(sid, set()) == expected, (login, combos[n])


# Every table of a team project and the row-level rule it needs (coder/store/pg_security.py
# picks one from the table's columns). A migration that adds a table adds a line here after
# checking the rule fits: e.g. a coder's own work needs "by observation" (blind rule), a
# session's material "by session" (clinicians only for consented sessions).
RULE_OF_TABLE = {
    "attune_schema": "admins write",
    "meta": "admins write",
    "scheme_snapshots": "admins write",
    "media": "media",
    "frame_times": "media cache",
    "motion_energy": "media cache",
    "audio_overview": "media cache",
    "sessions": "sessions",
    "observations": "observations",
    "events": "by observation",
    "rating_values": "by observation",
    "segments": "by session",
    "highlights": "by session",
    "session_media": "by session",
    "reliability_plan_sessions": "by session",  # drawn by supervisors, seen with the session
    "source_documents": "by session",  # an imported file's structure (tiers, vocabularies)
    "audit_log": "audit",
}


def test_every_table_is_guarded_by_row_level_security(pg_server: PgServer, team_url: str) -> None:
    database = team_url.rsplit("/", 1)[1]
    tables = {
        str(name): bool(secured)
        for name, secured in pg_server.sql(
            "SELECT relname, relrowsecurity FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace",
            database,
        )
    }
    columns: dict[str, set[str]] = {}
    for table, column in pg_server.sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public'",
        database,
    ):
        columns.setdefault(str(table), set()).add(str(column))
    unlisted = sorted(set(tables) - set(RULE_OF_TABLE))
    assert not unlisted, f"new table(s) {unlisted}: add each to RULE_OF_TABLE with its rule"
    assert {t: pg_security.rule_for(t, columns[t]).kind for t in tables} == {
        t: RULE_OF_TABLE[t] for t in tables
    }
    assert [t for t, secured in tables.items() if not secured] == []
    policies: dict[str, set[str]] = {}
    for table, command in pg_server.sql(
        "SELECT tablename, cmd FROM pg_policies WHERE schemaname = 'public'", database
    ):
        policies.setdefault(str(table), set()).add(str(command))
    for table in tables:
        writers = pg_security.rule_for(table, columns[table]).writers
        expected = {"SELECT", "INSERT", "UPDATE", "DELETE"} if writers else {"SELECT"}
        assert policies.get(table) == expected, table
    # Whatever the table, a member's login reads it only through its policy: a blind coder
    # sees no row of another coder's observation in any table that has observation rows.
    with _open(pg_server, team_url, "sue") as sue:
        snap = sue.snapshots()[0].id
        sue.add_observation(Observation("oa", "s1", "alice", snap, blind=True))
        sue.add_observation(Observation("ob", "s1", "bob", snap, blind=True))
    with _open(pg_server, team_url, "bob") as bob:
        CommandStack(bob).push(AddEvent(Event("eb", "ob", "warmth", "parent", 1200)))
        CommandStack(bob).push(SetRating("ob", "warmth_global", None, 4))
    for table in (t for t in tables if "observation_id" in columns[t]):
        query = f"SELECT count(*) FROM {table} WHERE observation_id = 'ob'"
        assert pg_server.sql(query, database)[0][0] > 0, table  # bob's rows are there
        assert _raw(pg_server, team_url, "alice", query) == [(0,)], table


def test_an_older_team_project_is_upgraded_once_by_an_admin(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every migration runs on PostgreSQL over existing rows, and the tables it adds are
    guarded straight away; members with another role are told to wait for an admin."""
    from coder.store import schema

    every = list(schema.MIGRATIONS)
    url = pg_server.new_database_url()
    database = url.rsplit("/", 1)[1]
    # A project made by the first format team projects shipped with (4: rows carry versions).
    monkeypatch.setattr(schema, "MIGRATIONS", every[:4])
    Project.create(url).close()
    pg_server.sql(
        "INSERT INTO sessions (id, label, media_id, family, recorded_on, consent, goal, "
        "practice_point) VALUES ('s1', 'Week 1', NULL, '', '', '{}', '', '')",
        database,
    )
    monkeypatch.setattr(schema, "MIGRATIONS", every)
    alice = as_login(pg_server, url, "alice", "coder")
    with pytest.raises(ProjectError, match="older format .* ask an admin"):
        Project.open(alice)
    with Project.open(url) as admin:
        assert admin.session("s1").label == "Week 1"
    assert pg_server.sql("SELECT version FROM attune_schema", database) == [(len(every),)]
    unguarded = pg_server.sql(
        "SELECT relname FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace AND NOT relrowsecurity",
        database,
    )
    assert unguarded == []
    with Project.open(alice) as opened:
        assert [s.id for s in opened.sessions()] == ["s1"] and opened.role == "coder"


def test_a_failure_at_commit_keeps_nothing_and_the_chain_intact(
    pg_server: PgServer, team_url: str
) -> None:
    """The audit rows go to the server together with the COMMIT: when they fail there, the
    whole command is undone and the next one continues an unbroken chain."""
    database = team_url.rsplit("/", 1)[1]
    pg_server.sql(
        "CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.entity_id = 'doomed' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$",
        database,
    )
    pg_server.sql(
        "CREATE TRIGGER refuse_doomed BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION refuse_doomed()",
        database,
    )
    with Project.open(team_url) as admin:
        stack = CommandStack(admin)
        with pytest.raises(CommandError, match="refused"):
            stack.push(AddEvent(Event("doomed", "o1", "warmth", "parent", 100)))
        assert admin.events("o1") == []
        stack.push(AddEvent(Event("fine", "o1", "warmth", "parent", 200)))
        assert [e.id for e in admin.events("o1")] == ["fine"]
        assert admin.verify_audit_chain() == []
    assert pg_server.sql("SELECT id FROM events", database) == [("fine",)]


def test_push_then_pull_keeps_every_row_of_every_table(
    pg_server: PgServer, demo_copy: Path, tmp_path: Path
) -> None:
    """Not only what the JSON export shows: cameras, caches, plans and whatever table a later
    migration adds travel row for row (tables are found in the database, not listed)."""
    import sqlite3

    from coder.cameras import Camera
    from coder.model import Fingerprint, Media

    with Project.open(demo_copy) as original, original.transaction():
        sid = original.sessions()[0].id
        side = Fingerprint(11, "c" * 64, "d" * 64, 60_000)
        original.add_media(
            Media("side", "side.mp4", side, 60_000, 25.0), [i * 40 for i in range(1500)]
        )
        original.put_camera(Camera("cam1", sid, "side", 1, "side view", -120), existed=False)

    def tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
        with contextlib.closing(sqlite3.connect(path)) as db:
            names = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {n: db.execute(f"SELECT * FROM {n} ORDER BY 1").fetchall() for n in names}

    before = tables(demo_copy)
    assert before["session_media"] and before["frame_times"] and before["events"]
    url = pg_server.new_database_url()
    push(demo_copy, url)
    back = tmp_path / "back.attune"
    pull(url, back)
    after = tables(back)
    assert sorted(after) == sorted(before)
    assert after["audit_log"][: len(before["audit_log"])] == before["audit_log"]
    assert len(after["audit_log"]) == len(before["audit_log"]) + 2  # "copied", twice
    for name in sorted(set(before) - {"audit_log"}):
        assert after[name] == before[name], name


def test_chain_is_extended_by_the_server_or_by_the_client_alike(
    pg_server: PgServer, team_url: str
) -> None:
    """attune_audit_append (sent with the COMMIT) writes the same hashes the app would; a
    project made before that function existed extends its chain from the client instead."""
    database = team_url.rsplit("/", 1)[1]
    with Project.open(team_url) as admin:
        CommandStack(admin).push(AddEvent(Event("by-server", "o1", "warmth", "parent", 100)))
    pg_server.sql(
        "DROP FUNCTION attune_audit_append(bigint, text, text, text[], text[], text[])", database
    )
    with Project.open(team_url) as admin:
        CommandStack(admin).push(AddEvent(Event("by-client", "o1", "warmth", "parent", 200)))
        assert admin.verify_audit_chain() == []
        ids = [a.entity_id for a in admin.audit_log() if a.entity == "event"]
        assert ids == ["by-server", "by-client"]
