"""Headless CLI for reliability: compare observations, print JSON, write HTML/CSV reports."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from coder.errors import AttuneError
from coder.reliability.options import (
    DEFAULT_OVERLAP_PERCENT,
    DEFAULT_SLICE_MS,
    METHOD_LABELS,
    METHODS,
    SLICE_HELP,
    TOLERANCE_HELP,
)
from coder.reliability.plan import DEFAULT_PERCENT
from ui.cli_common import open_project


def register(sub: Any) -> None:
    p = sub.add_parser(
        "reliability",
        help="agreement between two observations (or pairs)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Methods:\n" + "\n".join(f"  {m:<9} {METHOD_LABELS[m]}" for m in METHODS),
    )
    p.add_argument("file")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--observations",
        nargs="+",
        metavar="OBS",
        help="two observations (id or name); give more pairs as A1 B1 A2 B2 ...",
    )
    what.add_argument(
        "--dashboard",
        action="store_true",
        help="agreement per code and per pair of coders across the project (time slices)",
    )
    what.add_argument(
        "--plan",
        action="store_true",
        help="draw and record which sessions to double-code (a random share, seeded)",
    )
    what.add_argument(
        "--show-plan", action="store_true", help="show the recorded plan and its progress"
    )
    p.add_argument(
        "--percent",
        type=float,
        default=DEFAULT_PERCENT,
        help=f"--plan: share of sessions to draw, in %% (default {DEFAULT_PERCENT:g}; "
        "usually 20-25)",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="--plan: random seed (default: a new one, recorded)"
    )
    p.add_argument("--method", choices=METHODS, default="timeunit")
    p.add_argument("--slice", type=float, default=DEFAULT_SLICE_MS / 1000, help=SLICE_HELP)
    p.add_argument("--tolerance", type=float, default=None, help=TOLERANCE_HELP)
    p.add_argument(
        "--overlap",
        type=int,
        default=DEFAULT_OVERLAP_PERCENT,
        metavar="PERCENT",
        help="elan: link two annotations when they overlap by at least this %% of the longer "
        f"one (51-100, default {DEFAULT_OVERLAP_PERCENT})",
    )
    p.add_argument("--codes", nargs="+", default=None, help="codes to compare (ids or names)")
    p.add_argument("--subjects", nargs="+", default=None, help="subjects to compare (ids or names)")
    drift = p.add_mutually_exclusive_group()
    drift.add_argument(
        "--by-third", action="store_true", help="also show agreement per third of the session"
    )
    drift.add_argument(
        "--by-segment", action="store_true", help="also show agreement per session segment"
    )
    p.add_argument(
        "--with-modifiers",
        action="store_true",
        help="boris, identity: modifiers are part of the category (BORIS's option)",
    )
    p.add_argument(
        "--boris-before-8.11.3",
        dest="boris_old",
        action="store_true",
        help="identity: end the grid at the last start, as BORIS did before 8.11.3",
    )
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--report", default=None, help="also write PATH.html or PATH.csv")
    p.add_argument("--threshold", type=float, default=0.60, help="kappa threshold for colours")
    p.set_defaults(handler=_reliability)


def _reliability(args: argparse.Namespace) -> int:
    from coder.reliability.compare import compare_many

    if args.plan or args.show_plan:
        return _plan(args)
    if args.dashboard:
        return _dashboard(args)
    obs = args.observations
    if len(obs) < 2 or len(obs) % 2:
        raise AttuneError("--observations takes pairs: A B [A2 B2 ...]")
    pairs = list(zip(obs[::2], obs[1::2], strict=True))
    with open_project(args, read_only=True) as project:
        result = compare_many(
            project,
            pairs,
            method=args.method,
            slice_ms=round(args.slice * 1000),
            tolerance_ms=None if args.tolerance is None else round(args.tolerance * 1000),
            overlap_percent=args.overlap,
            codes=args.codes,
            subjects=args.subjects,
            drift_by="thirds" if args.by_third else "segments" if args.by_segment else None,
            include_modifiers=args.with_modifiers,
            boris_before_8_11_3=args.boris_old,
        )
    if args.report:
        from exports.reliability_report import write_reliability_csv, write_reliability_html

        _write_report(args, result, write_reliability_csv, write_reliability_html)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    elif not args.report:
        _print_summary(result)
    return 0


def _write_report(
    args: argparse.Namespace, data: dict[str, Any], to_csv: Any, to_html: Any
) -> None:
    out = Path(args.report)
    if out.suffix.lower() == ".csv":
        to_csv(data, out)
    elif out.suffix.lower() in (".html", ".htm"):
        to_html(data, out, args.threshold)
    else:
        raise AttuneError(f"{out}: reports are written as .html or .csv; change the name")


def _print_summary(result: dict[str, Any]) -> None:
    from exports.reliability_report import report_rows

    for note in result.get("notes", []):
        print(f"note: {note}")
    for pair in result["pairs"]:
        for note in pair.get("notes", []) + pair.get("quirks", []):
            print(f"note: {note}")
    for row in report_rows(result):
        value = row.get("kappa", row.get("identity_percent", ""))
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        agree = row.get("percent_agreement", row.get("positive_agreement", ""))
        agree = f"{agree:.1%}" if isinstance(agree, float) else str(agree)
        print(
            f"{row['pair']} | {row['scope']} | {row['code']} | {shown} | agreement {agree} | "
            f"{row.get('reading', '')}"
        )


def _plan(args: argparse.Namespace) -> int:
    from coder.reliability.plan import current_plan, make_plan, plan_status

    with open_project(args, read_only=args.show_plan) as project:
        plan = make_plan(project, args.percent, args.seed) if args.plan else current_plan(project)
        if plan is None:
            print("no reliability plan yet; draw one with: attune reliability FILE --plan")
            return 0
        status = plan_status(project, plan)
    if args.json:
        print(
            json.dumps(
                {
                    "id": plan.id,
                    "seed": plan.seed,
                    "percent": plan.percent,
                    "created_at": plan.created_at,
                    "created_by": plan.created_by,
                    "sessions_total": plan.sessions_total,
                    "sessions": status,
                },
                ensure_ascii=False,
            )
        )
        return 0
    print(
        f"plan of {plan.created_at} by {plan.created_by or 'unknown'}: {len(plan.session_ids)} "
        f"of {plan.sessions_total} sessions ({plan.percent:g} %), seed {plan.seed}"
    )
    for s in status:
        mark = "double coded" if s["double_coded"] else "needs a second coder"
        print(f"  {s['label']}: {mark} ({', '.join(s['coders']) or 'not coded yet'})")
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    from coder.reliability.dashboard import dashboard

    with open_project(args, read_only=True) as project:
        board = dashboard(
            project,
            slice_ms=round(args.slice * 1000),
            tolerance_ms=0 if args.tolerance is None else round(args.tolerance * 1000),
        )
    if args.report:
        from exports.reliability_report import write_dashboard_csv, write_dashboard_html

        _write_report(args, board, write_dashboard_csv, write_dashboard_html)
    if args.json:
        print(json.dumps(board, indent=2, ensure_ascii=False))
    elif not args.report:
        print(
            f"{board['pairs']} pair(s) of codings compared by {board['slice_ms'] / 1000:g} s slices"
        )
        for reason in board["skipped"]:
            print(f"note: skipped a pair: {reason}")
        for row in board["codes"]:
            print(f"code {row['code_name']}: {row['reading']} ({row['pairs']} pair(s))")
        for pair in board["coder_pairs"]:
            print(f"{' & '.join(pair['coders'])}: {pair['reading']}")
    return 0
