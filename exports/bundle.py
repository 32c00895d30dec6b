"""What an export works on: one observation with everything needed to write it.

Writers take bundles, so they can be tested without a project. ``bundles_from_project``
respects blind coding: a coder who codes blind does not get the other coders' work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coder.errors import ProjectError
from coder.model import (
    Event,
    Highlight,
    Media,
    Observation,
    RatingValue,
    Scheme,
    Segment,
    Session,
    SourceDocument,
)


@dataclass(frozen=True)
class ExportBundle:
    scheme: Scheme
    session: Session
    media: Media | None
    observation: Observation
    events: list[Event]
    segments: list[Segment]
    rating_values: list[RatingValue]
    highlights: list[Highlight]
    frame_times: list[int]
    # What an imported file held beyond events (ELAN tiers...), for writing it back.
    sources: tuple[SourceDocument, ...] = ()


def bundles_from_project(
    project: Any,
    *,
    session_ids: Sequence[str] | None = None,
    observation_ids: Sequence[str] | None = None,
    for_coder: str | None = None,
) -> list[ExportBundle]:
    """Bundles for the chosen sessions/observations (ids, names or labels), in project order."""
    sessions = project.sessions()
    if session_ids:
        wanted = set(session_ids)
        sessions = [s for s in sessions if s.id in wanted or s.label in wanted]
        if not sessions:
            raise ProjectError(f"no session matches {', '.join(session_ids)}")
    chosen_obs = None
    if observation_ids:
        chosen_obs = {project.find_observation(key).id for key in observation_ids}
    bundles = []
    for session in sessions:
        observations = (
            project.observations_visible_to(session.id, for_coder)
            if for_coder
            else project.observations(session.id)
        )
        media = project.media(session.media_id) if session.media_id else None
        frame_times = project.frame_times(media.id) if media else []
        for obs in observations:
            if chosen_obs is not None and obs.id not in chosen_obs:
                continue
            bundles.append(
                ExportBundle(
                    scheme=project.scheme_for_observation(obs.id),
                    session=session,
                    media=media,
                    observation=obs,
                    events=project.events(obs.id),
                    segments=project.segments(session.id),
                    rating_values=project.rating_values(obs.id),
                    highlights=project.highlights(session.id),
                    frame_times=frame_times,
                    sources=tuple(project.source_documents(session.id)),
                )
            )
    if chosen_obs is not None and not bundles:
        raise ProjectError(
            "the chosen observations are not in the chosen sessions (or are hidden "
            "while blind coding is in progress)"
        )
    return bundles
