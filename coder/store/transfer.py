"""Bring a second coder's observation in from their own project file (coded elsewhere).

The scheme snapshot must have the same content, and the session's video the same
fingerprint; otherwise nothing is imported and the differences are listed. Nothing in the
target is ever overwritten: clashing ids get fresh ones. One transaction.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from coder.errors import ProjectError
from coder.model import Observation, Scheme, new_id
from coder.store.project import Project


def scheme_differences(ours: Scheme, theirs: Scheme) -> list[str]:
    diffs = []
    a, b = {c.id: c for c in ours.codes}, {c.id: c for c in theirs.codes}
    diffs += [f"code '{c}' only in this project" for c in sorted(set(a) - set(b))]
    diffs += [f"code '{c}' only in the other project" for c in sorted(set(b) - set(a))]
    diffs += [f"code '{c}' is defined differently" for c in sorted(set(a) & set(b)) if a[c] != b[c]]
    ra, rb = {r.id for r in ours.ratings}, {r.id for r in theirs.ratings}
    diffs += [f"rating '{r}' differs" for r in sorted(ra ^ rb)]
    if not diffs and ours != theirs:
        diffs.append("subjects, groups, modifiers or metrics differ")
    return diffs


def import_observation(project: Project, source: str | Path, key: str) -> Observation:
    with Project.open(source, read_only=True) as src:
        obs = src.find_observation(key)
        snap = src.snapshot(obs.snapshot_id)
        ours = next((s for s in project.snapshots() if s.content_hash == snap.content_hash), None)
        if ours is None:
            candidates = [
                s for s in project.snapshots() if s.scheme.id == snap.scheme.id
            ] or project.snapshots()
            diffs = (
                scheme_differences(candidates[0].scheme, snap.scheme)
                if candidates
                else ["no scheme here"]
            )
            raise ProjectError(
                f"{Path(source).name}: '{obs.name or obs.id}' was coded with another version "
                f"of the scheme ({'; '.join(diffs[:6])}); adopt the same scheme version first"
            )
        session = src.session(obs.session_id)
        if session.media_id is None:
            raise ProjectError(f"{Path(source).name}: the session '{session.label}' has no video")
        fingerprint = src.media(session.media_id).fingerprint
        target = next(
            (
                s
                for s in project.sessions()
                if s.media_id and project.media(s.media_id).fingerprint == fingerprint
            ),
            None,
        )
        if target is None:
            raise ProjectError(
                f"no session here has the same video as '{session.label}' in {Path(source).name}; "
                "add that video to this project first"
            )
        events = src.events(obs.id)
        ratings = src.rating_values(obs.id)
        segment_names = {s.id: s.name for s in src.segments(obs.session_id)}
    taken_obs = {o.id for o in project.observations()}
    new_obs = replace(
        obs,
        id=obs.id if obs.id not in taken_obs else new_id(),
        session_id=target.id,
        snapshot_id=ours.id,
    )
    our_segments = {s.name: s.id for s in project.segments(target.id)}
    with project.transaction():
        project.add_observation(new_obs)
        for e in events:
            event_id = e.id if project.find_event(e.id) is None else new_id()
            project.insert_event(replace(e, id=event_id, observation_id=new_obs.id))
        for v in ratings:
            segment = (
                our_segments.get(segment_names.get(v.segment_id or "", ""))
                if v.segment_id
                else None
            )
            if v.segment_id and segment is None:
                continue  # that segment does not exist here; its rating cannot be placed
            project.put_rating(
                replace(v, id=new_id(), observation_id=new_obs.id, segment_id=segment)
            )
    return new_obs
