"""Tidy CSV tables of sequential and synchrony analyses (one row per session and lag, or per
window), written atomically with the spreadsheet cell guard."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from typing import Any

from coder.analysis.sequential import LagAnalysis, LagTable, WindowAnalysis
from coder.analysis.synchrony import SynchronyResult
from exports.atomic import atomic_write
from exports.cells import safe_cell

LAG_COLUMNS = (
    "analysis",
    "session",
    "given",
    "target",
    "lag",
    "window_s",
    "window_from",
    "unit_s",
    "given_then_target",
    "given_then_other",
    "other_then_target",
    "other_then_other",
    "n",
    "p_target_given",
    "p_target",
    "adjusted_residual",
    "yules_q",
    "odds_ratio",
    "odds_ratio_ci_low",
    "odds_ratio_ci_high",
    "givens",
    "answered",
    "median_latency_s",
)


def _cell(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return safe_cell(value)


def _write(
    path: str | os.PathLike[str], columns: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k, "")) for k in columns})


def lag_rows(analyses: Sequence[LagAnalysis]) -> list[dict[str, Any]]:
    rows = []
    for a in analyses:
        base = {"analysis": "lag", "given": a.given, "target": a.target, "lag": a.lag}
        for label, table in a.sessions:
            rows.append({**base, "session": label, **table.as_dict()})
        rows.append({**base, "session": "pooled (summed tables)", **a.pooled.as_dict()})
        rows.append({**base, "session": "mean of per-session Q", "yules_q": a.mean_q})
    return rows


def window_rows(analysis: WindowAnalysis) -> list[dict[str, Any]]:
    import numpy as np

    base = {
        "analysis": "time window",
        "given": analysis.given,
        "target": analysis.target,
        "window_s": analysis.window_ms / 1000,
        "window_from": analysis.window_from.value,
        "unit_s": analysis.unit_ms / 1000,
    }

    def median(values: Sequence[int]) -> float:
        return float(np.median(values)) / 1000 if values else math.nan

    rows = [
        {
            **base,
            "session": s.label,
            **s.table.as_dict(),
            "givens": s.givens,
            "answered": s.answered,
            "median_latency_s": median(s.latencies_ms),
        }
        for s in analysis.sessions
    ]
    rows.append(
        {
            **base,
            "session": "pooled (summed tables)",
            **analysis.pooled.as_dict(),
            "givens": analysis.givens,
            "answered": analysis.answered,
            "median_latency_s": median(analysis.latencies_ms),
        }
    )
    rows.append({**base, "session": "mean of per-session Q", "yules_q": analysis.mean_q})
    return rows


def write_lag_csv(analyses: Sequence[LagAnalysis], path: str | os.PathLike[str]) -> None:
    _write(path, LAG_COLUMNS, lag_rows(analyses))


def write_window_csv(analysis: WindowAnalysis, path: str | os.PathLike[str]) -> None:
    _write(path, LAG_COLUMNS, window_rows(analysis))


def write_lag_table_csv(table: LagTable, path: str | os.PathLike[str]) -> None:
    """Long form: one row per (given, target) cell with count, expected, p and z."""
    rows = []
    for i, given in enumerate(table.labels):
        for j, target in enumerate(table.labels):
            rows.append(
                {
                    "lag": table.lag,
                    "given": given,
                    "target": target,
                    "count": float(table.counts[i, j]),
                    "expected": float(table.expected[i, j]),
                    "transitional_probability": float(table.transitional[i, j]),
                    "adjusted_residual": float(table.residuals[i, j]),
                }
            )
    columns = (
        "lag",
        "given",
        "target",
        "count",
        "expected",
        "transitional_probability",
        "adjusted_residual",
    )
    _write(path, columns, rows)


def write_synchrony_csv(result: SynchronyResult, path: str | os.PathLike[str]) -> None:
    rows = [
        {
            "a": result.a,
            "b": result.b,
            "start_s": w.start_ms / 1000,
            "end_s": w.end_ms / 1000,
            "peak_r": w.peak_r,
            "peak_lag_s": w.peak_lag_ms / 1000,
            "r_at_zero": w.r_at_zero,
            "p_value": w.p_value,
            "above_baseline": "yes"
            if not math.isnan(w.peak_r) and w.peak_r > result.threshold
            else "no",
        }
        for w in result.windows
    ]
    columns = (
        "a",
        "b",
        "start_s",
        "end_s",
        "peak_r",
        "peak_lag_s",
        "r_at_zero",
        "p_value",
        "above_baseline",
    )
    _write(path, columns, rows)
