"""The scheme's metrics for one observation (optionally within one segment).

count, rate_per_min, percent_time, mean_duration (s), ratio(a, b), latency(given, responses...,
within_s) and percent_answered(given, responses..., within_s). A code may be named for one
subject as ``code@subject`` (else the metric's ``subject``, else every subject applies).

latency is the mean seconds from each given event to the first response onset within
``within_s`` (inclusive); percent_answered is the share of given events that got one. Both use
the time-window analysis of coder.analysis.sequential, so the detail also carries the
conditional and base probability of a response and Yule's Q (0.1 s time units): a parent who
answers 80 % of bids is responsive only if responses are not simply that frequent anyway.
A still-running state ends at the window's end. Undefined values (e.g. a ratio over zero) are
NaN with a reason, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from statistics import median

from coder.analysis.behaviour import AnyOf, Behaviour
from coder.model import Event, Metric, MetricKind, Scheme, Segment

RESPONSE_UNIT_MS = 100  # time unit of the response metrics' base-rate table


@dataclass(frozen=True)
class MetricResult:
    metric_id: str
    name: str
    kind: MetricKind
    value: float
    target_min: float | None = None
    target_max: float | None = None
    met: bool | None = None
    reason: str = ""
    detail: dict[str, float] = field(default_factory=dict)


def _window(duration_ms: int, segment: Segment | None) -> tuple[int, int]:
    if segment is None:
        return 0, duration_ms
    return segment.onset_ms, min(segment.offset_ms, duration_ms)


def behaviours(metric: Metric) -> list[Behaviour]:
    """The metric's codes as behaviours (``code@subject``, else the metric's subject)."""
    out = []
    for entry in metric.codes:
        b = Behaviour.parse(entry)
        out.append(b if b.subject is not None else Behaviour(b.code, metric.subject))
    return out


def code_ids(metric: Metric) -> tuple[str, ...]:
    """The plain code ids a metric counts (``child_bid@child`` -> ``child_bid``)."""
    return tuple(entry.partition("@")[0] for entry in metric.codes)


def _select(events: Sequence[Event], wanted: Sequence[Behaviour]) -> list[Event]:
    return [e for e in events if any(b.matches(e) for b in wanted)]


def _span(e: Event, start: int, end: int, is_state: bool) -> tuple[int, int] | None:
    """The part of ``e`` inside [start, end) (points as zero-length spans)."""
    if not is_state:
        return (e.onset_ms, e.onset_ms) if start <= e.onset_ms < end else None
    off = e.offset_ms if e.offset_ms is not None else end
    a, b = max(start, e.onset_ms), min(end, off)
    return (a, b) if b > a else None


def _union_ms(spans: list[tuple[int, int]]) -> int:
    total, cur_a, cur_b = 0, None, None
    for a, b in sorted(spans):
        if cur_b is None or a > cur_b:
            if cur_b is not None and cur_a is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_a is not None and cur_b is not None:
        total += cur_b - cur_a
    return total


def compute_metric(
    scheme: Scheme,
    metric: Metric,
    events: Sequence[Event],
    duration_ms: int,
    segment: Segment | None = None,
) -> MetricResult:
    start, end = _window(duration_ms, segment)
    minutes = (end - start) / 60_000
    is_state = {c.id: c.is_state for c in scheme.codes}
    wanted = behaviours(metric)
    chosen = _select(events, wanted)
    inside = [(e, s) for e in chosen if (s := _span(e, start, end, is_state.get(e.code_id, False)))]
    value, reason = math.nan, ""
    detail: dict[str, float] = {}
    kind = metric.kind
    if kind is MetricKind.COUNT:
        value = float(len(inside))
    elif kind is MetricKind.RATE_PER_MIN:
        value, reason = (len(inside) / minutes, "") if minutes > 0 else (math.nan, "empty window")
    elif kind is MetricKind.PERCENT_TIME:
        spans = [s for e, s in inside if is_state.get(e.code_id)]
        if end > start:
            value = 100.0 * _union_ms(spans) / (end - start)
        else:
            reason = "empty window"
    elif kind is MetricKind.MEAN_DURATION:
        spans = [s for e, s in inside if is_state.get(e.code_id)]
        if spans:
            value = sum(b - a for a, b in spans) / len(spans) / 1000
        else:
            reason = "no state events"
    elif kind is MetricKind.RATIO:
        a = sum(1 for e, _ in inside if wanted[0].matches(e))
        b = sum(1 for e, _ in inside if wanted[1].matches(e))
        value, reason = (a / b, "") if b else (math.nan, f"no {wanted[1].code} events")
        detail = {"a": float(a), "b": float(b)}
    elif kind in (MetricKind.LATENCY, MetricKind.PERCENT_ANSWERED):
        value, reason, detail = _response(metric, wanted, [e for e, _ in inside], start, end)
    met = None
    if not math.isnan(value):
        if metric.target_min is not None:
            met = value >= metric.target_min
        elif metric.target_max is not None:
            met = value <= metric.target_max
    return MetricResult(
        metric.id,
        metric.name,
        kind,
        value,
        metric.target_min,
        metric.target_max,
        met,
        reason,
        detail,
    )


def _response(
    metric: Metric, wanted: list[Behaviour], events: list[Event], start: int, end: int
) -> tuple[float, str, dict[str, float]]:
    """Latency or percent answered, from the time-window analysis of the metric's window."""
    from coder.analysis.sequential import SessionEvents, window_session

    given, responses = wanted[0], AnyOf(tuple(wanted[1:]))
    window_ms = round((metric.within_s or 0) * 1000)
    # Only what starts inside the window counts; times become relative to its start.
    shifted = [
        replace(e, onset_ms=e.onset_ms - start, offset_ms=None)
        for e in events
        if start <= e.onset_ms < end
    ]
    found = window_session(
        SessionEvents(metric.id, shifted, max(1, end - start)),
        given,
        responses,
        window_ms,
        unit_ms=RESPONSE_UNIT_MS,
    )
    detail = {"from_events": float(found.givens), "answered": float(found.answered)}
    if not found.givens:
        return math.nan, f"no {given.code} events", detail
    percent = 100.0 * found.answered / found.givens
    detail.update(
        percent_answered=percent,
        p_response_in_window=found.table.p_target_given,
        p_response_base=found.table.p_target,
        yules_q=found.table.yules_q,
    )
    if found.latencies_ms:
        detail["mean_latency_s"] = sum(found.latencies_ms) / len(found.latencies_ms) / 1000
        detail["median_latency_s"] = float(median(found.latencies_ms)) / 1000
    if metric.kind is MetricKind.PERCENT_ANSWERED:
        return percent, "", detail
    if not found.latencies_ms:
        names = "/".join(b.code for b in responses.behaviours)
        return math.nan, f"no {names} within {metric.within_s:g} s", detail
    return detail["mean_latency_s"], "", detail


def compute_metrics(
    scheme: Scheme, events: Sequence[Event], duration_ms: int, segment: Segment | None = None
) -> list[MetricResult]:
    return [compute_metric(scheme, m, events, duration_ms, segment) for m in scheme.metrics]
