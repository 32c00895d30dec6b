"""Read BORIS projects (.boris JSON, optionally gzipped) into Attune's model.

The ethogram becomes a scheme (point/state, keys, colours, categories, modifier sets,
exclusions -> exclusive groups of state codes); subjects become subjects (events without a
subject go to "no_subject"); each observation keeps its BORIS name. BORIS stores a state as
START/STOP rows of the same code: they are paired per subject, code and modifiers; a start
without a stop is imported as a running state and reported, never dropped silently.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.errors import ImportFormatError, SchemeError
from coder.limits import gunzip_bounded
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

NO_SUBJECT = "no_subject"
PALETTE = ("#3a7bd5", "#e26d5a", "#2e8b57", "#f4b400", "#7b5ea7", "#20b2aa", "#c77d2e", "#b22222")


@dataclass
class BorisObservation:
    name: str
    media_files: list[str]
    duration_ms: int | None
    events: list[Event]
    warnings: list[str] = field(default_factory=list)


@dataclass
class BorisProject:
    scheme: Scheme
    observations: list[BorisObservation]
    warnings: list[str]


def slug(text: str) -> str:
    out = re.sub(r"[^A-Za-z0-9]+", "_", text.strip()).strip("_").lower()
    return out or "code"


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gunzip_bounded(raw, str(path))
        data = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        raise ImportFormatError(f"{path}: not a BORIS project ({exc.__class__.__name__})") from None
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
            "the file may be cut short — export it again from BORIS"
        ) from None
    if not isinstance(data, dict) or "behaviors_conf" not in data or "observations" not in data:
        raise ImportFormatError(f"{path}: not a BORIS project (no ethogram or observations)")
    return data


def _entries(conf: Any) -> list[dict[str, Any]]:
    if isinstance(conf, dict):
        items = [conf[k] for k in sorted(conf, key=lambda k: int(k) if str(k).isdigit() else k)]
    elif isinstance(conf, list):
        items = conf
    else:
        items = []
    return [i for i in items if isinstance(i, dict)]


def read_boris(path: str | Path) -> BorisProject:
    path = Path(path)
    data = _load(path)
    warnings: list[str] = []
    subjects = [Subject(NO_SUBJECT, "No focal subject")]
    subject_ids: dict[str, str] = {"": NO_SUBJECT}
    for s in _entries(data.get("subjects_conf")):
        name = str(s.get("name", "")).strip()
        if name and name not in subject_ids:
            sid = (
                slug(name)
                if slug(name) not in {x.id for x in subjects}
                else f"{slug(name)}_{len(subjects)}"
            )
            subject_ids[name] = sid
            subjects.append(Subject(sid, name, None, str(s.get("description", ""))))
    codes: list[Code] = []
    modifiers: list[Modifier] = []
    code_ids: dict[str, str] = {}
    mod_sets: dict[str, list[Modifier]] = {}
    used_keys: set[str] = set()
    for i, b in enumerate(_entries(data.get("behaviors_conf"))):
        name = str(b.get("code", "")).strip()
        if not name:
            warnings.append(f"{path.name}: ethogram entry {i} has no code; skipped")
            continue
        cid = slug(name)
        while cid in {c.id for c in codes}:
            cid += "_"
        code_ids[name] = cid
        kind = CodeKind.STATE if "state" in str(b.get("type", "")).lower() else CodeKind.POINT
        key = str(b.get("key", "")).strip()
        if len(key) != 1 or key.lower() in used_keys:
            if key:
                warnings.append(
                    f"{path.name}: key '{key}' of '{name}' is not usable in Attune; dropped"
                )
            key = ""
        used_keys.add(key.lower())
        sets = []
        for j, m in enumerate(_entries(b.get("modifiers"))):
            values = tuple(str(v).split(" (")[0] for v in m.get("values", []) if str(v))
            mtype = int(m.get("type", 0) or 0)
            mkind = {0: ModifierKind.SINGLE, 1: ModifierKind.MULTIPLE, 2: ModifierKind.NUMERIC}.get(
                mtype, ModifierKind.SINGLE
            )
            mod = Modifier(
                f"{cid}_m{j + 1}",
                str(m.get("name") or f"{name} modifier {j + 1}"),
                mkind,
                values if mkind is not ModifierKind.NUMERIC else (),
            )
            sets.append(mod)
        mod_sets[cid] = sets
        modifiers += sets
        color = str(b.get("color", "")) or PALETTE[i % len(PALETTE)]
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            color = PALETTE[i % len(PALETTE)]
        codes.append(
            Code(
                cid,
                name,
                kind,
                (),
                key or None,
                color,
                str(b.get("category", "")),
                description=str(b.get("description", "")),
                modifiers=tuple(m.id for m in sets),
            )
        )
    groups = _exclusion_groups(_entries(data.get("behaviors_conf")), code_ids, codes)
    scheme = Scheme(
        slug(str(data.get("project_name") or path.stem)) or "boris",
        str(data.get("project_name") or path.stem),
        "1",
        f"Imported from BORIS project {path.name}",
        "",
        tuple(subjects),
        tuple(codes),
        tuple(groups),
        tuple(modifiers),
    )
    kinds = {c.id: c.kind for c in codes}
    observations = []
    raw_obs = data.get("observations")
    if not isinstance(raw_obs, dict):
        raise ImportFormatError(
            f"{path}: 'observations' must be a mapping of names to observations"
        )
    for name, obs in raw_obs.items():
        if not isinstance(obs, dict):
            raise ImportFormatError(f"{path}: observation '{name}' is not an object")
        observations.append(
            _observation(path, str(name), obs, subject_ids, code_ids, kinds, mod_sets)
        )
    return BorisProject(scheme, observations, warnings)


def _exclusion_groups(
    entries: list[dict[str, Any]], code_ids: dict[str, str], codes: list[Code]
) -> list[Group]:
    """Mutually excluded state codes -> exclusive groups (connected components)."""
    states = {c.id for c in codes if c.is_state}
    links: dict[str, set[str]] = defaultdict(set)
    for b in entries:
        me = code_ids.get(str(b.get("code", "")).strip())
        excluded = str(b.get("excluded", "") or "")
        for other in (x.strip() for x in excluded.split(",") if x.strip()):
            them = code_ids.get(other)
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
        ordered = tuple(c.id for c in codes if c.id in comp)
        groups.append(Group(f"excl_{len(groups) + 1}", ordered, "BORIS exclusions", exclusive=True))
    return groups


def _observation(
    path: Path,
    name: str,
    obs: dict[str, Any],
    subject_ids: dict[str, str],
    code_ids: dict[str, str],
    kinds: dict[str, CodeKind],
    mod_sets: dict[str, list[Modifier]],
) -> BorisObservation:
    files_conf = obs.get("file") or {}
    files = [str(f) for f in (files_conf.get("1") or [])] if isinstance(files_conf, dict) else []
    lengths = (obs.get("media_info") or {}).get("length") or {}
    duration = None
    if files and all(f in lengths for f in files):
        duration = round(sum(float(lengths[f]) for f in files) * 1000)
    warnings: list[str] = []
    events: list[Event] = []
    open_states: dict[tuple[str, str, str], tuple[int, dict[str, ModifierValue], str]] = {}
    rows = obs.get("events") or []
    if not isinstance(rows, list):
        raise ImportFormatError(f"{path}: observation '{name}': 'events' must be a list")
    for r, row in enumerate(
        sorted(rows, key=lambda x: float(x[0]) if isinstance(x, list) and x else 0.0)
    ):
        if not isinstance(row, list) or len(row) < 3:
            raise ImportFormatError(
                f"{path}: observation '{name}', event {r}: expected [time, subject, code, ...]"
            )
        try:
            t = round(float(row[0]) * 1000)
        except (TypeError, ValueError):
            raise ImportFormatError(
                f"{path}: observation '{name}', event {r}: time '{row[0]}' is not a number"
            ) from None
        if t < 0 or (duration is not None and t > duration + 1000):
            raise ImportFormatError(
                f"{path}: observation '{name}', event {r}: time {row[0]} s is outside the media"
            )
        code = code_ids.get(str(row[2]).strip())
        if code is None:
            raise ImportFormatError(
                f"{path}: observation '{name}', event {r}: code '{row[2]}' is not in the ethogram"
            )
        subject = subject_ids.get(str(row[1]).strip())
        if subject is None:
            raise ImportFormatError(
                f"{path}: observation '{name}', event {r}: subject '{row[1]}' is not in the project"
            )
        raw_mod = str(row[3]) if len(row) > 3 and row[3] is not None else ""
        mods = _modifiers(raw_mod, mod_sets.get(code, []))
        note = str(row[4]) if len(row) > 4 and row[4] else ""
        if kinds[code] is CodeKind.POINT:
            events.append(Event(new_id(), "", code, subject, t, None, mods, note))
            continue
        key = (subject, code, raw_mod)
        if key in open_states:
            start, start_mods, start_note = open_states.pop(key)
            events.append(
                Event(
                    new_id(),
                    "",
                    code,
                    subject,
                    start,
                    max(t, start + 1),
                    start_mods,
                    "; ".join(x for x in (start_note, note) if x),
                )
            )
        else:
            open_states[key] = (t, mods, note)
    for (subject, code, _), (start, mods, note) in open_states.items():
        warnings.append(
            f"observation '{name}': state '{code}' of '{subject}' started at "
            f"{start / 1000:.3f} s has no stop; imported as still running"
        )
        events.append(Event(new_id(), "", code, subject, start, None, mods, note))
    events.sort(key=lambda e: (e.onset_ms, e.code_id))
    return BorisObservation(name, files, duration, events, warnings)


def _modifiers(raw: str, sets: list[Modifier]) -> dict[str, ModifierValue]:
    if not raw or not sets:
        return {}
    out: dict[str, ModifierValue] = {}
    for modifier, part in zip(sets, raw.split("|"), strict=False):
        part = part.strip()
        if not part or part.lower() == "none":
            continue
        if modifier.kind is ModifierKind.MULTIPLE:
            out[modifier.id] = tuple(v for v in part.split(",") if v in modifier.values)
        elif modifier.kind is ModifierKind.NUMERIC:
            try:
                out[modifier.id] = float(part)
            except ValueError:
                continue
        elif part in modifier.values:
            out[modifier.id] = part
    return out


def validate_scheme(scheme: Scheme) -> None:
    """The imported scheme must load back through our validator (keys, ids, groups)."""
    from coder.schemes import load_scheme_text, scheme_to_yaml

    try:
        load_scheme_text(scheme_to_yaml(scheme), f"BORIS ethogram of {scheme.name}")
    except SchemeError as exc:
        raise ImportFormatError(str(exc)) from None
