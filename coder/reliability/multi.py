"""Agreement among several coders from ``ratings`` shaped (units, coders), NaN = missing.

- Fleiss' kappa (1971), generalised to units rated by different numbers of coders;
- Krippendorff's alpha (coincidence-matrix method, Krippendorff 2011 "Computing
  Krippendorff's Alpha-Reliability") for nominal, ordinal, interval and ratio data;
- Gwet's AC1 for several raters (Gwet 2008).
Units with fewer than two values are not pairable and are dropped.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from coder.reliability.tables import Estimate, undefined

Level = Literal["nominal", "ordinal", "interval", "ratio"]


def _matrix(ratings: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    r = np.asarray(ratings, dtype=np.float64)
    if r.ndim != 2:
        raise ValueError("ratings must be shaped (units, coders)")
    return r


def _counts(r: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(categories, counts[unit, category]) over the non-missing values."""
    values = r[~np.isnan(r)]
    cats = np.unique(values)
    counts = (
        np.stack([(r == c).sum(axis=1) for c in cats], axis=1)
        if cats.size
        else np.zeros((r.shape[0], 0))
    )
    return cats, counts.astype(np.float64)


def fleiss_kappa(ratings: Any, chance: Literal["pooled", "per_unit"] = "pooled") -> Estimate:
    """Fleiss' (1971) kappa for many raters, (P_bar - P_e) / (1 - P_e), where P_bar is the mean
    over units rated by 2 or more of sum_k n_ik (n_ik - 1) / (n_i (n_i - 1)).

    With missing ratings the two published forms differ in P_e = sum_k p_k^2:
    - ``"pooled"`` (default; Fleiss 1971 generalised, as statsmodels' ``fleiss_kappa``):
      p_k = all ratings of category k / all ratings, over units rated by 2 or more;
    - ``"per_unit"`` (Gwet's irrCAC ``fleiss.kappa.raw``): p_k = the mean over every unit
      rated at least once of n_ik / n_i (each unit's own proportions, then averaged).
    With no missing ratings both are the same. Units with no rating at all are dropped."""
    r = _matrix(ratings)
    _cats, counts = _counts(r)
    n_i = counts.sum(axis=1)
    keep = n_i >= 2
    if not keep.any():
        return undefined("no unit has two or more ratings")
    paired, n_paired = counts[keep], n_i[keep]
    p_i = (np.sum(paired**2, axis=1) - n_paired) / (n_paired * (n_paired - 1))
    p_bar = float(p_i.mean())
    if chance == "per_unit":
        rated = n_i >= 1
        p_j = np.mean(counts[rated] / n_i[rated][:, None], axis=0)
    else:
        p_j = paired.sum(axis=0) / n_paired.sum()
    pe = float(np.sum(p_j**2))
    if math.isclose(pe, 1.0):
        return undefined("every rating is the same category (chance agreement is 1)")
    return Estimate((p_bar - pe) / (1 - pe))


def _delta2(cats: np.ndarray[Any, Any], n_c: np.ndarray[Any, Any], level: Level) -> Any:
    c, k = np.meshgrid(cats, cats, indexing="ij")
    if level == "nominal":
        return (c != k).astype(np.float64)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = ((c - k) / (c + k)) ** 2
        return np.nan_to_num(d)
    # ordinal: (sum of n_g for g between c and k, minus half of n_c and n_k) squared
    cum = np.cumsum(n_c)
    i, j = np.meshgrid(np.arange(len(cats)), np.arange(len(cats)), indexing="ij")
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    between = cum[hi] - np.where(lo > 0, cum[lo - 1], 0)
    return (between - (n_c[i] + n_c[j]) / 2) ** 2


def krippendorff_alpha(ratings: Any, level: Level = "nominal") -> Estimate:
    """Krippendorff's alpha 1 - D_o / D_e from the coincidence matrix (Krippendorff 2011,
    "Computing Krippendorff's Alpha-Reliability"); units with fewer than 2 values dropped."""
    r = _matrix(ratings)
    cats, counts = _counts(r)
    m_u = counts.sum(axis=1)
    keep = m_u >= 2
    if not keep.any():
        return undefined("no unit has two or more values (nothing is pairable)")
    counts, m_u = counts[keep], m_u[keep]
    # Coincidences: o_ck = sum_u n_uc * (n_uk - [c == k]) / (m_u - 1)
    weighted = counts / (m_u - 1)[:, None]
    o = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if level == "ratio" and np.any(cats < 0):
        raise ValueError("ratio data cannot be negative")
    d2 = _delta2(cats, n_c, level)
    d_o = float(np.sum(o * d2)) / n
    d_e = float(np.sum(np.outer(n_c, n_c) * d2)) / (n * (n - 1))
    if d_e == 0:
        return undefined("no variation in the values (expected disagreement is 0)")
    return Estimate(1 - d_o / d_e)


def gwet_ac1_multi(ratings: Any) -> Estimate:
    """Gwet's (2008) AC1 for several raters (Gwet 2008); units with fewer than 2 ratings dropped."""
    r = _matrix(ratings)
    cats, counts = _counts(r)
    k = len(cats)
    if k < 2:
        return undefined("AC1 needs at least two categories in use")
    r_i = counts.sum(axis=1)
    rated = r_i >= 1
    pair = r_i >= 2
    if not pair.any():
        return undefined("no unit has two or more ratings")
    pa = float(
        np.mean(np.sum(counts[pair] * (counts[pair] - 1), axis=1) / (r_i[pair] * (r_i[pair] - 1)))
    )
    pi = np.mean(counts[rated] / r_i[rated][:, None], axis=0)
    pe = float(np.sum(pi * (1 - pi)) / (k - 1))
    if math.isclose(pe, 1.0):
        return undefined("chance agreement is 1")
    return Estimate((pa - pe) / (1 - pe))
