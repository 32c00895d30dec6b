"""Intraclass correlations from ``ratings`` shaped (targets, judges).

Single and average measures of the one-way (1), two-way agreement (A) and two-way
consistency (C) models, with 95 % confidence intervals from McGraw & Wong (1996, Psychol.
Methods 1:30, Table 7). ICC(A,1) is Shrout & Fleiss's ICC(2,1); ICC(C,1) is their ICC(3,1).
Rows with a missing value are dropped (the count is reported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from coder.reliability.tables import Estimate, undefined


@dataclass(frozen=True)
class IccResult:
    icc_1_1: Estimate
    icc_a_1: Estimate
    icc_c_1: Estimate
    icc_1_k: Estimate
    icc_a_k: Estimate
    icc_c_k: Estimate
    n_targets: int
    n_judges: int
    dropped_rows: int


def _safe(value: float, low: float, high: float) -> Estimate:
    if not math.isfinite(value):
        return undefined("undefined for these data (no variance)")
    return Estimate(float(value), None, float(low), float(high))


def icc(ratings: Any, alpha: float = 0.05) -> IccResult:
    """All six ICC forms with F-based CIs (Shrout & Fleiss 1979; McGraw & Wong 1996).

    Needs complete rows: rows with any NaN are dropped and counted in the result."""
    from scipy import stats  # scipy is slow to import: only when asked

    r = np.asarray(ratings, dtype=np.float64)
    if r.ndim != 2:
        raise ValueError("ratings must be shaped (targets, judges)")
    complete = ~np.isnan(r).any(axis=1)
    dropped = int((~complete).sum())
    x = r[complete]
    n, k = x.shape
    if n < 2 or k < 2:
        nan = undefined("needs at least two complete targets and two judges")
        return IccResult(nan, nan, nan, nan, nan, nan, n, k, dropped)
    grand = x.mean()
    ss_rows = k * float(np.sum((x.mean(axis=1) - grand) ** 2))
    ss_cols = n * float(np.sum((x.mean(axis=0) - grand) ** 2))
    ss_total = float(np.sum((x - grand) ** 2))
    ss_error = ss_total - ss_rows - ss_cols
    # numpy scalars: a division by zero gives inf/nan (silenced below), never an exception
    msr = np.float64(ss_rows / (n - 1))
    msc = np.float64(ss_cols / (k - 1))
    mse = np.float64(max(0.0, ss_error) / ((n - 1) * (k - 1)))
    msw = np.float64((ss_cols + ss_error) / (n * (k - 1)))
    q = 1 - alpha / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        # One-way random: ICC(1,1), ICC(1,k)
        f1 = msr / msw if msw > 0 else math.inf
        fl1 = f1 / stats.f.ppf(q, n - 1, n * (k - 1))
        fu1 = f1 * stats.f.ppf(q, n * (k - 1), n - 1)
        i11 = (msr - msw) / (msr + (k - 1) * msw) if msr + (k - 1) * msw else math.nan
        i1k = (msr - msw) / msr if msr else math.nan
        # Two-way consistency: ICC(C,1), ICC(C,k)
        fc = msr / mse if mse > 0 else math.inf
        flc = fc / stats.f.ppf(q, n - 1, (n - 1) * (k - 1))
        fuc = fc * stats.f.ppf(q, (n - 1) * (k - 1), n - 1)
        ic1 = (msr - mse) / (msr + (k - 1) * mse) if msr + (k - 1) * mse else math.nan
        ick = (msr - mse) / msr if msr else math.nan
        # Two-way agreement: ICC(A,1), ICC(A,k)
        denom = msr + (k - 1) * mse + k * (msc - mse) / n
        ia1 = (msr - mse) / denom if denom else math.nan
        iak = (msr - mse) / (msr + (msc - mse) / n) if msr + (msc - mse) / n else math.nan
        a = k * ia1 / (n * (1 - ia1))
        b = 1 + k * ia1 * (n - 1) / (n * (1 - ia1))
        v = (a * msc + b * mse) ** 2 / (
            (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
        )
        fs = stats.f.ppf(q, n - 1, v)
        fss = stats.f.ppf(q, v, n - 1)
        la1 = n * (msr - fs * mse) / (fs * (k * msc + (k * n - k - n) * mse) + n * msr)
        ua1 = n * (fss * msr - mse) / (k * msc + (k * n - k - n) * mse + n * fss * msr)
        lak = n * (msr - fs * mse) / (fs * (msc - mse) + n * msr)
        uak = n * (fss * msr - mse) / (msc - mse + n * fss * msr)
        return _result(locals(), n, k, dropped)


def _result(v: dict[str, Any], n: int, k: int, dropped: int) -> IccResult:
    fl1, fu1, flc, fuc = v["fl1"], v["fu1"], v["flc"], v["fuc"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return IccResult(
            icc_1_1=_safe(v["i11"], (fl1 - 1) / (fl1 + k - 1), (fu1 - 1) / (fu1 + k - 1)),
            icc_a_1=_safe(v["ia1"], float(v["la1"]), float(v["ua1"])),
            icc_c_1=_safe(v["ic1"], (flc - 1) / (flc + k - 1), (fuc - 1) / (fuc + k - 1)),
            icc_1_k=_safe(v["i1k"], 1 - 1 / fl1, 1 - 1 / fu1),
            icc_a_k=_safe(v["iak"], float(v["lak"]), float(v["uak"])),
            icc_c_k=_safe(v["ick"], 1 - 1 / flc, 1 - 1 / fuc),
            n_targets=n,
            n_judges=k,
            dropped_rows=dropped,
        )
