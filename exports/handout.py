"""Render a parent handout as self-contained HTML (images embedded) or as PDF.

Both renderers take a HandoutContent, which holds only parent-facing material. The HTML has
no scripts and no external references; all text is escaped. The PDF uses a Unicode TrueType
font when the system has one (DejaVu, Liberation, Arial...), else the built-in Helvetica.
"""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import jinja2
import markupsafe

from coder.progress import Progress
from exports.handout_content import HandoutContent, TrendSeries

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("exports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render_html(content: HandoutContent) -> str:
    images = [base64.b64encode(s.png).decode("ascii") for s in content.stills]
    svgs = [markupsafe.Markup(trend_svg(t)) for t in content.trends]
    return _env.get_template("handout.html.j2").render(c=content, images=images, trend_svgs=svgs)


def trend_svg(series: TrendSeries, width: int = 520, height: int = 180) -> str:
    """A small line chart of one skill across sessions (all text escaped)."""
    esc = markupsafe.escape
    top = max([*series.values, series.target or 0.0, 1.0])
    left, right, bottom, top_pad = 40, 20, 40, 30
    n = len(series.values)
    xs = [left + i * (width - left - right) / max(1, n - 1) for i in range(n)]
    ys = [height - bottom - v / top * (height - bottom - top_pad) for v in series.values]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(series.name)} over time">',
        f'<text x="{left}" y="18" font-size="14" fill="#7a4b2a">{esc(series.name)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="#999"/>',
    ]
    if series.target is not None:
        ty = height - bottom - series.target / top * (height - bottom - top_pad)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" '
            'stroke="#3c7a3c" stroke-dasharray="5,4"/>'
        )
    parts.append(f'<polyline points="{points}" fill="none" stroke="#c98b4f" stroke-width="3"/>')
    for x, y, v, label in zip(xs, ys, series.values, series.labels, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#c98b4f"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle">{v:g}</text>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle">{esc(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def write_handout_html(content: HandoutContent, path: str | os.PathLike[str]) -> Path:
    from exports.atomic import atomic_write

    text = render_html(content)
    with atomic_write(path, "w") as fh:
        fh.write(text)
    return Path(path)


# --- PDF -----------------------------------------------------------------------------------

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def find_unicode_font() -> str | None:
    for candidate in _FONT_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    try:  # fontconfig knows where the distribution put its sans font
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans:style=Regular"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found.lower().endswith(".ttf") and os.path.exists(found) else None


def write_handout_pdf(
    content: HandoutContent, path: str | os.PathLike[str], progress: Progress | None = None
) -> Path:
    from exports.atomic import atomic_write
    from exports.handout_pdf import render_pdf

    data = render_pdf(content, find_unicode_font(), progress)
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return Path(path)
