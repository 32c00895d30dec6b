"""Compare any two observations of a project (or many pairs, pooled) — the service behind
the command line `attune reliability`, the reliability window and the report exports.

Results are plain dicts ready for JSON (``results``): code and subject names beside ids, a
plain-words reading beside each agreement number, and every setting that was used, with a
note wherever a setting has no effect or was adjusted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from coder.errors import AttuneError
from coder.model import CodeKind, Event, Observation, RatingPer, Scheme
from coder.reliability.drift import Part, drift, thirds
from coder.reliability.icc import icc
from coder.reliability.multi import krippendorff_alpha
from coder.reliability.options import (
    DEFAULT_OVERLAP_PERCENT,
    DEFAULT_SLICE_MS,
    METHOD_LABELS,
    SLICE_METHODS,
    TOLERANCE_METHODS,
    Method,
    check_method,
    default_tolerance_ms,
    resolve,
    tolerance_note,
)
from coder.reliability.readings import read_alpha, read_icc
from coder.reliability.results import BUILDERS, Inputs, drift_dict, estimate_dict, summary_dict

__all__ = ["Method", "compare", "compare_many", "estimate_dict", "summary_dict"]

Drift = Literal["thirds", "segments"] | None


def _display(project: Any, obs: Observation) -> str:
    if obs.name:
        return obs.name
    return f"{project.session(obs.session_id).label}/{obs.coder}"


def _scheme(project: Any, a: Observation, b: Observation) -> Scheme:
    scheme: Scheme = project.scheme_for_observation(a.id)
    other = project.scheme_for_observation(b.id)
    if {c.id for c in scheme.codes} != {c.id for c in other.codes}:
        raise AttuneError(
            f"'{_display(project, a)}' and '{_display(project, b)}' use different coding "
            "schemes; compare observations coded with the same scheme"
        )
    return scheme


def _duration(
    project: Any, a: Observation, b: Observation, events: Sequence[Event]
) -> tuple[int, str | None]:
    """The session length: the first of the two sessions that has a video; without any
    (BORIS live observations), the end of the last coded moment — and a note saying so."""
    for obs in (a, b):
        session = project.session(obs.session_id)
        if session.media_id is not None:
            return int(project.media(session.media_id).duration_ms), None
    end = max((e.offset_ms if e.offset_ms is not None else e.onset_ms for e in events), default=0)
    return max(end, 1), (
        f"neither session has a video, so the session is taken to end with the last coded "
        f"moment ({end / 1000:.3f} s)"
    )


def compare(project: Any, obs_a: str, obs_b: str, **options: Any) -> dict[str, Any]:
    return compare_many(project, [(obs_a, obs_b)], **options)


def compare_many(
    project: Any,
    pairs: Sequence[tuple[str, str]],
    *,
    method: str = "timeunit",
    slice_ms: int = DEFAULT_SLICE_MS,
    tolerance_ms: int | None = None,
    overlap_percent: int = DEFAULT_OVERLAP_PERCENT,
    codes: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    drift_by: Drift = None,
    include_modifiers: bool = False,
    boris_before_8_11_3: bool = False,
) -> dict[str, Any]:
    """Per pair and pooled (events of all pairs laid end to end on one time line).

    ``codes``/``subjects``: ids or names; an unknown one is refused with the valid names.
    ``tolerance_ms`` None takes the method's documented default; 0 means exact."""
    chosen = check_method(method)
    if not pairs:
        raise AttuneError("choose at least one pair of observations to compare")
    if slice_ms <= 0:
        raise AttuneError("the slice must be longer than 0 s")
    if not 51 <= overlap_percent <= 100:
        raise AttuneError("the ELAN overlap must be between 51 and 100 %")
    tolerance = default_tolerance_ms(chosen) if tolerance_ms is None else tolerance_ms
    if tolerance < 0:
        raise AttuneError("the tolerance cannot be negative")
    notes: list[str] = []
    note = tolerance_note(chosen, slice_ms, tolerance)
    if note:
        notes.append(note)
    per_pair: list[dict[str, Any]] = []
    pooled_a: list[Event] = []
    pooled_b: list[Event] = []
    offset = 0
    scheme: Scheme | None = None
    code_ids: list[str] = []
    subject_ids: list[str] = []
    for key_a, key_b in pairs:
        a, b = project.find_observation(key_a), project.find_observation(key_b)
        scheme = _scheme(project, a, b)
        code_ids = resolve("code", codes, scheme.codes) or [c.id for c in scheme.codes]
        subject_ids = resolve("subject", subjects, scheme.subjects) or [
            s.id for s in scheme.subjects
        ]
        ea = _filter(project.events(a.id), code_ids, subject_ids)
        eb = _filter(project.events(b.id), code_ids, subject_ids)
        duration, duration_note = _duration(project, a, b, ea + eb)
        names = (_display(project, a), _display(project, b))
        inputs = Inputs(
            scheme, ea, eb, duration, slice_ms, tolerance, overlap_percent, code_ids,
            subject_ids, names, include_modifiers, boris_before_8_11_3,
        )  # fmt: skip
        result = BUILDERS[chosen](inputs)
        result.update(
            {
                "observation_a": names[0],
                "observation_b": names[1],
                "coder_a": a.coder,
                "coder_b": b.coder,
                "duration_ms": duration,
                "notes": [duration_note] if duration_note else [],
            }
        )
        if drift_by is not None:
            drift_tolerance = tolerance if chosen == "timeunit" else 0
            result["drift"] = _drift(project, a, inputs, drift_by, drift_tolerance)
        per_pair.append(result)
        states = {c.id for c in scheme.codes if c.is_state}
        pooled_a += [_shift(e, offset, duration, e.code_id in states) for e in ea]
        pooled_b += [_shift(e, offset, duration, e.code_id in states) for e in eb]
        offset += duration
    assert scheme is not None
    out: dict[str, Any] = {
        "method": chosen,
        "method_label": METHOD_LABELS[chosen],
        "slice_ms": slice_ms if chosen in SLICE_METHODS else None,
        "tolerance_ms": tolerance if chosen in TOLERANCE_METHODS else None,
        "overlap_percent": overlap_percent if chosen == "elan" else None,
        "codes": {c: scheme.code(c).name for c in code_ids},
        "subjects": {s: scheme.subject(s).name for s in subject_ids},
        "notes": notes,
        "pairs": per_pair,
    }
    if len(pairs) > 1:
        if chosen in ("boris", "identity"):
            notes.append("BORIS compares pairs one at a time, so there is no pooled value")
        else:
            pooled = Inputs(
                scheme, pooled_a, pooled_b, offset, slice_ms, tolerance, overlap_percent,
                code_ids, subject_ids, ("pooled A", "pooled B"),
            )  # fmt: skip
            out["pooled"] = BUILDERS[chosen](pooled)
    out["ratings"] = rating_agreement(project, pairs)
    return out


def _drift(project: Any, a: Observation, x: Inputs, by: Drift, tolerance_ms: int) -> dict[str, Any]:
    """Time-slice agreement per third or per segment (the slices of the comparison; the
    tolerance only when the comparison itself is by time slices)."""
    if by == "segments":
        segments = project.segments(a.session_id)
        if not segments:
            raise AttuneError(
                "this session has no segments; add them (Session > Segments) or use thirds"
            )
        parts = [Part(s.name, s.onset_ms, min(s.offset_ms, x.duration_ms)) for s in segments]
    else:
        parts = thirds(x.duration_ms, x.slice_ms)
    kinds: dict[str, CodeKind] = {c.id: c.kind for c in x.scheme.codes}
    found = drift(
        x.events_a,
        x.events_b,
        parts=parts,
        codes=x.codes,
        kinds=kinds,
        duration_ms=x.duration_ms,
        slice_ms=x.slice_ms,
        tolerance_ms=tolerance_ms,
    )
    return {
        "by": by,
        "slice_ms": x.slice_ms,
        "tolerance_ms": tolerance_ms,
        **drift_dict(found, x.code_names),
    }


def _filter(events: list[Event], codes: Sequence[str], subjects: Sequence[str]) -> list[Event]:
    return [e for e in events if e.code_id in codes and e.subject_id in subjects]


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
        icc_value = icc(matrix).icc_a_1
        alpha = krippendorff_alpha(matrix, level="interval")
        out.append(
            {
                "rating": scale_id,
                "name": names[scale_id],
                "units": complete,
                "icc_a_1": estimate_dict(icc_value),
                "alpha_interval": estimate_dict(alpha),
                "reading": read_icc(icc_value.value if icc_value.defined else None)
                + "; "
                + read_alpha(alpha.value if alpha.defined else None),
            }
        )
    return out
