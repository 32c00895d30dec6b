"""Headless CLI: schemes, projects, sessions, observations, events and the demo.

Qt-free: nothing here imports PySide6 (the demo imports ui.app only to open the GUI).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from coder.errors import AttuneError, CommandError, ProjectError
from coder.model import Event, ModifierKind, ModifierValue, Observation, Scheme, Session, new_id


def register(sub: Any) -> None:
    _register_scheme(sub)
    _register_project(sub)

    p_demo = sub.add_parser("demo", help="generate a demo session and open it")
    p_demo.add_argument("--out", default=None, help="folder for the demo (default: temp)")
    p_demo.add_argument("--no-gui", action="store_true", help="only generate, print the path")
    p_demo.add_argument("--seconds", type=int, default=60, help=argparse.SUPPRESS)
    p_demo.set_defaults(handler=_demo)


def _register_scheme(sub: Any) -> None:
    p_scheme = sub.add_parser("scheme", help="list, validate and show coding schemes")
    s = p_scheme.add_subparsers(dest="scheme_command", metavar="ACTION", required=True)
    s.add_parser("list", help="list the shipped schemes").set_defaults(handler=_scheme_list)
    p_val = s.add_parser("validate", help="validate scheme YAML files")
    p_val.add_argument("files", nargs="+")
    p_val.set_defaults(handler=_scheme_validate)
    p_show = s.add_parser("show", help="show a shipped scheme (or a file)")
    p_show.add_argument("scheme", help="scheme id or path to a YAML file")
    p_show.add_argument("--json", action="store_true")
    p_show.set_defaults(handler=_scheme_show)


def _register_project(sub: Any) -> None:
    p_project = sub.add_parser("project", help="create projects")
    sp = p_project.add_subparsers(dest="project_command", metavar="ACTION", required=True)
    p_new = sp.add_parser("new", help="create a project file")
    p_new.add_argument("file")
    p_new.add_argument("--scheme", required=True, help="shipped scheme id or YAML file")
    p_new.set_defaults(handler=_project_new)

    p_session = sub.add_parser("session", help="add sessions (videos)")
    ss = p_session.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    p_add = ss.add_parser("add", help="add a session video to a project")
    p_add.add_argument("file")
    p_add.add_argument("video")
    p_add.add_argument("--label", default=None)
    p_add.set_defaults(handler=_session_add)

    p_obs = sub.add_parser("observation", help="create observations (session x coder)")
    so = p_obs.add_subparsers(dest="observation_command", metavar="ACTION", required=True)
    p_onew = so.add_parser("new", help="start a coder's observation of a session")
    p_onew.add_argument("file")
    p_onew.add_argument("--session", required=True, help="session id or label")
    p_onew.add_argument("--coder", required=True)
    p_onew.add_argument("--name", default=None)
    p_onew.add_argument("--blind", action="store_true")
    p_onew.set_defaults(handler=_observation_new)

    p_events = sub.add_parser("events", help="add and list events")
    se = p_events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    p_eadd = se.add_parser("add", help="add one event (prints its id once durable)")
    p_eadd.add_argument("file")
    p_eadd.add_argument("--observation", required=True)
    p_eadd.add_argument("--code", required=True)
    p_eadd.add_argument("--subject", required=True)
    p_eadd.add_argument("--at", type=int, required=True, metavar="MS")
    p_eadd.add_argument("--until", type=int, default=None, metavar="MS")
    p_eadd.add_argument("--modifier", action="append", default=[], metavar="K=V")
    p_eadd.add_argument("--note", default="")
    p_eadd.set_defaults(handler=_events_add)
    p_elist = se.add_parser("list", help="list events")
    p_elist.add_argument("file")
    p_elist.add_argument("--observation", default=None)
    p_elist.add_argument("--json", action="store_true")
    p_elist.set_defaults(handler=_events_list)


# --- schemes -----------------------------------------------------------------------------


def load_scheme_arg(value: str) -> tuple[Scheme, str]:
    """A shipped scheme id or a path to a YAML file -> (scheme, source text)."""
    from coder import schemes

    if value in schemes.shipped_scheme_paths():
        return schemes.load_shipped(value)
    path = Path(value)
    if not path.exists():
        known = ", ".join(sorted(schemes.shipped_scheme_paths()))
        raise AttuneError(f"unknown scheme '{value}': not a shipped id ({known}) nor a file")
    scheme = schemes.load_scheme(path)
    return scheme, path.read_text(encoding="utf-8")


def _scheme_list(args: argparse.Namespace) -> int:
    from coder import schemes

    for scheme_id in sorted(schemes.shipped_scheme_paths()):
        scheme, _ = schemes.load_shipped(scheme_id)
        print(f"{scheme.id}\t{scheme.version}\t{scheme.name}")
    return 0


def _scheme_validate(args: argparse.Namespace) -> int:
    from coder import schemes

    failed = 0
    for file in args.files:
        problems = schemes.validate_scheme_file(file)
        if problems:
            failed += 1
            for problem in problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{file}: ok")
    return 1 if failed else 0


def _scheme_show(args: argparse.Namespace) -> int:
    scheme, _text = load_scheme_arg(args.scheme)
    if args.json:
        print(json.dumps(dataclasses.asdict(scheme), indent=2, ensure_ascii=False))
        return 0
    print(f"{scheme.name} ({scheme.id} v{scheme.version})")
    if scheme.licence_note:
        print(f"Licence: {scheme.licence_note}")
    print("Subjects: " + ", ".join(f"{s.id} ({s.name})" for s in scheme.subjects))
    print("Codes:")
    for code in scheme.codes:
        key = f"[{code.key}]" if code.key else "   "
        print(f"  {key} {code.id:<24} {code.kind.value:<5} {code.valence.value:<8} {code.name}")
    for rating in scheme.ratings:
        print(f"Rating: {rating.id} {rating.minimum:g}-{rating.maximum:g} per {rating.per.value}")
    return 0


# --- project, sessions, observations -------------------------------------------------------


def _user() -> str:
    return os.environ.get("ATTUNE_USER") or os.environ.get("USER") or "unknown"


def _project_new(args: argparse.Namespace) -> int:
    from coder.schemes import scheme_content_hash
    from coder.store import Project

    scheme, text = load_scheme_arg(args.scheme)
    with Project.create(args.file, user=_user()) as project:
        project.adopt_scheme(scheme, text, scheme_content_hash(text))
    print(args.file)
    return 0


def _session_add(args: argparse.Namespace) -> int:
    from coder.media.probe import media_from_probe, probe
    from coder.store import Project

    result = probe(args.video)
    media = media_from_probe(args.video, result)
    session = Session(id=new_id(), label=args.label or Path(args.video).stem, media_id=media.id)
    with Project.open(args.file, user=_user()) as project, project.transaction():
        project.add_media(media, result.frame_times_ms)
        project.add_session(session)
    print(session.id)
    return 0


def find_session(project: Any, value: str) -> Session:
    sessions = project.sessions()
    matches = [s for s in sessions if s.id == value] or [s for s in sessions if s.label == value]
    if len(matches) != 1:
        labels = ", ".join(s.label for s in sessions) or "none"
        what = "several sessions are" if matches else "no session is"
        raise ProjectError(f"{what} called '{value}' (sessions: {labels}); use the session id")
    return matches[0]  # type: ignore[no-any-return]


def _observation_new(args: argparse.Namespace) -> int:
    from coder.store import Project

    with Project.open(args.file, user=_user()) as project:
        session = find_session(project, args.session)
        snapshots = project.snapshots()
        if not snapshots:
            raise ProjectError(f"{args.file}: the project has no coding scheme; adopt one first")
        obs = Observation(
            id=new_id(),
            session_id=session.id,
            coder=args.coder,
            snapshot_id=snapshots[-1].id,
            name=args.name or f"{session.label}/{args.coder}",
            blind=args.blind,
        )
        project.add_observation(obs)
    print(obs.id)
    return 0


# --- events --------------------------------------------------------------------------------


def parse_modifiers(scheme: Scheme, pairs: list[str]) -> dict[str, ModifierValue]:
    values: dict[str, ModifierValue] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise CommandError(f"--modifier '{pair}': write it as name=value")
        try:
            modifier = scheme.modifier(key)
        except KeyError:
            known = ", ".join(m.id for m in scheme.modifiers) or "none"
            raise CommandError(f"--modifier '{key}': unknown modifier (known: {known})") from None
        if modifier.kind is ModifierKind.NUMERIC:
            try:
                values[key] = float(raw)
            except ValueError:
                raise CommandError(f"--modifier '{pair}': '{raw}' is not a number") from None
        elif modifier.kind is ModifierKind.MULTIPLE:
            values[key] = tuple(v for v in raw.split(",") if v)
        else:
            values[key] = raw
    return values


def _events_add(args: argparse.Namespace) -> int:
    from coder.commands import AddEvent, CommandStack
    from coder.store import Project

    with Project.open(args.file, user=_user()) as project:
        obs = project.find_observation(args.observation)
        scheme = project.scheme_for_observation(obs.id)
        event = Event(
            id=new_id(),
            observation_id=obs.id,
            code_id=args.code,
            subject_id=args.subject,
            onset_ms=args.at,
            offset_ms=args.until,
            modifiers=parse_modifiers(scheme, args.modifier),
            note=args.note,
        )
        CommandStack(project).push(AddEvent(event))  # durable when push returns
    print(event.id)
    return 0


def event_to_dict(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "observation_id": event.observation_id,
        "code": event.code_id,
        "subject": event.subject_id,
        "onset_ms": event.onset_ms,
        "offset_ms": event.offset_ms,
        "modifiers": {
            k: list(v) if isinstance(v, tuple) else v for k, v in event.modifiers.items()
        },
        "note": event.note,
    }


def _events_list(args: argparse.Namespace) -> int:
    from coder.store import Project

    with Project.open(args.file, read_only=True, user=_user()) as project:
        if args.observation:
            observations = [project.find_observation(args.observation)]
        else:
            observations = project.observations()
        rows = [event_to_dict(e) for obs in observations for e in project.events(obs.id)]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            until = "" if row["offset_ms"] is None else f"-{row['offset_ms']}"
            print(f"{row['id']}\t{row['onset_ms']}{until}\t{row['subject']}\t{row['code']}")
    return 0


# --- demo ----------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    from coder.demo import build_demo

    out = Path(args.out) if args.out else None
    project_path = build_demo(out, seconds=args.seconds, progress=_print_progress)
    print(project_path)
    if args.no_gui:
        return 0
    from ui.app import run_gui

    return run_gui(str(project_path))


def _print_progress(fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\rgenerating demo... {fraction:4.0%}", end="", file=sys.stderr, flush=True)
        if fraction >= 1.0:
            print(file=sys.stderr)
