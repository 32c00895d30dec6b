"""Headless CLI for parent feedback: highlights (and suggestions), the reel and the handout.

The same consent refusals as the GUI apply: they come from coder.consent.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from coder.errors import ProjectError
from ui.cli_common import open_project


def register(sub: Any) -> None:
    p_hl = sub.add_parser("highlights", help="list a session's highlights or suggest some")
    p_hl.add_argument("file")
    p_hl.add_argument("--session", required=True, help="session id or label")
    p_hl.add_argument("--suggest", action="store_true", help="rank strength moments instead")
    p_hl.add_argument("--observation", default=None, help="observation to suggest from")
    p_hl.add_argument("--json", action="store_true")
    p_hl.set_defaults(handler=_highlights)

    p_reel = sub.add_parser("reel", help="render the parent highlight reel (MP4)")
    p_reel.add_argument("file")
    p_reel.add_argument("--session", required=True)
    p_reel.add_argument("--out", required=True)
    p_reel.add_argument("--watermark", action="store_true", help='add "For [family] only"')
    p_reel.add_argument("--no-audio", action="store_true")
    p_reel.add_argument("--no-slow", action="store_true", help="play slow sections at 1x")
    p_reel.set_defaults(handler=_reel)

    p_handout = sub.add_parser("handout", help="write the parent handout (.html or .pdf)")
    p_handout.add_argument("file")
    p_handout.add_argument("--session", required=True)
    p_handout.add_argument("--out", required=True, help="PATH.html or PATH.pdf")
    p_handout.add_argument("--watermark", action="store_true")
    p_handout.set_defaults(handler=_handout)


def _highlights(args: argparse.Namespace) -> int:
    from coder.analysis.highlights import suggest_highlights
    from coder.app.usecases import find_session

    with open_project(args, read_only=True) as project:
        session = find_session(project, args.session)
        if not args.suggest:
            rows: list[dict[str, Any]] = [
                {
                    "id": h.id,
                    "in_ms": h.in_ms,
                    "out_ms": h.out_ms,
                    "title": h.title,
                    "theme": h.theme,
                    "order": h.order,
                    "shareable": h.shareable,
                    "speed": h.speed,
                    "freeze_points": [asdict(p) for p in h.freeze_points],
                }
                for h in sorted(project.highlights(session.id), key=lambda h: (h.order, h.in_ms))
            ]
        else:
            observations = project.observations(session.id)
            if args.observation:
                observations = [project.find_observation(args.observation)]
            if not observations:
                raise ProjectError(
                    f"session '{session.label}' has no coded observation to suggest from"
                )
            obs = observations[0]
            scheme = project.scheme_for_observation(obs.id)
            duration = project.media(session.media_id).duration_ms if session.media_id else 0
            rows = [asdict(s) for s in suggest_highlights(scheme, project.events(obs.id), duration)]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            label = row.get("reason") or row.get("title") or ""
            print(f"{row['in_ms']}-{row['out_ms']}\t{label}")
    return 0


def _progress(fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)


def _reel(args: argparse.Namespace) -> int:
    from coder.app.usecases import find_session
    from exports.reel import ReelOptions, make_reel

    with open_project(args, read_only=True) as project:
        session = find_session(project, args.session)
        watermark = f"For {session.family or 'your family'} only" if args.watermark else ""
        options = ReelOptions(
            watermark=watermark, remove_audio=args.no_audio, slow=not args.no_slow
        )
        result = make_reel(project, session.id, args.out, options, progress=_progress)
    print(f"{result.path}\t{result.duration_ms / 1000:.1f} s\t{result.frame_count} frames")
    return 0


def _handout(args: argparse.Namespace) -> int:
    from coder.app.usecases import find_session
    from coder.files import check_target
    from exports.handout import write_handout_html, write_handout_pdf
    from exports.handout_content import build_handout_content

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise ProjectError(f"{out}: the handout is written as .html or .pdf; change the file name")
    check_target(out)  # before the stills are decoded
    with open_project(args, read_only=True) as project:
        session = find_session(project, args.session)
        content = build_handout_content(project, session.id, watermark=args.watermark)
    if out.suffix.lower() == ".pdf":
        write_handout_pdf(content, out)
    else:
        write_handout_html(content, out)
    print(out)
    return 0
