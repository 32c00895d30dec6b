"""A picture of a session's coding: lanes per subject x code, segments and ratings, as SVG
(text escaped) or PNG (Pillow). One layout feeds both renderers.
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass

from coder.model import RatingValue
from exports.atomic import atomic_write
from exports.bundle import ExportBundle

WIDTH, LABEL_W, LANE_H, TOP = 1200, 220, 22, 30


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    color: str
    label: str = ""


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    labels: list[tuple[float, str]]
    boxes: list[Box]
    ticks: list[tuple[float, str]]


def layout(bundles: Sequence[ExportBundle]) -> Layout:
    if not bundles:
        raise ValueError("nothing to draw")
    duration = max((b.media.duration_ms if b.media else 0) for b in bundles) or max(
        (e.offset_ms or e.onset_ms for b in bundles for e in b.events), default=1
    )
    scale = (WIDTH - LABEL_W - 20) / max(1, duration)
    labels: list[tuple[float, str]] = []
    boxes: list[Box] = []
    y = TOP
    first = bundles[0]
    labels.append((y, "Segments"))
    for seg in first.segments:
        boxes.append(
            Box(
                LABEL_W + seg.onset_ms * scale,
                y + 2,
                (seg.offset_ms - seg.onset_ms) * scale,
                LANE_H - 4,
                "#d9e4f5",
                seg.name,
            )
        )
    y += LANE_H
    for b in bundles:
        names = {s.id: s.name for s in b.scheme.subjects}
        y = _ratings_rows(b, scale, y, labels, boxes)
        for subject in b.scheme.subjects:
            for code in b.scheme.codes:
                if subject.id not in b.scheme.subjects_for(code):
                    continue
                events = [
                    e for e in b.events if e.code_id == code.id and e.subject_id == subject.id
                ]
                if not events:
                    continue
                labels.append((y, f"{names[subject.id]}: {code.name} ({b.observation.coder})"))
                for e in events:
                    end = (
                        e.offset_ms
                        if e.offset_ms is not None
                        else (duration if code.is_state else e.onset_ms)
                    )
                    w = max(2.0, (end - e.onset_ms) * scale)
                    boxes.append(
                        Box(LABEL_W + e.onset_ms * scale, y + 3, w, LANE_H - 6, code.color)
                    )
                y += LANE_H
    step = next(
        (s for s in (1000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000) if s * scale >= 60),
        1_800_000,
    )
    ticks = [
        (LABEL_W + t * scale, f"{t // 60000:02d}:{t // 1000 % 60:02d}")
        for t in range(0, duration + 1, step)
    ]
    return Layout(WIDTH, int(y + 10), labels, boxes, ticks)


def _ratings_rows(
    b: ExportBundle, scale: float, y: int, labels: list[tuple[float, str]], boxes: list[Box]
) -> int:
    """Ratings by name, each segment's over that segment (cut to its width, never running
    into the next), whole-session ones on their own row. Returns the next free y."""
    order = {r.id: i for i, r in enumerate(b.scheme.ratings)}
    rating_names = {r.id: r.name for r in b.scheme.ratings}
    values = sorted(b.rating_values, key=lambda v: (order.get(v.rating_id, 99), v.rating_id))
    segments = {seg.id: seg for seg in b.segments}

    def text(items: list[RatingValue]) -> str:
        return ", ".join(f"{rating_names.get(v.rating_id, v.rating_id)} {v.value:g}" for v in items)

    whole = [v for v in values if v.segment_id not in segments]
    if whole:
        labels.append((y, f"Session ratings ({b.observation.coder})"))
        boxes.append(Box(LABEL_W, y, 0, LANE_H, "", _fit(text(whole), WIDTH - LABEL_W)))
        y += LANE_H
    per_segment = [v for v in values if v.segment_id in segments]
    if per_segment:
        labels.append((y, f"Ratings ({b.observation.coder})"))
        for seg in b.segments:
            mine = [v for v in per_segment if v.segment_id == seg.id]
            if mine:
                width = (seg.offset_ms - seg.onset_ms) * scale
                boxes.append(
                    Box(
                        LABEL_W + seg.onset_ms * scale,
                        y,
                        0,
                        LANE_H,
                        "",
                        _fit(text(list(mine)), width),
                    )
                )
        y += LANE_H
    return y


def _fit(text: str, width_px: float) -> str:
    """Cut ``text`` to about ``width_px`` at 11 px sans-serif (≈ 6.2 px a character)."""
    room = max(0, int((width_px - 8) / 6.2))
    return text if len(text) <= room else (text[: max(0, room - 1)] + "…" if room > 1 else "")


def svg(bundles: Sequence[ExportBundle]) -> str:
    lay = layout(bundles)
    esc = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width}" height="{lay.height}" '
        f'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for x, text in lay.ticks:
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{lay.height}" stroke="#eeeeee"/>'
        )
        # the last label near the right edge is drawn ending at its tick, so it is never cut
        anchor = ' text-anchor="end"' if x + 6.2 * len(text) + 4 > lay.width else ""
        tx = x - 2 if anchor else x + 2
        parts.append(f'<text x="{tx:.1f}" y="{TOP - 10}" fill="#555"{anchor}>{esc(text)}</text>')
    for y, text in lay.labels:
        parts.append(f'<text x="6" y="{y + LANE_H * 0.7:.1f}" fill="#333">{esc(text)}</text>')
    for b in lay.boxes:
        if b.color:
            parts.append(
                f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
                f'fill="{esc(b.color)}"/>'
            )
        if b.label:
            parts.append(
                f'<text x="{b.x + 3:.1f}" y="{b.y + LANE_H * 0.6:.1f}" fill="#222">'
                f"{esc(b.label)}</text>"
            )
    parts.append("</svg>\n")
    return "".join(parts)


def png_bytes(bundles: Sequence[ExportBundle]) -> bytes:
    from PIL import Image, ImageDraw

    lay = layout(bundles)
    image = Image.new("RGB", (lay.width, lay.height), "white")
    draw = ImageDraw.Draw(image)
    for x, text in lay.ticks:
        draw.line([(x, TOP - 6), (x, lay.height)], fill="#eeeeee")
        shift = draw.textlength(text) + 2 if x + draw.textlength(text) + 4 > lay.width else -2
        draw.text((x - shift, TOP - 22), text, fill="#555555")
    for y, text in lay.labels:
        draw.text((6, y + 5), text, fill="#333333")
    for b in lay.boxes:
        if b.color:
            draw.rectangle([b.x, b.y, b.x + b.w, b.y + b.h], fill=b.color)
        if b.label:
            draw.text((b.x + 3, b.y + 4), b.label, fill="#222222")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def write_timeline_svg(bundles: Sequence[ExportBundle], path: str | os.PathLike[str]) -> None:
    text = svg(bundles)
    with atomic_write(path, "w") as fh:
        fh.write(text)


def write_timeline_png(bundles: Sequence[ExportBundle], path: str | os.PathLike[str]) -> None:
    data = png_bytes(bundles)
    with atomic_write(path, "wb") as fh:
        fh.write(data)
