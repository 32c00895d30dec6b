"""Tables of events, ratings and segments as CSV, TSV or XLSX.

One row per event: session, observation, coder, subject, code, category, valence, onset and
offset (ms and hh:mm:ss.mmm), frame numbers (from the real frame table), duration, one column
per modifier, and the note only when asked for (notes are clinical text). Every text cell that
a spreadsheet would run as a formula is guarded with a leading '. Files appear atomically;
progress is reported and a cancel leaves nothing behind.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from typing import Any

from coder.progress import Cancel, Progress, check_cancel
from coder.timebase import TimeBase
from coder.timefmt import format_clock
from exports.atomic import atomic_write
from exports.bundle import ExportBundle
from exports.cells import safe_cell, xlsx_cell

Row = dict[str, Any]


clock = format_clock


def _timebase(b: ExportBundle) -> TimeBase | None:
    if b.frame_times:
        return TimeBase(b.frame_times, b.media.duration_ms if b.media else b.frame_times[-1] + 1)
    return None


def event_rows(
    bundles: Sequence[ExportBundle], include_notes: bool = False
) -> tuple[list[str], list[Row]]:
    modifier_ids: list[str] = []
    for b in bundles:
        for modifier in b.scheme.modifiers:
            if modifier.id not in modifier_ids:
                modifier_ids.append(modifier.id)
    columns = [
        "session",
        "observation",
        "coder",
        "subject",
        "code",
        "code_name",
        "category",
        "valence",
        "onset_ms",
        "offset_ms",
        "onset",
        "offset",
        "onset_frame",
        "offset_frame",
        "duration_ms",
        *[f"mod_{m}" for m in modifier_ids],
    ]
    # An annotation's own text (ELAN free text): a column only when some event has one, so
    # tables of Attune's own coding keep their shape. An empty text reads back as none.
    has_text = any(e.text for b in bundles for e in b.events)
    if has_text:
        columns.append("text")
    if include_notes:
        columns.append("note")
    rows: list[Row] = []
    for b in bundles:
        tb = _timebase(b)
        codes = {c.id: c for c in b.scheme.codes}
        subjects = {s.id: s.name for s in b.scheme.subjects}
        for e in b.events:
            code = codes.get(e.code_id)
            row: Row = {
                "session": b.session.label,
                "observation": b.observation.name or b.observation.id,
                "coder": b.observation.coder,
                "subject": subjects.get(e.subject_id, e.subject_id),
                "code": e.code_id,
                "code_name": code.name if code else e.code_id,
                "category": code.category if code else "",
                "valence": code.valence.value if code else "",
                "onset_ms": e.onset_ms,
                "offset_ms": e.offset_ms if e.offset_ms is not None else "",
                "onset": clock(e.onset_ms),
                "offset": clock(e.offset_ms),
                "onset_frame": tb.frame_at(e.onset_ms) if tb else "",
                "offset_frame": tb.frame_at(e.offset_ms) if tb and e.offset_ms is not None else "",
                "duration_ms": e.duration_ms if e.offset_ms is not None else "",
            }
            for mod_id in modifier_ids:
                value = e.modifiers.get(mod_id, "")
                row[f"mod_{mod_id}"] = "|".join(value) if isinstance(value, tuple) else value
            if has_text:
                row["text"] = e.text or ""
            if include_notes:
                row["note"] = e.note
            rows.append(row)
    return columns, rows


def rating_rows(bundles: Sequence[ExportBundle]) -> tuple[list[str], list[Row]]:
    columns = ["session", "observation", "coder", "rating", "rating_name", "segment", "value"]
    rows = []
    for b in bundles:
        names = {r.id: r.name for r in b.scheme.ratings}
        segments = {s.id: s.name for s in b.segments}
        for v in b.rating_values:
            rows.append(
                {
                    "session": b.session.label,
                    "observation": b.observation.name or b.observation.id,
                    "coder": b.observation.coder,
                    "rating": v.rating_id,
                    "rating_name": names.get(v.rating_id, v.rating_id),
                    "segment": segments.get(v.segment_id or "", "whole session"),
                    "value": v.value,
                }
            )
    return columns, rows


def segment_rows(bundles: Sequence[ExportBundle]) -> tuple[list[str], list[Row]]:
    columns = ["session", "segment", "definition", "onset_ms", "offset_ms", "onset", "offset"]
    seen: set[str] = set()
    rows = []
    for b in bundles:
        for s in b.segments:
            if s.id in seen:
                continue
            seen.add(s.id)
            rows.append(
                {
                    "session": b.session.label,
                    "segment": s.name,
                    "definition": s.definition_id or "",
                    "onset_ms": s.onset_ms,
                    "offset_ms": s.offset_ms,
                    "onset": clock(s.onset_ms),
                    "offset": clock(s.offset_ms),
                }
            )
    return columns, rows


def write_delimited(
    columns: list[str],
    rows: list[Row],
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow([safe_cell(c) for c in columns])
        for i, row in enumerate(rows):
            if i % 5000 == 0:
                check_cancel(cancel, "the export")
                if progress is not None:
                    progress(i / max(1, len(rows)))
            writer.writerow([safe_cell(row.get(c, "")) for c in columns])
    if progress is not None:
        progress(1.0)


def write_xlsx(
    sheets: Sequence[tuple[str, list[str], list[Row]]],
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    total = sum(len(rows) for _, _, rows in sheets) or 1
    done = 0
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append([xlsx_cell(c) for c in columns])
        for row in rows:
            sheet.append([xlsx_cell(row.get(c, "")) for c in columns])
            done += 1
            if done % 5000 == 0:
                check_cancel(cancel, "the export")
                if progress is not None:
                    progress(done / total)
    with atomic_write(path, "wb") as fh:
        book.save(fh)
    if progress is not None:
        progress(1.0)


Writer = Callable[..., None]


def export_tables(
    bundles: Sequence[ExportBundle],
    path: str | os.PathLike[str],
    fmt: str,
    *,
    include_notes: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    """csv/tsv: the events table; xlsx: events, ratings and segments as three sheets."""
    columns, rows = event_rows(bundles, include_notes)
    if fmt == "xlsx":
        write_xlsx(
            [
                ("events", columns, rows),
                ("ratings", *rating_rows(bundles)),
                ("segments", *segment_rows(bundles)),
            ],
            path,
            progress=progress,
            cancel=cancel,
        )
    else:
        write_delimited(
            columns,
            rows,
            path,
            delimiter="\t" if fmt == "tsv" else ",",
            progress=progress,
            cancel=cancel,
        )
