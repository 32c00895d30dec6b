"""Read BORIS's own event exports (CSV, TSV or XLSX): tabular events and aggregated events.

Both BORIS layouts are recognised from their header row, wherever it is: older versions put
an observation block (observation id, players, time offset, independent variables) above it,
newer ones repeat that per row. Tabular events carry START/STOP/POINT in a ``Status`` (older)
or ``Behavior type`` column, one row per START and per STOP; aggregated events carry one row
per state (``Start (s)``/``Stop (s)``, type STATE) or point (POINT). Without such a column a
START cannot be told from a STOP, so the file is refused with a message saying what to export.

The scheme is built from what the rows use: behaviours (a state when any row says so),
subjects ("No focal subject" is no subject), categories and modifier sets by position (numeric
when every value is a number, multiple when values hold commas). Times are media time: the
observation's time offset is taken off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from coder.errors import ImportFormatError
from coder.limits import MAX_MEDIA_MS
from coder.model import (
    Code,
    CodeKind,
    Event,
    Modifier,
    ModifierKind,
    ModifierValue,
    Scheme,
    Subject,
    new_id,
)
from exports.boris import NO_FOCAL, NO_SUBJECT, PALETTE, seconds_of, value_map
from exports.eaf_import import Ids, display_name, slug
from exports.import_report import ReportLine
from exports.table_read import read_table

HEADER_SCAN = 80  # rows searched for the header


@dataclass
class _Row:
    obs: str
    subject: str
    behaviour: str
    category: str
    modifiers: list[str]
    status: str  # START, STOP, POINT, STATE
    start: float | None
    stop: float | None
    comment: str
    media: str
    offset: float
    length: float | None
    line: int


@dataclass
class BorisTableObservation:
    name: str
    media_files: list[str]
    duration_ms: int | None
    events: list[Event] = field(default_factory=list)


@dataclass
class BorisTable:
    scheme: Scheme
    observations: list[BorisTableObservation]
    lines: dict[str, ReportLine]
    notes: list[str]
    aggregated: bool


def header_index(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SCAN]):
        cells = {c.strip() for c in row}
        if "Behavior" in cells and ("Time" in cells or "Start (s)" in cells):
            return i
    return None


def read_boris_table(path: str | Path) -> BorisTable:
    path = Path(path)
    rows = read_table(path)
    at = header_index(rows)
    if at is None:
        raise ImportFormatError(
            f"{path.name}: not a BORIS event export (no header row with 'Behavior' and "
            "'Time' or 'Start (s)'); export the events from BORIS as tabular or aggregated"
        )
    meta = {r[0].strip(): r[1].strip() for r in rows[:at] if len(r) > 1 and r[0].strip()}
    header = [h.strip() for h in rows[at]]
    col = {h: i for i, h in reversed(list(enumerate(header))) if h}
    aggregated = "Start (s)" in col
    status_col = "Status" if "Status" in col else "Behavior type"
    if status_col not in col:
        raise ImportFormatError(
            f"{path.name}: has no 'Status' or 'Behavior type' column, so a START cannot be told "
            "from a STOP; export the events again from BORIS without removing columns"
        )
    mod_cols = sorted(
        (int(m.group(1)), i)
        for h, i in col.items()
        if (m := re.fullmatch(r"Modifier #(\d{1,3})", h))
    )
    parsed: list[_Row] = []
    lines: dict[str, ReportLine] = {}
    for n, row in enumerate(rows[at + 1 :], start=at + 2):
        if not any(c.strip() for c in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        behaviour = cell("Behavior")
        if not behaviour:
            lines.setdefault("", ReportLine("rows without a behaviour")).add(
                False, "the Behavior cell is empty"
            )
            continue
        if mod_cols:
            modifiers = [row[i] if i < len(row) else "" for _, i in mod_cols]
        elif "Modifiers" in col:
            modifiers = cell("Modifiers").split("|") if cell("Modifiers") else []
        else:
            modifiers = []
        media = cell("Media file path") or cell("Media file name") or cell("Media file")
        offset = seconds_of(cell("Time offset (s)") or meta.get("Time offset (s)", "0"))
        parsed.append(
            _Row(
                obs=cell("Observation id") or meta.get("Observation id", "") or path.stem,
                subject=cell("Subject"),
                behaviour=behaviour,
                category=cell("Behavioral category"),
                modifiers=modifiers,
                status=cell(status_col).upper(),
                start=seconds_of(cell("Start (s)") if aggregated else cell("Time")),
                stop=seconds_of(cell("Stop (s)")) if aggregated else None,
                comment=cell("Comment") or cell("Comment start"),
                media=_first_media(media or meta.get("Player #1", "")),
                offset=offset or 0.0,
                length=seconds_of(
                    (cell("Total length") or cell("Media duration (s)")).split(";")[0]
                ),
                line=n,
            )
        )
    return _build(path, parsed, lines, aggregated)


def _first_media(text: str) -> str:
    """'player #1:a.mp4;b.mp4|player #2:c.mp4' -> 'a.mp4'."""
    first = re.sub(r"^player #\d+:", "", text.split("|")[0])
    name = first.split(";")[0].strip()
    return "" if name in ("NA", "Not found") else name


class _Schema:
    def __init__(self) -> None:
        self.code_ids, self.subject_ids = Ids("code"), Ids("subject")
        self.codes: dict[str, Code] = {}
        self.subjects: dict[str, Subject] = {}
        self.mods: dict[str, list[list[str]]] = {}  # behaviour -> values seen per set
        self.value_maps: dict[str, dict[str, str]] = {}
        self.modifiers: dict[str, Modifier] = {}

    def subject(self, name: str) -> str:
        name = name.strip()
        if not name or name == NO_FOCAL:
            self.subjects.setdefault(NO_FOCAL, Subject(NO_SUBJECT, NO_FOCAL))
            self.subject_ids.taken.add(NO_SUBJECT)
            return NO_SUBJECT
        if name not in self.subjects:
            self.subjects[name] = Subject(self.subject_ids.make(slug(name)), display_name(name))
        return self.subjects[name].id

    def add_code(self, r: _Row, state: bool, lines: dict[str, ReportLine]) -> None:
        kind = CodeKind.STATE if state else CodeKind.POINT
        category = "" if r.category in ("", "Not defined", "NA") else r.category
        self.codes[r.behaviour] = Code(
            self.code_ids.make(slug(r.behaviour), "code"),
            display_name(r.behaviour),
            kind,
            color=PALETTE[len(self.codes) % len(PALETTE)],
            category=display_name(category, ""),
        )
        how = "point events" if kind is CodeKind.POINT else "state events"
        lines.setdefault(r.behaviour, ReportLine(f"behaviour '{r.behaviour}'", how=how))

    def define_modifiers(self) -> None:
        for behaviour, sets in self.mods.items():
            code = self.codes[behaviour]
            ids = []
            for j, values in enumerate(sets):
                mod_id = f"{code.id}_m{j + 1}"
                label = f"{behaviour} modifier {j + 1}"
                if values and all(seconds_of(v) is not None for v in values):
                    self.modifiers[mod_id] = Modifier(mod_id, label, ModifierKind.NUMERIC)
                else:
                    multiple = any("," in v for v in values)
                    raw = [p for v in values for p in (v.split(",") if multiple else [v])]
                    self.value_maps[mod_id] = value_map([p for p in dict.fromkeys(raw) if p])
                    choices = tuple(dict.fromkeys(self.value_maps[mod_id].values()))
                    if not choices:
                        continue  # a set never used: nothing to define
                    kind = ModifierKind.MULTIPLE if multiple else ModifierKind.SINGLE
                    self.modifiers[mod_id] = Modifier(mod_id, label, kind, choices)
                ids.append(mod_id)
            self.codes[behaviour] = replace(code, modifiers=tuple(ids))

    def values(self, code: Code, raw: list[str]) -> dict[str, ModifierValue]:
        out: dict[str, ModifierValue] = {}
        for j, text in enumerate(raw):
            mod_id = f"{code.id}_m{j + 1}"
            modifier = self.modifiers.get(mod_id)
            if modifier is None or not text.strip() or text.strip() == "None":
                continue
            if modifier.kind is ModifierKind.NUMERIC:
                number = seconds_of(text)
                if number is not None:
                    out[mod_id] = number
            elif modifier.kind is ModifierKind.MULTIPLE:
                mapping = self.value_maps[mod_id]
                out[mod_id] = tuple(mapping[p] for p in text.split(",") if p in mapping)
            else:
                out[mod_id] = self.value_maps[mod_id].get(text, text.strip())
        return out


def _build(
    path: Path, rows: list[_Row], lines: dict[str, ReportLine], aggregated: bool
) -> BorisTable:
    schema = _Schema()
    states = {r.behaviour for r in rows if r.status in ("START", "STOP", "STATE")}
    for r in rows:
        if r.behaviour not in schema.codes:
            schema.add_code(r, r.behaviour in states, lines)
        sets = schema.mods.setdefault(r.behaviour, [])
        for j, value in enumerate(r.modifiers):
            while len(sets) <= j:
                sets.append([])
            if value.strip() and value.strip() != "None":
                sets[j].append(value)
    schema.define_modifiers()
    by_obs: dict[str, list[_Row]] = {}
    for r in rows:
        by_obs.setdefault(r.obs, []).append(r)
    observations = [_observation(name, obs_rows, schema, lines, aggregated)
                    for name, obs_rows in by_obs.items()]  # fmt: skip
    subjects = list(schema.subjects.values()) or [Subject(NO_SUBJECT, NO_FOCAL)]
    scheme = Scheme(
        slug(path.stem) or "boris",
        display_name(path.stem, "BORIS export"),
        "1",
        f"Imported from the BORIS event export {path.name}",
        "",
        tuple(subjects),
        tuple(schema.codes.values()),
        (),
        tuple(schema.modifiers.values()),
    )
    notes = [
        "the ethogram is rebuilt from the rows (keys, colours, descriptions and unused "
        "behaviours are not in an event export); import the .boris project for all of it"
    ]
    return BorisTable(scheme, observations, lines, notes, aggregated)


def _observation(
    name: str,
    rows: list[_Row],
    schema: _Schema,
    lines: dict[str, ReportLine],
    aggregated: bool,
) -> BorisTableObservation:
    rows.sort(key=lambda r: (r.start if r.start is not None else -1.0, r.line))
    first = rows[0]
    result = BorisTableObservation(
        name,
        [first.media] if first.media else [],
        round(first.length * 1000) if first.length and first.length > 0 else None,
    )
    open_states: dict[tuple[str, str, str], tuple[int, dict[str, ModifierValue], str]] = {}
    for r in rows:
        code = schema.codes[r.behaviour]
        line = lines[r.behaviour]
        if r.start is None:
            line.add(False, "their time is missing (NA) or not a number", f"line {r.line}")
            continue
        onset = round((r.start - r.offset) * 1000)
        if not 0 <= onset <= MAX_MEDIA_MS:
            line.add(
                False,
                "their time falls outside the media (after the time offset)",
                f"line {r.line}",
            )
            continue
        subject = schema.subject(r.subject)
        mods = schema.values(code, r.modifiers)
        key = (subject, code.id, "|".join(r.modifiers))
        event = Event(new_id(), "", code.id, subject, onset, None, mods, r.comment)
        if aggregated:
            if r.status == "STATE":
                if r.stop is None:
                    line.note("states without a stop time, imported as still running")
                else:
                    stop = round((r.stop - r.offset) * 1000)
                    if stop < onset:
                        line.add(False, "they stop before they start", f"line {r.line}")
                        continue
                    event = replace(event, offset_ms=stop)
            result.events.append(event)
            line.add(True)
        elif r.status == "START" and key not in open_states:
            open_states[key] = (onset, mods, r.comment)
            line.add(True)
        elif r.status == "STOP" and key in open_states:
            start, start_mods, note = open_states.pop(key)
            notes = "; ".join(x for x in (note, r.comment) if x)
            result.events.append(replace(event, onset_ms=start, offset_ms=onset,
                                         modifiers=start_mods, note=notes))  # fmt: skip
            line.add(True)
        elif r.status == "STOP":
            line.add(False, "they are STOP rows without a START", f"line {r.line}")
        elif r.status in ("POINT", "START"):
            if r.status == "START":
                line.note("START rows while the same state already runs, kept zero-length")
            elif code.is_state:
                line.note("point rows of a state behaviour, kept zero-length")
            result.events.append(replace(event, offset_ms=onset if code.is_state else None))
            line.add(True)
        else:
            line.add(False, "their Status is not START, STOP or POINT", f"line {r.line}")
    for (subject, cid, _), (start, mods, note) in open_states.items():
        behaviour = next(b for b, c in schema.codes.items() if c.id == cid)
        lines[behaviour].note("START rows without a STOP, imported as still running")
        result.events.append(Event(new_id(), "", cid, subject, start, None, mods, note))
    result.events.sort(key=lambda e: (e.onset_ms, e.code_id))
    return result
