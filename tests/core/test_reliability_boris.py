"""BORIS-compatible kappa and identity on our own .boris fixture: one pair of observations per
quirk (causes 1-5 of issue 12), each expected value derived by hand from BORIS's rules:
grid t = first, first + slice, ... while t <= last; per (t, subject) the category is the
list of states with start <= t <= stop and points with |start - t| <= slice/2 (floats);
kappa = (agreements - E) / (units - E), E = sum(row_k * col_k) / units, 3 decimals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.model import Code, CodeKind, Event, Scheme, Subject
from coder.reliability.boris_grid import grid_times
from coder.reliability.boris_mode import boris_identity, boris_kappa
from coder.reliability.needleman import align
from exports.boris import BorisProject, read_boris

QUIRKS = Path(__file__).resolve().parents[1] / "data" / "reliability" / "quirks.boris"


@pytest.fixture(scope="module")
def quirks() -> BorisProject:
    return read_boris(QUIRKS)


def kappa(p: BorisProject, a: str, b: str, subjects: list[str], codes: list[str]) -> float | None:
    obs = {o.name: o for o in p.observations}
    return boris_kappa(
        obs[a].events, obs[b].events, scheme=p.scheme, codes=codes, subjects=subjects
    ).value


def test_cause_1_one_unit_per_time_and_subject(quirks: BorisProject) -> None:
    # A: mother s [0, 2]; B: mother s [0, 1]; grid 0, 1, 2.
    # Mother only: units (s,s) (s,s) (s,-): agreements 2; rows s:3; cols s:2, -:1;
    #   E = 3*2/3 = 2; kappa = (2-2)/(3-2) = 0.
    assert kappa(quirks, "c1 A", "c1 B", ["mother"], ["s"]) == 0.0
    # Mother and child: the child adds three (-,-) units: agreements 5 of 6;
    #   rows s:3, -:3; cols s:2, -:4; E = (3*2 + 3*4)/6 = 3; kappa = (5-3)/(6-3) = 0.667.
    assert kappa(quirks, "c1 A", "c1 B", ["mother", "child"], ["s"]) == 0.667


def test_cause_2_a_code_twice_is_its_own_category(quirks: BorisProject) -> None:
    # A: s [0, 3], p at 1.0 and 1.3; B: s [0, 3], p at 1.0; grid 0..3.
    # t=1: A [s, p, p], B [s, p] (both points are within 0.5 s): a disagreement.
    # Units 4, agreements 3; rows [s]:3, [s,p,p]:1; cols [s]:3, [s,p]:1;
    #   E = 3*3/4 = 2.25; kappa = 0.75/1.75 = 0.429 (merging repeats would give 1).
    obs = {o.name: o for o in quirks.observations}
    r = boris_kappa(
        obs["c2 A"].events, obs["c2 B"].events, scheme=quirks.scheme, subjects=["mother"]
    )
    assert r.value == 0.429
    assert "mother: s + mother: p + mother: p" in r.categories
    assert any("same code twice" in q for q in r.quirks)


def test_cause_3_binary_rounding_drops_a_point(quirks: BorisProject) -> None:
    # A: s [0.6, 4.7], p at 1.1; B: s [0.6, 4.7], p at 1.15; grid 0.6, 1.6, 2.6, 3.6, 4.6.
    # A's point is exactly 0.5 s from 0.6 and 1.6, but 1.1 - 0.6 = 0.5000000000000001 in
    # floats, so BORIS sees it at 1.6 only, like B's: every unit agrees; rows = cols =
    #   [s]:4, [s,p]:1; E = (16 + 1)/5 = 3.4; kappa = (5-3.4)/(5-3.4) = 1.
    # (Exact arithmetic: t=0.6 disagrees; E = (2*1 + 3*4)/5 = 2.8; kappa = 1.2/2.2 = .545.)
    obs = {o.name: o for o in quirks.observations}
    r = boris_kappa(
        obs["c3 A"].events, obs["c3 B"].events, scheme=quirks.scheme, subjects=["mother"]
    )
    assert r.value == 1.0 and r.n_units == 5
    assert any("binary rounding" in q for q in r.quirks)


def test_cause_3_and_4_last_grid_time_dropped_then_one_category(quirks: BorisProject) -> None:
    # A: s [0.3, 2.3]; B: s [0.3, 1.3]. Grid 0.3, 1.3, 2.3 — but 2.3 as a double is
    # 2.29999999999999982..., below the decimal grid time 2.3, so BORIS stops at 1.3.
    # Both units are (s, s): one category; kappa = 0/0, which BORIS reports as 1.
    # (With t = 2.3: units 3, agreements 2, E = 3*2/3 = 2, kappa = 0.)
    obs = {o.name: o for o in quirks.observations}
    r = boris_kappa(
        obs["c3 last A"].events,
        obs["c3 last B"].events,
        scheme=quirks.scheme,
        subjects=["mother"],
    )
    assert r.value == 1.0 and r.n_times == 2
    assert any("last stop was dropped" in q for q in r.quirks)
    assert any("one category" in q for q in r.quirks)


def test_cause_4_identical_codings_report_one(quirks: BorisProject) -> None:
    # Both: s [0, 2]; mother only: three (s, s) units, one category: BORIS says 1.
    r = kappa(quirks, "c4 A", "c4 B", ["mother"], ["s", "p"])
    assert r == 1.0


def test_cause_5_an_empty_observation_is_not_computable(quirks: BorisProject) -> None:
    obs = {o.name: o for o in quirks.observations}
    r = boris_kappa(
        obs["c4 A"].events,
        obs["c5 empty"].events,
        scheme=quirks.scheme,
        names=("c4 A", "c5 empty"),
    )
    assert r.value is None and r.reason is not None
    assert "'c5 empty' has no events" in r.reason and "-100" in r.reason
    # Identity has no such check in BORIS: the empty side counts as "nothing" throughout.
    # Grid 0, 1, 2 (mother, child, no subject): A = X X X, B = E E E; the best alignment
    # is three mismatches (score -3; any gap costs as much and adds a column): identity 0 %.
    ident = boris_identity(obs["c4 A"].events, obs["c5 empty"].events, scheme=quirks.scheme)
    assert ident.value == 0.0


def test_a_running_state_is_refused_as_boris_does() -> None:
    scheme = Scheme(
        "t", "t", "1", subjects=(Subject("x", "x"),), codes=(Code("s", "s", CodeKind.STATE),)
    )
    a = [Event("a", "o", "s", "x", 0, None)]
    b = [Event("b", "o", "s", "x", 0, 1000)]
    r = boris_kappa(a, b, scheme=scheme)
    assert r.value is None and "no end" in (r.reason or "")


def test_identity_hand_example() -> None:
    # A: s [0, 1]; B: s [1, 2]; grid 0, 1, 2 -> A = X X E, B = E X X.
    # Straight: -1 +1 -1 = -1. Shifted by one (gap, X/X, X/X, gap): -1 +1 +1 -1 = 0, best.
    # Identity = 2 identical of 4 aligned positions = 50 %.
    scheme = Scheme(
        "t", "t", "1", subjects=(Subject("x", "x"),), codes=(Code("s", "s", CodeKind.STATE),)
    )
    r = boris_identity(
        [Event("a", "o", "s", "x", 0, 1000)], [Event("b", "o", "s", "x", 1000, 2000)], scheme=scheme
    )
    assert r.value == 50.0


def test_grid_stops_like_borises_decimal_against_double_comparison() -> None:
    times, dropped = grid_times(300, 2300, 1000)
    assert times.tolist() == [300, 1300] and dropped
    times, dropped = grid_times(0, 2000, 1000)  # 2.0 is exact in binary: kept
    assert times.tolist() == [0, 1000, 2000] and not dropped


def _reference_alignment(a: list[int], b: list[int]) -> tuple[int, int, int]:
    """BORIS's Needleman-Wunsch written plainly (lists, loops): (score, identical, length)."""
    m, n = len(a), len(b)
    score = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(m + 1):
        score[i][0] = -i
    for j in range(n + 1):
        score[0][j] = -j
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            s = 1 if a[i - 1] == b[j - 1] else -1
            score[i][j] = max(score[i - 1][j - 1] + s, score[i - 1][j] - 1, score[i][j - 1] - 1)
    i, j, same, length = m, n, 0, 0
    while i > 0 and j > 0:
        s = 1 if a[i - 1] == b[j - 1] else -1
        if score[i][j] == score[i - 1][j - 1] + s:
            same += a[i - 1] == b[j - 1]
            i, j = i - 1, j - 1
        elif score[i][j] == score[i - 1][j] - 1:
            i -= 1
        else:
            j -= 1
        length += 1
    return score[m][n], same, length + i + j


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 2), min_size=1, max_size=14),
    st.lists(st.integers(0, 2), min_size=1, max_size=14),
)
def test_vectorised_alignment_matches_the_plain_loop(a: list[int], b: list[int]) -> None:
    got = align(np.array(a), np.array(b))
    score, same, length = _reference_alignment(a, b)
    assert (got.score, got.identical, len(got.pairs)) == (score, same, length)
