"""Agreement statistics from a confusion table (rows: coder A, columns: coder B).

Every function returns an Estimate; an undefined value is NaN with a reason — never an
exception or a division by zero. Formulas:
- Cohen's kappa, with the large-sample standard error of Fleiss, Cohen & Everitt (1969,
  Psychol. Bull. 72:323) and a normal 95 % interval;
- weighted kappa (Cohen 1968) with linear or quadratic agreement weights;
- PABAK for K categories, (K * p_o - 1) / (K - 1) (Byrt, Bishop & Carlin 1993);
- Gwet's AC1 (Gwet 2008), Scott's pi (1955), percent agreement, and kappa_max (the largest
  kappa the marginals allow, Cohen 1960).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Array = np.ndarray[Any, np.dtype[np.float64]]
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str | None = None

    @property
    def defined(self) -> bool:
        return not math.isnan(self.value)


def undefined(reason: str) -> Estimate:
    return Estimate(math.nan, reason=reason)


def _table(table: Any) -> Array:
    t = np.asarray(table, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError("a confusion table must be square (K x K)")
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("a confusion table holds non-negative counts")
    return t


def confusion_table(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Sequence[Hashable] | None = None
) -> tuple[Array, list[Hashable]]:
    """Counts of (a[i], b[i]) pairs; categories default to the sorted labels seen."""
    if len(a) != len(b):
        raise ValueError("both coders need a label for every unit")
    cats = list(categories) if categories is not None else sorted(set(a) | set(b), key=str)
    index = {c: i for i, c in enumerate(cats)}
    t = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b, strict=True):
        t[index[x], index[y]] += 1
    return t, cats


Marginals = tuple[float, Array, Array, float]


def _marginals(t: Array) -> Marginals | None:
    n = float(t.sum())
    if n == 0:
        return None
    p = t / n
    return n, p.sum(axis=1), p.sum(axis=0), float(np.trace(p))


def percent_agreement(table: Any) -> Estimate:
    """Observed agreement p_o = trace(table) / n."""
    t = _table(table)
    return _percent_agreement(t, _marginals(t))


def _percent_agreement(_t: Array, m: Marginals | None) -> Estimate:
    return undefined("no units") if m is None else Estimate(m[3])


def cohen_kappa(table: Any) -> Estimate:
    """Cohen's (1960) kappa (p_o - p_e) / (1 - p_e); SE: the large-sample non-null variance
    of Fleiss, Cohen & Everitt (1969); CI = kappa +/- 1.96 SE."""
    t = _table(table)
    return _cohen_kappa(t, _marginals(t))


def _cohen_kappa(t: Array, m: Marginals | None) -> Estimate:
    if m is None:
        return undefined("no units")
    n, rows, cols, po = m
    pe = float(rows @ cols)
    if math.isclose(pe, 1.0):
        return undefined("chance agreement is 1 (both coders used a single category)")
    kappa = (po - pe) / (1 - pe)
    p = t / n
    diag = np.diag(p)
    term1 = float(np.sum(diag * (1 - (rows + cols) * (1 - kappa)) ** 2))
    off = p.copy()
    np.fill_diagonal(off, 0)
    term2 = (1 - kappa) ** 2 * float(np.sum(off * (cols[:, None] + rows[None, :]) ** 2))
    term3 = (kappa - pe * (1 - kappa)) ** 2
    var = (term1 + term2 - term3) / (n * (1 - pe) ** 2)
    se = math.sqrt(var) if var > 0 else 0.0
    return Estimate(kappa, se, kappa - Z95 * se, kappa + Z95 * se)


def weighted_kappa(table: Any, weights: Literal["linear", "quadratic"] = "linear") -> Estimate:
    """Categories are taken in table order (ordinal)."""
    t = _table(table)
    m = _marginals(t)
    k = t.shape[0]
    if m is None:
        return undefined("no units")
    if k < 2:
        return undefined("weighted kappa needs at least two categories")
    n, rows, cols, _ = m
    i, j = np.indices((k, k))
    dist = np.abs(i - j) / (k - 1)
    w = 1 - (dist if weights == "linear" else dist**2)
    po = float(np.sum(w * t / n))
    pe = float(np.sum(w * np.outer(rows, cols)))
    if math.isclose(pe, 1.0):
        return undefined("chance agreement is 1")
    return Estimate((po - pe) / (1 - pe))


def pabak(table: Any) -> Estimate:
    """Prevalence- and bias-adjusted kappa (K p_o - 1) / (K - 1) (Byrt, Bishop & Carlin 1993)."""
    t = _table(table)
    return _pabak(t, _marginals(t))


def _pabak(t: Array, m: Marginals | None) -> Estimate:
    k = t.shape[0]
    if m is None:
        return undefined("no units")
    if k < 2:
        return undefined("PABAK needs at least two categories")
    return Estimate((k * m[3] - 1) / (k - 1))


def gwet_ac1(table: Any) -> Estimate:
    """Gwet's (2008) AC1: p_e = sum pi_k (1 - pi_k) / (K - 1), pi_k the mean marginal."""
    t = _table(table)
    return _gwet_ac1(t, _marginals(t))


def _gwet_ac1(t: Array, m: Marginals | None) -> Estimate:
    k = t.shape[0]
    if m is None:
        return undefined("no units")
    if k < 2:
        return undefined("AC1 needs at least two categories")
    _, rows, cols, po = m
    pi = (rows + cols) / 2
    pe = float(np.sum(pi * (1 - pi)) / (k - 1))
    if math.isclose(pe, 1.0):
        return undefined("chance agreement is 1")
    return Estimate((po - pe) / (1 - pe))


def scott_pi(table: Any) -> Estimate:
    """Scott's (1955) pi: p_e = sum of squared mean marginals."""
    t = _table(table)
    return _scott_pi(t, _marginals(t))


def _scott_pi(_t: Array, m: Marginals | None) -> Estimate:
    if m is None:
        return undefined("no units")
    _, rows, cols, po = m
    pe = float(np.sum(((rows + cols) / 2) ** 2))
    if math.isclose(pe, 1.0):
        return undefined("chance agreement is 1 (a single category)")
    return Estimate((po - pe) / (1 - pe))


def kappa_max(table: Any) -> Estimate:
    """Largest kappa the marginals allow (Cohen 1960): p_o,max = sum min(row_k, col_k)."""
    t = _table(table)
    return _kappa_max(t, _marginals(t))


def _kappa_max(_t: Array, m: Marginals | None) -> Estimate:
    if m is None:
        return undefined("no units")
    _, rows, cols, _ = m
    pe = float(rows @ cols)
    if math.isclose(pe, 1.0):
        return undefined("chance agreement is 1")
    return Estimate((float(np.sum(np.minimum(rows, cols))) - pe) / (1 - pe))


@dataclass(frozen=True)
class TableSummary:
    n: int
    kappa: Estimate
    percent: Estimate
    pabak: Estimate
    ac1: Estimate
    scott_pi: Estimate
    kappa_max: Estimate


def summarize(table: Any) -> TableSummary:
    """Kappa with the statistics that must be shown next to it (DESIGN §7)."""
    t = _table(table)
    m = _marginals(t)  # validated and summed once, shared by every statistic
    return TableSummary(
        int(t.sum()),
        _cohen_kappa(t, m),
        _percent_agreement(t, m),
        _pabak(t, m),
        _gwet_ac1(t, m),
        _scott_pi(t, m),
        _kappa_max(t, m),
    )
