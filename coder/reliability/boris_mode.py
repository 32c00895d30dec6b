"""BORIS-compatible time-unit kappa, so a lab moving from BORIS can reproduce its numbers.

BORIS ("Inter-rater reliability: Cohen's kappa") samples both observations every ``slice``
seconds from the first event start to the last event end (inclusive). At each time t, the
category of an observation is the sorted combination of "subject:code" for every state
active at t (start <= t <= stop, both ends included) and every point event within ± slice/2
of t; then one Cohen's kappa over those categories, rounded to 3 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coder.model import CodeKind, Event
from coder.reliability.tables import cohen_kappa, confusion_table


@dataclass(frozen=True)
class BorisKappa:
    kappa: float
    n_slices: int
    categories: list[str]


def _labels(
    events: Sequence[Event],
    kinds: Mapping[str, CodeKind],
    times: np.ndarray,
    half: float,
    end_ms: int,
) -> list[str]:
    parts: list[list[str]] = [[] for _ in range(len(times))]
    for e in events:
        label = f"{e.subject_id}:{e.code_id}"
        if kinds.get(e.code_id) is CodeKind.STATE:
            stop = end_ms if e.offset_ms is None else e.offset_ms
            lo = np.searchsorted(times, e.onset_ms, side="left")
            hi = np.searchsorted(times, stop, side="right")
        else:
            lo = np.searchsorted(times, e.onset_ms - half, side="left")
            hi = np.searchsorted(times, e.onset_ms + half, side="right")
        for i in range(lo, hi):
            parts[i].append(label)
    return ["+".join(sorted(set(p))) for p in parts]


def boris_time_unit_kappa(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    kinds: Mapping[str, CodeKind],
    slice_ms: int = 1000,
    codes: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
) -> BorisKappa:
    """Cohen's kappa over time slices the way BORIS's irr.py builds them (see module doc)."""

    def keep(e: Event) -> bool:
        return (codes is None or e.code_id in codes) and (
            subjects is None or e.subject_id in subjects
        )

    a = [e for e in events_a if keep(e)]
    b = [e for e in events_b if keep(e)]
    both = a + b
    if not both:
        return BorisKappa(float("nan"), 0, [])
    first = min(e.onset_ms for e in both)
    last = max(e.offset_ms if e.offset_ms is not None else e.onset_ms for e in both)
    times = np.arange(first, last + slice_ms / 2, slice_ms, dtype=np.float64)
    times = times[times <= last]
    half = slice_ms / 2
    la, lb = _labels(a, kinds, times, half, last), _labels(b, kinds, times, half, last)
    table, cats = confusion_table(la, lb)
    kappa = cohen_kappa(table).value
    return BorisKappa(
        round(kappa, 3) if kappa == kappa else kappa, len(times), [str(c) for c in cats]
    )
