"""Sequential analysis on constructed sessions whose answers are derived by hand below, and
the table statistics against published worked examples (Agresti 2007)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coder.analysis.behaviour import Behaviour
from coder.analysis.contingency import TwoByTwo, adjusted_residuals, expected_counts
from coder.analysis.sequential import (
    SessionEvents,
    WindowFrom,
    lag_analysis,
    lag_profile,
    lag_table,
    latency_histogram,
    window_analysis,
)
from coder.errors import AttuneError
from coder.model import Event

BID = Behaviour("child_bid", "child")
ATT = Behaviour("attunement", "parent")
WARM = Behaviour("warmth", "parent")
SUBJECT = {"child_bid": "child", "attunement": "parent", "warmth": "parent", "limit": "parent"}
LETTER = {"B": "child_bid", "A": "attunement", "C": "warmth", "L": "limit"}


def session(letters: str, label: str = "s", step_ms: int = 1000) -> SessionEvents:
    """Point events one per second, B = bid, A = attunement, C = warmth, L = limit."""
    events = [
        Event(f"{label}{i}", label, LETTER[x], SUBJECT[LETTER[x]], (i + 1) * step_ms)
        for i, x in enumerate(letters)
    ]
    return SessionEvents(label, events, (len(letters) + 2) * step_ms)


# Session 1: B A C B A B C A B A (9 lag-1 pairs)
#   lag-1 pairs: BA AC CB BA AB BC CA AB BA
#   given B (rows), target A (columns): a = B->A = 3, b = B->C = 1,
#   c = A or C followed by A = (C->A) = 1, d = AC CB AB AB = 4;  N = 9
S1 = session("BACBABCABA", "one")
# Session 2: B C B A A -> pairs BC CB BA AA: a = 1 (BA), b = 1 (BC), c = 1 (AA), d = 1 (CB)
S2 = session("BCBAA", "two")


def test_lag1_two_by_two_by_hand() -> None:
    result = lag_analysis([S1], BID, ATT, 1)
    t = result.pooled
    assert (t.a, t.b, t.c, t.d) == (3, 1, 1, 4)
    assert t.p_target_given == pytest.approx(3 / 4)
    assert t.p_target == pytest.approx(4 / 9)
    # Expected count of B->A: row total 4 * column total 4 / N 9.
    assert t.expected_a == pytest.approx(16 / 9)
    # z = (3 - 16/9) / sqrt(16/9 * (1 - 4/9) * (1 - 4/9)) = (11/9) / (20/27) = 33/20.
    assert t.adjusted_residual == pytest.approx(33 / 20)
    # Allison & Liker's form: (p(T|G) - p(T)) / sqrt(p(T)(1-p(T))(1-p(G)) / (N p(G))).
    pt, pg, n = 4 / 9, 4 / 9, 9
    allison_liker = (3 / 4 - pt) / math.sqrt(pt * (1 - pt) * (1 - pg) / (n * pg))
    assert t.adjusted_residual == pytest.approx(allison_liker)
    assert t.yules_q == pytest.approx((3 * 4 - 1 * 1) / (3 * 4 + 1 * 1))  # 11/13
    assert t.odds_ratio == pytest.approx(12.0)
    low, high, corrected = t.odds_ratio_ci()
    se = math.sqrt(1 / 3 + 1 / 1 + 1 / 1 + 1 / 4)
    assert not corrected
    assert low == pytest.approx(math.exp(math.log(12) - 1.959964 * se), rel=1e-5)
    assert high == pytest.approx(math.exp(math.log(12) + 1.959964 * se), rel=1e-5)


def test_lag2_and_profile() -> None:
    # Lag-2 pairs of session 1: BC AB CA BB AC BA CB AA.
    # Given B: BC, BB, BA -> a = 1, b = 2; others: AB CA AC CB AA -> c = 2 (CA, AA), d = 3.
    profile = lag_profile([S1], BID, ATT, 2)
    assert [p.lag for p in profile] == [1, 2]
    t = profile[1].pooled
    assert (t.a, t.b, t.c, t.d) == (1, 2, 2, 3)
    assert t.yules_q == pytest.approx((1 * 3 - 2 * 2) / (1 * 3 + 2 * 2))  # -1/7


def test_pooled_sums_tables_and_means_per_session_q() -> None:
    result = lag_analysis([S1, S2], BID, ATT, 1)
    s2 = dict(result.sessions)["two"]
    assert (s2.a, s2.b, s2.c, s2.d) == (1, 1, 1, 1)
    assert s2.yules_q == 0.0
    t = result.pooled
    assert (t.a, t.b, t.c, t.d) == (4, 2, 2, 5)
    assert t.yules_q == pytest.approx((20 - 4) / (20 + 4))
    assert result.mean_q == pytest.approx((11 / 13 + 0.0) / 2)
    assert result.sessions_with_q == 2
    assert result.sd_q == pytest.approx(np.std([11 / 13, 0.0], ddof=1))


def test_kxk_table_residuals_and_transitions() -> None:
    table = lag_table([S1], [BID, ATT, WARM], 1)
    #        B  A  C       (targets at lag 1)
    # B   [  0, 3, 1 ]
    # A   [  2, 0, 1 ]
    # C   [  1, 1, 0 ]
    assert table.counts.tolist() == [[0, 3, 1], [2, 0, 1], [1, 1, 0]]
    assert table.transitional[0].tolist() == pytest.approx([0, 3 / 4, 1 / 4])
    assert table.expected[0, 1] == pytest.approx(4 * 4 / 9)
    assert table.residuals[0, 1] == pytest.approx(33 / 20)  # same cell as the 2x2
    collapsed = table.two_by_two("child_bid@child", "attunement@parent")
    assert (collapsed.a, collapsed.b, collapsed.c, collapsed.d) == (3, 1, 1, 4)


def test_stream_leaves_out_other_codes_and_ties_are_ordered() -> None:
    noisy = session("BLACBABCABLA", "noisy")  # S1 with limit-setting (L) twice
    plain = lag_analysis([noisy], BID, ATT, 1, stream=[BID, ATT, WARM]).pooled
    assert (plain.a, plain.b, plain.c, plain.d) == (3, 1, 1, 4)
    every = lag_analysis([noisy], BID, ATT, 1).pooled  # L counts as "other"
    # A sequence without the given (or target) could only count 0: refused, never reported.
    with pytest.raises(AttuneError, match="given 'child_bid@child' is not among"):
        lag_analysis([noisy], BID, ATT, 1, stream=[ATT, WARM])
    with pytest.raises(AttuneError, match="target 'attunement@parent' is not among"):
        lag_analysis([noisy], BID, ATT, 1, stream=[BID, WARM])
    assert every.a == 1 and every.n == 11  # BL LA AC CB BA AB BC CA AB BL LA
    # Two events at the same onset: ordered by code id, so attunement comes before child_bid.
    tie = SessionEvents(
        "tie",
        [
            Event("x", "t", "child_bid", "child", 1000),
            Event("y", "t", "attunement", "parent", 1000),
        ],
        5000,
    )
    t = lag_analysis([tie], ATT, BID, 1).pooled
    assert (t.a, t.n) == (1, 1)


def test_code_without_subject_matches_every_subject() -> None:
    events = [
        Event("1", "o", "child_bid", "child", 1000),
        Event("2", "o", "warmth", "child", 2000),
        Event("3", "o", "child_bid", "child", 3000),
        Event("4", "o", "warmth", "parent", 4000),
    ]
    s = SessionEvents("w", events, 6000)
    assert lag_analysis([s], BID, Behaviour("warmth"), 1).pooled.a == 2
    assert lag_analysis([s], BID, Behaviour("warmth", "parent"), 1).pooled.a == 1
    with pytest.raises(AttuneError, match="overlap"):
        lag_table([s], [Behaviour("warmth"), Behaviour("warmth", "parent")], 1)
    with pytest.raises(AttuneError, match="lag must be 1 or more"):
        lag_analysis([s], BID, ATT, 0)


def test_adjusted_residuals_match_agresti_worked_example() -> None:
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5:
    # gender x party identification; standardized (= adjusted) residuals printed there:
    # females 4.50, 0.70, -5.32; males -4.50, -0.70, 5.32.
    counts = np.array([[762, 327, 468], [484, 239, 477]], float)
    # Expected by hand for the first cell: row 1557 * column 1246 / 2757.
    assert expected_counts(counts)[0, 0] == pytest.approx(1557 * 1246 / 2757)
    assert adjusted_residuals(counts).round(2).tolist() == [
        [4.50, 0.70, -5.32],
        [-4.50, -0.70, 5.32],
    ]


def test_odds_ratio_ci_matches_agresti_aspirin_example() -> None:
    # Agresti (2007) section 2.3.3: Physicians' Health Study, heart attack yes/no by placebo
    # (189 / 10845) and aspirin (104 / 10933): odds ratio 1.832, 95 % CI (1.44, 2.33).
    t = TwoByTwo(189, 10845, 104, 10933)
    assert t.odds_ratio == pytest.approx(1.832, abs=5e-4)
    low, high, _ = t.odds_ratio_ci()
    assert (round(low, 2), round(high, 2)) == (1.44, 2.33)
    assert t.yules_q == pytest.approx((1.832 - 1) / (1.832 + 1), abs=5e-4)


def test_zero_cell_uses_haldane_correction_and_undefined_is_nan() -> None:
    t = TwoByTwo(3, 0, 1, 4)
    assert t.odds_ratio == math.inf and t.yules_q == 1.0
    low, high, corrected = t.odds_ratio_ci()
    assert corrected and 0 < low < high < math.inf
    empty = TwoByTwo(0, 0, 0, 0)
    assert math.isnan(empty.yules_q) and math.isnan(empty.adjusted_residual)
    assert math.isnan(empty.p_target_given)


# Time windows: a 20 s session in 1 s units, bids at 2.0, 10.0 and 15.5 s, attunement at
# 3.5, 4.2, 7.0, 12.9 and 19.0 s; window 3 s from the bid's onset.
#   window units: [2,5) -> 2,3,4; [10,13) -> 10,11,12; [15.5,18.5) -> 15,16,17,18  (10 units)
#   target-onset units: 3, 4, 7, 12, 19
#   a = in window and a target starts: 3, 4, 12 -> 3;  b = 10 - 3 = 7
#   c = target outside windows: 7, 19 -> 2;  d = 20 - 10 - 2 = 8
#   p(target | window) = 3/10; base p(target) = 5/20; Q = (3*8 - 7*2) / (3*8 + 7*2) = 10/38
#   bids answered: 2.0 -> 3.5 (1.5 s), 10.0 -> 12.9 (2.9 s); 15.5 unanswered.
def _window_session() -> SessionEvents:
    events = [Event(f"b{t}", "w", "child_bid", "child", t) for t in (2000, 10_000, 15_500)]
    events += [
        Event(f"a{t}", "w", "attunement", "parent", t) for t in (3500, 4200, 7000, 12_900, 19_000)
    ]
    return SessionEvents("w", events, 20_000)


def test_time_window_table_by_hand() -> None:
    r = window_analysis([_window_session()], BID, ATT, 3000, unit_ms=1000)
    t = r.pooled
    assert (t.a, t.b, t.c, t.d) == (3, 7, 2, 8)
    assert r.p_conditional == pytest.approx(3 / 10)
    assert r.p_base == pytest.approx(5 / 20)
    assert t.yules_q == pytest.approx(10 / 38)
    assert (r.givens, r.answered) == (3, 2)
    assert r.latencies_ms == (1500, 2900)
    d = r.as_dict()
    assert d["latency"]["median_s"] == pytest.approx(2.2)
    assert sum(b["count"] for b in d["latency_histogram"]) == 2
    # 1.5 s falls in the 1.5-1.8 s bin of ten 0.3 s bins; 2.9 s in the last.
    bins = latency_histogram(r.latencies_ms, 3000)
    assert bins[5][2] == 1 and bins[9][2] == 1


def test_time_window_whole_duration_of_a_state_given() -> None:
    lead = Behaviour("following_lead", "parent")
    events = [
        Event("s", "d", "following_lead", "parent", 5000, 8000),
        Event("r", "d", "following_lead", "parent", 14_000, None),  # still running at the end
        Event("t", "d", "child_bid", "child", 7000),
        Event("u", "d", "child_bid", "child", 19_500),
    ]
    s = SessionEvents("d", events, 20_000, frozenset({"following_lead"}))
    onset = window_analysis([s], lead, BID, 1000, WindowFrom.ONSET, unit_ms=1000)
    assert onset.answered == 0 and onset.pooled.a == 0
    whole = window_analysis([s], lead, BID, 1000, WindowFrom.DURATION, unit_ms=1000)
    # [5, 9) and [14, 20): 10 window units; bids start in units 7 and 19, both inside.
    assert (whole.pooled.a, whole.pooled.b, whole.pooled.c, whole.pooled.d) == (2, 8, 0, 10)
    assert whole.latencies_ms == (2000, 5500)


def test_time_window_pools_sessions_and_refuses_bad_input() -> None:
    one = _window_session()
    two = SessionEvents("w2", one.events, one.duration_ms)
    r = window_analysis([one, two], BID, ATT, 3000, unit_ms=1000)
    assert (r.pooled.a, r.pooled.n) == (6, 40)
    assert r.mean_q == pytest.approx(10 / 38) and r.sessions_with_q == 2
    with pytest.raises(AttuneError, match="same behaviour"):
        window_analysis([one], BID, BID, 3000)
    with pytest.raises(AttuneError, match="longer than 0"):
        window_analysis([one], BID, ATT, 0)
    with pytest.raises(AttuneError, match="no length"):
        window_analysis([SessionEvents("z", [], 0)], BID, ATT, 3000)
