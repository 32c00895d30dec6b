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


# Responses: bids (child) at 1, 10, 30 and 50 s; attunement (parent) at 2.5 and 36 s; warmth
# by the parent at 12 s and by the child at 31 s. "Bid answered by the parent's attunement or
# warmth within 3 s": 1 -> 2.5 (1.5 s), 10 -> 12 (2 s); 30 has only the child's own warmth
# and a late attunement; 50 nothing. So 2 of 4 = 50 %, mean latency 1.75 s.
# In 0.1 s units over 60 s (600): windows 4 x 30 = 120 units; responses start in units 25 and
# 120 (inside) and 360 (outside): a = 2, b = 118, c = 1, d = 479.
RESPONSES = Scheme(
    id="r",
    name="r",
    version="1",
    subjects=(Subject("parent", "Parent"), Subject("child", "Child")),
    codes=(
        Code("bid", "Bid", P, subjects=("child",)),
        Code("att", "Attunement", P, subjects=("parent",)),
        Code("warm", "Warmth", P),
    ),
    metrics=(
        Metric(
            "answered",
            "Bids answered",
            MetricKind.PERCENT_ANSWERED,
            ("bid@child", "att@parent", "warm@parent"),
            within_s=3,
            target_min=60,
        ),
        Metric(
            "lat", "Time to answer", MetricKind.LATENCY, ("bid", "att", "warm@parent"), within_s=3
        ),
        Metric("lead", "Bid per warmth", MetricKind.RATIO, ("bid", "warm@child")),
    ),
)


def _r(code: str, subject: str, at: int) -> Event:
    return Event(f"{code}{subject}{at}", "o", code, subject, at)


RESPONSE_EVENTS = [
    *(_r("bid", "child", t) for t in (1000, 10_000, 30_000, 50_000)),
    _r("att", "parent", 2500),
    _r("att", "parent", 36_000),
    _r("warm", "parent", 12_000),
    _r("warm", "child", 31_000),
]


def test_percent_answered_with_subjects_and_base_rate() -> None:
    r = {m.metric_id: m for m in compute_metrics(RESPONSES, RESPONSE_EVENTS, 60_000)}
    answered = r["answered"]
    assert answered.value == 50.0 and answered.met is False  # target: at least 60 %
    d = answered.detail
    assert (d["from_events"], d["answered"]) == (4, 2)
    assert d["mean_latency_s"] == 1.75 and d["median_latency_s"] == 1.75
    assert d["p_response_in_window"] == 2 / 120
    assert d["p_response_base"] == 3 / 600
    assert d["yules_q"] == (2 * 479 - 118 * 1) / (2 * 479 + 118 * 1)
    assert r["lat"].value == 1.75 and r["lat"].detail["percent_answered"] == 50.0
    assert r["lead"].value == 4.0  # four bids per warmth of the child


def test_response_within_is_inclusive_and_segments_shift_the_window() -> None:
    events = [_r("bid", "child", 40_000), _r("att", "parent", 43_000)]
    r = {m.metric_id: m for m in compute_metrics(RESPONSES, events, 60_000)}
    assert r["answered"].value == 100.0 and r["lat"].value == 3.0
    seg = Segment("g", "s", "Second half", 30_000, 60_000)
    inside = {m.metric_id: m for m in compute_metrics(RESPONSES, RESPONSE_EVENTS, 60_000, seg)}
    assert inside["answered"].detail["from_events"] == 2  # bids at 30 and 50 s
    assert inside["answered"].value == 0.0
    assert math.isnan(inside["lat"].value) and "within 3 s" in inside["lat"].reason
