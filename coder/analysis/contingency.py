"""Statistics of contingency tables used by sequential analysis (Bakeman & Quera 2011).

- Expected counts under independence: e_rc = x_r+ * x_+c / N.
- Adjusted residuals (Haberman 1973; Allison & Liker 1982; Bakeman & Quera 2011, ch. 9):
  z_rc = (x_rc - e_rc) / sqrt(e_rc * (1 - x_r+/N) * (1 - x_+c/N)). For a 2x2 given/target table
  this is exactly Allison & Liker's z = (p(T|G) - p(T)) / sqrt(p(T)(1-p(T))(1-p(G)) / (N p(G))).
- Yule's Q = (ad - bc) / (ad + bc), the odds ratio ad/bc rescaled to -1..+1.
- Odds ratio with a Woolf (log) confidence interval, exp(ln OR +- z * sqrt(1/a+1/b+1/c+1/d));
  when a cell is zero the interval uses the Haldane-Anscombe correction (0.5 added to every
  cell) and says so.

Undefined values are NaN, never an exception: a code that never occurs has no residual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

Matrix = np.ndarray[Any, np.dtype[np.float64]]


def expected_counts(counts: Matrix) -> Matrix:
    n = counts.sum()
    if n == 0:
        return np.zeros_like(counts, dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    cols = counts.sum(axis=0, keepdims=True)
    result: Matrix = rows * cols / n
    return result


def adjusted_residuals(counts: Matrix) -> Matrix:
    """Haberman's adjusted residual of every cell; NaN where it is undefined."""
    x = np.asarray(counts, dtype=float)
    n = x.sum()
    if n == 0:
        return np.full_like(x, np.nan)
    e = expected_counts(x)
    p_rows = x.sum(axis=1, keepdims=True) / n
    p_cols = x.sum(axis=0, keepdims=True) / n
    variance = e * (1 - p_rows) * (1 - p_cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        z: Matrix = np.where(variance > 0, (x - e) / np.sqrt(variance), np.nan)
    return z


def transitional_probabilities(counts: Matrix) -> Matrix:
    """p(column at lag | row): each row divided by its total (NaN for empty rows)."""
    x = np.asarray(counts, dtype=float)
    rows = x.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p: Matrix = np.where(rows > 0, x / rows, np.nan)
    return p


@dataclass(frozen=True)
class TwoByTwo:
    """Given/target table: a = given then target, b = given then not target,
    c = not given then target, d = neither."""

    a: float
    b: float
    c: float
    d: float

    def __add__(self, other: TwoByTwo) -> TwoByTwo:
        return TwoByTwo(self.a + other.a, self.b + other.b, self.c + other.c, self.d + other.d)

    @property
    def n(self) -> float:
        return self.a + self.b + self.c + self.d

    @property
    def p_target_given(self) -> float:
        """The conditional (transitional) probability p(target | given)."""
        return self.a / (self.a + self.b) if self.a + self.b else math.nan

    @property
    def p_target(self) -> float:
        """The target's base rate p(target)."""
        return (self.a + self.c) / self.n if self.n else math.nan

    @property
    def p_given(self) -> float:
        return (self.a + self.b) / self.n if self.n else math.nan

    @property
    def expected_a(self) -> float:
        return (self.a + self.b) * (self.a + self.c) / self.n if self.n else math.nan

    @property
    def adjusted_residual(self) -> float:
        """z of the given-then-target cell (Allison-Liker = Haberman for 2x2)."""
        z = adjusted_residuals(np.array([[self.a, self.b], [self.c, self.d]]))
        return float(z[0, 0])

    @property
    def yules_q(self) -> float:
        ad, bc = self.a * self.d, self.b * self.c
        return (ad - bc) / (ad + bc) if ad + bc else math.nan

    @property
    def odds_ratio(self) -> float:
        ad, bc = self.a * self.d, self.b * self.c
        if bc == 0:
            return math.inf if ad > 0 else math.nan
        return ad / bc

    def odds_ratio_ci(self, level: float = 0.95) -> tuple[float, float, bool]:
        """(low, high, corrected): Woolf's log interval; corrected=True when a zero cell
        made it add 0.5 to every cell (Haldane-Anscombe)."""
        cells = [self.a, self.b, self.c, self.d]
        if (self.a + self.b) == 0 or (self.c + self.d) == 0:
            return math.nan, math.nan, False
        if (self.a + self.c) == 0 or (self.b + self.d) == 0:
            return math.nan, math.nan, False
        corrected = any(v == 0 for v in cells)
        a, b, c, d = (v + 0.5 for v in cells) if corrected else cells
        log_or = math.log(a * d / (b * c))
        se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        from scipy.stats import norm  # scipy is slow to import: only when needed

        z = float(norm.ppf(0.5 + level / 2))
        return math.exp(log_or - z * se), math.exp(log_or + z * se), corrected

    def as_dict(self) -> dict[str, float | bool]:
        low, high, corrected = self.odds_ratio_ci()
        return {
            "given_then_target": self.a,
            "given_then_other": self.b,
            "other_then_target": self.c,
            "other_then_other": self.d,
            "n": self.n,
            "p_target_given": self.p_target_given,
            "p_target": self.p_target,
            "expected_given_then_target": self.expected_a,
            "adjusted_residual": self.adjusted_residual,
            "yules_q": self.yules_q,
            "odds_ratio": self.odds_ratio,
            "odds_ratio_ci_low": low,
            "odds_ratio_ci_high": high,
            "odds_ratio_ci_corrected": corrected,
        }


def mean_q(tables: list[TwoByTwo]) -> tuple[float, float, int]:
    """Mean and SD of per-session Yule's Q over the sessions where it is defined."""
    qs = [t.yules_q for t in tables if not math.isnan(t.yules_q)]
    if not qs:
        return math.nan, math.nan, 0
    sd = float(np.std(qs, ddof=1)) if len(qs) > 1 else math.nan
    return float(np.mean(qs)), sd, len(qs)
