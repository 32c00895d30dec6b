"""Headless CLI for exports, imports and clips."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from coder.errors import AttuneError
from exports.registry import EXPORT_FORMATS, IMPORT_KINDS, ImportOptions, import_kind
from ui.cli_common import open_project

FORMATS = list(EXPORT_FORMATS)  # one registry for the CLI, File > Export and dispatch


def register(sub: Any) -> None:
    p = sub.add_parser(
        "export", help="export tables, JSON, ELAN, BORIS, SDIS, subtitles, summaries, timelines"
    )
    p.add_argument("file")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument(
        "--session", action="append", default=None, help="session id or label (repeatable)"
    )
    p.add_argument("--observation", action="append", default=None, help="observation id or name")
    p.add_argument(
        "--include-notes", action="store_true", help="include internal notes (clinical text)"
    )
    p.add_argument(
        "--research", action="store_true", help="refuse sessions without research consent"
    )
    p.add_argument("--out", required=True)
    p.set_defaults(handler=_export)

    i = sub.add_parser(
        "import",
        help="import BORIS (.boris or its event exports), ELAN, CSV/TSV/XLSX or Attune JSON",
    )
    i.add_argument("file", help="target project (created if absent)")
    i.add_argument(
        "--from",
        dest="kind",
        choices=list(IMPORT_KINDS),
        required=True,
        help="csv also reads .tsv and .xlsx; boris-table reads BORIS's event exports",
    )
    i.add_argument("source")
    i.add_argument("--observation", action="append", default=None, help="BORIS observation name(s)")
    i.add_argument("--scheme", default="attachment-core", help="scheme of a CSV import")
    i.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="CSV column mapping, e.g. code=Behaviour onset=Start",
    )
    i.add_argument(
        "--tier", action="append", default=[], metavar="TIER=SUBJECT", help="ELAN tier -> subject"
    )
    i.add_argument(
        "--code-tier",
        action="append",
        default=[],
        metavar="TIER",
        help="ELAN tier without a vocabulary whose values are codes (each distinct value one code)",
    )
    i.add_argument("--coder", default=None, help="ELAN: coder of tiers without an annotator")
    i.set_defaults(handler=_import)

    c = sub.add_parser("clips", help="cut frame-exact clips with audio")
    c.add_argument("file")
    group = c.add_mutually_exclusive_group(required=True)
    group.add_argument("--range", nargs=2, type=int, metavar=("IN_MS", "OUT_MS"))
    group.add_argument("--events", nargs="+", metavar="ID")
    group.add_argument("--highlights", action="store_true")
    c.add_argument("--session", default=None)
    c.add_argument("--lead", type=int, default=0, help="lead-in and lead-out in ms")
    c.add_argument("--mode", choices=["auto", "smart", "reencode"], default="auto")
    c.add_argument(
        "--camera", default=None, help="cut from this camera (name or position; default: main)"
    )
    c.add_argument("--out", required=True, help="folder for the clips and their CSV index")
    c.set_defaults(handler=_clips)


def _progress(fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep:
            raise AttuneError(f"--{what} '{value}': write it as NAME=VALUE")
        out[key.strip()] = target.strip()
    return out


def _export(args: argparse.Namespace) -> int:
    from exports.dispatch import write_export

    out = Path(args.out)
    with open_project(args, read_only=True) as project:
        notes = write_export(
            project,
            args.format,
            out,
            session_ids=args.session,
            observation_ids=args.observation,
            include_notes=args.include_notes,
            research=args.research,
            progress=_progress,
        )
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(out)
    return 0


def _import(args: argparse.Namespace) -> int:
    options = ImportOptions(
        observations=args.observation,
        scheme=args.scheme,
        columns=_pairs(args.column, "column") or None,
        tiers=_pairs(args.tier, "tier") or None,
        code_tiers=tuple(args.code_tier or ()),
        coder=args.coder,
    )
    report = import_kind(args.kind).run(args.file, args.source, options)
    for line in report.text_lines():  # per tier / behaviour / code: imported and not
        print(line)
    print(f"{report.summary()} into {args.file}")
    return 0


def _clips(args: argparse.Namespace) -> int:
    from coder.app.usecases import find_session
    from coder.media.clip import ClipRequest, cut_clips

    with open_project(args, read_only=True) as project:
        requests: list[ClipRequest] = []
        if args.range:
            session = find_session(project, args.session) if args.session else project.sessions()[0]
            requests.append(
                ClipRequest(session.id, args.range[0], args.range[1], f"{session.label}-range")
            )
        elif args.events:
            for event_id in args.events:
                e = project.event(event_id)
                obs = project.observation(e.observation_id)
                session = project.session(obs.session_id)
                end = e.offset_ms if e.offset_ms is not None else e.onset_ms + 3000
                requests.append(
                    ClipRequest(
                        session.id, e.onset_ms, end, f"{session.label}-{e.code_id}-{e.onset_ms}"
                    )
                )
        else:
            sessions = [find_session(project, args.session)] if args.session else project.sessions()
            for session in sessions:
                for h in project.highlights(session.id):
                    requests.append(
                        ClipRequest(
                            session.id, h.in_ms, h.out_ms, f"{session.label}-{h.title or h.id}"
                        )
                    )
        from coder.app.cameras import clip_sources

        requests, sources = clip_sources(project, requests, args.camera)
    results = cut_clips(
        requests, sources, Path(args.out), lead_ms=args.lead, mode=args.mode, progress=_progress
    )
    for r in results:
        print(f"{r.path}\t{r.frame_count} frames\t{r.mode_used}")
    return 0
