"""Crash safety: a writer killed with SIGKILL at random moments loses nothing it reported.

A child process adds events through the public API (CommandStack.push) and prints each id
only after push returned; the parent kills it at random times, several rounds. Every printed
id must be in the file afterwards, and the file must pass PRAGMA integrity_check.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest

from coder.store import Project

WRITER = """
import sys
from coder.commands import AddEvent, CommandStack
from coder.model import Event, new_id
from coder.store import Project

project = Project.open(sys.argv[1], user="crash-test")
stack = CommandStack(project)
obs = project.observations()[0].id
i = 0
while True:
    event = Event(new_id(), obs, "warmth", "parent", i * 40)
    stack.push(AddEvent(event))
    print(event.id, flush=True)
    i += 1
"""


@pytest.mark.slow
def test_killed_writer_loses_no_acknowledged_event(project: Project) -> None:
    path = project.path
    project.close()
    rng = random.Random(1234)
    acknowledged: list[str] = []
    for _round in range(6):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        deadline = time.monotonic() + rng.uniform(0.6, 1.6)
        first = child.stdout.readline()  # wait until it really writes
        if first:
            acknowledged.append(first.strip())
        while time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acknowledged += [line.strip() for line in out.splitlines() if line.strip()]
        assert child.returncode == -signal.SIGKILL
    assert len(acknowledged) > 20
    with Project.open(path) as reopened:
        stored = {e.id for e in reopened.events("o1")}
        assert reopened.integrity_check() == ["ok"]
        assert reopened.verify_audit_chain() == []
    missing = [i for i in acknowledged if i not in stored]
    assert missing == []
