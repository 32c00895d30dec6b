"""Time-unit agreement and optimal event alignment (BORIS mode: test_reliability_boris.py)."""

from __future__ import annotations

import pytest

from coder.model import CodeKind, Event
from coder.reliability.alignment import align_events, optimal_pairs
from coder.reliability.timeline import code_mask, time_unit_agreement

S, P = CodeKind.STATE, CodeKind.POINT


def ev(i: str, code: str, on: int, off: int | None = None, subject: str = "parent") -> Event:
    return Event(i, "o", code, subject, on, off)


def test_optimal_matching_beats_greedy() -> None:
    # A = {1.0, 2.0} s, B = {1.6, 3.9} s, tolerance 2 s: greedy pairs 2.0-1.6 and strands 1.0.
    assert sorted(optimal_pairs([1000, 2000], [1600, 3900], 2000)) == [(0, 0), (1, 1)]
    result = align_events(
        [ev("a1", "x", 1000), ev("a2", "x", 2000)],
        [ev("b1", "x", 1600), ev("b2", "x", 3900)],
        tolerance_ms=2000,
    )
    (x,) = result.per_code
    assert (x.matched, x.missed, x.extra, x.positive_agreement) == (2, 0, 0, 1.0)
    assert x.mean_onset_diff_ms == pytest.approx(1250) and x.max_onset_diff_ms == 1900


def test_alignment_counts_misses_extras_and_cross_code_disagreements() -> None:
    a = [ev("a1", "x", 1000), ev("a2", "y", 5000), ev("a3", "x", 9000), ev("a4", "x", 20000)]
    b = [ev("b1", "x", 1300), ev("b2", "x", 5200), ev("b3", "y", 30000)]
    r = align_events(a, b, tolerance_ms=1000)
    assert r.pairs == [("a1", "b1")]
    assert r.disagreements == [("a2", "b2")]  # A said y, B said x at the same moment
    assert sorted(r.missed) == ["a3", "a4"] and r.extra == ["b3"]
    per = {c.code: c for c in r.per_code}
    assert (per["x"].matched, per["x"].missed, per["x"].extra) == (1, 2, 1)
    assert per["x"].positive_agreement == pytest.approx(2 / 5)
    assert r.categories == ["x", "y", "(nothing)"]
    assert r.table == [[1, 0, 2], [1, 0, 0], [0, 1, 0]]
    assert "nothing / nothing" in r.caveat


def test_alignment_scales_to_thousands_of_events() -> None:
    a = [ev(f"a{i}", "x", i * 1500) for i in range(3000)]
    b = [ev(f"b{i}", "x", i * 1500 + (i % 7) * 40) for i in range(3000)]
    r = align_events(a, b, tolerance_ms=500)
    assert r.per_code[0].matched == 3000


def test_state_and_point_masks() -> None:
    events = [ev("s", "x", 1400, 3600), ev("p", "y", 2999)]
    assert code_mask(events, "x", S, 5, 1000, 5000).tolist() == [False, True, True, True, False]
    assert code_mask(events, "y", P, 5, 1000, 5000).tolist() == [False, False, True, False, False]
    running = [ev("r", "x", 2000, None)]  # still running: ends at the media's end
    assert code_mask(running, "x", S, 5, 1000, 5000).tolist() == [False, False, True, True, True]


def test_time_unit_kappa_per_code_and_per_set_with_tolerance() -> None:
    kinds = {"lead": S, "direct": S}
    a = [ev("a1", "lead", 0, 5000), ev("a2", "direct", 5000, 10000)]
    b = [ev("b1", "lead", 0, 6000), ev("b2", "direct", 6000, 10000)]
    r = time_unit_agreement(
        a,
        b,
        codes=["lead", "direct"],
        kinds=kinds,
        duration_ms=10000,
        exclusive_set=["lead", "direct"],
    )
    assert r.n_slices == 10
    lead = r.per_code[0]
    assert lead.table == [[5, 0], [1, 4]]
    assert r.code_set is not None and r.code_set.table == [[5, 0, 0], [1, 4, 0], [0, 0, 0]]
    assert round(r.code_set.summary.kappa.value, 3) == 0.8
    tolerant = time_unit_agreement(
        a,
        b,
        codes=["lead", "direct"],
        kinds=kinds,
        duration_ms=10000,
        tolerance_ms=1000,
        exclusive_set=["lead", "direct"],
    )
    assert tolerant.per_code[0].table == [[6, 0], [0, 4]]
    assert tolerant.code_set is not None and tolerant.code_set.summary.kappa.value == 1.0


def test_time_unit_subject_filter_and_running_state() -> None:
    a = [ev("a1", "x", 0, 2000, "parent"), ev("a2", "x", 3000, None, "child")]
    b = [ev("b1", "x", 0, 2000, "parent")]
    only_parent = time_unit_agreement(
        a, b, codes=["x"], kinds={"x": S}, duration_ms=5000, subject="parent"
    )
    assert only_parent.per_code[0].table == [[2, 0], [0, 3]]
    both = time_unit_agreement(a, b, codes=["x"], kinds={"x": S}, duration_ms=5000)
    # The child's running state lasts to the session end: 2 slices A-only.
    assert both.per_code[0].table == [[2, 2], [0, 1]]
