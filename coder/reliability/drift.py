"""Drift: agreement per part of the session (thirds, or the session's named segments), so a
supervisor can see a coder whose agreement falls (or rises) as the session goes on.

Each part is compared on its own with the time-slice method (per-code kappa, % agreement,
PABAK), with the same slice and tolerance as the full comparison: events are cut at the
part's edges (a state crossing an edge counts on both sides; a point belongs to the part
its time falls in). Parts are [start, end) in media time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coder.model import CodeKind, Event
from coder.reliability.tables import TableSummary, summarize
from coder.reliability.timeline import TimeUnitResult, time_unit_agreement


@dataclass(frozen=True)
class Part:
    name: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class PartAgreement:
    part: Part
    result: TimeUnitResult
    overall: TableSummary  # every code's 2x2 table summed: one number per part


def thirds(duration_ms: int, slice_ms: int = 1) -> list[Part]:
    """Three parts cut at whole slices, so together they hold the session's slices once."""
    n = -(-duration_ms // slice_ms)
    cuts = [0, round(n / 3) * slice_ms, round(2 * n / 3) * slice_ms, duration_ms]
    names = ("first third", "middle third", "last third")
    return [Part(names[i], cuts[i], cuts[i + 1]) for i in range(3)]


def clip(
    events: Sequence[Event], part: Part, kinds: Mapping[str, CodeKind], end_ms: int
) -> list[Event]:
    """The events inside ``part``, cut to it and shifted so the part starts at 0."""
    out = []
    for e in events:
        if kinds.get(e.code_id) is CodeKind.STATE:
            stop = end_ms if e.offset_ms is None else e.offset_ms
            lo, hi = max(e.onset_ms, part.start_ms), min(stop, part.end_ms)
            if lo < hi:
                out.append(_moved(e, lo - part.start_ms, hi - part.start_ms))
        elif part.start_ms <= e.onset_ms < part.end_ms:
            out.append(_moved(e, e.onset_ms - part.start_ms, None))
    return out


def _moved(e: Event, onset: int, offset: int | None) -> Event:
    return Event(e.id, e.observation_id, e.code_id, e.subject_id, onset, offset, e.modifiers, "")


def drift(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    parts: Sequence[Part],
    codes: Sequence[str],
    kinds: Mapping[str, CodeKind],
    duration_ms: int,
    slice_ms: int,
    tolerance_ms: int = 0,
) -> list[PartAgreement]:
    """Time-slice agreement in each part (module doc)."""
    out = []
    for part in parts:
        length = part.end_ms - part.start_ms
        if length <= 0:
            continue
        result = time_unit_agreement(
            clip(events_a, part, kinds, duration_ms),
            clip(events_b, part, kinds, duration_ms),
            codes=codes,
            kinds=kinds,
            duration_ms=length,
            slice_ms=slice_ms,
            tolerance_ms=tolerance_ms,
        )
        summed = [[0, 0], [0, 0]]
        for c in result.per_code:
            for i in range(2):
                for j in range(2):
                    summed[i][j] += c.table[i][j]
        out.append(PartAgreement(part, result, summarize(summed)))
    return out
