"""Each method's result as a plain dict (JSON-ready), with code and subject *names* next to
ids and a plain-words reading next to every agreement number.

Used by ``compare`` (CLI, window, reports). Never carries notes or other clinical text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coder.model import Event, Scheme
from coder.reliability.aligned import aligned_kappa, row_dict
from coder.reliability.alignment import align_events
from coder.reliability.boris_mode import BorisResult, boris_identity, boris_kappa
from coder.reliability.drift import PartAgreement
from coder.reliability.elan import elan_kappa
from coder.reliability.readings import (
    read_drift,
    read_identity,
    read_kappa,
    read_percent,
    read_positive,
)
from coder.reliability.tables import Estimate, TableSummary
from coder.reliability.timeline import time_unit_agreement


@dataclass(frozen=True)
class Inputs:
    """What every method needs for one pair (or the pooled time line)."""

    scheme: Scheme
    events_a: list[Event]
    events_b: list[Event]
    duration_ms: int
    slice_ms: int
    tolerance_ms: int
    overlap_percent: int
    codes: list[str]
    subjects: list[str]
    names: tuple[str, str]
    include_modifiers: bool = False
    boris_before_8_11_3: bool = False

    @property
    def code_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.scheme.codes}

    @property
    def subject_names(self) -> dict[str, str]:
        return {s.id: s.name for s in self.scheme.subjects}


def num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def estimate_dict(e: Estimate) -> dict[str, Any]:
    return {
        "value": num(e.value),
        "se": num(e.se),
        "ci_low": num(e.ci_low),
        "ci_high": num(e.ci_high),
        "reason": e.reason,
    }


def prevalence(table: Sequence[Sequence[float]]) -> float | None:
    """Share of units where the code is on, averaged over both coders (2x2 tables)."""
    n = sum(sum(r) for r in table)
    if len(table) != 2 or n == 0:
        return None
    return float((2 * table[0][0] + table[0][1] + table[1][0]) / (2 * n))


def summary_dict(s: TableSummary, table: Sequence[Sequence[float]] | None = None) -> dict[str, Any]:
    kappa_max = s.kappa_max.value if s.kappa_max.defined else None
    return {
        "n": s.n,
        "kappa": estimate_dict(s.kappa),
        "percent_agreement": estimate_dict(s.percent),
        "pabak": estimate_dict(s.pabak),
        "ac1": estimate_dict(s.ac1),
        "scott_pi": estimate_dict(s.scott_pi),
        "kappa_max": estimate_dict(s.kappa_max),
        "reading": read_kappa(
            s.kappa.value,
            reason=s.kappa.reason,
            n=s.n,
            prevalence=prevalence(table) if table is not None else None,
            kappa_max=kappa_max,
            percent=s.percent.value if s.percent.defined else None,
        ),
        "percent_reading": read_percent(s.percent.value if s.percent.defined else None),
    }


def timeunit(x: Inputs) -> dict[str, Any]:
    names = x.code_names
    kinds = {c.id: c.kind for c in x.scheme.codes}
    result = time_unit_agreement(
        x.events_a,
        x.events_b,
        codes=x.codes,
        kinds=kinds,
        duration_ms=x.duration_ms,
        slice_ms=x.slice_ms,
        tolerance_ms=x.tolerance_ms,
    )
    out: dict[str, Any] = {
        "n_slices": result.n_slices,
        "per_code": [
            {
                "code": c.code,
                "code_name": names.get(c.code, c.code),
                "table": c.table,
                **summary_dict(c.summary, c.table),
            }
            for c in result.per_code
        ],
        "code_sets": [],
    }
    sets = [[c for c in g.codes if c in x.codes] for g in x.scheme.groups if g.exclusive]
    for members in (s for s in sets if s):
        allowed = {s for c in members for s in x.scheme.subjects_for(x.scheme.code(c))}
        for subject in (s for s in x.subjects if s in allowed):
            tu = time_unit_agreement(
                x.events_a,
                x.events_b,
                codes=members,
                kinds=kinds,
                duration_ms=x.duration_ms,
                slice_ms=x.slice_ms,
                tolerance_ms=x.tolerance_ms,
                subject=subject,
                exclusive_set=members,
            )
            assert tu.code_set is not None
            out["code_sets"].append(
                {
                    "subject": subject,
                    "subject_name": x.subject_names.get(subject, subject),
                    "categories": tu.code_set.categories,
                    "category_names": [names.get(c, c) for c in tu.code_set.categories],
                    "table": tu.code_set.table,
                    **summary_dict(tu.code_set.summary),
                }
            )
    return out


def events(x: Inputs) -> dict[str, Any]:
    names = x.code_names
    aligned = align_events(
        [e for e in x.events_a if e.subject_id in x.subjects],
        [e for e in x.events_b if e.subject_id in x.subjects],
        tolerance_ms=x.tolerance_ms,
        codes=x.codes,
    )
    return {
        "per_code": [
            {
                "code": c.code,
                "code_name": names.get(c.code, c.code),
                "matched": c.matched,
                "missed": c.missed,
                "extra": c.extra,
                "positive_agreement": num(c.positive_agreement),
                "mean_onset_diff_ms": num(c.mean_onset_diff_ms),
                "max_onset_diff_ms": c.max_onset_diff_ms,
                "reading": read_positive(c.positive_agreement, c.matched, c.missed, c.extra),
            }
            for c in aligned.per_code
        ],
        "categories": aligned.categories,
        "category_names": [names.get(c, c) for c in aligned.categories],
        "table": aligned.table,
        "overall": summary_dict(aligned.summary),
        "caveat": aligned.caveat,
        "disagreements": aligned.disagreements,
        "missed": aligned.missed,
        "extra": aligned.extra,
    }


def aligned(x: Inputs) -> dict[str, Any]:
    names = x.code_names
    r = aligned_kappa(
        x.events_a, x.events_b, tolerance_ms=x.tolerance_ms, codes=x.codes, subjects=x.subjects
    )
    return {
        "per_code": [
            {
                "code": c.code,
                "code_name": names.get(c.code, c.code),
                "matched": c.agree,
                "missed": c.a_total - c.agree,
                "extra": c.b_total - c.agree,
                "positive_agreement": num(c.positive_agreement),
                "reading": read_positive(
                    c.positive_agreement, c.agree, c.a_total - c.agree, c.b_total - c.agree
                ),
            }
            for c in r.per_code
        ],
        "counts": {k: r.count(k) for k in ("agree", "disagree", "missed", "extra")},
        "categories": r.categories,
        "category_names": [names.get(c, c) for c in r.categories],
        "table": r.table,
        "overall": summary_dict(r.summary),
        "paired": summary_dict(r.paired),
        "alignment": [row_dict(row, names, x.subject_names) for row in r.rows],
        "caveat": r.caveat,
    }


def elan(x: Inputs) -> dict[str, Any]:
    names = x.code_names
    r = elan_kappa(
        x.events_a,
        x.events_b,
        scheme=x.scheme,
        overlap_percent=x.overlap_percent,
        codes=x.codes,
        subjects=x.subjects,
    )
    ipf = r.kappa_with_unmatched
    return {
        "overlap_percent": r.overlap_percent,
        "categories": r.categories,
        "category_names": [names.get(c, c) for c in r.categories],
        "table": r.table,
        "kappa_with_unmatched": {
            **estimate_dict(ipf),
            "reading": read_kappa(ipf.value, reason=ipf.reason, symbol="κ (with unmatched)"),
        },
        "agreement_with_unmatched": estimate_dict(r.agreement_with_unmatched),
        "kappa_max_with_unmatched": estimate_dict(r.kappa_max_with_unmatched),
        "linked": summary_dict(r.linked),
        "per_code": [
            {
                "code": c.code,
                "code_name": names.get(c.code, c.code),
                "table": c.table,
                "kappa": estimate_dict(c.kappa),
                "reading": read_kappa(
                    c.kappa.value, reason=c.kappa.reason, prevalence=prevalence(c.table)
                ),
            }
            for c in r.per_code
        ],
        "links": [{"a": k.a, "b": k.b, "percent": round(k.percent, 1)} for k in r.links],
        "unmatched_a": len(r.unmatched_a),
        "unmatched_b": len(r.unmatched_b),
        "percent_linked": num(r.percent_linked),
        "points_left_out": r.points_left_out,
    }


def _boris_dict(r: BorisResult, key: str, reading: str) -> dict[str, Any]:
    return {
        key: r.value,
        "reason": r.reason,
        "n_times": r.n_times,
        "n_units": r.n_units,
        "first_ms": r.first_ms,
        "last_ms": r.last_ms,
        "categories": r.categories,
        "table": r.table,
        "quirks": r.quirks,
        "reading": reading,
    }


def boris(x: Inputs) -> dict[str, Any]:
    r = boris_kappa(
        x.events_a,
        x.events_b,
        scheme=x.scheme,
        slice_ms=x.slice_ms,
        codes=x.codes,
        subjects=x.subjects,
        include_modifiers=x.include_modifiers,
        names=x.names,
    )
    reading = (
        read_kappa(r.value, symbol="BORIS κ")
        if r.value is not None
        else f"not computable: {r.reason}"
    )
    return _boris_dict(r, "kappa", reading)


def identity(x: Inputs) -> dict[str, Any]:
    r = boris_identity(
        x.events_a,
        x.events_b,
        scheme=x.scheme,
        slice_ms=x.slice_ms,
        codes=x.codes,
        subjects=x.subjects,
        include_modifiers=x.include_modifiers,
        names=x.names,
        before_8_11_3=x.boris_before_8_11_3,
    )
    return _boris_dict(r, "identity", read_identity(r.value, r.reason))


BUILDERS = {
    "timeunit": timeunit,
    "events": events,
    "aligned": aligned,
    "elan": elan,
    "boris": boris,
    "identity": identity,
}


def drift_dict(parts: Sequence[PartAgreement], code_names: Mapping[str, str]) -> dict[str, Any]:
    rows = []
    for p in parts:
        rows.append(
            {
                "part": p.part.name,
                "start_ms": p.part.start_ms,
                "end_ms": p.part.end_ms,
                "n_slices": p.result.n_slices,
                "per_code": [
                    {
                        "code": c.code,
                        "code_name": code_names.get(c.code, c.code),
                        "table": c.table,
                        **summary_dict(c.summary, c.table),
                    }
                    for c in p.result.per_code
                ],
                "overall": summary_dict(p.overall),
            }
        )
    values = [p.overall.kappa.value for p in parts]
    return {
        "parts": rows,
        "reading": read_drift(values[0], values[-1]) if values else "no parts",
    }
