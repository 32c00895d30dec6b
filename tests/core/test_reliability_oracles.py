"""Our agreement statistics against independent implementations on generated tables:
scikit-learn and statsmodels are test-only oracles (the app never imports them)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from coder.reliability import cohen_kappa, confusion_table, fleiss_kappa, weighted_kappa

nan = math.nan

label_pairs = st.integers(2, 5).flatmap(
    lambda k: st.lists(
        st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), min_size=4, max_size=60
    )
)


def _table(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, list[int], list[int]]:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    table, _cats = confusion_table(a, b)
    return table, a, b


@settings(max_examples=40, deadline=None)
@given(label_pairs)
def test_cohen_kappa_matches_sklearn_and_statsmodels(pairs: list[tuple[int, int]]) -> None:
    table, a, b = _table(pairs)
    ours = cohen_kappa(table)
    assume(ours.defined)
    assert ours.value == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    with warnings.catch_warnings():  # statsmodels warns on its variance for perfect tables
        warnings.simplefilter("ignore")
        sm = cohens_kappa(table, return_results=True)
    assert ours.value == pytest.approx(sm.kappa, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(label_pairs, st.sampled_from(["linear", "quadratic"]))
def test_weighted_kappa_matches_sklearn_and_statsmodels(
    pairs: list[tuple[int, int]], weights: str
) -> None:
    table, a, b = _table(pairs)
    assume(table.shape[0] >= 2)
    ours = weighted_kappa(table, weights)  # type: ignore[arg-type]
    assume(ours.defined)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cohen_kappa_score(a, b, weights=weights)
        sm = cohens_kappa(table, wt="linear" if weights == "linear" else "quadratic")
    assert ours.value == pytest.approx(expected, abs=1e-12)
    assert ours.value == pytest.approx(sm.kappa, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda raters: st.lists(
            st.lists(st.integers(0, 3), min_size=raters, max_size=raters), min_size=3, max_size=25
        )
    )
)
def test_fleiss_kappa_matches_statsmodels_without_missing(ratings: list[list[int]]) -> None:
    r = np.array(ratings, dtype=float)
    counts, _cats = aggregate_raters(np.array(ratings))
    pooled, per_unit = fleiss_kappa(r), fleiss_kappa(r, chance="per_unit")
    assume(pooled.defined)
    expected = sm_fleiss(counts, method="fleiss")
    assert pooled.value == pytest.approx(expected, abs=1e-12)
    assert per_unit.value == pytest.approx(expected, abs=1e-12)  # no missing: same form


def test_fleiss_with_missing_ratings_pooled_and_per_unit_by_hand() -> None:
    # Three units, three raters, one rating missing:
    #   unit 1: 1 1 1   unit 2: 1 1 2   unit 3: 2 2 -
    # P_bar (units with >= 2 ratings, all three): unit 1: 3*2/(3*2) = 1;
    #   unit 2: (2*1 + 1*0)/(3*2) = 1/3; unit 3: 2*1/(2*1) = 1 -> P_bar = 7/9.
    # Pooled: p = (5/8, 3/8); P_e = 25/64 + 9/64 = 17/32;
    #   kappa = (7/9 - 17/32) / (1 - 17/32) = (71/288) / (15/32) = 71/135 = 0.52593.
    # Per unit (irrCAC): p = mean of (1, 0), (2/3, 1/3), (0, 1) = (5/9, 4/9);
    #   P_e = 25/81 + 16/81 = 41/81; kappa = (63/81 - 41/81) / (40/81) = 22/40 = 0.55.
    r = [[1, 1, 1], [1, 1, 2], [2, 2, nan]]
    assert fleiss_kappa(r).value == pytest.approx(71 / 135, abs=1e-12)
    assert fleiss_kappa(r, chance="per_unit").value == pytest.approx(0.55, abs=1e-12)
