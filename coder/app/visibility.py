"""Blind coding: the one rule for what a coder may see of other coders' work.

A coder who codes a session blind (owns a blind observation of it) sees only their own
observations of that session until **every** observation of it is marked final — then all of
them. A coder without a blind observation of a session sees all of it. The consensus
observation a supervisor builds afterwards does not count.

The store applies this for the project's user on every read of observations and events
(``coder/store/queries.py``), so listings, comparisons and every export obey it without
filters of their own; on a team server, PostgreSQL's row-level security applies the same rule.
The GUI's chooser, reliability window, review and export dialog ask ``visible_observations``
/ ``hidden_count`` for the person coding, so they all ask the same question the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from coder.errors import BlindCodingError
from coder.model import Observation

if TYPE_CHECKING:
    from coder.store import Project

CONSENSUS_CODER = "Consensus"
HIDDEN_WHILE_BLIND = (
    "Other coders' observations of this session stay hidden while you code blind, until "
    "every observation of it is marked final (Analysis > Observation is final)."
)


# --- the rule, on plain observations (the store uses these) ---------------------------------
def visible_among(observations: Iterable[Observation], viewer: str) -> list[Observation]:
    """Those of ``observations`` that ``viewer`` may see (pass every observation of each
    session concerned: the rule looks at all of a session's observations)."""
    everything = list(observations)
    if not viewer:
        return everything
    by_session: dict[str, list[Observation]] = defaultdict(list)
    for obs in everything:
        by_session[obs.session_id].append(obs)
    hidden = {
        obs.id
        for siblings in by_session.values()
        for obs in siblings
        if not _may_see(obs, siblings, viewer)
    }
    return [o for o in everything if o.id not in hidden]


def _may_see(obs: Observation, siblings: Sequence[Observation], viewer: str) -> bool:
    if obs.coder == viewer:
        return True
    if not any(o.blind and o.coder == viewer for o in siblings):
        return True
    return all(o.final for o in siblings if o.coder != CONSENSUS_CODER)


def require_visible(obs: Observation, siblings: Sequence[Observation], viewer: str) -> None:
    """Raise BlindCodingError if ``viewer`` may not see ``obs`` (ids only in the message)."""
    if viewer and not _may_see(obs, siblings, viewer):
        waiting = sum(1 for o in siblings if not o.final and o.coder != CONSENSUS_CODER)
        raise BlindCodingError(
            f"observation {obs.id} is another coder's work on a session you code blind "
            f"(session {obs.session_id}); it stays hidden until every observation of that "
            f"session is marked final ({waiting} not final yet: "
            "attune observation final FILE --observation ID)"
        )


# --- the rule asked of a project, for any person (GUI listings) ------------------------------
def visible_observations(
    project: Project, coder: str, session_id: str | None = None
) -> list[Observation]:
    """The observations ``coder`` may see (of one session, or of the whole project)."""
    sessions = [session_id] if session_id is not None else [s.id for s in project.sessions()]
    return [o for sid in sessions for o in project.observations_visible_to(sid, coder)]


def hidden_count(project: Project, coder: str, session_id: str | None = None) -> int:
    """How many observations are hidden from ``coder`` (0 when nothing is blind)."""
    total = project.observation_count(session_id)
    return total - len(visible_observations(project, coder, session_id))


def may_see(project: Project, coder: str, observation_id: str) -> bool:
    return project.may_see_observation(observation_id, coder)
