"""Event alignment: pair two coders' events one-to-one within a tolerance, optimally.

Per code, onsets are matched by a minimum-cost assignment (scipy's linear_sum_assignment)
whose cost for a pair out of tolerance is larger than any sum of in-tolerance costs, so the
number of matches is maximised first and the total onset difference second — unlike
closest-first greedy matching (A = {1.0, 2.0} s, B = {1.6, 3.9} s, ±2 s: 2 matches, greedy 1).
Leftovers of different codes within tolerance are then paired the same way as disagreements.
Events are split into groups separated by gaps wider than the tolerance, so large codings
solve many small problems.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from coder.model import Event
from coder.reliability.tables import TableSummary, summarize

NOTHING = "(nothing)"
CAVEAT = (
    "Kappa from aligned events has no natural count of 'nothing / nothing' units; that "
    "cell is set to 0, which lowers kappa. Read it with positive agreement and % agreement."
)


@dataclass(frozen=True)
class CodeAlignment:
    code: str
    matched: int
    missed: int  # coded by A only
    extra: int  # coded by B only
    positive_agreement: float
    mean_onset_diff_ms: float
    max_onset_diff_ms: int


@dataclass(frozen=True)
class AlignmentResult:
    tolerance_ms: int
    pairs: list[tuple[str, str]]  # (event id in A, event id in B) of the same code
    disagreements: list[tuple[str, str]]  # paired events of different codes
    missed: list[str]  # ids in A with no partner
    extra: list[str]  # ids in B with no partner
    per_code: list[CodeAlignment]
    categories: list[str]
    table: list[list[int]]
    summary: TableSummary
    caveat: str = field(default=CAVEAT)


def _groups(a: np.ndarray, b: np.ndarray, tol: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split into independent groups: sorted onsets separated by more than ``tol``."""
    if len(a) == 0 or len(b) == 0:
        return []
    both = np.concatenate([a, b])
    order = np.argsort(both, kind="stable")
    values = both[order]
    breaks = np.nonzero(np.diff(values) > tol)[0] + 1
    out = []
    for chunk in np.split(order, breaks):
        ia = chunk[chunk < len(a)]
        ib = chunk[chunk >= len(a)] - len(a)
        if len(ia) and len(ib):
            out.append((ia, ib))
    return out


def optimal_pairs(
    a_ms: Sequence[int], b_ms: Sequence[int], tolerance_ms: int
) -> list[tuple[int, int]]:
    """Index pairs (i, j) maximising matches within tolerance, then minimising |a_i - b_j|."""
    a = np.asarray(a_ms, dtype=np.int64)
    b = np.asarray(b_ms, dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    for ia, ib in _groups(a, b, tolerance_ms):
        diff = np.abs(a[ia][:, None] - b[ib][None, :]).astype(np.float64)
        big = float(tolerance_ms + 1) * (min(len(ia), len(ib)) + 1)
        cost = np.where(diff <= tolerance_ms, diff, big)
        from scipy.optimize import linear_sum_assignment  # slow to import: only when used

        rows, cols = linear_sum_assignment(cost)
        for r, c in zip(rows, cols, strict=True):
            if diff[r, c] <= tolerance_ms:
                pairs.append((int(ia[r]), int(ib[c])))
    return pairs


def align_events(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    tolerance_ms: int = 2000,
    codes: Sequence[str] | None = None,
    subject: str | None = None,
) -> AlignmentResult:
    """Pair A's and B's events one-to-one per code by onset within ``tolerance_ms``.

    Optimal: most matches first, then least total onset difference (linear_sum_assignment
    per connected group of overlapping windows). Leftovers of different codes within the
    tolerance pair up as disagreements; the (K+1)^2 table's nothing/nothing cell is 0, so
    its kappa carries a caveat (no defined chance agreement for "nothing")."""

    def keep(e: Event) -> bool:
        return (codes is None or e.code_id in codes) and (
            subject is None or e.subject_id == subject
        )

    a_events = [e for e in events_a if keep(e)]
    b_events = [e for e in events_b if keep(e)]
    all_codes = (
        list(codes) if codes is not None else sorted({e.code_id for e in a_events + b_events})
    )
    by_code_a: dict[str, list[Event]] = defaultdict(list)
    by_code_b: dict[str, list[Event]] = defaultdict(list)
    for e in a_events:
        by_code_a[e.code_id].append(e)
    for e in b_events:
        by_code_b[e.code_id].append(e)
    pairs: list[tuple[Event, Event]] = []
    for code in all_codes:
        ea, eb = by_code_a.get(code, []), by_code_b.get(code, [])
        for i, j in optimal_pairs([e.onset_ms for e in ea], [e.onset_ms for e in eb], tolerance_ms):
            pairs.append((ea[i], eb[j]))
    used_a = {p[0].id for p in pairs}
    used_b = {p[1].id for p in pairs}
    left_a = sorted((e for e in a_events if e.id not in used_a), key=lambda e: e.onset_ms)
    left_b = sorted((e for e in b_events if e.id not in used_b), key=lambda e: e.onset_ms)
    cross = [
        (left_a[i], left_b[j])
        for i, j in optimal_pairs(
            [e.onset_ms for e in left_a], [e.onset_ms for e in left_b], tolerance_ms
        )
    ]
    cross = [(x, y) for x, y in cross if x.code_id != y.code_id]
    crossed_a = {x.id for x, _ in cross}
    crossed_b = {y.id for _, y in cross}
    missed = [e for e in left_a if e.id not in crossed_a]
    extra = [e for e in left_b if e.id not in crossed_b]
    categories = [*all_codes, NOTHING]
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)), dtype=np.int64)
    for x, y in pairs + cross:
        table[index[x.code_id], index[y.code_id]] += 1
    for e in missed:
        table[index[e.code_id], index[NOTHING]] += 1
    for e in extra:
        table[index[NOTHING], index[e.code_id]] += 1
    per_code = []
    for code in all_codes:
        diffs = [abs(x.onset_ms - y.onset_ms) for x, y in pairs if x.code_id == code]
        a_n = len(diffs)
        b_n = sum(1 for e in a_events if e.code_id == code) - a_n
        c_n = sum(1 for e in b_events if e.code_id == code) - a_n
        denom = 2 * a_n + b_n + c_n
        per_code.append(
            CodeAlignment(
                code,
                a_n,
                b_n,
                c_n,
                2 * a_n / denom if denom else float("nan"),
                float(np.mean(diffs)) if diffs else float("nan"),
                max(diffs) if diffs else 0,
            )
        )
    return AlignmentResult(
        tolerance_ms,
        [(x.id, y.id) for x, y in pairs],
        [(x.id, y.id) for x, y in cross],
        [e.id for e in missed],
        [e.id for e in extra],
        per_code,
        categories,
        table.tolist(),
        summarize(table),
    )
