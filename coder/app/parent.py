"""The one privacy gate: what parents may see of a session, and nothing else (DESIGN §8).

Presentation mode, the highlight reel and the handout all start from ``parent_plan``. It
refuses a session without "show to parents" consent, keeps only the highlights marked
shareable (in the clinician's order, snapped to exact frames), and counts only skills built
from strength codes (a metric over concern or neutral codes only when the clinician opted it in
for that session). Trends cover the family's consented sessions only, labelled only with a
name the clinician typed for parents. The plan has no field for notes, talking points, themes,
coder names, concern codes, session labels, dates or file metadata, so no renderer can leak them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coder.consent import require_show_to_parents
from coder.errors import ProjectError
from coder.model import Highlight, Media, Metric, Scheme, Session, Valence
from coder.timebase import TimeBase


@dataclass(frozen=True)
class ParentFreeze:
    at_ms: int
    caption: str
    hold_s: float


@dataclass(frozen=True)
class ParentBlur:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class ParentHighlight:
    """A shareable highlight: its exact frames and its parent-facing words only."""

    id: str  # an opaque key for renderers (blur functions); never shown
    in_ms: int  # start of the first frame shown
    out_ms: int  # end of the last frame shown
    title: str
    caption: str
    child_voice: str
    speed: float
    freeze_points: tuple[ParentFreeze, ...]
    blur_boxes: tuple[ParentBlur, ...]


@dataclass(frozen=True)
class ParentSkill:
    name: str
    value: float
    target_text: str
    met: bool | None


@dataclass(frozen=True)
class ParentTrend:
    name: str
    labels: tuple[str, ...]  # a parent-facing name per session, or "" (never the label)
    values: tuple[float, ...]
    target: float | None = None


@dataclass(frozen=True)
class ParentPlan:
    session_id: str
    family: str
    goal: str
    practice_point: str
    media_path: str  # to render from; never printed
    highlights: tuple[ParentHighlight, ...]
    skills: tuple[ParentSkill, ...] = ()
    trends: tuple[ParentTrend, ...] = ()

    @property
    def heading(self) -> str:
        return f"Our video moments with {self.family}" if self.family else "Our video moments"

    @property
    def watermark(self) -> str:
        return f"For {self.family or 'your family'} only"


def parent_plan(project: Any, session_id: str, purpose: str) -> ParentPlan:
    """Everything ``purpose`` (e.g. "the parent handout") may show of ``session_id``.

    ``project`` is a coder.store.Project. Raises ConsentError without consent to show the
    session to parents, ProjectError when nothing is marked shareable or there is no video.
    """
    session: Session = project.session(session_id)
    require_show_to_parents(session, purpose)
    if session.media_id is None:
        raise ProjectError(f"Session '{session.label}' has no video linked; re-link it first.")
    media: Media = project.media(session.media_id)
    timebase = _timebase(project, media)
    shareable = sorted(
        (h for h in project.highlights(session_id) if h.shareable),
        key=lambda h: (h.order, h.in_ms),
    )
    shown = tuple(p for p in (_parent_highlight(h, timebase) for h in shareable) if p is not None)
    if not shown:
        raise ProjectError(
            f"Session '{session.label}' has no highlights marked 'Show to parents'; mark 2-4 "
            "moments in the Highlights panel first."
        )
    skills, trends = _skills_and_trends(project, session)
    return ParentPlan(
        session_id=session.id,
        family=session.family.strip(),
        goal=session.goal,
        practice_point=session.practice_point,
        media_path=media.path,
        highlights=shown,
        skills=skills,
        trends=trends,
    )


def _timebase(project: Any, media: Media) -> TimeBase:
    times = project.frame_times(media.id)
    if times:
        return TimeBase(times, media.duration_ms)
    return TimeBase.constant(media.fps or 25.0, max(1, media.duration_ms))


def exact_range(in_ms: int, out_ms: int, timebase: TimeBase) -> tuple[int, int] | None:
    """[start of the first frame, end of the last frame] covering [in_ms, out_ms)."""
    first = timebase.frame_at(in_ms)
    last = timebase.frame_at(max(in_ms, out_ms - 1))
    start = timebase.ms_of(first)
    end = timebase.ms_of(last) + timebase.frame_duration(last)
    return (start, end) if end > start and out_ms > in_ms else None


def _parent_highlight(h: Highlight, timebase: TimeBase) -> ParentHighlight | None:
    span = exact_range(h.in_ms, h.out_ms, timebase)
    if span is None:
        return None
    start, end = span
    freezes = tuple(
        ParentFreeze(timebase.snap(p.at_ms), p.caption, p.hold_s)
        for p in sorted(h.freeze_points, key=lambda p: p.at_ms)
        if start <= p.at_ms < end
    )
    return ParentHighlight(
        id=h.id,
        in_ms=start,
        out_ms=end,
        title=h.title,
        caption=h.caption,
        child_voice=h.child_voice,
        speed=h.speed,
        freeze_points=freezes,
        blur_boxes=tuple(ParentBlur(b.x, b.y, b.w, b.h) for b in h.blur_boxes),
    )


# --- skills and their trend -----------------------------------------------------------------


def target_text(metric: Metric) -> str:
    if metric.target_min is not None:
        return f"aim for {metric.target_min:g} or more"
    if metric.target_max is not None:
        return f"aim for {metric.target_max:g} or fewer"
    return ""


def target_met(metric: Metric, value: float) -> bool | None:
    if metric.target_min is not None:
        return value >= metric.target_min
    if metric.target_max is not None:
        return value <= metric.target_max
    return None


def shows_only_strengths(scheme: Scheme, metric: Metric) -> bool:
    """True when every code the metric counts is a strength code (``code@subject`` entries
    are judged by their code)."""
    from coder.analysis.metrics import code_ids

    valences = {c.id: c.valence for c in scheme.codes}
    return bool(metric.codes) and all(
        valences.get(code) is Valence.STRENGTH for code in code_ids(metric)
    )


def parent_metrics(scheme: Scheme, session: Session) -> list[Metric]:
    """The targeted metrics parents may see: strength-only ones, plus those opted in."""
    return [
        m
        for m in scheme.metrics
        if (m.target_min is not None or m.target_max is not None)
        and (shows_only_strengths(scheme, m) or m.id in session.parent_metrics)
    ]


def metrics_needing_opt_in(scheme: Scheme) -> list[Metric]:
    """Targeted metrics over other than strength codes: hidden from parents unless opted in."""
    return [
        m
        for m in scheme.metrics
        if (m.target_min is not None or m.target_max is not None)
        and not shows_only_strengths(scheme, m)
    ]


def sessions_in_order(sessions: Sequence[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.recorded_on, s.label))


def _skills_and_trends(
    project: Any, session: Session
) -> tuple[tuple[ParentSkill, ...], tuple[ParentTrend, ...]]:
    """This session's skills against their targets, and their trend over the family's
    sessions that may be shown to parents (at most two charts, skills to grow first)."""
    from coder.analysis.metrics import compute_metrics

    family = [
        s
        for s in project.sessions()
        if s.id == session.id
        or (session.family and s.family == session.family and s.consent.show_to_parents)
    ]
    history: dict[str, list[tuple[str, float]]] = {}
    shown: dict[str, Metric] = {}
    rows: list[ParentSkill] = []
    for s in sessions_in_order(family):
        observations = project.observations(s.id)
        if not observations or s.media_id is None:
            continue
        obs = observations[0]  # the primary (first) coder's observation
        scheme = project.scheme_for_observation(obs.id)
        duration = project.media(s.media_id).duration_ms
        results = {
            r.metric_id: r.value for r in compute_metrics(scheme, project.events(obs.id), duration)
        }
        for m in parent_metrics(scheme, session):
            value = results.get(m.id)
            if value is None or not math.isfinite(value):  # undefined for this session
                continue
            shown[m.id] = m
            history.setdefault(m.id, []).append((s.parent_name.strip(), float(value)))
            if s.id == session.id:
                rows.append(ParentSkill(m.name, float(value), target_text(m), target_met(m, value)))
    trends = [
        (
            shown[mid],
            ParentTrend(
                shown[mid].name,
                tuple(label for label, _ in points),
                tuple(v for _, v in points),
                shown[mid].target_min
                if shown[mid].target_min is not None
                else shown[mid].target_max,
            ),
        )
        for mid, points in history.items()
        if len(points) >= 2
    ]
    growing = [t for m, t in trends if m.target_min is not None]
    others = [t for m, t in trends if m.target_min is None]
    return tuple(rows), tuple([*growing, *others][:2])
