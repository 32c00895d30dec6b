"""Gather observations from a project for the sequential analyses (CLI and GUI share this)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coder.analysis.behaviour import Behaviour
from coder.analysis.sequential import SessionEvents
from coder.errors import AttuneError
from coder.model import Scheme


def session_events(project: Any, observation_id: str) -> tuple[SessionEvents, Scheme]:
    """One observation's events, its length (the video's, else the last event's end) and
    its scheme. ``project`` is a coder.store.Project."""
    obs = project.observation(observation_id)
    session = project.session(obs.session_id)
    scheme: Scheme = project.scheme_for_observation(obs.id)
    events = project.events(obs.id)
    if session.media_id is not None:
        duration = int(project.media(session.media_id).duration_ms)
    else:
        duration = max((e.offset_ms or e.onset_ms for e in events), default=0) + 1
    label = obs.name or f"{session.label}/{obs.coder}"
    states = frozenset(c.id for c in scheme.codes if c.is_state)
    return SessionEvents(label, events, duration, states), scheme


def load_observations(
    project: Any, keys: Sequence[str], behaviours: Sequence[Behaviour] = ()
) -> list[SessionEvents]:
    """Observations by id or name; every behaviour must exist in each observation's scheme."""
    if not keys:
        raise AttuneError("choose at least one observation")
    found: list[SessionEvents] = []
    for key in keys:
        obs = project.find_observation(key)
        sessions, scheme = session_events(project, obs.id)
        for b in behaviours:
            b.check(scheme)
        found.append(sessions)
    return found
