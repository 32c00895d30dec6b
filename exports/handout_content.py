"""What a parent handout holds, gathered from a project — and only what parents may see.

The content object is the privacy boundary: it is built from shareable highlights of a session
whose consent allows showing it to parents, and it has no field for notes, talking points,
coder names, concern codes, file paths or metadata, so a renderer cannot leak them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from coder.consent import require_show_to_parents
from coder.errors import Cancelled, ProjectError
from coder.model import Highlight, Metric, Session

Progress = Callable[[float], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class HandoutStill:
    png: bytes
    title: str
    caption: str
    child_voice: str
    width: int
    height: int


@dataclass(frozen=True)
class SkillRow:
    name: str
    value: float
    target_text: str
    met: bool | None


@dataclass(frozen=True)
class TrendSeries:
    name: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    target: float | None = None


@dataclass(frozen=True)
class HandoutContent:
    heading: str
    goal: str
    stills: tuple[HandoutStill, ...]
    practice_point: str
    skills: tuple[SkillRow, ...] = ()
    trends: tuple[TrendSeries, ...] = field(default_factory=tuple)
    watermark: str = ""


def still_time(highlight: Highlight) -> tuple[int, str]:
    """The frame a still shows: the first freeze point, else the middle of the highlight."""
    if highlight.freeze_points:
        point = highlight.freeze_points[0]
        return point.at_ms, highlight.caption or point.caption
    return (highlight.in_ms + highlight.out_ms) // 2, highlight.caption


def encode_png(rgb: np.ndarray[Any, Any], max_width: int = 900) -> tuple[bytes, int, int]:
    """PNG bytes of an RGB frame, scaled down to ``max_width``; no metadata is written."""
    height, width = rgb.shape[:2]
    if width > max_width:
        height = round(height * max_width / width)
        width = max_width
        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ProjectError("could not encode a still image as PNG")
    return buf.tobytes(), width, height


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


def build_handout_content(
    project: Any,
    session_id: str,
    *,
    max_stills: int = 4,
    watermark: bool = False,
    frame_source: Callable[[str, int], np.ndarray[Any, Any]] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> HandoutContent:
    """Gather a handout for one session from ``project`` (a coder.store.Project).

    ``frame_source(media_path, ms)`` returns the exact RGB frame shown at ``ms``; by default
    the PyAV exact-frame decoder. Raises ConsentError without consent to show parents.
    """
    session: Session = project.session(session_id)
    require_show_to_parents(session, "the parent handout")
    highlights = sorted(
        (h for h in project.highlights(session_id) if h.shareable), key=lambda h: (h.order, h.in_ms)
    )[:max_stills]
    if not highlights:
        raise ProjectError(
            f"Session '{session.label}' has no highlights marked shareable; mark 2-4 moments "
            "as shareable in the Highlights panel first."
        )
    if session.media_id is None:
        raise ProjectError(f"Session '{session.label}' has no video linked; re-link it first.")
    media = project.media(session.media_id)
    grab = frame_source or _decoder_frame_source()
    stills = []
    for i, h in enumerate(highlights):
        if cancel is not None and cancel():
            raise Cancelled("handout cancelled")
        at_ms, caption = still_time(h)
        frame = grab(media.path, at_ms)
        if h.blur_boxes:  # privacy: the same confirmed boxes as in the reel
            from coder.media.faces import Box, blur_boxes

            frame = blur_boxes(frame, [Box(b.x, b.y, b.w, b.h) for b in h.blur_boxes])
        png, w, hgt = encode_png(frame)
        stills.append(HandoutStill(png, h.title, caption, h.child_voice, w, hgt))
        if progress is not None:
            progress((i + 1) / (len(highlights) + 1))
    skills, trends = _skills_and_trends(project, session)
    family = session.family.strip()
    heading = f"Our video moments with {family}" if family else "Our video moments"
    return HandoutContent(
        heading=heading,
        goal=session.goal,
        stills=tuple(stills),
        practice_point=session.practice_point,
        skills=skills,
        trends=trends,
        watermark=f"For {family or 'your family'} only" if watermark else "",
    )


def _decoder_frame_source() -> Callable[[str, int], np.ndarray[Any, Any]]:
    from coder.media.decode import FrameDecoder

    decoders: dict[str, FrameDecoder] = {}

    def grab(path: str, ms: int) -> np.ndarray[Any, Any]:
        if path not in decoders:
            decoders[path] = FrameDecoder(path)
        image: np.ndarray[Any, Any] = decoders[path].frame_at_ms(ms).image
        return image

    return grab


def _skills_and_trends(
    project: Any, session: Session
) -> tuple[tuple[SkillRow, ...], tuple[TrendSeries, ...]]:
    """Skill counts against the scheme's targets, and their trend over the family's sessions."""
    from coder.analysis.metrics import compute_metrics

    family_sessions = sessions_in_order(
        [
            s
            for s in project.sessions()
            if s.id == session.id or (session.family and s.family == session.family)
        ]
    )
    history: dict[str, list[tuple[str, float]]] = {}
    rows: list[SkillRow] = []
    metrics_by_id: dict[str, Metric] = {}
    for s in family_sessions:
        observations = project.observations(s.id)
        if not observations or s.media_id is None:
            continue
        obs = observations[0]  # the primary (first) coder's observation
        scheme = project.scheme_for_observation(obs.id)
        targeted = [
            m for m in scheme.metrics if m.target_min is not None or m.target_max is not None
        ]
        if not targeted:
            continue
        duration = project.media(s.media_id).duration_ms
        results = {
            r.metric_id: r.value for r in compute_metrics(scheme, project.events(obs.id), duration)
        }
        for m in targeted:
            metrics_by_id[m.id] = m
            value = results.get(m.id)
            if value is None or value != value:  # NaN: metric undefined for this session
                continue
            history.setdefault(m.id, []).append((s.label, float(value)))
            if s.id == session.id:
                rows.append(
                    SkillRow(m.name, float(value), target_text(m), target_met(m, float(value)))
                )
    trends = tuple(
        TrendSeries(
            metrics_by_id[mid].name,
            tuple(label for label, _ in points),
            tuple(v for _, v in points),
            metrics_by_id[mid].target_min
            if metrics_by_id[mid].target_min is not None
            else metrics_by_id[mid].target_max,
        )
        for mid, points in history.items()
        if len(points) >= 2
    )
    # One page: at most two charts, skills to grow (a minimum target) first.
    growing = [
        t for t in trends if metrics_by_id_name(metrics_by_id, t.name).target_min is not None
    ]
    others = [t for t in trends if t not in growing]
    return tuple(rows), tuple([*growing, *others][:2])


def metrics_by_id_name(metrics: dict[str, Metric], name: str) -> Metric:
    return next(m for m in metrics.values() if m.name == name)


def sessions_in_order(sessions: Sequence[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.recorded_on, s.label))
