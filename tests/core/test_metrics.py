"""Scheme metrics: count, rate, % time (running states to the end), mean duration, ratio,
latency within a window, targets met or not, and segments."""

from __future__ import annotations

import math

from coder.analysis.metrics import compute_metrics
from coder.model import Code, CodeKind, Event, Metric, MetricKind, Scheme, Segment, Subject

S, P = CodeKind.STATE, CodeKind.POINT
SCHEME = Scheme(
    id="m",
    name="m",
    version="1",
    subjects=(Subject("parent", "Parent"),),
    codes=(
        Code("praise", "Praise", P),
        Code("cmd", "Command", P),
        Code("lead", "Lead", S),
        Code("rupture", "Rupture", P),
        Code("repair", "Repair", P),
    ),
    metrics=(
        Metric("n", "Praises", MetricKind.COUNT, ("praise",), target_min=3),
        Metric("rate", "Praise rate", MetricKind.RATE_PER_MIN, ("praise",)),
        Metric("pct", "Leading", MetricKind.PERCENT_TIME, ("lead",)),
        Metric("mean", "Lead length", MetricKind.MEAN_DURATION, ("lead",)),
        Metric("ratio", "Praise per command", MetricKind.RATIO, ("praise", "cmd")),
        Metric("lat", "Repair", MetricKind.LATENCY, ("rupture", "repair"), within_s=5),
        Metric("few", "Commands", MetricKind.COUNT, ("cmd",), target_max=1),
    ),
)


def ev(code: str, on: int, off: int | None = None) -> Event:
    return Event(f"{code}{on}", "o", code, "parent", on, off)


EVENTS = [
    ev("praise", 1000),
    ev("praise", 20_000),
    ev("praise", 50_000),
    ev("praise", 70_000),
    ev("cmd", 5000),
    ev("cmd", 6000),
    ev("lead", 0, 30_000),
    ev("lead", 90_000, None),
    ev("rupture", 10_000),
    ev("repair", 12_000),
    ev("rupture", 40_000),
    ev("repair", 60_000),
]


def test_every_metric_kind_with_targets() -> None:
    r = {m.metric_id: m for m in compute_metrics(SCHEME, EVENTS, 120_000)}
    assert r["n"].value == 4 and r["n"].met is True
    assert r["rate"].value == 2.0  # 4 in 2 minutes
    assert r["pct"].value == 50.0  # 30 s + the running state's last 30 s of 120 s
    assert r["mean"].value == 30.0
    assert r["ratio"].value == 2.0 and r["ratio"].detail == {"a": 4.0, "b": 2.0}
    assert (
        r["lat"].value == 2.0
        and r["lat"].detail["answered"] == 1
        and r["lat"].detail["percent_answered"] == 50
    )
    assert r["few"].value == 2 and r["few"].met is False


def test_segment_window_and_undefined_values() -> None:
    seg = Segment("g", "s", "First minute", 0, 60_000)
    r = {m.metric_id: m for m in compute_metrics(SCHEME, EVENTS, 120_000, seg)}
    assert r["n"].value == 3 and r["pct"].value == 50.0
    empty = {m.metric_id: m for m in compute_metrics(SCHEME, [], 120_000)}
    assert math.isnan(empty["ratio"].value) and empty["ratio"].reason
    assert math.isnan(empty["lat"].value) and empty["lat"].met is None
