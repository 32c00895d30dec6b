"""Sequential statistics against independent computations: SciPy's contingency functions for
expected counts, chi-square and the odds-ratio interval, and plain loops written here for lag
tables and time-window tables on random sessions."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from scipy.stats.contingency import expected_freq, odds_ratio

from coder.analysis.behaviour import Behaviour
from coder.analysis.contingency import TwoByTwo, adjusted_residuals, expected_counts
from coder.analysis.sequential import SessionEvents, lag_analysis, lag_table, window_analysis
from coder.model import Event

CODES = ("child_bid", "attunement", "warmth", "limit")
SUBJECT = {"child_bid": "child", "attunement": "parent", "warmth": "parent", "limit": "parent"}
STREAM = [Behaviour(c, SUBJECT[c]) for c in CODES]


def _random_table(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    return rng.integers(1, 60, size=(rows, cols)).astype(float)


@pytest.mark.parametrize("seed", range(5))
def test_residuals_agree_with_scipy_chi_square(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = _random_table(rng, 4, 4)
    assert np.allclose(expected_counts(counts), expected_freq(counts))
    # An adjusted residual is the Pearson residual divided by sqrt((1 - p_row)(1 - p_col));
    # undoing that division, the squares must add up to SciPy's Pearson chi-square.
    n = counts.sum()
    p_rows = counts.sum(axis=1, keepdims=True) / n
    p_cols = counts.sum(axis=0, keepdims=True) / n
    pearson = adjusted_residuals(counts) * np.sqrt((1 - p_rows) * (1 - p_cols))
    chi2 = chi2_contingency(counts, correction=False).statistic
    assert float(np.sum(pearson**2)) == pytest.approx(chi2)
    # For a 2x2 table the adjusted residual squared is that chi-square itself.
    a, b, c, d = (int(v) for v in _random_table(rng, 1, 4)[0])
    t = TwoByTwo(a, b, c, d)
    chi2_2x2 = chi2_contingency([[a, b], [c, d]], correction=False).statistic
    assert t.adjusted_residual**2 == pytest.approx(chi2_2x2)
    assert math.copysign(1, t.adjusted_residual) == math.copysign(1, a * d - b * c)
    # Woolf's interval and the sample odds ratio, as SciPy computes them.
    ref = odds_ratio([[a, b], [c, d]], kind="sample")
    low, high, corrected = t.odds_ratio_ci()
    assert not corrected
    assert t.odds_ratio == pytest.approx(ref.statistic)
    ci = ref.confidence_interval(0.95)
    assert (low, high) == pytest.approx((ci.low, ci.high))


def _random_session(rng: np.random.Generator, label: str, n: int = 60) -> SessionEvents:
    onsets = np.sort(rng.choice(np.arange(0, 120_000, 10), size=n, replace=False))
    events = []
    for i, onset in enumerate(onsets):
        code = CODES[int(rng.integers(0, len(CODES)))]
        events.append(Event(f"{label}{i}", label, code, SUBJECT[code], int(onset)))
    return SessionEvents(label, events, 120_000)


def _codes_in_order(session: SessionEvents) -> list[str]:
    return [e.code_id for e in sorted(session.events, key=lambda e: e.onset_ms)]


@pytest.mark.parametrize("lag", [1, 2, 3])
def test_lag_tables_agree_with_a_plain_loop(lag: int) -> None:
    rng = np.random.default_rng(11 + lag)
    sessions = [_random_session(rng, f"s{i}") for i in range(3)]
    pairs: Counter[tuple[str, str]] = Counter()
    per_session_a = []
    for s in sessions:
        codes = _codes_in_order(s)
        here = Counter(zip(codes, codes[lag:], strict=False))
        pairs += here
        per_session_a.append(here[("child_bid", "attunement")])
    table = lag_table(sessions, STREAM, lag)
    expected = [[pairs[(g, t)] for t in CODES] for g in CODES]
    assert table.counts.tolist() == expected
    result = lag_analysis(sessions, STREAM[0], STREAM[1], lag)
    t = result.pooled
    given_total = sum(pairs[("child_bid", x)] for x in CODES)
    target_total = sum(pairs[(x, "attunement")] for x in CODES)
    total = sum(pairs.values())
    assert (t.a, t.a + t.b, t.a + t.c, t.n) == (
        pairs[("child_bid", "attunement")],
        given_total,
        target_total,
        total,
    )
    assert [s.a for _, s in result.sessions] == per_session_a


def _plain_window_table(
    session: SessionEvents, window_ms: int, unit_ms: int
) -> tuple[tuple[int, int, int, int], list[int]]:
    """Unit by unit: a unit is in a window when it overlaps [bid, bid + window) and holds a
    target onset when an attunement starts in it; latency = first attunement at or after the
    bid, no later than bid + window."""
    bids = [e.onset_ms for e in session.events if e.code_id == "child_bid"]
    targets = sorted(e.onset_ms for e in session.events if e.code_id == "attunement")
    units = math.ceil(session.duration_ms / unit_ms)
    cells = [0, 0, 0, 0]
    for u in range(units):
        lo, hi = u * unit_ms, (u + 1) * unit_ms
        inside = any(lo < min(b + window_ms, session.duration_ms) and hi > b for b in bids)
        starts = any(lo <= t < hi for t in targets)
        cells[(0 if inside else 2) + (0 if starts else 1)] += 1
    latencies = []
    for b in bids:
        answers = [t - b for t in targets if b <= t <= b + window_ms]
        if answers:
            latencies.append(answers[0])
    return (cells[0], cells[1], cells[2], cells[3]), latencies


@pytest.mark.parametrize(("window_ms", "unit_ms"), [(3000, 100), (5000, 1000), (2500, 250)])
def test_window_tables_agree_with_a_plain_loop(window_ms: int, unit_ms: int) -> None:
    rng = np.random.default_rng(window_ms + unit_ms)
    sessions = [_random_session(rng, f"w{i}", n=40) for i in range(2)]
    result = window_analysis(sessions, STREAM[0], STREAM[1], window_ms, unit_ms=unit_ms)
    all_latencies: list[int] = []
    pooled = [0, 0, 0, 0]
    for s, got in zip(sessions, result.sessions, strict=True):
        cells, latencies = _plain_window_table(s, window_ms, unit_ms)
        assert (got.table.a, got.table.b, got.table.c, got.table.d) == cells
        assert sorted(got.latencies_ms) == sorted(latencies)
        pooled = [x + y for x, y in zip(pooled, cells, strict=True)]
        all_latencies += latencies
    p = result.pooled
    assert [p.a, p.b, p.c, p.d] == pooled
    assert result.answered == len(all_latencies)
