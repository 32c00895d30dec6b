"""Import BORIS, ELAN, CSV or Attune JSON files into a project — all or nothing.

The target project is created when absent. Each import is one transaction: on any error
nothing is added. Videos named in BORIS/ELAN files are kept as placeholders (name and length)
that the user re-links later; re-linking checks the length.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from coder.errors import ImportFormatError, SchemeError
from coder.model import Event, Fingerprint, Media, Observation, Scheme, Session, new_id
from coder.schemes import load_scheme_text, scheme_content_hash, scheme_to_yaml
from coder.store import Project
from coder.store.backend import is_server_location
from coder.timebase import TimeBase
from coder.timefmt import parse_clock


@dataclass
class ImportReport:
    sessions: int = 0
    observations: int = 0
    events: int = 0
    warnings: list[str] = field(default_factory=list)


@contextmanager
def open_target(path: str | Path) -> Iterator[Project]:
    """An existing project (each import is one transaction in it), or a new one that appears
    only when the import succeeds: a failed import into a new path leaves no file. A team
    project on a server must exist already."""
    if is_server_location(path):
        project = Project.open(path)
    else:
        path = Path(path)
        if not path.exists():
            with Project.create_atomically(path) as created:
                yield created
            return
        project = Project.open(path)
    try:
        yield project
    finally:
        project.close()


def _adopt(project: Project, scheme: Scheme, source: str) -> str:
    text = scheme_to_yaml(scheme)
    try:
        load_scheme_text(text, source)  # the imported scheme must pass our own validation
    except SchemeError as exc:
        raise ImportFormatError(str(exc)) from None
    return project.adopt_scheme(scheme, text, scheme_content_hash(text)).id


def _placeholder_media(
    project: Project, name: str, duration_ms: int | None, fps: float = 25.0
) -> str:
    """A media record that knows only a file name and length, for re-linking later."""
    for m in project.media_list():
        if m.path == name and m.fingerprint.size == 0:
            return m.id
    duration = duration_ms or 0
    media = Media(new_id(), name, Fingerprint(0, "", "", duration), duration, fps)
    table = TimeBase.constant(fps, max(duration, 1)).frame_times
    project.add_media(media, table)
    return media.id


def import_boris(
    target: str | Path, src: str | Path, observations: Sequence[str] | None = None
) -> ImportReport:
    from exports.boris import read_boris

    boris = read_boris(src)
    report = ImportReport(warnings=list(boris.warnings))
    chosen = [o for o in boris.observations if observations is None or o.name in observations]
    if observations and len(chosen) != len(set(observations)):
        missing = set(observations) - {o.name for o in chosen}
        raise ImportFormatError(f"{src}: no observation named {', '.join(sorted(missing))}")
    with open_target(target) as project, project.transaction():
        snapshot = _adopt(project, boris.scheme, Path(src).name)
        sessions: dict[tuple[str, ...], str] = {}
        for obs in chosen:
            key = tuple(obs.media_files) or (obs.name,)
            if key not in sessions:
                media_id = (
                    _placeholder_media(project, obs.media_files[0], obs.duration_ms)
                    if obs.media_files
                    else None
                )
                label = Path(obs.media_files[0]).stem if obs.media_files else obs.name
                session = Session(new_id(), label, media_id)
                project.add_session(session)
                sessions[key] = session.id
                report.sessions += 1
            new_obs = Observation(new_id(), sessions[key], obs.name, snapshot, name=obs.name)
            project.add_observation(new_obs)
            for e in obs.events:
                project.insert_event(replace(e, observation_id=new_obs.id))
            report.observations += 1
            report.events += len(obs.events)
            report.warnings += obs.warnings
    return report


def import_eaf(
    target: str | Path, src: str | Path, mapping: dict[str, str] | None = None
) -> ImportReport:
    from xml.etree import ElementTree as ET

    from exports.eaf import read_eaf

    eaf = read_eaf(src, mapping)
    report = ImportReport(warnings=list(eaf.warnings))
    media_name = ""
    try:
        descriptor = ET.parse(src).getroot().find("HEADER/MEDIA_DESCRIPTOR")
        if descriptor is not None:
            media_name = descriptor.get("RELATIVE_MEDIA_URL") or descriptor.get("MEDIA_URL") or ""
    except ET.ParseError:
        pass
    last = max((e.offset_ms or e.onset_ms for evs in eaf.events.values() for e in evs), default=0)
    with open_target(target) as project, project.transaction():
        snapshot = _adopt(project, eaf.scheme, Path(src).name)
        media_id = (
            _placeholder_media(project, Path(media_name).name, last + 1000) if media_name else None
        )
        session = Session(new_id(), Path(src).stem, media_id)
        project.add_session(session)
        report.sessions = 1
        for coder, events in eaf.events.items():
            obs = Observation(
                new_id(), session.id, coder, snapshot, name=f"{session.label}/{coder}"
            )
            project.add_observation(obs)
            for e in events:
                project.insert_event(replace(e, observation_id=obs.id))
            report.observations += 1
            report.events += len(events)
    return report


DEFAULT_COLUMNS = {
    "session": "session",
    "coder": "coder",
    "subject": "subject",
    "code": "code",
    "onset": "onset_ms",
    "offset": "offset_ms",
    "note": "note",
}


def import_csv(
    target: str | Path,
    src: str | Path,
    scheme_id_or_file: str,
    columns: dict[str, str] | None = None,
) -> ImportReport:
    """Rows of events (column names mapped by ``columns``) coded with a given scheme.

    Times are milliseconds, seconds with a decimal point, or hh:mm:ss.mmm."""
    from coder.schemes import load_scheme, load_shipped, shipped_scheme_paths

    names = {**DEFAULT_COLUMNS, **(columns or {})}
    if scheme_id_or_file in shipped_scheme_paths():
        scheme, text = load_shipped(scheme_id_or_file)
    else:
        scheme, text = (
            load_scheme(scheme_id_or_file),
            Path(scheme_id_or_file).read_text(encoding="utf-8"),
        )
    codes = {c.id: c for c in scheme.codes} | {c.name: c for c in scheme.codes}
    subjects = {s.id: s.id for s in scheme.subjects} | {s.name: s.id for s in scheme.subjects}
    try:
        with open(src, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFormatError(f"{src}: cannot be read as CSV ({exc})") from None
    if rows and names["code"] not in rows[0]:
        raise ImportFormatError(
            f"{src}: no column '{names['code']}' (columns: {', '.join(rows[0])}); "
            "map the columns, e.g. --column code=Behaviour"
        )
    report = ImportReport()
    with open_target(target) as project, project.transaction():
        snapshot = project.adopt_scheme(scheme, text, scheme_content_hash(text)).id
        sessions = {s.label: s.id for s in project.sessions()}
        observations: dict[tuple[str, str], str] = {}
        for line, row in enumerate(rows, start=2):
            where = f"{Path(src).name}: line {line}"
            code = codes.get((row.get(names["code"]) or "").strip())
            if code is None:
                raise ImportFormatError(
                    f"{where}: code '{row.get(names['code'])}' is not in the scheme {scheme.id}"
                )
            subject_text = (row.get(names["subject"]) or "").strip()
            subject = subjects.get(subject_text) or scheme.subjects_for(code)[0]
            label = (row.get(names["session"]) or Path(src).stem).strip()
            coder = (row.get(names["coder"]) or "imported").strip()
            if label not in sessions:
                session = Session(new_id(), label)
                project.add_session(session)
                sessions[label] = session.id
                report.sessions += 1
            if (label, coder) not in observations:
                obs = Observation(
                    new_id(), sessions[label], coder, snapshot, name=f"{label}/{coder}"
                )
                project.add_observation(obs)
                observations[(label, coder)] = obs.id
                report.observations += 1
            onset = _time(row.get(names["onset"]), where, "onset")
            offset_text = row.get(names["offset"]) or ""
            offset = (
                _time(offset_text, where, "offset")
                if offset_text.strip() and code.is_state
                else None
            )
            if offset is not None and offset <= onset:
                raise ImportFormatError(
                    f"{where}: offset {offset} ms is not after onset {onset} ms"
                )
            project.insert_event(
                Event(
                    new_id(),
                    observations[(label, coder)],
                    code.id,
                    subject,
                    onset,
                    offset,
                    {},
                    (row.get(names["note"]) or "").strip(),
                )
            )
            report.events += 1
    return report


def _time(text: str | None, where: str, what: str) -> int:
    value = (text or "").strip()
    try:
        ms = parse_clock(value)
    except ValueError:
        raise ImportFormatError(
            f"{where}: {what} '{value}' is not a time (ms, seconds or hh:mm:ss.mmm)"
        ) from None
    if ms < 0:
        raise ImportFormatError(f"{where}: {what} {ms} ms is before the video starts")
    return ms


def import_json_file(target: str | Path, src: str | Path) -> ImportReport:
    from exports.json_io import import_json

    with open_target(target) as project:
        counts = import_json(project, src)
    return ImportReport(
        counts.get("sessions", 0), counts.get("observations", 0), counts.get("events", 0)
    )
