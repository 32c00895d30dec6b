"""BORIS-compatible reliability: Cohen's kappa (time-unit) and Needleman–Wunsch identity,
reproducing BORIS's numbers exactly — quirks included — so a lab can check old results.

Read from BORIS's ``irr.py`` (v9, GPL; behaviour only, our own code) and checked against
the values BORIS's own tests assert on its ``test.boris`` (``bench/boris_parity.py``).

How BORIS computes kappa: sample both observations on a grid (``boris_grid``): from the
earliest start to the latest stop of the chosen events, every ``slice`` seconds. At each
grid time, for each chosen subject, the category is the list of [subject, code] of every
state on (start <= t <= stop) and every point within slice/2. One unit per (time, subject);
Cohen's kappa over those units, rounded to 3 decimals.

Quirks reproduced on purpose (they make BORIS's numbers differ from a textbook time-unit
kappa; each is counted in the result so the report can say which ones applied):

1. One unit per (time, subject), not per time: every chosen subject adds units, and a
   subject with nothing coded adds "nothing / nothing" agreements that raise kappa. Choose
   the same subjects as in BORIS.
2. Repeats are kept: two events of the same code on at one grid time (a state ending where
   the next begins, both ends counting; two points within half a slice) make a category of
   their own, different from the code once.
3. Binary floating point: a point exactly half a slice from a grid time can fall outside
   the window (e.g. 0.8 - 0.3 = 0.5000000000000001 s), and a grid time equal to the last
   stop is dropped when that stop's double is below its decimal value.
4. When every unit of both observations is in one category, BORIS reports kappa = 1 where
   kappa is undefined (0/0).
5. An observation with no chosen events: BORIS returns its sentinel -100, "cannot compute";
   we report "not computable" with the reason. (Identity has no such check: it compares
   an empty observation as all "nothing", as BORIS does.)
Also as in BORIS: a state must have a stop (BORIS refuses unpaired states), and identity
aligns one element per grid time (all subjects together), with BORIS's traceback order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from coder.model import Event, Scheme
from coder.reliability.boris_grid import BorisGrid, build_grid, label_text
from coder.reliability.needleman import MAX_CELLS, align

BORIS_SENTINEL = -100  # what BORIS returns when it cannot compute

QUIRKS = {
    "units_per_subject": "BORIS counts one unit per grid time and subject (subjects with "
    "nothing coded add agreeing 'nothing' units).",
    "repeated_code": "{n} unit(s) held the same code twice; BORIS counts that as a category "
    "of its own.",
    "float_points": "{n} point event(s) exactly half a slice from a grid time fell outside "
    "BORIS's window (binary rounding).",
    "last_point": "The grid time equal to the last stop was dropped (binary rounding).",
    "one_category": "Every unit is in one category: kappa is undefined, BORIS reports 1.",
}


@dataclass(frozen=True)
class BorisResult:
    value: float | None  # kappa (3 decimals) or identity (%), None when not computable
    reason: str | None  # why not computable (BORIS returns -100 there)
    n_times: int = 0
    n_units: int = 0
    first_ms: int | None = None
    last_ms: int | None = None
    categories: list[str] = field(default_factory=list)
    table: list[list[int]] = field(default_factory=list)
    quirks: list[str] = field(default_factory=list)  # the quirks that affected this value


def _chosen(events: Sequence[Event], codes: Sequence[str], subjects: Sequence[str]) -> list[Event]:
    return [e for e in events if e.code_id in codes and e.subject_id in subjects]


def _unpaired(events: Sequence[Event], scheme: Scheme) -> str | None:
    states = {c.id for c in scheme.codes if c.is_state}
    for e in events:
        if e.code_id in states and e.offset_ms is None:
            return (
                f"state '{scheme.code(e.code_id).name}' starting at {e.onset_ms / 1000:.3f} s has "
                "no end; BORIS refuses unpaired states: end it first"
            )
    return None


def _grid(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    scheme: Scheme,
    slice_ms: int,
    codes: Sequence[str] | None,
    subjects: Sequence[str] | None,
    include_modifiers: bool,
    names: tuple[str, str],
    per_observation_check: bool,
    end_at_last_start: bool = False,
) -> BorisGrid | BorisResult:
    if slice_ms <= 0:
        raise ValueError("the slice must be above 0 ms")
    codes = list(codes) if codes is not None else [c.id for c in scheme.codes]
    subjects = list(subjects) if subjects is not None else [s.id for s in scheme.subjects]
    a, b = _chosen(events_a, codes, subjects), _chosen(events_b, codes, subjects)
    for events in (a, b):
        problem = _unpaired(events, scheme)
        if problem:
            return BorisResult(None, problem)
    if per_observation_check:
        for events, name in ((a, names[0]), (b, names[1])):
            if not events:
                return BorisResult(
                    None,
                    f"'{name}' has no events of the chosen codes and subjects "
                    f"(BORIS returns {BORIS_SENTINEL}: cannot compute)",
                )
    elif not a and not b:
        return BorisResult(
            None,
            f"neither observation has events of the chosen codes and subjects "
            f"(BORIS returns {BORIS_SENTINEL})",
        )
    return build_grid(
        a,
        b,
        scheme=scheme,
        codes=codes,
        subjects=subjects,
        slice_ms=slice_ms,
        include_modifiers=include_modifiers,
        end_at_last_start=end_at_last_start,
    )


def _effects(grid: BorisGrid, units_per_subject: bool) -> list[str]:
    out = []
    if units_per_subject and len(grid.subjects) > 1:
        out.append(QUIRKS["units_per_subject"])
    if grid.effects.repeated_code_units:
        out.append(QUIRKS["repeated_code"].format(n=grid.effects.repeated_code_units))
    if grid.effects.points_lost_to_rounding:
        out.append(QUIRKS["float_points"].format(n=grid.effects.points_lost_to_rounding))
    if grid.effects.last_point_dropped:
        out.append(QUIRKS["last_point"])
    return out


def boris_kappa(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    scheme: Scheme,
    slice_ms: int = 1000,
    codes: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    include_modifiers: bool = False,
    names: tuple[str, str] = ("A", "B"),
) -> BorisResult:
    """Cohen's kappa exactly as BORIS computes it (module doc: method and quirks).

    ``codes``/``subjects`` default to all of the scheme's (BORIS: the ones ticked)."""
    grid = _grid(
        events_a, events_b, scheme, slice_ms, codes, subjects, include_modifiers, names, True
    )
    if isinstance(grid, BorisResult):
        return grid
    # BORIS sorts its categories (lists of [subject, code]) and sums chance agreement in that
    # order, in numpy float64, then rounds with numpy: same order, same types, same digits.
    order = sorted(range(len(grid.labels)), key=lambda i: grid.labels[i])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    k = len(order)
    table = np.zeros((k, k))
    np.add.at(table, (rank[grid.cat_a.ravel()], rank[grid.cat_b.ravel()]), 1)
    cols, rows, total = table.sum(axis=0), table.sum(axis=1), table.sum()
    agreements = sum(table.diagonal())
    chance = 0
    for i in range(k):
        chance += rows[i] * cols[i] / total
    quirks = _effects(grid, units_per_subject=True)
    if not (total - chance):
        kappa = 1.0
        quirks.append(QUIRKS["one_category"])
    else:
        kappa = float(round((agreements - chance) / (total - chance), 3))
    return BorisResult(
        kappa,
        None,
        len(grid.times_ms),
        int(total),
        int(grid.times_ms[0]),
        int(grid.times_ms[-1]),
        [label_text(grid.labels[i]) for i in order],
        table.astype(np.int64).tolist(),
        quirks,
    )


def boris_identity(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    scheme: Scheme,
    slice_ms: int = 1000,
    codes: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    include_modifiers: bool = False,
    names: tuple[str, str] = ("A", "B"),
    before_8_11_3: bool = False,
) -> BorisResult:
    """BORIS's Needleman–Wunsch identity (%): one element per grid time (every chosen
    subject's category together), aligned with +1/-1/-1 scores; identity = identical
    positions / alignment length x 100, unrounded as BORIS reports it.

    ``before_8_11_3``: BORIS before 8.11.3 (February 2023) ended the identity grid at the
    latest *start*, cutting off the end of the last states; set it to reproduce older
    numbers (BORIS's test file still asserts two of those)."""
    grid = _grid(
        events_a,
        events_b,
        scheme,
        slice_ms,
        codes,
        subjects,
        include_modifiers,
        names,
        False,
        end_at_last_start=before_8_11_3,
    )
    if isinstance(grid, BorisResult):
        return grid
    n = len(grid.times_ms)
    if (n + 1) ** 2 > MAX_CELLS:
        return BorisResult(
            None,
            f"the grid has {n} time points, too many to align; use a slice of at least "
            f"{-(-slice_ms * n // int(MAX_CELLS**0.5))} ms",
        )
    # One element per time: the tuple of every subject's category, as one id per time.
    both = np.vstack([grid.cat_a, grid.cat_b])
    _, element = np.unique(both, axis=0, return_inverse=True)
    element = element.reshape(-1)
    result = align(element[:n], element[n:])
    return BorisResult(
        result.identity_percent,
        None,
        n,
        n,
        int(grid.times_ms[0]),
        int(grid.times_ms[-1]),
        [],
        [],
        _effects(grid, units_per_subject=False),
    )
