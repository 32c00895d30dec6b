"""Per-session summaries of every code (count, rate per minute, total and mean duration,
% of session time) and the scheme's metrics with their targets (response metrics also with
their counts, base rate and Yule's Q), pooled across sessions for researchers as one tidy
long table and one wide table (pandas).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd

from coder.analysis.metrics import compute_metrics
from coder.model import MetricKind
from coder.progress import Cancel, Progress, check_cancel
from exports.atomic import atomic_write
from exports.bundle import ExportBundle
from exports.cells import safe_cell

RESPONSE_KINDS = (MetricKind.LATENCY, MetricKind.PERCENT_ANSWERED)
RESPONSE_DETAIL = (
    "from_events",
    "answered",
    "median_latency_s",
    "p_response_in_window",
    "p_response_base",
    "yules_q",
)


def summary_long(bundles: Sequence[ExportBundle]) -> pd.DataFrame:
    """One row per (session, observation, subject, measure) — tidy, easy to pool."""
    records: list[dict[str, Any]] = []
    for b in bundles:
        duration = (
            b.media.duration_ms
            if b.media
            else max((e.offset_ms or e.onset_ms for e in b.events), default=0)
        )
        minutes = duration / 60_000 if duration else float("nan")
        base = {
            "session": b.session.label,
            "observation": b.observation.name or b.observation.id,
            "coder": b.observation.coder,
        }
        for code in b.scheme.codes:
            for subject in b.scheme.subjects_for(code):
                chosen = [e for e in b.events if e.code_id == code.id and e.subject_id == subject]
                if code.is_state:
                    durations = [
                        (e.offset_ms if e.offset_ms is not None else duration) - e.onset_ms
                        for e in chosen
                    ]
                else:
                    durations = []
                total = sum(durations)
                values = {
                    "count": len(chosen),
                    "rate_per_min": len(chosen) / minutes if minutes else float("nan"),
                }
                if code.is_state:
                    values.update(
                        total_duration_s=total / 1000,
                        mean_duration_s=(total / len(durations) / 1000)
                        if durations
                        else float("nan"),
                        percent_time=100 * total / duration if duration else float("nan"),
                    )
                for measure, value in values.items():
                    records.append(
                        {
                            **base,
                            "subject": subject,
                            "code": code.id,
                            "measure": measure,
                            "value": value,
                            "target": "",
                            "met": "",
                        }
                    )
        for result in compute_metrics(b.scheme, b.events, duration):
            target = (
                f">= {result.target_min:g}"
                if result.target_min is not None
                else f"<= {result.target_max:g}"
                if result.target_max is not None
                else ""
            )
            records.append(
                {
                    **base,
                    "subject": "",
                    "code": result.metric_id,
                    "measure": result.kind.value,
                    "value": result.value,
                    "target": target,
                    "met": "" if result.met is None else ("yes" if result.met else "no"),
                }
            )
            # Response metrics also show their footing: how many, and the base rate and
            # Yule's Q of a response, so "80 % answered" can be read against chance.
            for key in RESPONSE_DETAIL if result.kind in RESPONSE_KINDS else ():
                if key in result.detail:
                    records.append(
                        {
                            **base,
                            "subject": "",
                            "code": result.metric_id,
                            "measure": key,
                            "value": result.detail[key],
                            "target": "",
                            "met": "",
                        }
                    )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "session",
            "observation",
            "coder",
            "subject",
            "code",
            "measure",
            "value",
            "target",
            "met",
        ],
    )


def summary_wide(long: pd.DataFrame) -> pd.DataFrame:
    """One row per observation, one column per subject/code/measure."""
    if long.empty:
        return long
    keyed = long.assign(
        column=long["subject"].where(long["subject"] != "", "metric")
        + ":"
        + long["code"]
        + ":"
        + long["measure"]
    )
    return keyed.pivot_table(
        index=["session", "observation", "coder"], columns="column", values="value", aggfunc="first"
    ).reset_index()


def write_summary(
    bundles: Sequence[ExportBundle],
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    """CSV (long table) or XLSX (sheets 'long' and 'wide'), by the file's extension."""
    long = summary_long(bundles)
    check_cancel(cancel, "the summary export")
    if str(path).lower().endswith(".xlsx"):
        from exports.tables import write_xlsx

        wide = summary_wide(long)
        sheets = [
            ("long", list(long.columns), long.to_dict("records")),
            ("wide", [str(c) for c in wide.columns], wide.rename(columns=str).to_dict("records")),
        ]
        write_xlsx(sheets, path, progress=progress, cancel=cancel)
        return
    safe = long.map(safe_cell).rename(columns=safe_cell)
    with atomic_write(path, "w", newline="") as fh:
        safe.to_csv(fh, index=False)
    if progress is not None:
        progress(1.0)
