"""Compare any two observations of a project (or many pairs, pooled) — the service behind the
CLI `attune reliability`, the reliability window and the report exports.

Results are plain dicts ready for JSON. Every kappa comes with % agreement, PABAK and AC1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, Literal

import numpy as np

from coder.errors import AttuneError
from coder.model import Event, Observation, RatingPer, Scheme
from coder.reliability.alignment import align_events
from coder.reliability.boris_mode import boris_time_unit_kappa
from coder.reliability.icc import icc
from coder.reliability.multi import krippendorff_alpha
from coder.reliability.tables import Estimate, TableSummary
from coder.reliability.timeline import time_unit_agreement

Method = Literal["timeunit", "events", "boris"]


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def estimate_dict(e: Estimate) -> dict[str, Any]:
    return {
        "value": _num(e.value),
        "se": _num(e.se),
        "ci_low": _num(e.ci_low),
        "ci_high": _num(e.ci_high),
        "reason": e.reason,
    }


def summary_dict(s: TableSummary) -> dict[str, Any]:
    return {
        "n": s.n,
        "kappa": estimate_dict(s.kappa),
        "percent_agreement": estimate_dict(s.percent),
        "pabak": estimate_dict(s.pabak),
        "ac1": estimate_dict(s.ac1),
        "scott_pi": estimate_dict(s.scott_pi),
        "kappa_max": estimate_dict(s.kappa_max),
    }


def _pair(project: Any, a: Observation, b: Observation) -> tuple[Scheme, int]:
    scheme = project.scheme_for_observation(a.id)
    other = project.scheme_for_observation(b.id)
    if {c.id for c in scheme.codes} != {c.id for c in other.codes}:
        raise AttuneError(
            f"'{a.name or a.id}' and '{b.name or b.id}' use different coding schemes; "
            "compare observations coded with the same scheme"
        )
    session = project.session(a.session_id)
    if session.media_id is None:
        raise AttuneError(f"session '{session.label}' has no video, so its length is unknown")
    return scheme, project.media(session.media_id).duration_ms


def compare(
    project: Any,
    obs_a: str,
    obs_b: str,
    *,
    method: Method = "timeunit",
    slice_ms: int = 1000,
    tolerance_ms: int = 0,
    codes: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
) -> dict[str, Any]:
    return compare_many(
        project,
        [(obs_a, obs_b)],
        method=method,
        slice_ms=slice_ms,
        tolerance_ms=tolerance_ms,
        codes=codes,
        subjects=subjects,
    )


def compare_many(
    project: Any,
    pairs: Sequence[tuple[str, str]],
    *,
    method: Method = "timeunit",
    slice_ms: int = 1000,
    tolerance_ms: int = 0,
    codes: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Per pair and pooled (events of all pairs laid end to end on one time line)."""
    if not pairs:
        raise AttuneError("choose at least one pair of observations to compare")
    per_pair = []
    pooled_a: list[Event] = []
    pooled_b: list[Event] = []
    offset = 0
    scheme: Scheme | None = None
    for key_a, key_b in pairs:
        a, b = project.find_observation(key_a), project.find_observation(key_b)
        scheme, duration = _pair(project, a, b)
        ea, eb = (
            _filter(project.events(a.id), codes, subjects),
            _filter(project.events(b.id), codes, subjects),
        )
        result = _one(scheme, ea, eb, duration, method, slice_ms, tolerance_ms, codes, subjects)
        result.update(
            {
                "observation_a": a.name or a.id,
                "observation_b": b.name or b.id,
                "coder_a": a.coder,
                "coder_b": b.coder,
            }
        )
        per_pair.append(result)
        states = {c.id for c in scheme.codes if c.is_state}
        pooled_a += [_shift(e, offset, duration, e.code_id in states) for e in ea]
        pooled_b += [_shift(e, offset, duration, e.code_id in states) for e in eb]
        offset += duration
    assert scheme is not None
    out: dict[str, Any] = {
        "method": method,
        "slice_ms": slice_ms,
        "tolerance_ms": tolerance_ms,
        "pairs": per_pair,
    }
    if len(pairs) > 1:
        out["pooled"] = _one(
            scheme, pooled_a, pooled_b, offset, method, slice_ms, tolerance_ms, codes, subjects
        )
    out["ratings"] = rating_agreement(project, pairs)
    return out


def _filter(
    events: list[Event], codes: Sequence[str] | None, subjects: Sequence[str] | None
) -> list[Event]:
    return [
        e
        for e in events
        if (codes is None or e.code_id in codes) and (subjects is None or e.subject_id in subjects)
    ]


def _shift(e: Event, offset: int, duration: int, is_state: bool) -> Event:
    """Move an event onto the pooled time line; a running state ends with its own session."""
    end = e.offset_ms if e.offset_ms is not None else (duration if is_state else None)
    return Event(
        e.id,
        e.observation_id,
        e.code_id,
        e.subject_id,
        e.onset_ms + offset,
        None if end is None else end + offset,
        e.modifiers,
        "",
    )


def _one(
    scheme: Scheme,
    ea: list[Event],
    eb: list[Event],
    duration: int,
    method: Method,
    slice_ms: int,
    tolerance_ms: int,
    codes: Sequence[str] | None,
    subjects: Sequence[str] | None,
) -> dict[str, Any]:
    kinds = {c.id: c.kind for c in scheme.codes}
    used = list(codes) if codes is not None else [c.id for c in scheme.codes]
    if method == "boris":
        k = boris_time_unit_kappa(
            ea, eb, kinds=kinds, slice_ms=slice_ms, codes=codes, subjects=subjects
        )
        return {"kappa": _num(k.kappa), "n_slices": k.n_slices, "categories": k.categories}
    if method == "events":
        aligned = align_events(ea, eb, tolerance_ms=tolerance_ms or 2000, codes=used)
        return {
            "per_code": [
                {
                    **asdict(c),
                    "positive_agreement": _num(c.positive_agreement),
                    "mean_onset_diff_ms": _num(c.mean_onset_diff_ms),
                }
                for c in aligned.per_code
            ],
            "categories": aligned.categories,
            "table": aligned.table,
            "overall": summary_dict(aligned.summary),
            "caveat": aligned.caveat,
            "disagreements": aligned.disagreements,
            "missed": aligned.missed,
            "extra": aligned.extra,
        }
    sets = [[c for c in g.codes if c in used] for g in scheme.groups if g.exclusive]
    result = time_unit_agreement(
        ea,
        eb,
        codes=used,
        kinds=kinds,
        duration_ms=duration,
        slice_ms=slice_ms,
        tolerance_ms=tolerance_ms,
    )
    out: dict[str, Any] = {
        "n_slices": result.n_slices,
        "per_code": [
            {"code": c.code, "table": c.table, **summary_dict(c.summary)} for c in result.per_code
        ],
    }
    out["code_sets"] = []
    for members in (s for s in sets if s):
        by_subject = subjects or sorted(
            {s for c in members for s in scheme.subjects_for(scheme.code(c))}
        )
        for subject in by_subject:
            tu = time_unit_agreement(
                ea,
                eb,
                codes=members,
                kinds=kinds,
                duration_ms=duration,
                slice_ms=slice_ms,
                tolerance_ms=tolerance_ms,
                subject=subject,
                exclusive_set=members,
            )
            assert tu.code_set is not None
            out["code_sets"].append(
                {
                    "subject": subject,
                    "categories": tu.code_set.categories,
                    "table": tu.code_set.table,
                    **summary_dict(tu.code_set.summary),
                }
            )
    return out


def rating_agreement(project: Any, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Per scale: ICC(A,1) and Krippendorff's interval alpha over (session, segment) units."""
    rows: dict[str, list[tuple[float, float]]] = {}
    names: dict[str, str] = {}
    for key_a, key_b in pairs:
        a, b = project.find_observation(key_a), project.find_observation(key_b)
        scheme = project.scheme_for_observation(a.id)
        va = {(v.rating_id, v.segment_id): v.value for v in project.rating_values(a.id)}
        vb = {(v.rating_id, v.segment_id): v.value for v in project.rating_values(b.id)}
        for scale in scheme.ratings:
            names[scale.id] = scale.name
            segments = (
                [s.id for s in project.segments(a.session_id)]
                if scale.per is RatingPer.SEGMENT
                else []
            )
            for seg in segments or [None]:
                x, y = va.get((scale.id, seg)), vb.get((scale.id, seg))
                rows.setdefault(scale.id, []).append(
                    (math.nan if x is None else x, math.nan if y is None else y)
                )
    out = []
    for scale_id, values in rows.items():
        matrix = np.array(values, dtype=np.float64)
        complete = int((~np.isnan(matrix).any(axis=1)).sum())
        out.append(
            {
                "rating": scale_id,
                "name": names[scale_id],
                "units": complete,
                "icc_a_1": estimate_dict(icc(matrix).icc_a_1),
                "alpha_interval": estimate_dict(krippendorff_alpha(matrix, level="interval")),
            }
        )
    return out
