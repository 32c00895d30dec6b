"""Headless CLI for reliability: compare observations, print JSON, write HTML/CSV reports."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from coder.errors import AttuneError
from ui.cli_common import open_project


def register(sub: Any) -> None:
    p = sub.add_parser("reliability", help="agreement between two observations (or pairs)")
    p.add_argument("file")
    p.add_argument(
        "--observations",
        nargs="+",
        required=True,
        metavar="OBS",
        help="two observations (id or name); give more pairs as A1 B1 A2 B2 ...",
    )
    p.add_argument("--method", choices=["timeunit", "events", "boris"], default="timeunit")
    p.add_argument("--slice", type=float, default=1.0, help="slice width in seconds (default 1)")
    p.add_argument("--tolerance", type=float, default=0.0, help="tolerance in seconds")
    p.add_argument("--codes", nargs="*", default=None)
    p.add_argument("--subjects", nargs="*", default=None)
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--report", default=None, help="also write PATH.html or PATH.csv")
    p.add_argument("--threshold", type=float, default=0.60)
    p.set_defaults(handler=_reliability)


def _reliability(args: argparse.Namespace) -> int:
    from coder.reliability.compare import compare_many

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
            tolerance_ms=round(args.tolerance * 1000),
            codes=args.codes,
            subjects=args.subjects,
        )
    if args.report:
        from exports.reliability_report import write_reliability_csv, write_reliability_html

        out = Path(args.report)
        if out.suffix.lower() == ".csv":
            write_reliability_csv(result, out)
        elif out.suffix.lower() in (".html", ".htm"):
            write_reliability_html(result, out, args.threshold)
        else:
            raise AttuneError(f"{out}: reports are written as .html or .csv; change the name")
    if args.json or not args.report:
        if args.json:
            print(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            _print_summary(result)
    return 0


def _print_summary(result: dict[str, Any]) -> None:
    from exports.reliability_report import report_rows

    for row in report_rows(result):
        kappa = row.get("kappa", "")
        pa = row.get("percent_agreement", row.get("positive_agreement", ""))
        print(f"{row['scope']:<16} {row['code']:<28} kappa={kappa!s:<8} agreement={pa}")
