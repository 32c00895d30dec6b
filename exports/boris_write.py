"""Write a BORIS project (.boris, project format 7.0) from Attune observations.

The scheme becomes the ethogram (point/state behaviours named by code name, keys, colours,
categories, modifier sets: single, multiple, numeric; exclusive groups as BORIS exclusions),
subjects the subject list ("No focal subject" is BORIS's own: no subject). Each observation
becomes a BORIS observation of its session's video with its events as BORIS stores them:
points as one row, states as START and STOP rows with the same modifiers (BORIS pairs rows of
the same subject, behaviour and modifiers, in time order). An observation imported from BORIS
gets its own settings back (every player's files, offsets, time offset, date, description,
independent variables), so its times are BORIS's again.

What BORIS cannot hold is listed in the returned notes: running states (written as a START
without STOP), overlapping copies of one state, characters BORIS forbids in modifier values.
Notes (clinical text) are written as BORIS comments only when asked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coder.errors import ImportFormatError
from coder.model import Code, Event, ModifierKind, Scheme, listed_order
from coder.progress import Cancel, Progress, check_cancel
from exports.atomic import atomic_write
from exports.boris import NO_FOCAL, NO_SUBJECT
from exports.bundle import ExportBundle
from exports.import_report import plural

FORMAT_VERSION = "7.0"
FORBIDDEN = {"(": "[", ")": "]", "|": "/", ",": ";", "`": "'", "~": "-"}
TYPES = {ModifierKind.SINGLE: 0, ModifierKind.MULTIPLE: 1, ModifierKind.NUMERIC: 2}


def _clean(value: str, notes: set[str]) -> str:
    out = "".join(FORBIDDEN.get(ch, ch) for ch in value).strip()
    if out != value:
        notes.add("modifier values with characters BORIS forbids ( ) | , ` ~ were changed")
    return out


class _Ethogram:
    def __init__(self, bundles: Sequence[ExportBundle], notes: list[str]) -> None:
        self.codes: dict[str, Code] = {}
        self.scheme_of: dict[str, Scheme] = {}
        self.names: dict[str, str] = {}  # code id -> BORIS behaviour code
        self.subjects: dict[str, str] = {}  # subject id -> name
        self.value_notes: set[str] = set()
        seen: set[tuple[str, str]] = set()
        for b in bundles:
            s = b.scheme
            if (s.id, s.version) in seen:
                continue
            seen.add((s.id, s.version))
            for code in s.codes:
                if code.id in self.codes and self.codes[code.id] != code:
                    notes.append(
                        f"code '{code.id}' differs between the exported schemes; the first "
                        "definition is used"
                    )
                    continue
                self.codes.setdefault(code.id, code)
                self.scheme_of.setdefault(code.id, s)
            for subject in s.subjects:
                self.subjects.setdefault(subject.id, subject.name)
        taken: set[str] = set()
        for code in self.codes.values():
            name = code.name.strip() or code.id
            if name in taken:
                name = f"{name} ({code.id})"
            taken.add(name)
            self.names[code.id] = name

    def modifier_text(self, e: Event) -> str:
        code = self.codes.get(e.code_id)
        if code is None or not code.modifiers:
            return ""
        parts = []
        for mod_id in code.modifiers:
            value = e.modifiers.get(mod_id)
            if value is None:
                parts.append("None")
            elif isinstance(value, tuple):
                parts.append(",".join(_clean(v, self.value_notes) for v in value) or "None")
            elif isinstance(value, float | int):
                parts.append(f"{value:g}")
            else:
                parts.append(_clean(value, self.value_notes))
        return "|".join(parts)

    def behaviours(self) -> dict[str, Any]:
        groups: dict[str, list[str]] = {}
        for scheme in {id(s): s for s in self.scheme_of.values()}.values():
            for g in scheme.groups:
                if g.exclusive:
                    for cid in g.codes:
                        groups.setdefault(cid, []).extend(c for c in g.codes if c != cid)
        conf: dict[str, Any] = {}
        for i, code in enumerate(self.codes.values()):
            scheme = self.scheme_of[code.id]
            sets: dict[str, Any] = {}
            for j, mod_id in enumerate(code.modifiers):
                try:
                    m = scheme.modifier(mod_id)
                except KeyError:
                    continue
                values = list(dict.fromkeys(_clean(v, self.value_notes) for v in m.values))
                sets[str(j)] = {"name": m.name, "type": TYPES[m.kind], "values": values}
            excluded = [self.names[c] for c in groups.get(code.id, []) if c in self.names]
            conf[str(i)] = {
                "type": "State event" if code.is_state else "Point event",
                "key": code.key or "",
                "code": self.names[code.id],
                "description": code.description,
                "color": code.color,
                "category": code.category,
                "modifiers": sets,
                "excluded": ",".join(excluded),
                "coding map": "",
            }
        return conf

    def subject_name(self, subject_id: str) -> str:
        name = self.subjects.setdefault(subject_id, subject_id)  # listed, as BORIS wants
        return "" if subject_id == NO_SUBJECT or name == NO_FOCAL else name


def _settings(b: ExportBundle) -> dict[str, Any] | None:
    for doc in reversed(b.sources):
        if doc.format != "boris":
            continue
        try:
            data = json.loads(doc.content)
            found = data["observations"][b.observation.id]
        except (ValueError, KeyError, TypeError):
            return None
        return dict(found) if isinstance(found, dict) else None
    return None


def _project_settings(bundles: Sequence[ExportBundle]) -> dict[str, Any]:
    for b in bundles:
        for doc in reversed(b.sources):
            if doc.format == "boris":
                try:
                    project = json.loads(doc.content).get("project", {})
                except (ValueError, AttributeError):
                    continue
                if isinstance(project, dict):
                    return project
    return {}


def _media_observation(b: ExportBundle) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    base: dict[str, Any] = {
        "date": b.observation.created_at[:19] or now,
        "description": "",
        "time offset": 0.0,
        "independent_variables": {},
        "close_behaviors_between_videos": False,
        "visualize_spectrogram": False,
        "visualize_waveform": False,
        "media_creation_date_as_offset": False,
        "media_scan_sampling_duration": 0,
        "image_display_duration": 1,
        "observation time interval": [0, 0],
    }
    m = b.media
    if m is None:
        return {**base, "type": "LIVE", "file": {}, "scan_sampling_time": 0}
    path = m.path if m.fingerprint.size > 0 else Path(m.path).name
    return {
        **base,
        "type": "MEDIA",
        "file": {"1": [path], "2": []},
        "media_info": {
            "length": {path: round(m.duration_ms / 1000, 3)},
            "fps": {path: float(m.fps)},
            "hasVideo": {path: True},
            "hasAudio": {path: bool(m.has_audio)},
            "offset": {"1": 0.0, "2": 0.0},
        },
    }


def boris_project(
    bundles: Sequence[ExportBundle], *, include_notes: bool = False
) -> tuple[dict[str, Any], list[str]]:
    if not bundles:
        raise ImportFormatError("nothing to export: choose at least one observation")
    notes: list[str] = []
    ethogram = _Ethogram(bundles, notes)
    behaviours = ethogram.behaviours()
    project = _project_settings(bundles)
    categories = sorted({c.category for c in ethogram.codes.values() if c.category})
    observations: dict[str, Any] = {}
    running = overlapping = 0
    for b in bundles:
        name = b.observation.name or f"{b.session.label} / {b.observation.coder}"
        name, n = name.strip() or b.observation.id, 1
        while name in observations:
            n += 1
            name = f"{b.observation.name or b.session.label} ({n})"
        settings = _settings(b) or _media_observation(b)
        try:
            offset = float(settings.get("time offset", 0.0) or 0.0)
        except (TypeError, ValueError):
            offset = 0.0
        rows: list[list[Any]] = []
        busy: dict[tuple[str, str, str], int] = {}  # state key -> when it ends
        for e in sorted(b.events, key=listed_order):
            code = ethogram.codes.get(e.code_id)
            if code is None:
                continue
            subject = ethogram.subject_name(e.subject_id)
            mods = ethogram.modifier_text(e)
            comment = e.note if include_notes else ""
            t = round(e.onset_ms / 1000 + offset, 3)
            behaviour = ethogram.names[e.code_id]
            if not code.is_state:
                rows.append([t, subject, behaviour, mods, comment])
                continue
            key = (subject, behaviour, mods)
            if key in busy and busy[key] > e.onset_ms:
                overlapping += 1
                continue
            rows.append([t, subject, behaviour, mods, comment])
            if e.offset_ms is None:
                running += 1
                busy[key] = 2**62
                continue
            busy[key] = e.offset_ms
            rows.append([round(e.offset_ms / 1000 + offset, 3), subject, behaviour, mods, ""])
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        observations[name] = {**settings, "events": rows}
    if running:
        notes.append(
            f"{plural(running, 'running state')} (no end yet) written as a START without a STOP"
        )
    if overlapping:
        notes.append(
            f"{plural(overlapping, 'state')} overlapping another of the same behaviour, subject "
            "and modifiers not written (BORIS cannot run the same state twice at once)"
        )
    notes += sorted(ethogram.value_notes)
    subjects = {
        str(i): {"key": "", "name": name, "description": ""}
        for i, (sid, name) in enumerate(
            (sid, n) for sid, n in ethogram.subjects.items() if sid != NO_SUBJECT and n != NO_FOCAL
        )
    }
    first = bundles[0]
    data = {
        "time_format": project.get("time_format", "hh:mm:ss"),
        "project_name": project.get("project_name", first.scheme.name),
        "project_date": datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat(),
        "project_description": project.get("project_description", "Exported from Attune"),
        "project_format_version": FORMAT_VERSION,
        "subjects_conf": subjects,
        "behaviors_conf": behaviours,
        "behavioral_categories": categories,
        "behavioral_categories_config": {str(i): {"name": c} for i, c in enumerate(categories)},
        "independent_variables": project.get("independent_variables", {}),
        "coding_map": project.get("coding_map", {}),
        "behaviors_coding_map": project.get("behaviors_coding_map", []),
        "converters": project.get("converters", {}),
        "observations": observations,
    }
    return data, notes


def write_boris(
    bundles: Sequence[ExportBundle],
    path: str | os.PathLike[str],
    *,
    include_notes: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> list[str]:
    data, notes = boris_project(bundles, include_notes=include_notes)
    check_cancel(cancel, "the BORIS export")
    with atomic_write(path, "w") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    if progress is not None:
        progress(1.0)
    return notes
