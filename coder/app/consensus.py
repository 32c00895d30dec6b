"""Disagreements between two coders and the supervisor's consensus observation.

``find_disagreements`` lists every place two observations differ (an optimal one-to-one
alignment within a tolerance: different codes matched in time, and events only one side
coded). ``AcceptIntoConsensus`` copies one side's event into the consensus observation of that
pair — creating the observation the first time — as one undoable command; notes are never
copied (they are the coder's own).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from coder.app.visibility import CONSENSUS_CODER
from coder.commands import AddEvent, Command
from coder.errors import CommandError
from coder.model import Event, Observation, new_id
from coder.reliability.alignment import align_events
from coder.store import Project


@dataclass(frozen=True)
class Disagreement:
    at_ms: int
    a: Event | None
    b: Event | None


def find_disagreements(
    events_a: list[Event], events_b: list[Event], tolerance_ms: int
) -> list[Disagreement]:
    """Every disagreement of two codings, in time order."""
    result = align_events(events_a, events_b, tolerance_ms=tolerance_ms)
    by_a = {e.id: e for e in events_a}
    by_b = {e.id: e for e in events_b}
    items = [
        Disagreement(min(by_a[x].onset_ms, by_b[y].onset_ms), by_a[x], by_b[y])
        for x, y in result.disagreements
    ]
    items += [Disagreement(by_a[x].onset_ms, by_a[x], None) for x in result.missed]
    items += [Disagreement(by_b[y].onset_ms, None, by_b[y]) for y in result.extra]
    return sorted(items, key=lambda d: d.at_ms)


def consensus_name(a: Observation, b: Observation) -> str:
    return f"{CONSENSUS_CODER} ({a.coder} / {b.coder})"


def find_consensus(project: Project, a: Observation, b: Observation) -> Observation | None:
    name = consensus_name(a, b)
    for obs in project.observations(a.session_id):
        if obs.coder == CONSENSUS_CODER and obs.name == name:
            return obs
    return None


class AcceptIntoConsensus(Command):
    """Copy ``event`` (one side's) into the consensus observation of ``a`` and ``b``."""

    def __init__(self, a: Observation, b: Observation, event: Event) -> None:
        if a.session_id != b.session_id:
            raise CommandError("a consensus needs two observations of the same session")
        if event.observation_id not in (a.id, b.id):
            raise CommandError("the accepted event belongs to neither compared observation")
        self.a, self.b, self.event = a, b, event
        self.created: Observation | None = None
        self.add: AddEvent | None = None
        self.text = "Accept into consensus"

    def do(self, project: Project) -> None:
        target = find_consensus(project, self.a, self.b)
        if target is None:
            target = Observation(
                new_id(),
                self.a.session_id,
                CONSENSUS_CODER,
                self.a.snapshot_id,
                name=consensus_name(self.a, self.b),
            )
            project.add_observation(target)
            self.created = target
        else:
            self.created = None
        copy = replace(self.event, id=new_id(), observation_id=target.id, note="")
        self.add = AddEvent(copy)
        self.add.do(project)
        side = "A" if self.event.observation_id == self.a.id else "B"
        self.text = f"Accept {side}'s event into consensus"

    def undo(self, project: Project) -> None:
        assert self.add is not None
        self.add.undo(project)
        if self.created is not None:
            project.remove_observation(self.created.id)
