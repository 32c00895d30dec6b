"""ELAN-style modified kappa, aligned event kappa, drift and the plain-words readings, each on
a small example whose expected values are derived by hand in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from coder.model import Code, CodeKind, Event, Scheme, Subject
from coder.reliability.aligned import aligned_kappa
from coder.reliability.drift import drift, thirds
from coder.reliability.elan import IPF_ROUNDS, elan_kappa, ipf_chance
from coder.reliability.readings import read_drift, read_kappa, short

S, P = CodeKind.STATE, CodeKind.POINT
SCHEME = Scheme(
    "t",
    "t",
    "1",
    subjects=(Subject("parent", "Parent"), Subject("child", "Child")),
    codes=(Code("x", "Ex", S), Code("y", "Why", S), Code("p", "Pee", P)),
)


def ev(i: str, code: str, on: int, off: int | None = None, subject: str = "parent") -> Event:
    return Event(i, "o", code, subject, on, off)


A = [
    ev("a1", "x", 0, 10_000),
    ev("a2", "y", 20_000, 30_000),
    ev("a3", "x", 40_000, 50_000),
    ev("a4", "y", 60_000, 62_000),
    ev("a5", "p", 5_000),  # a point: ELAN-style kappa leaves it out
]
B = [
    ev("b1", "x", 1_000, 10_000),  # x/x: 9 s of the longer 10 s = 90 %
    ev("b2", "y", 20_000, 27_000),  # y/y: 7 of 10 s = 70 %
    ev("b3", "y", 40_000, 46_000),  # A's x / B's y: 6 of 10 s = 60 %
    ev("b4", "x", 70_000, 80_000),  # no partner
]


def _plain_ipf(table: list[list[int]]) -> float:
    """ELAN's chance agreement written as plain loops (rows, then columns, 20 rounds)."""
    k = len(table)
    n = sum(map(sum, table))
    rows = [sum(r) or 0.001 for r in table]
    cols = [sum(table[i][j] for i in range(k)) or 0.001 for j in range(k)]
    fit = [[1.0] * k for _ in range(k)]
    fit[k - 1][k - 1] = 0.001
    for _ in range(IPF_ROUNDS):
        for i in range(k):
            total = sum(fit[i])
            fit[i] = [v / total * rows[i] for v in fit[i]]
        for j in range(k):
            total = sum(fit[i][j] for i in range(k))
            for i in range(k):
                fit[i][j] = fit[i][j] / total * cols[j]
    return sum(fit[i][i] for i in range(k - 1)) / n


def test_elan_links_counts_twice_and_kappa_with_and_without_unmatched() -> None:
    r = elan_kappa(A, B, scheme=SCHEME)
    # Links at 60 %: a1-b1 (x/x), a2-b2 (y/y), a3-b3 (x/y); a4 and b4 unmatched.
    assert {(k.a, k.b) for k in r.links} == {("a1", "b1"), ("a2", "b2"), ("a3", "b3")}
    assert r.unmatched_a == ["a4"] and r.unmatched_b == ["b4"] and r.points_left_out == 1
    # Linked pairs count twice: rows (A) x: [2, 2, 0]; y: [0, 2, 1]; unmatched: [1, 0, 0].
    assert r.categories == ["x", "y", "(unmatched)"]
    assert r.table == [[2, 2, 0], [0, 2, 1], [1, 0, 0]]
    # Without unmatched: pairs [[1, 1], [0, 1]]: p_o = 2/3, p_e = 2/3*1/3 + 1/3*2/3 = 4/9,
    # kappa = (2/3 - 4/9) / (5/9) = 0.4.
    assert r.linked.kappa.value == pytest.approx(0.4)
    # With unmatched: p_o = 4/8; chance from the IPF fit of the margins.
    assert r.agreement_with_unmatched.value == 0.5
    pe = _plain_ipf(r.table)
    assert ipf_chance(np.array(r.table)) == pytest.approx(pe, abs=1e-12)
    assert r.kappa_with_unmatched.value == pytest.approx((0.5 - pe) / (1 - pe), abs=1e-12)
    # Per code x (cut from the whole matrix): both 2, A only 2, B only 1, neither 3:
    # p_o = 5/8, p_e = 4/8*3/8 + 4/8*5/8 = 1/2, kappa = (5/8 - 1/2) / (1/2) = 0.25.
    x = r.per_code[0]
    assert x.table == [[2, 2], [1, 3]] and x.kappa.value == pytest.approx(0.25)
    assert r.percent_linked == pytest.approx(100 * 6 / 8)


def test_elan_overlap_threshold_is_inclusive_and_settable() -> None:
    at_61 = elan_kappa(A, B, scheme=SCHEME, overlap_percent=61)
    # The 60 % pair no longer links: pairs x/x and y/y only, kappa without unmatched = 1.
    assert {(k.a, k.b) for k in at_61.links} == {("a1", "b1"), ("a2", "b2")}
    assert at_61.linked.kappa.value == 1.0
    with pytest.raises(ValueError, match="between 51 and 100"):
        elan_kappa(A, B, scheme=SCHEME, overlap_percent=50)


def test_elan_links_each_annotation_once_largest_overlap_first() -> None:
    # B's 10 s x overlaps both of A's 6 s x annotations; % is of the longer one (10 s).
    a = [ev("a1", "x", 0, 6_000), ev("a2", "x", 5_000, 11_000)]
    b = [ev("b1", "x", 0, 10_000)]
    r = elan_kappa(a, b, scheme=SCHEME, overlap_percent=51)
    # a1: 6 of 10 s = 60 %; a2: 5 of 10 s = 50 % (no link). One link, a2 unmatched.
    assert [(k.a, k.b, k.percent) for k in r.links] == [("a1", "b1", 60.0)]
    assert r.unmatched_a == ["a2"]


def test_aligned_prefers_matches_then_substitutions_and_shows_the_alignment() -> None:
    a = [ev("a1", "x", 1000), ev("a2", "y", 5000), ev("a3", "x", 9000)]
    b = [ev("b1", "y", 1500), ev("b2", "x", 2500), ev("b3", "y", 5200), ev("b4", "x", 30000)]
    r = aligned_kappa(a, b, tolerance_ms=2000, codes=["x", "y"], subjects=["parent"])
    # a1 (x) pairs with b2 (x) and leaves b1 alone (cost 0 + 1), rather than substituting
    # b1 (cost 1) and leaving b2 alone (+1). a2-b3 agree; a3 has no B event within 2 s.
    got = [(row.kind, row.a and row.a.id, row.b and row.b.id) for row in r.rows]
    assert got == [
        ("agree", "a1", "b2"),
        ("extra", None, "b1"),
        ("agree", "a2", "b3"),
        ("missed", "a3", None),
        ("extra", None, "b4"),
    ]
    # Table (A rows x, y, nothing): [[1, 0, 1], [0, 1, 0], [1, 1, 0]], n = 5:
    # p_o = 2/5; rows (2, 1, 2)/5, cols (2, 2, 1)/5; p_e = (4 + 2 + 2)/25 = 8/25;
    # kappa = (10/25 - 8/25) / (17/25) = 2/17.
    assert r.table == [[1, 0, 1], [0, 1, 0], [1, 1, 0]]
    assert r.summary.kappa.value == pytest.approx(2 / 17)
    assert r.paired.kappa.value == 1.0  # the two pairs agree
    x = r.per_code[0]
    assert (x.agree, x.a_total, x.b_total) == (1, 2, 2) and x.positive_agreement == 0.5


def test_aligned_substitution_beats_a_gap_pair_and_time_breaks_ties() -> None:
    sub = aligned_kappa(
        [ev("a", "x", 1000)], [ev("b", "y", 1200)], tolerance_ms=2000, codes=["x", "y"],
        subjects=["parent"],
    )  # fmt: skip
    assert [row.kind for row in sub.rows] == ["disagree"]  # cost 1, not missed + extra (2)
    tie = aligned_kappa(
        [ev("a1", "x", 1000), ev("a2", "x", 2000)], [ev("b", "x", 1900)], tolerance_ms=2000,
        codes=["x"], subjects=["parent"],
    )  # fmt: skip
    # Either A event can pair with b at the same cost; the closer one (100 ms) does.
    assert [(row.kind, row.a and row.a.id) for row in tie.rows] == [
        ("missed", "a1"),
        ("agree", "a2"),
    ]
    exact = aligned_kappa(
        [ev("a", "x", 1000)], [ev("b", "x", 1001)], tolerance_ms=0, codes=["x"],
        subjects=["parent"],
    )  # fmt: skip
    assert [row.kind for row in exact.rows] == ["missed", "extra"]  # 0 means exact


def test_drift_per_third_by_hand() -> None:
    # 9 s, 1 s slices, thirds of 3 slices. A: x on in slices 0, 3, 6; B: 0, 3, 7.
    a = [ev("a1", "x", 0, 1000), ev("a2", "x", 3000, 4000), ev("a3", "x", 6000, 7000)]
    b = [ev("b1", "x", 0, 1000), ev("b2", "x", 3000, 4000), ev("b3", "x", 7000, 8000)]
    parts = drift(
        a, b, parts=thirds(9000, 1000), codes=["x"], kinds={"x": S}, duration_ms=9000, slice_ms=1000
    )
    kappas = [p.result.per_code[0].summary.kappa.value for p in parts]
    # Thirds 1 and 2 agree slice for slice: kappa 1. Last third: A on/off/off, B off/on/off:
    # p_o = 1/3, p_e = 1/3*1/3 + 2/3*2/3 = 5/9, kappa = (3/9 - 5/9) / (4/9) = -0.5.
    assert kappas == pytest.approx([1.0, 1.0, -0.5])
    assert read_drift(kappas[0], kappas[-1]).startswith("κ fell from 1 to −.50")


def test_readings_say_the_band_and_the_caveat() -> None:
    assert short(0.7249) == ".72" and short(-0.05) == "−.05" and short(1.0) == "1"
    assert (
        read_kappa(0.72, prevalence=0.05, n=200)
        == "κ .72: good agreement; rare code, look at PABAK"
    )
    assert read_kappa(0.35, n=200) == "κ .35: fair agreement"
    assert read_kappa(-0.2, n=200).endswith("less agreement than chance")
    assert "only 8 units" in read_kappa(0.9, n=8)
    assert read_kappa(None, reason="no units") == "κ not defined: no units"
