"""Sequential analysis of coded sessions (Bakeman & Quera 2011; Yoder & Tapp 2004).

Event-lag analysis: the events of an observation in onset order form a sequence (ties at the
same onset are ordered by code, subject and id, so the result is deterministic). A lag-k pair
is (event i, event i+k) within one session; pairs never span two sessions. From the pairs we
build the given/target 2x2 table and the K x K table of the chosen behaviours, with
transitional probabilities, adjusted residuals, Yule's Q and the odds ratio. Pooling over
sessions sums the tables and also reports the mean of the per-session Q (sessions differ in
length, and the summed table lets long sessions dominate).

Time-window analysis: the session is cut into time units (default 0.1 s). A unit is "in a
window" when it overlaps [given onset, given onset + W) (``onset`` mode) or
[given onset, given offset + W) (``duration`` mode, for state givens); it is a "target" unit
when a target event starts in it. The 2x2 table of units gives the conditional probability
p(target starts | in a window), the base rate p(target starts) and Yule's Q. Per given event
we also report whether a target started within its window (its end included: a response
at exactly 3.000 s is "within 3 s") and the latency to the first one.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from coder.analysis.behaviour import Behaviour, Matcher, check_disjoint, classify, overlap
from coder.analysis.contingency import (
    Matrix,
    TwoByTwo,
    adjusted_residuals,
    expected_counts,
    mean_q,
    transitional_probabilities,
)
from coder.errors import AttuneError
from coder.model import Event


@dataclass(frozen=True)
class SessionEvents:
    """One observation's events, named for reports, with its length (for time windows)."""

    label: str
    events: Sequence[Event]
    duration_ms: int
    state_codes: frozenset[str] = frozenset()  # codes whose events have a duration


def ordered(events: Sequence[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.onset_ms, e.code_id, e.subject_id, e.id))


def _stream(events: Sequence[Event], stream: Sequence[Behaviour] | None) -> list[Event]:
    chosen = ordered(events)
    if stream is None:
        return chosen
    return [e for e in chosen if classify(e, stream) is not None]


# --- event lag ---------------------------------------------------------------------------


def lag_two_by_two(
    events: Sequence[Event],
    given: Behaviour,
    target: Behaviour,
    lag: int,
    stream: Sequence[Behaviour] | None = None,
) -> TwoByTwo:
    """Count lag-``lag`` pairs of one session by given (row) and target (column)."""
    if lag < 1:
        raise AttuneError(f"lag must be 1 or more (got {lag})")
    seq = _stream(events, stream)
    is_given = np.array([given.matches(e) for e in seq], bool)
    is_target = np.array([target.matches(e) for e in seq], bool)
    pairs = max(0, len(seq) - lag)
    g, t = is_given[:pairs], is_target[lag : lag + pairs]
    a = int(np.sum(g & t))
    b = int(np.sum(g & ~t))
    c = int(np.sum(~g & t))
    d = int(np.sum(~g & ~t))
    return TwoByTwo(a, b, c, d)


@dataclass(frozen=True)
class LagAnalysis:
    given: str
    target: str
    lag: int
    sessions: tuple[tuple[str, TwoByTwo], ...]
    pooled: TwoByTwo
    mean_q: float
    sd_q: float
    sessions_with_q: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "given": self.given,
            "target": self.target,
            "lag": self.lag,
            "pooled": self.pooled.as_dict(),
            "mean_yules_q": self.mean_q,
            "sd_yules_q": self.sd_q,
            "sessions_with_q": self.sessions_with_q,
            "sessions": [{"session": label, **t.as_dict()} for label, t in self.sessions],
        }


def lag_analysis(
    sessions: Sequence[SessionEvents],
    given: Behaviour,
    target: Behaviour,
    lag: int,
    stream: Sequence[Behaviour] | None = None,
) -> LagAnalysis:
    """Given -> target at one lag, per session and pooled."""
    if stream is not None:
        check_disjoint(stream)
        for role, b in (("given", given), ("target", target)):
            if not any(overlap(b, s) for s in stream):
                # Left out of the sequence it could only ever count 0: refuse, not report 0.
                raise AttuneError(
                    f"the {role} '{b.label}' is not among the codes that make up the sequence; "
                    "add it to them"
                )
    per = tuple((s.label, lag_two_by_two(s.events, given, target, lag, stream)) for s in sessions)
    pooled = TwoByTwo(0, 0, 0, 0)
    for _, table in per:
        pooled = pooled + table
    mq, sd, n = mean_q([t for _, t in per])
    return LagAnalysis(given.label, target.label, lag, per, pooled, mq, sd, n)


def lag_profile(
    sessions: Sequence[SessionEvents],
    given: Behaviour,
    target: Behaviour,
    max_lag: int,
    stream: Sequence[Behaviour] | None = None,
) -> list[LagAnalysis]:
    """The same question at lags 1..max_lag."""
    return [lag_analysis(sessions, given, target, k, stream) for k in range(1, max_lag + 1)]


@dataclass(frozen=True)
class LagTable:
    """K x K counts of lag-k transitions among chosen behaviours (rows: given at i,
    columns: target at i + k), summed over sessions."""

    labels: tuple[str, ...]
    lag: int
    counts: Matrix

    @property
    def expected(self) -> Matrix:
        return expected_counts(self.counts)

    @property
    def residuals(self) -> Matrix:
        return adjusted_residuals(self.counts)

    @property
    def transitional(self) -> Matrix:
        return transitional_probabilities(self.counts)

    def two_by_two(self, given: str, target: str) -> TwoByTwo:
        """Collapse to given vs the rest and target vs the rest."""
        r, c = self.labels.index(given), self.labels.index(target)
        x = self.counts
        a = x[r, c]
        b = x[r].sum() - a
        col = x[:, c].sum() - a
        return TwoByTwo(float(a), float(b), float(col), float(x.sum() - a - b - col))

    def as_dict(self) -> dict[str, Any]:
        def grid(m: Matrix) -> list[list[float | None]]:
            return [[None if math.isnan(v) else float(v) for v in row] for row in m]

        return {
            "lag": self.lag,
            "labels": list(self.labels),
            "counts": grid(self.counts),
            "expected": grid(self.expected),
            "transitional_probabilities": grid(self.transitional),
            "adjusted_residuals": grid(self.residuals),
        }


def lag_table(sessions: Sequence[SessionEvents], stream: Sequence[Behaviour], lag: int) -> LagTable:
    if lag < 1:
        raise AttuneError(f"lag must be 1 or more (got {lag})")
    if not stream:
        raise AttuneError("choose at least one behaviour for the lag table")
    check_disjoint(stream)
    k = len(stream)
    counts = np.zeros((k, k), float)
    for s in sessions:
        index = [classify(e, stream) for e in _stream(s.events, stream)]
        for i in range(len(index) - lag):
            r, c = index[i], index[i + lag]
            if r is not None and c is not None:
                counts[r, c] += 1
    return LagTable(tuple(b.label for b in stream), lag, counts)


# --- time windows ----------------------------------------------------------------------------


class WindowFrom(StrEnum):
    ONSET = "onset"  # the window opens at the given's onset and lasts W
    DURATION = "duration"  # the window covers the given's whole duration, then W more


@dataclass(frozen=True)
class WindowSession:
    label: str
    table: TwoByTwo
    givens: int
    answered: int
    latencies_ms: tuple[int, ...]


def latency_summary(latencies_ms: Sequence[int]) -> dict[str, float]:
    if not latencies_ms:
        return {"n": 0}
    values = np.asarray(latencies_ms, float) / 1000
    return {
        "n": float(len(values)),
        "min_s": float(values.min()),
        "q1_s": float(np.percentile(values, 25)),
        "median_s": float(np.median(values)),
        "mean_s": float(values.mean()),
        "q3_s": float(np.percentile(values, 75)),
        "max_s": float(values.max()),
    }


def latency_histogram(
    latencies_ms: Sequence[int], window_ms: int, bins: int = 10
) -> list[tuple[float, float, int]]:
    """(from_s, to_s, count) bins across the window."""
    edges = np.linspace(0, window_ms / 1000, bins + 1)
    counts, _ = np.histogram(np.asarray(latencies_ms, float) / 1000, bins=edges)
    return [(float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(bins)]


@dataclass(frozen=True)
class WindowAnalysis:
    given: str
    target: str
    window_ms: int
    window_from: WindowFrom
    unit_ms: int
    sessions: tuple[WindowSession, ...]
    pooled: TwoByTwo
    mean_q: float
    sd_q: float
    sessions_with_q: int
    latencies_ms: tuple[int, ...] = field(default=())

    @property
    def givens(self) -> int:
        return sum(s.givens for s in self.sessions)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sessions)

    @property
    def p_conditional(self) -> float:
        return self.pooled.p_target_given

    @property
    def p_base(self) -> float:
        return self.pooled.p_target

    def as_dict(self) -> dict[str, Any]:
        def session(s: WindowSession) -> dict[str, Any]:
            return {
                "session": s.label,
                "givens": s.givens,
                "answered": s.answered,
                "latencies_s": [v / 1000 for v in s.latencies_ms],
                **s.table.as_dict(),
            }

        return {
            "given": self.given,
            "target": self.target,
            "window_s": self.window_ms / 1000,
            "window_from": self.window_from.value,
            "unit_s": self.unit_ms / 1000,
            "givens": self.givens,
            "answered": self.answered,
            "p_conditional": self.p_conditional,
            "p_base": self.p_base,
            "pooled": self.pooled.as_dict(),
            "mean_yules_q": self.mean_q,
            "sd_yules_q": self.sd_q,
            "sessions_with_q": self.sessions_with_q,
            "latency": latency_summary(self.latencies_ms),
            "latency_histogram": [
                {"from_s": a, "to_s": b, "count": n}
                for a, b, n in latency_histogram(self.latencies_ms, self.window_ms)
            ],
            "sessions": [session(s) for s in self.sessions],
        }


def _window_end(e: Event, window_ms: int, whole_duration: bool, duration_ms: int) -> int:
    if not whole_duration:
        return e.onset_ms + window_ms
    if e.offset_ms is None:  # a still-running state lasts to the end of the media
        return duration_ms
    return e.offset_ms + window_ms


def window_session(
    session: SessionEvents,
    given: Matcher,
    target: Matcher,
    window_ms: int,
    window_from: WindowFrom = WindowFrom.ONSET,
    unit_ms: int = 100,
) -> WindowSession:
    """The time-unit table, answered count and latencies for one session. In duration mode
    only state givens (``session.state_codes``) are extended; a point has no duration."""
    duration = session.duration_ms
    if duration <= 0:
        raise AttuneError(f"session '{session.label}' has no length; re-link its video")
    units = math.ceil(duration / unit_ms)
    in_window = np.zeros(units, bool)
    starts = np.zeros(units, bool)
    givens = [e for e in session.events if given.matches(e) and e.onset_ms < duration]
    targets = sorted(
        (e for e in session.events if target.matches(e) and 0 <= e.onset_ms < duration),
        key=lambda e: e.onset_ms,
    )
    target_onsets = [e.onset_ms for e in targets]
    for onset in target_onsets:
        starts[onset // unit_ms] = True
    latencies: list[int] = []
    for g in givens:
        whole = window_from is WindowFrom.DURATION and g.code_id in session.state_codes
        end = min(_window_end(g, window_ms, whole, duration), duration)
        first, last = g.onset_ms // unit_ms, math.ceil(end / unit_ms)
        in_window[first : max(first + 1, last)] = True
        i = bisect_left(target_onsets, g.onset_ms)
        if i < len(targets) and target_onsets[i] <= end:  # "within 3 s" includes 3.000 s
            latencies.append(target_onsets[i] - g.onset_ms)
    table = TwoByTwo(
        int(np.sum(in_window & starts)),
        int(np.sum(in_window & ~starts)),
        int(np.sum(~in_window & starts)),
        int(np.sum(~in_window & ~starts)),
    )
    return WindowSession(session.label, table, len(givens), len(latencies), tuple(latencies))


def window_analysis(
    sessions: Sequence[SessionEvents],
    given: Matcher,
    target: Matcher,
    window_ms: int,
    window_from: WindowFrom = WindowFrom.ONSET,
    unit_ms: int = 100,
) -> WindowAnalysis:
    """Does the target start within ``window_ms`` of the given more often than its base
    rate predicts? Per session and pooled (summed unit tables, mean of per-session Q)."""
    if window_ms <= 0:
        raise AttuneError(f"the window must be longer than 0 s (got {window_ms / 1000:g} s)")
    if unit_ms <= 0:
        raise AttuneError(f"the time unit must be longer than 0 s (got {unit_ms / 1000:g} s)")
    if overlap(given, target):
        raise AttuneError(
            f"given '{given.label}' and target '{target.label}' are the same behaviour; "
            "a time window needs two different ones"
        )
    per = tuple(window_session(s, given, target, window_ms, window_from, unit_ms) for s in sessions)
    pooled = TwoByTwo(0, 0, 0, 0)
    for s in per:
        pooled = pooled + s.table
    mq, sd, n = mean_q([s.table for s in per])
    latencies = tuple(v for s in per for v in s.latencies_ms)
    return WindowAnalysis(
        given.label,
        target.label,
        window_ms,
        window_from,
        unit_ms,
        per,
        pooled,
        mq,
        sd,
        n,
        latencies,
    )
