"""Read BORIS projects (.boris JSON, optionally gzipped; formats 0 to 8.x) into Attune's model.

- Ethogram -> scheme: point/state codes, keys, colours, categories, modifier sets (single,
  multiple, numeric, external-data values; format < 4.0 stores them as "a,b|c,d" text),
  exclusions -> exclusive groups of state codes. Subjects -> subjects; events without a
  subject, or with BORIS's literal "No focal subject", go to the subject "No focal subject".
- Each observation keeps its BORIS name. Times are media time: BORIS's observation "time
  offset" is taken off; an observation playing several files one after another, or two
  players with an offset, keeps its events wherever they fall.
- States are START/STOP rows of the same subject, code and modifiers, paired the way BORIS
  pairs them (in time order, counting); a start without a stop is imported as still running.
- Modifier values keep their text (BORIS's " (k)" shortcut suffix removed; surrounding
  spaces stripped unless that would merge two values); values not in the ethogram are added.

Nothing is dropped without a line in the report (one per behaviour, with counts). The
observations' own settings (files of every player, offsets, dates, independent variables) are
kept as a source document for the BORIS export.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.errors import ImportFormatError
from coder.limits import MAX_INFLATED_BYTES, MAX_MEDIA_MS, gunzip_bounded
from coder.model import (
    Code,
    CodeKind,
    Event,
    Group,
    Modifier,
    ModifierKind,
    ModifierValue,
    Scheme,
    Subject,
    new_id,
)
from exports.eaf_import import Ids, display_name, slug
from exports.import_report import ReportLine

NO_SUBJECT = "no_subject"
NO_FOCAL = "No focal subject"
PALETTE = ("#3a7bd5", "#e26d5a", "#2e8b57", "#f4b400", "#7b5ea7", "#20b2aa", "#c77d2e", "#b22222")
KEY_SUFFIX = re.compile(r" \(.*\)$")  # BORIS's "value (k)" shortcut on modifier values
MODIFIER_KINDS = {
    0: ModifierKind.SINGLE,
    1: ModifierKind.MULTIPLE,
    2: ModifierKind.NUMERIC,
    3: ModifierKind.NUMERIC,  # value from an external data file: a number
}


@dataclass
class BorisObservation:
    name: str
    media_files: list[str]  # player 1, in play order
    duration_ms: int | None  # the extent of the observation (every player), when known
    events: list[Event]
    settings: dict[str, Any] = field(default_factory=dict)  # everything but the events
    notes: list[str] = field(default_factory=list)


@dataclass
class BorisProject:
    scheme: Scheme
    observations: list[BorisObservation]
    lines: dict[str, ReportLine]  # behaviour name -> its report line
    notes: list[str]
    project: dict[str, Any]  # project-level settings kept for the export


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gunzip_bounded(raw, path.name, MAX_INFLATED_BYTES)
        except (zlib.error, EOFError):
            raise ImportFormatError(
                f"{path.name}: a damaged compressed file; export the project again from BORIS"
            ) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path.name}: not a BORIS project (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path.name}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
            "the file may be cut short — save the project again in BORIS"
        ) from None
    except (ValueError, RecursionError):
        raise ImportFormatError(
            f"{path.name}: not a BORIS project (numbers or nesting out of range)"
        ) from None
    if not isinstance(data, dict) or "behaviors_conf" not in data or "observations" not in data:
        raise ImportFormatError(f"{path.name}: not a BORIS project (no ethogram or observations)")
    try:  # JSON escapes can spell half a character ("\\ud800"), which no text store accepts
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ImportFormatError(
            f"{path.name}: holds an escaped half character (a lone \\uD800-\\uDFFF); "
            "not text BORIS writes — save the project again in BORIS"
        ) from None
    return data


def _no_constant(_name: str) -> Any:
    raise ValueError("NaN and Infinity are not numbers BORIS writes")


def _entries(conf: Any) -> list[Any]:
    if isinstance(conf, dict):

        def order(k: Any) -> tuple[int, str]:
            text = str(k)
            return (int(text), "") if text.isdigit() and len(text) < 12 else (10**12, text)

        return [conf[k] for k in sorted(conf, key=order)]
    if isinstance(conf, list):
        return conf
    return []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return ""


def seconds_of(value: Any) -> float | None:
    """A time in seconds as BORIS stores it (number, or numeric text); None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and abs(number) < 1e12 else None


class _Ethogram:
    def __init__(self, data: dict[str, Any], name: str) -> None:
        self.name = name
        self.notes: list[str] = []
        self.code_ids, self.subject_ids = Ids("code"), Ids("subject")
        self.subjects: dict[str, Subject] = {}
        self.codes: dict[str, Code] = {}  # behaviour name -> code
        self.mod_sets: dict[str, list[Modifier]] = {}  # code id -> its sets, in order
        self.value_maps: dict[str, dict[str, str]] = {}  # modifier id -> raw -> value
        self.lines: dict[str, ReportLine] = {}
        self.old_format = _version(data) < (4, 0)
        for entry in _entries(data.get("subjects_conf")):
            if isinstance(entry, list) and len(entry) >= 2:  # format 0: [key, name]
                entry = {"key": entry[0], "name": entry[1]}
            if isinstance(entry, dict):
                self.subject(_text(entry.get("name")), _text(entry.get("description")))
        self.known_subjects = {s.id for s in self.subjects.values()}
        used_keys: set[str] = set()
        for i, b in enumerate(_entries(data.get("behaviors_conf"))):
            if isinstance(b, dict):
                self._behaviour(i, b, used_keys)
        self.groups = self._exclusions(_entries(data.get("behaviors_conf")))

    def subject(self, name: str, description: str = "") -> str:
        name = name.strip()
        if not name or name == NO_FOCAL:
            if NO_FOCAL not in self.subjects:
                self.subject_ids.taken.add(NO_SUBJECT)
                self.subjects[NO_FOCAL] = Subject(NO_SUBJECT, NO_FOCAL)
            return NO_SUBJECT
        if name not in self.subjects:
            sid = self.subject_ids.make(slug(name))
            self.subjects[name] = Subject(
                sid, display_name(name), None, display_name(description, "")
            )
        return self.subjects[name].id

    def _behaviour(self, i: int, b: dict[str, Any], used_keys: set[str]) -> None:
        name = _text(b.get("code")).strip()
        if not name:
            self.notes.append(f"ethogram entry {i + 1} has no behaviour code; not imported")
            return
        if name in self.codes:
            self.notes.append(f"behaviour '{name}' is defined twice; the first is used")
            return
        cid = self.code_ids.make(slug(name), "code")
        kind = CodeKind.STATE if "state" in _text(b.get("type")).lower() else CodeKind.POINT
        key = _text(b.get("key")).strip()
        if len(key) != 1 or key.lower() in used_keys:
            if key:
                self.notes.append(
                    f"behaviour '{name}': key '{key[:12]}' is not a single free key in Attune; "
                    "imported without a key"
                )
            key = ""
        used_keys.add(key.lower())
        sets = self._modifier_sets(cid, name, b.get("modifiers"))
        self.mod_sets[cid] = sets
        color = _text(b.get("color"))
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            color = PALETTE[i % len(PALETTE)]
        self.codes[name] = Code(
            cid,
            display_name(name),
            kind,
            (),
            key or None,
            color,
            display_name(_text(b.get("category")), ""),
            description=display_name(_text(b.get("description")), ""),
            modifiers=tuple(m.id for m in sets),
        )
        how = "point events" if kind is CodeKind.POINT else "state events (START/STOP paired)"
        self.lines[name] = ReportLine(f"behaviour '{name}'", how=how)

    def _modifier_sets(self, cid: str, name: str, raw: Any) -> list[Modifier]:
        if isinstance(raw, str):  # format < 4.0: "a,b,c|d,e" (sets by |, values by ,)
            raw = {
                str(j): {"name": "", "type": 0, "values": part.split(",")}
                for j, part in enumerate(raw.split("|"))
                if part.strip()
            }
        sets = []
        for j, m in enumerate(_entries(raw)):
            if not isinstance(m, dict):
                continue
            mtype = m.get("type", 0)
            kind = MODIFIER_KINDS.get(mtype if isinstance(mtype, int) else 0, ModifierKind.SINGLE)
            mod_id = f"{cid}_m{j + 1}"
            label = display_name(_text(m.get("name")), "") or f"{name} modifier {j + 1}"
            values: tuple[str, ...] = ()
            if kind is not ModifierKind.NUMERIC:
                raw_values = [
                    KEY_SUFFIX.sub("", _text(v)) for v in _list(m.get("values")) if _text(v)
                ]
                self.value_maps[mod_id] = value_map(raw_values)
                values = tuple(dict.fromkeys(self.value_maps[mod_id].values()))
            sets.append(Modifier(mod_id, label, kind, values))
        return sets

    def _exclusions(self, entries: list[Any]) -> list[Group]:
        """Mutually excluded state codes -> exclusive groups (connected components)."""
        states = {c.id for c in self.codes.values() if c.is_state}
        by_name = {n: c.id for n, c in self.codes.items()}
        links: dict[str, set[str]] = defaultdict(set)
        for b in entries:
            if not isinstance(b, dict):
                continue
            me = by_name.get(_text(b.get("code")).strip())
            excluded = b.get("excluded", "")
            others = excluded if isinstance(excluded, list) else _text(excluded).split(",")
            for other in (_text(x).strip() for x in others):
                them = by_name.get(other)
                if me in states and them in states and me != them:
                    links[me].add(them)
                    links[them].add(me)
        seen: set[str] = set()
        groups: list[Group] = []
        for start in sorted(links):
            if start in seen:
                continue
            stack, comp = [start], set()
            while stack:
                x = stack.pop()
                if x not in comp:
                    comp.add(x)
                    stack.extend(links[x] - comp)
            seen |= comp
            ordered = tuple(c.id for c in self.codes.values() if c.id in comp)
            groups.append(
                Group(f"excl_{len(groups) + 1}", ordered, "BORIS exclusions", exclusive=True)
            )
        return groups

    def unknown_behaviour(self, name: str) -> ReportLine:
        if name not in self.lines:
            self.lines[name] = ReportLine(f"behaviour '{name}' (not in the ethogram)")
        return self.lines[name]

    def scheme(self, scheme_id: str) -> Scheme:
        modifiers: list[Modifier] = []
        for sets in self.mod_sets.values():
            for m in sets:
                extra = self.value_maps.get(m.id, {})
                values = tuple(dict.fromkeys([*m.values, *extra.values()]))
                modifiers.append(Modifier(m.id, m.name, m.kind, values, m.minimum, m.maximum))
        subjects = list(self.subjects.values())
        if not subjects:
            subjects = [Subject(NO_SUBJECT, NO_FOCAL)]
        return Scheme(
            scheme_id,
            display_name(self.name, "BORIS project"),
            "1",
            f"Imported from the BORIS project {self.name}",
            "",
            tuple(subjects),
            tuple(self.codes.values()),
            tuple(self.groups),
            tuple(modifiers),
        )

    # --- events ---------------------------------------------------------------------------------
    def modifiers(
        self, cid: str, raw: str, line: ReportLine
    ) -> tuple[dict[str, ModifierValue], bool]:
        """The event's modifier values; and whether some text did not fit (the caller then
        keeps the raw text in the event's note, so nothing is lost)."""
        sets = self.mod_sets.get(cid, [])
        if not raw.strip() or not sets:
            if raw.strip() and not sets:
                line.note("modifier text on a behaviour without modifiers, kept in the note")
            return {}, bool(raw.strip())
        out: dict[str, ModifierValue] = {}
        parts = raw.split("|")
        leftover = len(parts) > len(sets)
        if leftover:
            line.note("more modifier values than sets, all kept in the note")
        for modifier, part in zip(sets, parts, strict=False):
            if not part.strip() or part.strip() == "None":
                continue
            if modifier.kind is ModifierKind.NUMERIC:
                number = seconds_of(part)
                if number is None:
                    line.note("numeric modifier that is not a number, kept in the note")
                    leftover = True
                    continue
                out[modifier.id] = number
            elif modifier.kind is ModifierKind.MULTIPLE:
                out[modifier.id] = tuple(
                    self._value(modifier, v, line) for v in part.split(",") if v.strip()
                )
            else:
                out[modifier.id] = self._value(modifier, part, line)
        return out, leftover

    def _value(self, modifier: Modifier, raw: str, line: ReportLine) -> str:
        raw = KEY_SUFFIX.sub("", raw)
        mapping = self.value_maps.setdefault(modifier.id, {})
        if raw in mapping:
            return mapping[raw]
        stripped = raw.strip()
        for known, value in mapping.items():
            if known.strip() == stripped:
                return value
        mapping[raw] = display_name(stripped, "(empty)")
        line.note(f"modifier value not in the ethogram's '{modifier.name}', added to it")
        return mapping[raw]


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return value.split(",")
    return []


def value_map(raw_values: list[str]) -> dict[str, str]:
    """Raw value -> Attune value: stripped, unless stripping would merge two values."""
    stripped = [v.strip() or v for v in raw_values]
    if len(set(stripped)) == len(set(raw_values)):
        return dict(zip(raw_values, stripped, strict=True))
    return {v: v for v in raw_values}


def _version(data: dict[str, Any]) -> tuple[int, int]:
    text = _text(data.get("project_format_version"))
    match = re.match(r"(\d+)(?:\.(\d+))?", text)
    if not match:
        return (0, 0)
    return (int(match.group(1)), int(match.group(2) or 0))


def read_boris(path: str | Path) -> BorisProject:
    path = Path(path)
    data = _load(path)
    name = _text(data.get("project_name")).strip() or path.stem
    ethogram = _Ethogram(data, name)
    raw_obs = data.get("observations")
    if not isinstance(raw_obs, dict):
        raise ImportFormatError(
            f"{path.name}: 'observations' must map observation names to observations"
        )
    observations = []
    for obs_name, obs in raw_obs.items():
        if not isinstance(obs, dict):
            ethogram.notes.append(f"observation '{str(obs_name)[:60]}' is damaged; not imported")
            continue
        observations.append(_observation(str(obs_name), obs, ethogram))
    scheme = ethogram.scheme(slug(name) or "boris")
    project = {
        k: v
        for k, v in data.items()
        if k
        in (
            "project_name",
            "project_description",
            "project_date",
            "time_format",
            "independent_variables",
            "behavioral_categories_config",
            "coding_map",
            "behaviors_coding_map",
            "converters",
        )
    }
    return BorisProject(scheme, observations, ethogram.lines, ethogram.notes, project)


def _files(obs: dict[str, Any]) -> dict[str, list[str]]:
    raw = obs.get("file")
    if isinstance(raw, list):  # format 0: [player 1 file, player 2 file]
        return {str(i + 1): [_text(f)] for i, f in enumerate(raw) if _text(f)}
    if not isinstance(raw, dict):
        return {}
    return {
        str(player): [_text(f) for f in files if _text(f)]
        for player, files in raw.items()
        if isinstance(files, list)
    }


def _extent_ms(obs: dict[str, Any], files: dict[str, list[str]]) -> int | None:
    """How long the observation's media run: the longest player, after its offset."""
    info = obs.get("media_info") if isinstance(obs.get("media_info"), dict) else {}
    assert isinstance(info, dict)
    lengths = info.get("length") if isinstance(info.get("length"), dict) else {}
    offsets = info.get("offset") if isinstance(info.get("offset"), dict) else {}
    assert isinstance(lengths, dict) and isinstance(offsets, dict)
    extent: float | None = None
    for player, names in files.items():
        seconds = [seconds_of(lengths.get(n)) for n in names]
        if not names or any(s is None for s in seconds):
            continue
        offset = seconds_of(offsets.get(player)) or 0.0
        end = offset + sum(s for s in seconds if s is not None)
        extent = end if extent is None else max(extent, end)
    if extent is None or extent <= 0 or extent * 1000 > MAX_MEDIA_MS:
        return None
    return round(extent * 1000)


def _observation(name: str, obs: dict[str, Any], ethogram: _Ethogram) -> BorisObservation:
    files = _files(obs)
    player1 = files.get("1", [])
    duration = _extent_ms(obs, files)
    offset = seconds_of(obs.get("time offset")) or 0.0
    settings = {k: v for k, v in obs.items() if k != "events"}
    result = BorisObservation(name, player1, duration, [], settings)
    if len(player1) > 1:
        result.notes.append(
            f"observation '{name}' plays {len(player1)} files one after another; Attune links "
            "the session to the first and keeps every event at its time in the sequence"
        )
    if len([p for p, f in files.items() if f]) > 1:
        result.notes.append(
            f"observation '{name}' has more than one player; times follow player 1, the other "
            "players' files and offsets are kept for the BORIS export"
        )
    rows = obs.get("events")
    if not isinstance(rows, list):
        rows = []
        if "events" in obs:
            result.notes.append(f"observation '{name}': its event list is damaged; no events")
    parsed: list[tuple[float, str, str, str, str, int]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) < 3:
            ethogram.unknown_behaviour("(unreadable row)").add(
                False, "the row is damaged", f"observation '{name[:40]}', event {i + 1}"
            )
            continue
        behaviour = _text(row[2]).strip()
        t = seconds_of(row[0])
        if t is None:
            line = ethogram.lines.get(behaviour) or ethogram.unknown_behaviour(behaviour)
            line.add(
                False,
                "their time is missing (NA) or not a number",
                f"observation '{name[:40]}', event {i + 1}",
            )
            continue
        mod = _text(row[3]) if len(row) > 3 else ""
        comment = _text(row[4]) if len(row) > 4 else ""
        parsed.append((t, _text(row[1]), behaviour, mod, comment, i))
    parsed.sort(key=lambda r: (r[0], r[1], r[2], r[5]))  # BORIS sorts by time, subject, code
    open_states: dict[tuple[str, str, str], tuple[int, dict[str, ModifierValue], str]] = {}
    for t, subject_name, code_name, mod, comment, i in parsed:
        where = f"observation '{name[:40]}', event {i + 1}"
        code = ethogram.codes.get(code_name)
        if code is None:
            ethogram.unknown_behaviour(code_name).add(
                False, "the behaviour is not in the ethogram", where
            )
            continue
        line = ethogram.lines[code_name]
        ms = round((t - offset) * 1000)
        if ms < 0:
            line.add(False, "they fall before the media starts (after the time offset)", where)
            continue
        if ms > MAX_MEDIA_MS:
            line.add(False, "their time is beyond a day", where)
            continue
        subject = ethogram.subject(subject_name)
        named = subject_name.strip() and subject_name.strip() != NO_FOCAL
        if named and subject not in ethogram.known_subjects:
            line.note("coded for a subject missing from the subject list, subject added")
        mods, leftover = ethogram.modifiers(code.id, mod, line)
        note = comment + (f" [BORIS modifiers: {mod}]" if leftover else "")
        if code.kind is CodeKind.POINT:
            result.events.append(Event(new_id(), "", code.id, subject, ms, None, mods, note))
            line.add(True)
            continue
        key = (subject, code.id, mod)
        if key in open_states:
            start, start_mods, start_note = open_states.pop(key)
            notes = "; ".join(x for x in (start_note, note) if x)
            result.events.append(
                Event(new_id(), "", code.id, subject, start, ms, start_mods, notes)
            )
            line.add(True)
            line.add(True)
            if ms == start:
                line.note("state rows starting and stopping at the same time, kept zero-length")
        else:
            open_states[key] = (ms, mods, note)
    for (subject, cid, _), (start, mods, note) in open_states.items():
        code_name = next(n for n, c in ethogram.codes.items() if c.id == cid)
        line = ethogram.lines[code_name]
        line.add(True)
        line.note("START rows without a STOP, imported as still running")
        result.events.append(Event(new_id(), "", cid, subject, start, None, mods, note))
    result.events.sort(key=lambda e: (e.onset_ms, e.code_id))
    return result
