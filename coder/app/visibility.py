"""Blind coding: which observations a person may see, list, compare and export.

The rule itself is ``Project.observations_visible_to`` (per session: a blind coder sees only
their own observations until theirs and the others' are final); this module applies it
across sessions so every listing — the GUI's chooser, reliability window, disagreement review
and export dialog — asks the same question the same way.
"""

from __future__ import annotations

from coder.model import Observation
from coder.store import Project

HIDDEN_WHILE_BLIND = (
    "Other coders' observations of this session stay hidden while you code blind, until "
    "every observation of it is marked final (Analysis > Observation is final)."
)


def visible_observations(
    project: Project, coder: str, session_id: str | None = None
) -> list[Observation]:
    """The observations ``coder`` may see (of one session, or of the whole project)."""
    sessions = [session_id] if session_id is not None else [s.id for s in project.sessions()]
    return [o for sid in sessions for o in project.observations_visible_to(sid, coder)]


def hidden_count(project: Project, coder: str, session_id: str | None = None) -> int:
    """How many observations are hidden from ``coder`` (0 when nothing is blind)."""
    every = project.observations(session_id)
    return len(every) - len(visible_observations(project, coder, session_id))


def may_see(project: Project, coder: str, observation_id: str) -> bool:
    obs = project.observation(observation_id)
    return any(o.id == obs.id for o in visible_observations(project, coder, obs.session_id))
