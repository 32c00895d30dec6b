"""Cost of one durable event add, against a bare SQLite commit of the same row.

Both use WAL + synchronous=FULL on the same disk in the same run, so the ratio is what our
layers (validation, audit chain, notifications) add on top of the physical limit (the fsync).
Goal: ratio <= 2.  Run: python bench/store.py [N]
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coder.commands import AddEvent, CommandStack
from coder.model import Event, Observation, Session, new_id
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project


def bare(path: Path, n: int) -> list[float]:
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE events (id TEXT PRIMARY KEY, observation_id TEXT, code_id TEXT, "
        "subject_id TEXT, onset_ms INTEGER, offset_ms INTEGER, modifiers TEXT, note TEXT)"
    )
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


def ours(path: Path, n: int) -> list[float]:
    project = Project.create(path, user="bench")
    scheme, text = load_shipped("attachment-core")
    snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    project.add_session(Session("s", "bench"))
    project.add_observation(Observation("o", "s", "bench", snap.id))
    stack = CommandStack(project)
    times = []
    for i in range(n):
        event = Event(new_id(), "o", "warmth", "parent", i * 40)
        t = time.perf_counter()
        stack.push(AddEvent(event))
        times.append(time.perf_counter() - t)
    project.close()
    return times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        # Interleave two rounds each so disk state affects both alike.
        b1, o1 = bare(Path(tmp) / "bare1.db", n), ours(Path(tmp) / "ours1.attune", n)
        b2, o2 = bare(Path(tmp) / "bare2.db", n), ours(Path(tmp) / "ours2.attune", n)
    b, o = statistics.median(b1 + b2), statistics.median(o1 + o2)
    print(
        f"durable add, median of {2 * n}: bare sqlite commit {b * 1000:.3f} ms, "
        f"attune AddEvent {o * 1000:.3f} ms, ratio {o / b:.2f}x (goal <= 2.00x)"
    )


if __name__ == "__main__":
    main()
