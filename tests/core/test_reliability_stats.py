"""Agreement statistics checked against published worked examples (to 3 decimals)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coder.reliability import (
    cohen_kappa,
    confusion_table,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac1_multi,
    icc,
    kappa_max,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    scott_pi,
    weighted_kappa,
)

nan = math.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 observers x 12 units.
KRIPPENDORFF = np.array(
    [
        [1, 1, nan, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [nan, 5, 5, 5],
        [nan, nan, 1, 1],
        [nan, 3, nan, nan],
    ]
)
# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]
# Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories (counts).
FLEISS_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_alpha_published_example(level: str, expected: float) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF, level=level).value, 3) == expected  # type: ignore[arg-type]


def test_icc_shrout_fleiss_table() -> None:
    r = icc(SHROUT_FLEISS)
    got = [
        round(e.value, 2)
        for e in (r.icc_1_1, r.icc_a_1, r.icc_c_1, r.icc_1_k, r.icc_a_k, r.icc_c_k)
    ]
    assert got == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    # McGraw & Wong intervals (as reported by R's psych::ICC for these data).
    assert (round(r.icc_a_1.ci_low, 2), round(r.icc_a_1.ci_high, 2)) == (0.02, 0.76)  # type: ignore[arg-type]
    assert (round(r.icc_c_1.ci_low, 2), round(r.icc_c_1.ci_high, 2)) == (0.34, 0.95)  # type: ignore[arg-type]
    assert (round(r.icc_1_1.ci_low, 2), round(r.icc_1_1.ci_high, 2)) == (-0.13, 0.72)  # type: ignore[arg-type]
    for e in (r.icc_1_1, r.icc_a_1, r.icc_c_1, r.icc_1_k, r.icc_a_k, r.icc_c_k):
        assert e.ci_low <= e.value <= e.ci_high  # type: ignore[operator]


def test_fleiss_wikipedia_example() -> None:
    ratings = np.array(
        [[c for c, n in enumerate(row) for _ in range(n)] for row in FLEISS_COUNTS], float
    )
    assert round(fleiss_kappa(ratings).value, 3) == 0.210


def test_cohen_kappa_textbook_table_and_its_standard_error() -> None:
    table = [[20, 5], [10, 15]]  # Wikipedia "Cohen's kappa": p_o = 0.7, p_e = 0.5
    k = cohen_kappa(table)
    assert round(k.value, 3) == 0.400 and round(percent_agreement(table).value, 3) == 0.700
    # The Fleiss-Cohen-Everitt SE is the delta-method SE: check it numerically.
    n = 50.0
    p = np.array(table, float).ravel() / n

    def kappa_of(q: np.ndarray) -> float:
        t = q.reshape(2, 2)
        po, pe = np.trace(t), t.sum(1) @ t.sum(0)
        return float((po - pe) / (1 - pe))

    grad = np.array([(kappa_of(p + h) - kappa_of(p - h)) / 2e-6 for h in np.eye(4) * 1e-6])
    cov = (np.diag(p) - np.outer(p, p)) / n
    assert k.se == pytest.approx(math.sqrt(grad @ cov @ grad), rel=1e-4)
    assert k.ci_low < 0.4 < k.ci_high


def test_weighted_kappa_against_disagreement_weight_formula() -> None:
    table = np.array([[10, 3, 1], [2, 12, 4], [0, 3, 9]], float)
    n, k = table.sum(), 3
    expected = np.outer(table.sum(1), table.sum(0)) / n
    for weights, power in (("linear", 1), ("quadratic", 2)):
        v = np.abs(np.subtract.outer(range(k), range(k))) ** power
        reference = 1 - (v * table).sum() / (v * expected).sum()
        assert weighted_kappa(table, weights).value == pytest.approx(reference)  # type: ignore[arg-type]


def test_high_agreement_low_kappa_paradox() -> None:
    table = [[118, 5], [2, 0]]  # almost all agree on one category (Cicchetti & Feinstein)
    assert round(cohen_kappa(table).value, 3) == -0.023
    assert round(percent_agreement(table).value, 3) == 0.944
    assert round(pabak(table).value, 3) == 0.888
    assert round(gwet_ac1(table).value, 3) == 0.941
    assert round(scott_pi(table).value, 3) == -0.029  # pe = 0.972^2 + 0.028^2
    assert kappa_max(table).value > cohen_kappa(table).value


def test_edge_cases_return_nan_with_a_reason() -> None:
    one = [[12]]
    assert math.isnan(cohen_kappa(one).value) and cohen_kappa(one).reason
    assert percent_agreement(one).value == 1.0
    assert math.isnan(cohen_kappa([[0, 0], [0, 0]]).value)
    perfect = [[5, 0], [0, 7]]
    assert cohen_kappa(perfect).value == 1.0 and gwet_ac1(perfect).value == 1.0
    assert math.isnan(krippendorff_alpha(np.full((3, 2), nan)).value)
    assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]]).value)  # no variation
    assert math.isnan(fleiss_kappa([[1.0, nan]]).value)  # a single rating: nothing to compare
    assert math.isnan(icc([[1, 2]]).icc_a_1.value)  # a single target
    assert math.isnan(icc([[3, 3], [3, 3]]).icc_c_1.value)  # no variance
    assert icc([[1, 2], [2, nan], [3, 4]]).dropped_rows == 1
    assert icc([[1, 1], [2, 2], [5, 5]]).icc_a_1.value == pytest.approx(1.0)  # perfect, no crash
    with pytest.raises(ValueError):
        cohen_kappa([[1, 2, 3]])


def test_nan_is_missing_not_a_category() -> None:
    full = np.array([[1, 1], [2, 2], [1, 2], [2, 2]], float)
    padded = np.vstack([full, [[nan, 1], [nan, nan]]])
    assert krippendorff_alpha(padded).value == pytest.approx(krippendorff_alpha(full).value)
    assert fleiss_kappa(padded).value == pytest.approx(fleiss_kappa(full).value)


def test_ac1_multi_equals_two_rater_ac1() -> None:
    a = [1, 1, 2, 2, 3, 1, 2, 3, 3, 1]
    b = [1, 2, 2, 2, 3, 1, 1, 3, 2, 1]
    table, _ = confusion_table(a, b)
    assert gwet_ac1_multi(np.array([a, b], float).T).value == pytest.approx(gwet_ac1(table).value)


def test_summarize_agrees_with_each_statistic() -> None:
    from coder.reliability import summarize

    table = [[40, 9, 1], [6, 30, 4], [2, 3, 5]]
    s = summarize(table)
    assert s.n == 100
    assert s.kappa == cohen_kappa(table) and s.ac1 == gwet_ac1(table)
    assert s.pabak == pabak(table) and s.scott_pi == scott_pi(table)
    assert s.kappa_max == kappa_max(table) and s.percent.value == pytest.approx(0.75)
