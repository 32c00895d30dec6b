"""Import BORIS, ELAN, CSV or Attune JSON files into a project — all or nothing.

The target project is created when absent. Each import is one transaction: on any error
nothing is added. Videos named in BORIS/ELAN files are kept as placeholders (name and length)
that the user re-links later; re-linking checks the length.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol, TypeVar

from coder.errors import ImportFormatError, SchemeError
from coder.model import (
    Fingerprint,
    Media,
    Observation,
    Scheme,
    Session,
    SourceDocument,
    new_id,
)
from coder.schemes import load_scheme_text, scheme_content_hash, scheme_to_yaml
from coder.store import Project
from coder.store.backend import is_server_location
from coder.timebase import TimeBase
from exports.import_report import ImportReport


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
    """BORIS observations -> sessions (one per video) with one observation each, named as in
    BORIS; the ethogram becomes the scheme. The report has a line per behaviour."""
    import json

    from exports.boris import read_boris

    src = Path(src)
    if src.suffix.lower() in TABLE_SUFFIXES:
        return _import_boris_table(target, src, observations)
    boris = read_boris(src)
    chosen = _chosen(boris.observations, observations, src)
    report = ImportReport(unit="row", notes=list(boris.notes))
    for obs in chosen:
        report.notes += obs.notes
    if not boris.scheme.codes:
        raise ImportFormatError(f"{src.name}: the ethogram has no behaviours; nothing to import")
    with open_target(target) as project, project.transaction():
        snapshot = _adopt(project, boris.scheme, src.name)
        sessions: dict[tuple[str, ...], str] = {}
        kept: dict[str, dict[str, object]] = {}
        for obs in chosen:
            key = tuple(obs.media_files) or (obs.name,)
            if key not in sessions:
                last = max((e.offset_ms or e.onset_ms for e in obs.events), default=0)
                if obs.duration_ms is not None and last > obs.duration_ms + 1000:
                    report.notes.append(
                        f"observation '{obs.name}': events run past the media length BORIS "
                        "recorded; the session keeps them"
                    )
                length = max(obs.duration_ms or 0, last + 1000)
                media_id = (
                    _placeholder_media(project, obs.media_files[0], length)
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
            kept.setdefault(sessions[key], {})[new_obs.id] = obs.settings
            report.observations += 1
            report.events += len(obs.events)
        for session_id, settings in kept.items():
            content = {"version": 1, "project": boris.project, "observations": settings}
            project.add_source_document(
                SourceDocument(
                    new_id(), session_id, "boris", src.name, json.dumps(content, ensure_ascii=False)
                )
            )
    report.lines = [line for line in boris.lines.values() if line.found or line.notes]
    return report


class _HasName(Protocol):
    name: str


_Named = TypeVar("_Named", bound=_HasName)


def _chosen(found: list[_Named], wanted: Sequence[str] | None, src: Path) -> list[_Named]:
    """The observations the user named (all when none), refusing a name the file lacks."""
    chosen = [o for o in found if wanted is None or o.name in wanted]
    if wanted and len(chosen) != len(set(wanted)):
        missing = set(wanted) - {o.name for o in chosen}
        raise ImportFormatError(f"{src.name}: no observation named {', '.join(sorted(missing))}")
    return chosen


TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".xlsx")


def _import_boris_table(
    target: str | Path, src: Path, observations: Sequence[str] | None
) -> ImportReport:
    """BORIS's tabular or aggregated event export: one session per video, one observation
    per BORIS observation; the scheme is rebuilt from the rows."""
    from exports.boris_table import read_boris_table

    table = read_boris_table(src)
    chosen = _chosen(table.observations, observations, src)
    report = ImportReport(unit="row", notes=list(table.notes))
    report.lines = list(table.lines.values())
    if not any(o.events for o in chosen):
        raise ImportFormatError(f"{src.name}: no row can be imported ({report.reasons()})")
    with open_target(target) as project, project.transaction():
        snapshot = _adopt(project, table.scheme, src.name)
        sessions: dict[str, str] = {}
        for obs in chosen:
            key = obs.media_files[0] if obs.media_files else obs.name
            if key not in sessions:
                last = max((e.offset_ms or e.onset_ms for e in obs.events), default=0)
                length = max(obs.duration_ms or 0, last + 1000)
                media_id = (
                    _placeholder_media(project, obs.media_files[0], length)
                    if obs.media_files
                    else None
                )
                session = Session(new_id(), Path(key).stem if obs.media_files else key, media_id)
                project.add_session(session)
                sessions[key] = session.id
                report.sessions += 1
            new_obs = Observation(new_id(), sessions[key], obs.name, snapshot, name=obs.name)
            project.add_observation(new_obs)
            for e in obs.events:
                project.insert_event(replace(e, observation_id=new_obs.id))
            report.observations += 1
            report.events += len(obs.events)
    return report


def import_eaf(
    target: str | Path,
    src: str | Path,
    mapping: dict[str, str] | None = None,
    *,
    code_tiers: Sequence[str] = (),
    coder: str | None = None,
) -> ImportReport:
    """One ELAN file -> one session: an observation per coder (tier annotator), every
    annotation with its exact text and time, the file's structure kept for export.

    ``mapping`` names the subject of a tier (TIER=SUBJECT); ``code_tiers`` are tiers without
    a vocabulary whose values are codes (each distinct value its own code)."""
    import json

    from exports.eaf_import import plan_import
    from exports.eaf_parse import parse_eaf

    src = Path(src)
    plan = plan_import(parse_eaf(src), tier_subjects=mapping, code_tiers=code_tiers, coder=coder)
    report = plan.report
    if not plan.scheme.codes:
        lines = "; ".join(report.text_lines()) or "the file has no tiers"
        raise ImportFormatError(f"{src.name}: nothing can be imported ({lines})")
    with open_target(target) as project, project.transaction():
        snapshot = _adopt(project, plan.scheme, src.name)
        media_id = (
            _placeholder_media(project, plan.media_name, plan.last_ms + 1000)
            if plan.media_name
            else None
        )
        session = Session(new_id(), src.stem, media_id)
        project.add_session(session)
        report.sessions = 1
        observation_of: dict[str, str] = {}
        for coder_name, events in plan.events.items():
            obs = Observation(
                new_id(), session.id, coder_name, snapshot, name=f"{session.label}/{coder_name}"
            )
            project.add_observation(obs)
            observation_of[coder_name] = obs.id
            for e in events:
                project.insert_event(replace(e, observation_id=obs.id))
            report.observations += 1
            report.events += len(events)
        for tier in plan.document["tiers"]:
            coder_name = tier.pop("coder")
            if (
                coder_name not in observation_of
                and observation_of
                and "ANNOTATOR" not in tier["attrs"]
            ):
                coder_name = next(iter(observation_of))  # an empty tier nobody signed
            if coder_name not in observation_of:
                obs = Observation(
                    new_id(), session.id, coder_name, snapshot, name=f"{session.label}/{coder_name}"
                )
                project.add_observation(obs)
                observation_of[coder_name] = obs.id
                report.observations += 1
            tier["observation"] = observation_of[coder_name]
        project.add_source_document(
            SourceDocument(
                new_id(), session.id, "eaf", src.name, json.dumps(plan.document, ensure_ascii=False)
            )
        )
    return report


def import_csv(
    target: str | Path,
    src: str | Path,
    scheme_id_or_file: str,
    columns: dict[str, str] | None = None,
) -> ImportReport:
    """Rows of events from a CSV, TSV or XLSX table, coded with a given scheme (shipped id or
    YAML file). See exports.table_import for the columns; the report has a line per code."""
    from exports.table_import import read_event_table

    scheme, text = _scheme_for_table(scheme_id_or_file)
    src = Path(src)
    rows, report = read_event_table(src, scheme, columns)
    if not rows:
        raise ImportFormatError(f"{src.name}: no row can be imported ({report.reasons()})")
    with open_target(target) as project, project.transaction():
        snapshot = project.adopt_scheme(scheme, text, scheme_content_hash(text)).id
        sessions = {s.label: s.id for s in project.sessions()}
        observations: dict[tuple[str, str], str] = {}
        for r in rows:
            if r.session not in sessions:
                session = Session(new_id(), r.session)
                project.add_session(session)
                sessions[r.session] = session.id
                report.sessions += 1
            key = (r.session, r.coder)
            if key not in observations:
                name = r.observation or f"{r.session}/{r.coder}"
                obs = Observation(new_id(), sessions[r.session], r.coder, snapshot, name=name)
                project.add_observation(obs)
                observations[key] = obs.id
                report.observations += 1
            project.insert_event(replace(r.event, observation_id=observations[key]))
            report.events += 1
    return report


def _scheme_for_table(scheme_id_or_file: str) -> tuple[Scheme, str]:
    from coder.schemes import load_scheme, load_shipped, shipped_scheme_paths

    if scheme_id_or_file in shipped_scheme_paths():
        return load_shipped(scheme_id_or_file)
    path = Path(scheme_id_or_file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ImportFormatError(
            f"{path.name}: no shipped scheme of that id and no readable scheme file; "
            "see `attune scheme list`"
        ) from None
    return load_scheme(path), text


def import_json_file(target: str | Path, src: str | Path) -> ImportReport:
    from exports.json_io import import_json

    with open_target(target) as project:
        counts = import_json(project, src)
    return ImportReport(
        counts.get("sessions", 0), counts.get("observations", 0), counts.get("events", 0)
    )
