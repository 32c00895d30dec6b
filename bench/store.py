"""Cost of one durable event add, against a bare commit of the same row on the same engine.

SQLite: both use WAL + synchronous=FULL on the same disk in the same run, so the ratio is
what our layers (validation, audit chain, notifications) add on top of the physical limit
(the fsync). PostgreSQL: a throwaway server (fsync on) started for this run; our AddEvent on
a team project against a bare BEGIN/INSERT/COMMIT of the same row on the same server.
Then 10 writers at once on that server (each its own process and observation, as ten coders
would), against 10 bare writers. Goal for both single-writer ratios: <= 2.

Run: python bench/store.py [N]   (PostgreSQL parts are skipped when it is not installed)
"""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.pgserver

from coder.commands import AddEvent, CommandStack
from coder.model import Event, Observation, Session, new_id
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project

EVENTS_DDL = (
    "CREATE TABLE events (id TEXT PRIMARY KEY, observation_id TEXT, code_id TEXT, "
    "subject_id TEXT, onset_ms BIGINT, offset_ms BIGINT, modifiers TEXT, note TEXT)"
)


def bare(path: Path, n: int) -> list[float]:
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(EVENTS_DDL)
    times = []
    for i in range(n):
        t = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), "o", "warmth", "parent", i * 40, None, "{}", ""),
        )
        db.execute("COMMIT")
        times.append(time.perf_counter() - t)
    db.close()
    return times


def prepared(location: str, observations: int = 1) -> Project:
    project = Project.create(location, user="bench")
    scheme, text = load_shipped("attachment-core")
    snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    project.add_session(Session("s", "bench"))
    for k in range(observations):
        project.add_observation(Observation(f"o{k}", "s", f"coder{k}", snap.id))
    return project


def ours(location: str, n: int) -> list[float]:
    project = prepared(location)
    stack = CommandStack(project)
    times = []
    for i in range(n):
        event = Event(new_id(), "o0", "warmth", "parent", i * 40)
        t = time.perf_counter()
        stack.push(AddEvent(event))
        times.append(time.perf_counter() - t)
    project.close()
    return times


def bare_pg(url: str, n: int) -> list[float]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(EVENTS_DDL)
        times = []
        for i in range(n):
            t = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO events VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (new_id(), "o", "warmth", "parent", i * 40, None, "{}", ""),
            )
            conn.execute("COMMIT")
            times.append(time.perf_counter() - t)
    return times


OUR_WRITER = """
import sys, time
from coder.commands import AddEvent, CommandStack
from coder.model import Event, new_id
from coder.store import Project
project = Project.open(sys.argv[1])
stack, obs, seconds = CommandStack(project), sys.argv[2], float(sys.argv[3])
print("ready", flush=True); sys.stdin.readline()
end, n = time.monotonic() + seconds, 0
while time.monotonic() < end:
    stack.push(AddEvent(Event(new_id(), obs, "warmth", "parent", n * 40))); n += 1
print(n, flush=True)
"""

BARE_WRITER = """
import sys, time, uuid, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
obs, seconds = sys.argv[2], float(sys.argv[3])
print("ready", flush=True); sys.stdin.readline()
end, n = time.monotonic() + seconds, 0
while time.monotonic() < end:
    conn.execute("BEGIN")
    conn.execute("INSERT INTO events VALUES (%s, %s, 'warmth', 'parent', %s, NULL, '{}', '')",
                 (uuid.uuid4().hex, obs, n * 40))
    conn.execute("COMMIT"); n += 1
print(n, flush=True)
"""


def concurrent(script: str, url: str, writers: int, seconds: float) -> float:
    """Events per second committed by ``writers`` processes writing at the same time."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, url, f"o{k}", str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(writers)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    total = sum(int(child.communicate(timeout=seconds + 60)[0].strip()) for child in children)
    return total / seconds


def postgres(n: int) -> None:
    from tests.pgserver import find_binaries, throwaway_server

    if find_binaries() is None:
        print("postgresql: not installed here (Debian: apt-get install postgresql); skipped")
        return
    with throwaway_server(fsync=True) as server:
        # Interleave two rounds each so the server's state affects both alike.
        b1, o1 = bare_pg(server.url("postgres"), n), ours(server.new_database_url(), n)
        server.sql("DROP TABLE events")
        b2, o2 = bare_pg(server.url("postgres"), n), ours(server.new_database_url(), n)
        b, o = statistics.median(b1 + b2), statistics.median(o1 + o2)
        print(
            f"durable add, median of {2 * n}: bare postgresql BEGIN/INSERT/COMMIT "
            f"{b * 1000:.3f} ms, attune AddEvent on a team project {o * 1000:.3f} ms, "
            f"ratio {o / b:.2f}x (goal <= 2.00x)"
        )
        writers, seconds = 10, 3.0
        team = server.new_database_url()
        prepared(team, observations=writers).close()
        server.sql("DROP TABLE events")
        server.sql(EVENTS_DDL)
        ours_rate = concurrent(OUR_WRITER, team, writers, seconds)
        bare_rate = concurrent(BARE_WRITER, server.url("postgres"), writers, seconds)
        with Project.open(team, read_only=True) as check:
            intact = check.verify_audit_chain() == []
        print(
            f"{writers} writers at once for {seconds:.0f} s: attune {ours_rate:.0f} events/s, "
            f"bare {bare_rate:.0f} inserts/s, ratio {bare_rate / ours_rate:.2f}x; "
            f"audit chain intact: {intact}"
        )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        # Interleave two rounds each so disk state affects both alike.
        b1, o1 = bare(Path(tmp) / "bare1.db", n), ours(str(Path(tmp) / "ours1.attune"), n)
        b2, o2 = bare(Path(tmp) / "bare2.db", n), ours(str(Path(tmp) / "ours2.attune"), n)
    b, o = statistics.median(b1 + b2), statistics.median(o1 + o2)
    print(
        f"durable add, median of {2 * n}: bare sqlite commit {b * 1000:.3f} ms, "
        f"attune AddEvent {o * 1000:.3f} ms, ratio {o / b:.2f}x (goal <= 2.00x)"
    )
    postgres(n)


if __name__ == "__main__":
    main()
