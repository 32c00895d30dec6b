"""Headless CLI: schemes, projects, sessions, observations, events and the demo.

Qt-free: nothing here imports PySide6 (the demo imports ui.app only to open the GUI).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from coder.app.usecases import (
    add_session_from_video,
    create_project,
    find_session,
    load_scheme_ref,
    new_observation,
)
from ui import cli_events
from ui.cli_common import open_project, user_of


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

    p_session = sub.add_parser("session", help="add and list sessions (videos)")
    ss = p_session.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    p_add = ss.add_parser("add", help="add a session video to a project")
    p_add.add_argument("file")
    p_add.add_argument("video")
    p_add.add_argument("--label", default=None)
    p_add.set_defaults(handler=_session_add)
    p_slist = ss.add_parser("list", help="list sessions: ids, labels, video, observations")
    p_slist.add_argument("file")
    p_slist.add_argument("--json", action="store_true")
    p_slist.set_defaults(handler=_session_list)

    p_obs = sub.add_parser("observation", help="create, list and finish observations")
    so = p_obs.add_subparsers(dest="observation_command", metavar="ACTION", required=True)
    p_onew = so.add_parser("new", help="start a coder's observation of a session")
    p_onew.add_argument("file")
    p_onew.add_argument("--session", required=True, help="session id or label")
    p_onew.add_argument("--coder", default=None, help="coder's name (default: --as / you)")
    p_onew.add_argument("--name", default=None)
    p_onew.add_argument("--blind", action="store_true")
    p_onew.set_defaults(handler=_observation_new)
    p_olist = so.add_parser(
        "list", help="list the observations you may see: ids, names, coder, blind, final"
    )
    p_olist.add_argument("file")
    p_olist.add_argument("--session", default=None, help="session id or label")
    p_olist.add_argument("--json", action="store_true")
    p_olist.set_defaults(handler=_observation_list)
    p_final = so.add_parser(
        "final", help="mark an observation final (others' blind work shows once all are)"
    )
    p_final.add_argument("file")
    p_final.add_argument("--observation", required=True, help="observation id or name")
    p_final.add_argument("--reopen", action="store_true", help="mark it not final again")
    p_final.set_defaults(handler=_observation_final)

    cli_events.register(sub)


# --- schemes -----------------------------------------------------------------------------


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
    scheme, _text = load_scheme_ref(args.scheme)
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


def _project_new(args: argparse.Namespace) -> int:
    create_project(args.file, args.scheme, user=user_of(args)).close()
    print(args.file)
    return 0


def _session_add(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        session = add_session_from_video(project, args.video, label=args.label)
    print(session.id)
    return 0


def _session_list(args: argparse.Namespace) -> int:
    with open_project(args, read_only=True) as project:
        rows = []
        for s in project.sessions():
            media = project.media(s.media_id) if s.media_id else None
            rows.append(
                {
                    "id": s.id,
                    "label": s.label,
                    "video": Path(media.path).name if media else None,
                    "duration_ms": media.duration_ms if media else None,
                    "observations": len(project.observations(s.id)),
                    "hidden_observations": project.hidden_count(s.id),
                    "consent": dataclasses.asdict(s.consent),
                }
            )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        hidden = f" (+{r['hidden_observations']} hidden)" if r["hidden_observations"] else ""
        print(
            f"{r['id']}\t{r['label']}\t{r['video'] or '(no video)'}\t"
            f"{r['observations']} observation(s){hidden}"
        )
    return 0


def _observation_new(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        session = find_session(project, args.session)
        obs = new_observation(
            project, session, args.coder or user_of(args), name=args.name, blind=args.blind
        )
    print(obs.id)
    return 0


def _observation_list(args: argparse.Namespace) -> int:
    with open_project(args, read_only=True) as project:
        session_id = find_session(project, args.session).id if args.session else None
        labels = {s.id: s.label for s in project.sessions()}
        rows = [
            {
                "id": o.id,
                "name": o.name,
                "session_id": o.session_id,
                "session": labels.get(o.session_id, ""),
                "coder": o.coder,
                "blind": o.blind,
                "final": o.final,
                "events": len(project.events(o.id)),
            }
            for o in project.observations(session_id)
        ]
        hidden = project.hidden_count(session_id)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            flags = ",".join(f for f in ("blind", "final") if r[f]) or "-"
            print(f"{r['id']}\t{r['name']}\t{r['coder']}\t{flags}\t{r['events']} event(s)")
    if hidden:
        print(
            f"{hidden} observation(s) of other coders hidden: you code blind until every "
            "observation of the session is final",
            file=sys.stderr,
        )
    return 0


def _observation_final(args: argparse.Namespace) -> int:
    from coder.commands import CommandStack, SetObservationFinal

    with open_project(args) as project:
        obs = project.find_observation(args.observation)
        CommandStack(project).push(SetObservationFinal(obs.id, not args.reopen))
    print(f"{obs.id}\t{'reopened' if args.reopen else 'final'}")
    return 0


# --- demo ----------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    from coder.demo import build_demo

    out = Path(args.out) if args.out else None
    project_path = build_demo(out, seconds=args.seconds, progress=_demo_progress)
    print(project_path)
    if args.no_gui:
        return 0
    from ui.app import run_gui

    return run_gui(str(project_path))


def _demo_progress(fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\rgenerating demo... {fraction:4.0%}", end="", file=sys.stderr, flush=True)
        if fraction >= 1.0:
            print(file=sys.stderr)
