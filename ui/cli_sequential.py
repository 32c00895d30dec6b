"""Headless CLI for sequential analysis (`attune sequential`) and video synchrony
(`attune synchrony`). Qt-free. Output names observations by the key the user typed."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from coder.errors import AttuneError, ProjectLockedError
from ui.cli_common import open_project


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sequential",
        help="lag or time-window sequential analysis (given -> target)",
        description="Does the target follow the given more often than chance? Event lags "
        "(--lag) count what comes next in the sequence of events; a time window (--window) "
        "asks whether the target starts within that many seconds.",
    )
    p.add_argument("file")
    p.add_argument(
        "--observation",
        action="append",
        required=True,
        metavar="OBS",
        help="observation id or name; repeat to pool several sessions",
    )
    p.add_argument("--given", required=True, metavar="CODE[@SUBJECT]")
    p.add_argument("--target", required=True, metavar="CODE[@SUBJECT]")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--lag", type=int, metavar="N", help="event lag (1 = the next event)")
    how.add_argument("--window", type=float, metavar="SECONDS", help="time window after the given")
    p.add_argument(
        "--max-lag", action="store_true", help="with --lag N: report every lag from 1 to N"
    )
    p.add_argument(
        "--codes",
        nargs="+",
        metavar="CODE[@SUBJECT]",
        help="with --lag: the behaviours that make up the sequence (others are left out) "
        "and of the K x K table printed",
    )
    p.add_argument(
        "--from",
        dest="window_from",
        choices=["onset", "duration"],
        default="onset",
        help="with --window: open it at the given's onset, or cover its whole duration first",
    )
    p.add_argument("--unit", type=float, default=0.1, help="time unit in seconds (default 0.1)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--csv", default=None, metavar="PATH", help="also write a CSV table")
    p.set_defaults(handler=_sequential)

    s = sub.add_parser(
        "synchrony",
        help="motion synchrony of two people in a session's video (candidates only)",
        description="Motion energy per region (one box per person), then windowed "
        "cross-lagged correlation against a shuffled-window baseline. The moments found are "
        "candidates for a person to review, never codes.",
    )
    s.add_argument("file")
    s.add_argument("--session", required=True, help="session id or label")
    s.add_argument(
        "--region",
        action="append",
        default=None,
        metavar="NAME=X,Y,W,H",
        help="a box per person in fractions of the picture (default: the last used, else the "
        "left and right halves named after the scheme's subjects)",
    )
    s.add_argument("--window", type=float, default=30.0, help="window in seconds (30)")
    s.add_argument("--step", type=float, default=10.0, help="step between windows (10)")
    s.add_argument("--max-lag", type=float, default=5.0, help="largest lag in seconds (5)")
    s.add_argument("--smooth", type=float, default=0.5, help="moving average in seconds (0.5)")
    s.add_argument("--surrogates", type=int, default=20, help="shuffled rounds (20)")
    s.add_argument("--threshold", type=int, default=10, help="grey-level change (10)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--csv", default=None, metavar="PATH", help="also write the windows as CSV")
    s.set_defaults(handler=_synchrony)


def _fmt(value: float, digits: int = 2) -> str:
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "inf"
    return f"{value:.{digits}f}"


def _sequential(args: argparse.Namespace) -> int:
    from coder.analysis.behaviour import Behaviour, parse_all
    from coder.analysis.loading import load_observations

    given, target = Behaviour.parse(args.given), Behaviour.parse(args.target)
    stream = parse_all(args.codes) if args.codes else None
    if args.lag is not None and args.lag < 1:
        raise AttuneError(f"--lag must be 1 or more (got {args.lag})")
    if args.unit <= 0:
        raise AttuneError(f"--unit must be longer than 0 s (got {args.unit:g})")
    with open_project(args, read_only=True) as project:
        wanted = [given, target, *(stream or [])]
        sessions = load_observations(project, args.observation, wanted)
    # Report observations by the key the user typed (never a stored label).
    sessions = [
        type(s)(key, s.events, s.duration_ms, s.state_codes)
        for key, s in zip(args.observation, sessions, strict=True)
    ]
    if args.lag is not None:
        return _lag(args, sessions, given, target, stream)
    return _window(args, sessions, given, target)


def _lag(args: argparse.Namespace, sessions: Any, given: Any, target: Any, stream: Any) -> int:
    from coder.analysis.sequential import lag_analysis, lag_table

    lags = range(1, args.lag + 1) if args.max_lag else [args.lag]
    analyses = [lag_analysis(sessions, given, target, k, stream) for k in lags]
    table = lag_table(sessions, stream, args.lag) if stream else None
    if args.csv:
        from exports.sequential_report import write_lag_csv

        write_lag_csv(analyses, Path(args.csv))
    if args.json:
        out: dict[str, Any] = {"lags": [a.as_dict() for a in analyses]}
        if table is not None:
            out["table"] = table.as_dict()
        print(json.dumps(out, indent=2, allow_nan=True))
        return 0
    print(f"{given.label} -> {target.label}, event lag (sequence of events in onset order)")
    header = f"{'lag':>3} {'session':<24} {'a':>5} {'b':>5} {'c':>5} {'d':>5}"
    print(f"{header} {'p(T|G)':>7} {'p(T)':>6} {'z':>6} {'Q':>6}  odds ratio [95% CI]")
    for a in analyses:
        rows = [*a.sessions, ("pooled (sum)", a.pooled)]
        for label, t in rows:
            low, high, corrected = t.odds_ratio_ci()
            mark = "*" if corrected else ""
            print(
                f"{a.lag:>3} {label[:24]:<24} {t.a:>5g} {t.b:>5g} {t.c:>5g} {t.d:>5g} "
                f"{_fmt(t.p_target_given):>7} {_fmt(t.p_target):>6} "
                f"{_fmt(t.adjusted_residual):>6} {_fmt(t.yules_q):>6}  "
                f"{_fmt(t.odds_ratio)} [{_fmt(low)}, {_fmt(high)}]{mark}"
            )
        print(
            f"{a.lag:>3} mean Q over {a.sessions_with_q} session(s): {_fmt(a.mean_q)}"
            f" (SD {_fmt(a.sd_q)})"
        )
    print("a = given then target, b = given then other, c = other then target, d = neither;")
    print("z = adjusted residual of a; * = interval with 0.5 added to every cell (a zero cell)")
    if table is not None:
        _print_table(table)
    return 0


def _print_table(table: Any) -> None:
    width = max(8, *(len(label) for label in table.labels)) + 1
    print(f"\nlag {table.lag} table: counts, and adjusted residuals (z) in brackets")
    print(" " * width + "".join(f"{label[:14]:>16}" for label in table.labels))
    for i, label in enumerate(table.labels):
        cells = "".join(
            f"{table.counts[i, j]:>7g} [{_fmt(table.residuals[i, j]):>6}]"
            for j in range(len(table.labels))
        )
        print(f"{label:<{width}}{cells}")


def _window(args: argparse.Namespace, sessions: Any, given: Any, target: Any) -> int:
    from coder.analysis.sequential import WindowFrom, latency_summary, window_analysis

    result = window_analysis(
        sessions,
        given,
        target,
        round(args.window * 1000),
        WindowFrom(args.window_from),
        round(args.unit * 1000),
    )
    if args.csv:
        from exports.sequential_report import write_window_csv

        write_window_csv(result, Path(args.csv))
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, allow_nan=True))
        return 0
    mode = "from its onset" if args.window_from == "onset" else "after its whole duration"
    print(f"{given.label} -> {target.label} within {args.window:g} s {mode}")
    for s in result.sessions:
        t = s.table
        print(
            f"  {s.label[:30]:<30} answered {s.answered}/{s.givens}  "
            f"p(T|window) {_fmt(t.p_target_given, 3)}  p(T) {_fmt(t.p_target, 3)}  "
            f"Q {_fmt(t.yules_q)}"
        )
    p = result.pooled
    print(
        f"  {'pooled (sum)':<30} answered {result.answered}/{result.givens}  "
        f"p(T|window) {_fmt(p.p_target_given, 3)}  p(T) {_fmt(p.p_target, 3)}  "
        f"Q {_fmt(p.yules_q)}  z {_fmt(p.adjusted_residual)}"
    )
    print(f"  mean Q over {result.sessions_with_q} session(s): {_fmt(result.mean_q)}")
    lat = latency_summary(result.latencies_ms)
    if lat["n"]:
        print(
            f"  latency (s): median {lat['median_s']:.2f}, quartiles {lat['q1_s']:.2f}-"
            f"{lat['q3_s']:.2f}, range {lat['min_s']:.2f}-{lat['max_s']:.2f} (n = {lat['n']:g})"
        )
    print(f"  time units of {args.unit:g} s; p(T) = share of units in which a target starts")
    return 0


def _synchrony(args: argparse.Namespace) -> int:
    from coder.analysis.motion import MotionSettings, Region
    from coder.analysis.motion_cache import check_regions, session_motion
    from coder.analysis.synchrony import SynchronySettings, windowed_cross_lagged
    from coder.app.usecases import find_session

    regions = [Region.parse(r) for r in args.region] if args.region else None
    if regions is not None:
        check_regions(regions)
    settings = SynchronySettings(
        window_s=args.window,
        step_s=args.step,
        max_lag_s=args.max_lag,
        smooth_s=args.smooth,
        surrogate_rounds=args.surrogates,
    )
    settings.check()
    motion = MotionSettings(threshold=args.threshold)
    interactive = sys.stderr.isatty()

    def progress(f: float) -> None:
        if interactive:
            print(f"\rmotion energy {f:4.0%}", end="", file=sys.stderr, flush=True)

    try:
        project = open_project(args)
    except ProjectLockedError:  # open in the app: analyse read-only, without caching
        project = open_project(args, read_only=True)
    with project:
        session = find_session(project, args.session)
        series, computed = session_motion(project, session.id, regions, motion, progress=progress)
        saved = computed and not project.read_only
    if interactive:
        print(file=sys.stderr)
    check_regions(series.regions)
    a, b = series.regions[0].name, series.regions[1].name
    result = windowed_cross_lagged(series, a, b, settings)
    if args.csv:
        from exports.sequential_report import write_synchrony_csv

        write_synchrony_csv(result, Path(args.csv))
    if args.json:
        out = result.as_dict()
        out["regions"] = [vars(r) for r in series.regions]
        out["motion_cached"] = not computed or saved
        print(json.dumps(out, indent=2))
        return 0
    boxes = ", ".join(f"{r.name}=({r.x:g},{r.y:g},{r.w:g},{r.h:g})" for r in series.regions)
    print(f"regions: {boxes}; motion energy {'computed' if computed else 'from the project'}")
    print(f"positive lag = {b} follows {a}")
    for w in result.windows:
        mark = " *" if not math.isnan(w.peak_r) and w.peak_r > result.threshold else ""
        print(
            f"  {w.start_ms / 1000:7.1f}-{w.end_ms / 1000:7.1f} s  peak r {_fmt(w.peak_r)} "
            f"at {w.peak_lag_ms / 1000:+.2f} s  (r at 0: {_fmt(w.r_at_zero)}){mark}"
        )
    print(
        f"mean peak r {_fmt(result.mean_peak)} vs shuffled windows "
        f"{_fmt(result.mean_surrogate_peak)} (p = {_fmt(result.p_overall, 3)}); "
        f"baseline ({settings.percentile:g}th percentile) r = {_fmt(result.threshold)}"
    )
    for c in result.candidates:
        print(f"  {c.start_ms / 1000:7.1f}-{c.end_ms / 1000:7.1f} s  {c.label}")
    if not result.candidates:
        print("no candidate moments above the baseline")
    return 0
