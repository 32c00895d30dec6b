"""The scheme's metrics for one observation (optionally within one segment).

count, rate_per_min, percent_time, mean_duration (s), ratio(a, b) and latency(from, to,
within_s) — latency gives the mean seconds from each `from` event to the next `to` onset
within the window, with how many were answered. A still-running state ends at the window's end.
Undefined values (e.g. a ratio over zero) are NaN with a reason, never an exception.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from coder.model import Event, Metric, MetricKind, Scheme, Segment


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


def _select(events: Sequence[Event], codes: Sequence[str], subject: str | None) -> list[Event]:
    wanted = set(codes)
    return [
        e for e in events if e.code_id in wanted and (subject is None or e.subject_id == subject)
    ]


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
    chosen = _select(events, metric.codes, metric.subject)
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
        a = sum(1 for e, _ in inside if e.code_id == metric.codes[0])
        b = sum(1 for e, _ in inside if e.code_id == metric.codes[1])
        value, reason = (a / b, "") if b else (math.nan, f"no {metric.codes[1]} events")
        detail = {"a": float(a), "b": float(b)}
    elif kind is MetricKind.LATENCY:
        value, reason, detail = _latency(metric, [e for e, _ in inside])
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


def _latency(metric: Metric, events: list[Event]) -> tuple[float, str, dict[str, float]]:
    source, target = metric.codes[0], metric.codes[1]
    window = (metric.within_s or 0) * 1000
    targets = sorted(e.onset_ms for e in events if e.code_id == target)
    delays: list[float] = []
    sources = [e for e in events if e.code_id == source]
    for e in sources:
        i = bisect_left(targets, e.onset_ms)
        if i < len(targets) and targets[i] - e.onset_ms <= window:
            delays.append((targets[i] - e.onset_ms) / 1000)
    detail = {"from_events": float(len(sources)), "answered": float(len(delays))}
    if not sources:
        return math.nan, f"no {source} events", detail
    detail["percent_answered"] = 100.0 * len(delays) / len(sources)
    if not delays:
        return math.nan, f"no {target} within {metric.within_s:g} s", detail
    return sum(delays) / len(delays), "", detail


def compute_metrics(
    scheme: Scheme, events: Sequence[Event], duration_ms: int, segment: Segment | None = None
) -> list[MetricResult]:
    return [compute_metric(scheme, m, events, duration_ms, segment) for m in scheme.metrics]
