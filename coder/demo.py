"""The demo project: a generated 60 s play session coded by two coders (close, not identical).

Everything is synthetic and deterministic (seeded), so the demo is the same on every machine
and tests can rely on it. The second coder is a jittered copy of the first with a few misses
and extras, which gives the reliability views something real to show.
"""

from __future__ import annotations

import os
import random
import tempfile
from dataclasses import replace
from pathlib import Path

from coder.analysis.highlights import suggest_highlights
from coder.analysis.motion_cache import session_motion
from coder.app.usecases import add_session_from_video, create_project, new_observation
from coder.commands import (
    AddEvent,
    AddHighlight,
    AddSegment,
    CommandStack,
    Composite,
    SetObservationFinal,
    SetRating,
)
from coder.media.synth import write_demo_video
from coder.model import (
    Code,
    Consent,
    Event,
    FreezePoint,
    Highlight,
    RatingPer,
    Scheme,
    Segment,
    new_id,
)
from coder.progress import Progress
from coder.schemes import load_shipped

DEMO_SCHEME = "attachment-core"
PROJECT_NAME = "demo.attune"
VIDEO_NAME = "demo-session.mp4"


def build_demo(
    out_dir: Path | None = None, *, seconds: int = 60, progress: Progress | None = None
) -> Path:
    """Generate the demo video and project in ``out_dir`` (a temp folder when None)."""
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="attune-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _f: None)
    video = out / VIDEO_NAME
    write_demo_video(video, seconds=seconds, progress=lambda f: report(0.8 * f))
    project_path = out / PROJECT_NAME
    for stale in (project_path, Path(f"{project_path}-wal"), Path(f"{project_path}-shm")):
        if stale.exists():
            os.remove(stale)  # the demo is regenerated from scratch each time
    scheme, text = load_shipped(DEMO_SCHEME)
    with create_project(project_path, (scheme, text), user="demo") as project:
        session = add_session_from_video(
            project,
            video,
            label="Demo session",
            consent=Consent(treatment=True, supervision=True, show_to_parents=True),
        )
        session = replace(
            session,
            family="Demo family",
            goal="Noticing and following Sam's lead in play",
            practice_point="Pause, watch what Sam does, and say it out loud.",
        )
        project.update_session(session)
        media = project.media(session.media_id or "")
        stack = CommandStack(project)
        segments = _segments(scheme, session.id, media.duration_ms)
        if segments:
            stack.push(Composite("Add demo segments", [AddSegment(s) for s in segments]))
        rng = random.Random(20261124)
        first = _events(scheme, "", media.duration_ms, rng)
        coders = (("Therapist A", first, False), ("Supervisor B", _second_coder(first, rng), True))
        for coder, events, blind in coders:
            obs = new_observation(project, session, coder, blind=blind)
            adds = [AddEvent(_with_observation(e, obs.id)) for e in events]
            stack.push(Composite(f"Demo codes of {coder}", adds))
            ratings = _ratings(scheme, obs.id, segments, rng)
            if ratings:
                stack.push(Composite("Demo ratings", ratings))
            stack.push(SetObservationFinal(obs.id, True))
        highlights = _highlights(scheme, session.id, first, media.duration_ms)
        if highlights:
            stack.push(Composite("Demo highlights", [AddHighlight(h) for h in highlights]))
        # Motion energy of the parent's and the child's half, cached so the timeline shows
        # the synchrony candidates at once (the child follows the parent's moves).
        session_motion(project, session.id, progress=lambda f: report(0.8 + 0.15 * f))
    report(1.0)
    return project_path


def _segments(scheme: Scheme, session_id: str, duration_ms: int) -> list[Segment]:
    if not scheme.segments:
        return []
    part = duration_ms // len(scheme.segments)
    return [
        Segment(new_id(), session_id, d.name, i * part, min(duration_ms, (i + 1) * part), d.id)
        for i, d in enumerate(scheme.segments)
    ]


def _events(scheme: Scheme, obs_id: str, duration_ms: int, rng: random.Random) -> list[Event]:
    """A plausible first coding: grouped states tile the session, others come and go."""
    events: list[Event] = []
    frame = 40  # the demo video is 25 fps; keep times on frame starts
    grouped: set[str] = set()
    for group in scheme.groups:
        if not group.exclusive:
            continue
        codes = [scheme.code(c) for c in group.codes]
        grouped.update(group.codes)
        subject = scheme.subjects_for(codes[0])[0]
        t = 0
        while t < duration_ms - 2000:
            length = rng.randrange(3000, 9000, frame)
            code = rng.choice(codes)
            end = min(duration_ms, t + length)
            events.append(_event(obs_id, code, subject, t, end, scheme, rng))
            t = end
    for code in scheme.codes:
        if code.id in grouped:
            continue
        subject = scheme.subjects_for(code)[0]
        for _ in range(rng.randint(2, 5)):
            onset = rng.randrange(0, duration_ms - 4000, frame)
            offset = onset + rng.randrange(1000, 4000, frame) if code.is_state else None
            events.append(_event(obs_id, code, subject, onset, offset, scheme, rng))
    events.sort(key=lambda e: (e.onset_ms, e.code_id))
    return _drop_overlaps(events)


def _event(
    obs_id: str,
    code: Code,
    subject: str,
    onset: int,
    offset: int | None,
    scheme: Scheme,
    rng: random.Random,
) -> Event:
    modifiers = {}
    for mod_id in code.modifiers:
        modifier = scheme.modifier(mod_id)
        if modifier.values and modifier.kind.value == "single":
            modifiers[mod_id] = rng.choice(modifier.values)
    return Event(new_id(), obs_id, code.id, subject, onset, offset, modifiers)


def _drop_overlaps(events: list[Event]) -> list[Event]:
    """Keep one running instance per (code, subject): overlapping repeats are not coded."""
    kept: list[Event] = []
    busy_until: dict[tuple[str, str], int] = {}
    for e in events:
        key = (e.code_id, e.subject_id)
        if e.onset_ms < busy_until.get(key, -1):
            continue
        busy_until[key] = e.offset_ms if e.offset_ms is not None else e.onset_ms + 1
        kept.append(e)
    return kept


def _second_coder(events: list[Event], rng: random.Random) -> list[Event]:
    """The supervisor: same moments within a few frames, a few misses and extras."""
    second: list[Event] = []
    for e in events:
        if e.offset_ms is None and rng.random() < 0.15:
            continue  # missed point event
        shift = rng.choice((-200, -80, -40, 0, 0, 40, 120))
        onset = max(0, e.onset_ms + shift)
        offset = None if e.offset_ms is None else max(onset + 40, e.offset_ms + shift)
        second.append(Event(new_id(), "", e.code_id, e.subject_id, onset, offset, e.modifiers))
    return _drop_overlaps(sorted(second, key=lambda e: (e.onset_ms, e.code_id)))


def _with_observation(event: Event, obs_id: str) -> Event:
    return Event(
        event.id,
        obs_id,
        event.code_id,
        event.subject_id,
        event.onset_ms,
        event.offset_ms,
        event.modifiers,
        event.note,
    )


def _ratings(
    scheme: Scheme, obs_id: str, segments: list[Segment], rng: random.Random
) -> list[SetRating]:
    commands: list[SetRating] = []
    for rating in scheme.ratings:
        targets = [s.id for s in segments] if rating.per is RatingPer.SEGMENT else [None]
        for segment_id in targets or [None]:
            steps = round((rating.maximum - rating.minimum) / rating.step)
            value = rating.minimum + rating.step * rng.randint(steps // 2, steps)
            commands.append(SetRating(obs_id, rating.id, segment_id, value))
    return commands


CAPTIONS = (
    (
        "Following Sam's lead",
        "You waited and watched, and Sam showed you what he wanted to play.",
        "You're watching me - I can show you!",
    ),
    (
        "Finding each other again",
        "It got hard for a moment, and you came back to him gently.",
        "You came back. I'm okay now.",
    ),
    ("Sharing the fun", "You both laughed at the tower falling down.", "Again! Do it again!"),
)


def _highlights(
    scheme: Scheme, session_id: str, events: list[Event], duration_ms: int
) -> list[Highlight]:
    """Demo highlights from the suggestions; the last one is kept private (not shareable)."""
    suggestions = suggest_highlights(scheme, events, duration_ms, max_count=3, length_ms=8000)
    out = []
    for order, (s, (title, caption, voice)) in enumerate(zip(suggestions, CAPTIONS, strict=False)):
        freeze = (s.in_ms + s.out_ms) // 2
        out.append(
            Highlight(
                id=new_id(),
                session_id=session_id,
                in_ms=s.in_ms,
                out_ms=s.out_ms,
                title=title,
                caption=caption,
                child_voice=voice,
                talking_point="Ask what she noticed just before Sam looked up.",
                freeze_points=(
                    FreezePoint(at_ms=freeze, caption="Look at his face here", hold_s=2.0),
                ),
                speed=0.5 if order == 1 else 1.0,
                theme=s.theme,
                order=order,
                shareable=order < 2,
                event_ids=s.event_ids,
            )
        )
    return out
