"""SDIS (Sequential Data Interchange Standard, Bakeman & Quera) timed-event files for GSEQ.

One SDIS session per observation, labelled ``<session - coder>``. Each event is written as
``code,onset-offset`` (states) or ``code,onset`` (points: one time unit in SDIS), in onset
order, between the session's start time ``,0`` and its end time ``,end/``. Codes are the
scheme's codes prefixed by the subject (``Parent_warmth``), reduced to letters, digits and
underscores as SDIS requires, and declared after ``Timed``. Times are seconds with three
decimals (milliseconds, Attune's own resolution), so no time is rounded.

What SDIS cannot hold is listed in the returned notes: modifiers and notes (not written),
running states (written as lasting to the end of the session).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from coder.errors import ImportFormatError
from coder.progress import Cancel, Progress, check_cancel
from exports.atomic import atomic_write
from exports.bundle import ExportBundle
from exports.import_report import plural

MAX_CODE = 24  # characters of an SDIS code


def sdis_code(text: str) -> str:
    out = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if not out or not out[0].isalpha():
        out = "c_" + out
    return out[:MAX_CODE]


def _seconds(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}"


def _label(text: str) -> str:
    return re.sub(r"[<>/,;\s]+", " ", text).strip()[:80] or "session"


def sdis_text(bundles: Sequence[ExportBundle]) -> tuple[str, list[str]]:
    if not bundles:
        raise ImportFormatError("nothing to export: choose at least one observation")
    names: dict[tuple[str, str], str] = {}  # (subject id, code id) -> SDIS code
    taken: dict[str, tuple[str, str]] = {}
    sessions: list[str] = []
    running = with_modifiers = with_notes = 0
    for b in bundles:
        subjects = {s.id: s.name for s in b.scheme.subjects}
        states = {c.id for c in b.scheme.codes if c.is_state}
        end = max(
            [b.media.duration_ms if b.media else 0]
            + [e.offset_ms if e.offset_ms is not None else e.onset_ms for e in b.events]
        )
        parts = [f"<{_label(b.session.label)} - {_label(b.observation.coder)}>", ",0"]
        for e in sorted(b.events, key=lambda e: (e.onset_ms, e.code_id, e.subject_id)):
            key = (e.subject_id, e.code_id)
            if key not in names:
                wanted = sdis_code(f"{subjects.get(e.subject_id, e.subject_id)}_{e.code_id}")
                name, n = wanted, 1
                while name.lower() in taken and taken[name.lower()] != key:
                    n += 1
                    name = f"{wanted[: MAX_CODE - len(str(n)) - 1]}_{n}"
                taken[name.lower()] = key
                names[key] = name
            code = names[key]
            with_modifiers += bool(e.modifiers)
            with_notes += bool(e.note)
            if e.code_id in states:
                offset = e.offset_ms
                if offset is None:
                    running += 1
                    offset = end
                parts.append(f"{code},{_seconds(e.onset_ms)}-{_seconds(max(offset, e.onset_ms))}")
            else:
                parts.append(f"{code},{_seconds(e.onset_ms)}")
        parts.append(f",{_seconds(end)}/")
        sessions.append(_wrap(parts))
    declaration = _wrap(["Timed", *sorted(names.values(), key=str.lower), ";"])
    notes = []
    if running:
        notes.append(
            f"{plural(running, 'running state')} (no end yet) written as lasting to the end "
            "of its session"
        )
    if with_modifiers:
        notes.append(
            f"modifiers of {plural(with_modifiers, 'event')} not written (SDIS codes only)"
        )
    if with_notes:
        notes.append(f"notes of {plural(with_notes, 'event')} not written")
    return "\n".join([declaration, *sessions]) + "\n", notes


def _wrap(parts: list[str], width: int = 78) -> str:
    lines: list[str] = []
    line = ""
    for part in parts:
        if line and len(line) + 1 + len(part) > width:
            lines.append(line)
            line = part
        else:
            line = f"{line} {part}" if line else part
    lines.append(line)
    return "\n".join(lines)


def write_sdis(
    bundles: Sequence[ExportBundle],
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> list[str]:
    text, notes = sdis_text(bundles)
    check_cancel(cancel, "the SDIS export")
    with atomic_write(path, "w", newline="\r\n") as fh:  # GSEQ is a Windows program
        fh.write(text)
    if progress is not None:
        progress(1.0)
    return notes
