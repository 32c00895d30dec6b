"""What a parent handout holds, gathered from a project — and only what parents may see.

The content comes from the one privacy gate, coder.app.parent.parent_plan (consent, shareable
highlights in order, strength skills, consented trend sessions); this module only turns its
highlights into still images. The content object has no field for notes, talking points, coder
names, concern codes, file paths or metadata, so a renderer cannot leak them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from coder.app.parent import ParentHighlight, ParentSkill, ParentTrend, parent_plan
from coder.errors import Cancelled, ProjectError
from coder.progress import Cancel, Progress

SkillRow = ParentSkill
TrendSeries = ParentTrend


@dataclass(frozen=True)
class HandoutStill:
    png: bytes
    title: str
    caption: str
    child_voice: str
    width: int
    height: int


@dataclass(frozen=True)
class HandoutContent:
    heading: str
    goal: str
    stills: tuple[HandoutStill, ...]
    practice_point: str
    skills: tuple[SkillRow, ...] = ()
    trends: tuple[TrendSeries, ...] = field(default_factory=tuple)
    watermark: str = ""


def still_time(highlight: ParentHighlight) -> tuple[int, str]:
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
    plan = parent_plan(project, session_id, "the parent handout")
    highlights = plan.highlights[:max_stills]
    grab = frame_source or _decoder_frame_source()
    stills = []
    for i, h in enumerate(highlights):
        if cancel is not None and cancel():
            raise Cancelled("handout cancelled")
        at_ms, caption = still_time(h)
        frame = grab(plan.media_path, at_ms)
        if h.blur_boxes:  # privacy: the same confirmed boxes as in the reel
            from coder.media.faces import Box, blur_boxes

            frame = blur_boxes(frame, [Box(b.x, b.y, b.w, b.h) for b in h.blur_boxes])
        png, w, hgt = encode_png(frame)
        stills.append(HandoutStill(png, h.title, caption, h.child_voice, w, hgt))
        if progress is not None:
            progress((i + 1) / (len(highlights) + 1))
    return HandoutContent(
        heading=plan.heading,
        goal=plan.goal,
        stills=tuple(stills),
        practice_point=plan.practice_point,
        skills=plan.skills,
        trends=plan.trends,
        watermark=plan.watermark if watermark else "",
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
