"""Import events from a spreadsheet (CSV, TSV or XLSX) coded with a known scheme.

Columns (names mappable): session, coder, observation, subject, code, onset, offset, note,
text, and one ``mod_<modifier id>`` column per modifier — exactly what Attune's own table
export writes, so an export reads back. Times are milliseconds, seconds with a decimal point
or hh:mm:ss.mmm. Codes and subjects match by id or name (then ignoring case, when that is
unambiguous). A row that cannot be imported is counted, with the reason, in the report line of
its code: an unknown subject is never given to another subject, an unknown code never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coder.errors import ImportFormatError
from coder.limits import MAX_TEXT, time_problem
from coder.model import Code, Event, Modifier, ModifierKind, ModifierValue, Scheme, new_id
from coder.timefmt import parse_clock
from exports.cells import unguard_cell
from exports.import_report import ImportReport, ReportLine
from exports.table_read import read_table

Cell = Callable[[list[str], str], str]  # (row, field) -> that field's text
DEFAULT_COLUMNS = {
    "session": "session",
    "coder": "coder",
    "observation": "observation",
    "subject": "subject",
    "code": "code",
    "onset": "onset_ms",
    "offset": "offset_ms",
    "note": "note",
    "text": "text",
}


def unguard(text: str) -> str:
    """Undo the spreadsheet guard of our own exports (=x is written as '=x)."""
    return unguard_cell(text)


@dataclass
class TableRow:
    line: int
    session: str
    coder: str
    observation: str
    event: Event  # observation_id empty; filled in by the importer


class _Lookup:
    """Id or name, then case-insensitive when only one entry matches."""

    def __init__(self, pairs: list[tuple[str, str, str]]) -> None:  # (id, name, value)
        self.exact: dict[str, str] = {}
        folded: dict[str, set[str]] = {}
        for ident, name, value in pairs:
            self.exact.setdefault(ident, value)
            self.exact.setdefault(name, value)
            for key in (ident, name):
                folded.setdefault(key.casefold(), set()).add(value)
        self.folded = {k: next(iter(v)) for k, v in folded.items() if len(v) == 1}

    def get(self, text: str) -> str | None:
        text = text.strip()
        return self.exact.get(text) or self.folded.get(text.casefold())


def read_event_table(
    src: str | Path, scheme: Scheme, columns: dict[str, str] | None = None
) -> tuple[list[TableRow], ImportReport]:
    src = Path(src)
    names = {**DEFAULT_COLUMNS, **(columns or {})}
    rows = read_table(src, sheet=_events_sheet(src))
    report = ImportReport(unit="row")
    if not rows:
        raise ImportFormatError(f"{src.name}: is empty; nothing to import")
    header = [h.strip() for h in rows[0]]
    col = {h: i for i, h in reversed(list(enumerate(header))) if h}
    if names["code"] not in col:
        raise ImportFormatError(
            # The header's cells are not repeated: in a file without a header row they are
            # the first row's data, which may be a clinical note.
            f"{src.name}: none of the {len(header)} columns in the first row is named "
            f"'{names['code']}'; map the columns to the names in your file's first row, "
            "e.g. --column code=Behaviour"
        )
    unknown_mapping = [
        f"{field}={header_name}"
        for field, header_name in (columns or {}).items()
        if header_name not in col
    ]
    if unknown_mapping:
        raise ImportFormatError(
            f"{src.name}: mapped column(s) {', '.join(unknown_mapping)} not in the first row "
            f"({len(header)} columns); use the names exactly as the first row writes them"
        )
    codes = _Lookup([(c.id, c.name, c.id) for c in scheme.codes])
    subjects = _Lookup([(s.id, s.name, s.id) for s in scheme.subjects])
    by_id = {c.id: c for c in scheme.codes}
    modifiers = {m.id: m for m in scheme.modifiers}
    mod_columns = {h[4:]: i for h, i in col.items() if h.startswith("mod_")}
    unused = sorted(set(mod_columns) - set(modifiers))
    if unused:
        report.notes.append(
            f"column(s) {', '.join('mod_' + m for m in unused)[:300]} name no modifier of the "
            f"scheme {scheme.id}; not imported"
        )

    def cell(row: list[str], field: str) -> str:
        i = col.get(names[field])
        return row[i] if i is not None and i < len(row) else ""

    out: list[TableRow] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        code_text = cell(row, "code").strip()
        code_id = codes.get(code_text)
        if code_id is None:
            label = f"code '{code_text[:60]}' (not in the scheme {scheme.id})"
            report.line(label).add(False, "the code is not in the scheme", f"line {line_no}")
            continue
        code = by_id[code_id]
        line = report.line(f"code '{code.id}'")
        line.how = f"{'state' if code.is_state else 'point'} events"
        event = _event(row, line_no, code, scheme, subjects, cell, line, mod_columns, modifiers)
        if event is None:
            continue
        line.add(True)
        out.append(
            TableRow(
                line_no,
                unguard(cell(row, "session")).strip() or src.stem,
                unguard(cell(row, "coder")).strip() or "imported",
                unguard(cell(row, "observation")).strip(),
                event,
            )
        )
    return out, report


def _events_sheet(src: Path) -> str | None:
    if src.suffix.lower() != ".xlsx":
        return None
    from exports.table_read import sheet_names

    names = sheet_names(src)
    return "events" if "events" in names else None


def _event(
    row: list[str],
    line_no: int,
    code: Code,
    scheme: Scheme,
    subjects: _Lookup,
    cell: Cell,
    line: ReportLine,
    mod_columns: dict[str, int],
    modifiers: dict[str, Modifier],
) -> Event | None:
    where = f"line {line_no}"
    subject_text = unguard(cell(row, "subject")).strip()
    allowed = scheme.subjects_for(code)
    if subject_text:
        subject = subjects.get(subject_text)
        if subject is None:
            line.add(False, "their subject is not in the scheme", where)
            return None
        if subject not in allowed:
            line.add(False, "the code cannot be coded for their subject", where)
            return None
    elif len(allowed) == 1:
        subject = allowed[0]
    else:
        line.add(
            False, "no subject is given and the code has several (add a subject column)", where
        )
        return None
    onset = _time(cell(row, "onset"))
    if isinstance(onset, str):
        line.add(False, f"their onset {onset}", where)
        return None
    offset_text = cell(row, "offset").strip()
    offset: int | None = None
    if offset_text:
        parsed = _time(offset_text)
        if isinstance(parsed, str):
            line.add(False, f"their offset {parsed}", where)
            return None
        if not code.is_state:
            line.note("end time given for a point code, ignored")
        elif parsed < onset:
            line.add(False, "they end before they start", where)
            return None
        else:
            offset = parsed
    values: dict[str, ModifierValue] = {}
    for mod_id, i in mod_columns.items():
        raw = unguard(row[i]).strip() if i < len(row) else ""
        if not raw or mod_id not in modifiers:
            continue
        if mod_id not in code.modifiers:
            line.note(f"value for modifier '{mod_id}' which the code does not use, ignored")
            continue
        value = _modifier_value(modifiers[mod_id], raw)
        if value is None:
            line.note(f"value of modifier '{mod_id}' not allowed by the scheme, ignored")
            continue
        values[mod_id] = value
    note = unguard(cell(row, "note"))[:MAX_TEXT]
    text_cell = cell(row, "text")
    return Event(
        new_id(),
        "",
        code.id,
        subject,
        onset,
        offset,
        values,
        note,
        text=unguard(text_cell)[:MAX_TEXT] if text_cell else None,
    )


def _modifier_value(modifier: Modifier, raw: str) -> ModifierValue | None:
    if modifier.kind is ModifierKind.NUMERIC:
        try:
            number = float(raw)
        except ValueError:
            return None
        return number if modifier.accepts(number) else None
    if modifier.kind is ModifierKind.MULTIPLE:
        parts = [p.strip() for p in raw.replace(",", "|").split("|") if p.strip()]
        chosen = tuple(_choice(modifier.values, p) for p in parts)
        return None if any(c is None for c in chosen) else tuple(c for c in chosen if c)
    return _choice(modifier.values, raw)


def _choice(values: tuple[str, ...], raw: str) -> str | None:
    if raw in values:
        return raw
    folded = [v for v in values if v.casefold() == raw.casefold()]
    return folded[0] if len(folded) == 1 else None


def _time(text: str) -> int | str:
    """Milliseconds, or why the text is not a usable time."""
    value = text.strip()
    if not value:
        return "is missing"
    try:
        ms = parse_clock(value)
    except (ValueError, OverflowError):
        return "is not a time (ms, seconds or hh:mm:ss.mmm)"
    problem = time_problem(ms, "the time")
    if problem:
        return "is before the video starts" if ms < 0 else "is beyond a day"
    return ms


def iter_sessions(rows: list[TableRow]) -> Iterator[tuple[str, list[TableRow]]]:
    by_session: dict[str, list[TableRow]] = {}
    for r in rows:
        by_session.setdefault(r.session, []).append(r)
    yield from by_session.items()
