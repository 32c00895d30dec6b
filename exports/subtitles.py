"""SRT and WebVTT subtitles of the codes, to watch a coding in any video player.

Each event becomes a cue "Subject: Code" (states for their duration, points for 1 s), or
"Subject: text" for an annotation with its own text (ELAN transcriptions). Notes are never
written. WebVTT cue text is escaped (& < >), so text in angle brackets shows as written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from coder.progress import Cancel, Progress, check_cancel
from exports.atomic import atomic_write
from exports.bundle import ExportBundle

POINT_MS = 1000


def _stamp(ms: int, sep: str) -> str:
    s, milli = divmod(max(0, ms), 1000)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{sec:02d}{sep}{milli:03d}"


def vtt_escape(text: str) -> str:
    """WebVTT cue text: & < > as character references; no line may be blank (it would end
    the cue) and "-->" may not appear."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(line if line.strip() else "\u00a0" for line in text.splitlines() or [""])


def _srt_text(text: str) -> str:
    lines = text.replace("-->", "->").splitlines() or [""]
    return "\n".join(line if line.strip() else "\u00a0" for line in lines)


def cues(bundles: Sequence[ExportBundle]) -> list[tuple[int, int, str]]:
    out = []
    for b in bundles:
        names = {c.id: c.name for c in b.scheme.codes}
        states = {c.id for c in b.scheme.codes if c.is_state}
        subjects = {s.id: s.name for s in b.scheme.subjects}
        end_of_media = b.media.duration_ms if b.media else None
        for e in b.events:
            end = e.offset_ms
            if end is None:
                end = (
                    (end_of_media or e.onset_ms + POINT_MS)
                    if e.code_id in states
                    else e.onset_ms + POINT_MS
                )
            shown = e.text if e.text else names.get(e.code_id, e.code_id)
            text = f"{subjects.get(e.subject_id, e.subject_id)}: {shown}"
            out.append((e.onset_ms, max(end, e.onset_ms + 1), text))
    return sorted(out)


def write_subtitles(
    bundles: Sequence[ExportBundle],
    path: str | os.PathLike[str],
    fmt: str = "srt",
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    items = cues(bundles)
    check_cancel(cancel, "the subtitle export")
    lines = ["WEBVTT", ""] if fmt == "vtt" else []
    sep = "." if fmt == "vtt" else ","
    for i, (start, end, text) in enumerate(items, start=1):
        if fmt == "srt":
            lines.append(str(i))
        lines.append(f"{_stamp(start, sep)} --> {_stamp(end, sep)}")
        lines.append(vtt_escape(text) if fmt == "vtt" else _srt_text(text))
        lines.append("")
    with atomic_write(path, "w") as fh:
        fh.write("\n".join(lines))
    if progress is not None:
        progress(1.0)
