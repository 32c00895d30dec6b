"""Event-based kappa after an optimal alignment of the two coders' event sequences, with a
time tolerance (Bakeman, Quera & Gnisci 2009, "Observer agreement for timed-event
sequential data", Psychol. Assess. 21:137-142; Bakeman & Quera 2011, ch. 5).

Per subject, each coder's events in onset order are aligned like two strings
(Needleman–Wunsch, minimising cost): a pair of events costs 0 when the codes agree and 1
when they differ (a *substitution*), and is allowed only when the onsets are within the
tolerance; an event left without a partner costs 1 (an *omission* when only A coded it, a
*commission* when only B did). So one substitution (cost 1) is preferred to an omission
plus a commission (cost 2). Among alignments of equal cost, the one with the smallest total
onset difference wins, and then pairing before leaving events alone.

The aligned pairs fill a (K+1)-square table over the codes plus "(nothing)"; kappa is
computed from it with the nothing/nothing cell structurally 0 (there is no count of
moments both coders left empty), which lowers kappa — read it with the kappa over paired
events only and with per-code positive agreement. Sequences split wherever both coders
are silent for longer than the tolerance, so long sessions solve many small problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from coder.model import Event
from coder.reliability.tables import TableSummary, summarize

NOTHING = "(nothing)"
Kind = Literal["agree", "disagree", "missed", "extra"]
STEP = 1 << 40  # one edit: more than any sum of onset differences (ms) it could trade for
NEVER = 1 << 62
CAVEAT = (
    "The nothing/nothing cell is structurally 0 (no count of moments both coders left "
    "empty), which lowers kappa; read it with the kappa of paired events and with per-code "
    "positive agreement."
)
_DIAG, _MISSED, _EXTRA = 1, 2, 4


@dataclass(frozen=True)
class AlignedRow:
    kind: Kind
    subject: str
    a: Event | None
    b: Event | None


@dataclass(frozen=True)
class AlignedCode:
    code: str
    agree: int
    a_total: int
    b_total: int

    @property
    def positive_agreement(self) -> float:
        denom = self.a_total + self.b_total
        return 2 * self.agree / denom if denom else float("nan")


@dataclass(frozen=True)
class AlignedResult:
    tolerance_ms: int
    rows: list[AlignedRow]
    categories: list[str]  # codes, then NOTHING
    table: list[list[int]]
    summary: TableSummary  # with the (nothing) row and column, nothing/nothing = 0
    paired: TableSummary  # agreements and substitutions only
    per_code: list[AlignedCode]
    caveat: str = field(default=CAVEAT)

    def count(self, kind: Kind) -> int:
        return sum(1 for r in self.rows if r.kind == kind)


def _chunks(
    a: Sequence[Event], b: Sequence[Event], tol: int
) -> list[tuple[list[Event], list[Event]]]:
    """Split where no event of either coder starts within ``tol`` of the previous one."""
    tagged = sorted(
        [(e.onset_ms, 0, e) for e in a] + [(e.onset_ms, 1, e) for e in b],
        key=lambda t: (t[0], t[1]),
    )
    out: list[tuple[list[Event], list[Event]]] = []
    last: int | None = None
    for onset, who, e in tagged:
        if last is None or onset - last > tol:
            out.append(([], []))
        out[-1][who].append(e)
        last = onset
    return out


def align_sequences(
    a: Sequence[Event], b: Sequence[Event], tolerance_ms: int
) -> list[tuple[Event | None, Event | None]]:
    """The minimum-cost alignment of two onset-ordered sequences (module doc)."""
    m, n = len(a), len(b)
    if m == 0 or n == 0:
        return [(x, None) for x in a] + [(None, y) for y in b]
    a_on = np.array([e.onset_ms for e in a], dtype=np.int64)
    b_on = np.array([e.onset_ms for e in b], dtype=np.int64)
    a_code = np.array([e.code_id for e in a], dtype=object)
    b_code = np.array([e.code_id for e in b], dtype=object)
    cols = np.arange(n + 1, dtype=np.int64) * STEP
    prev = cols.copy()
    moves = np.zeros((m + 1, n + 1), dtype=np.uint8)
    for i in range(1, m + 1):
        gap = np.abs(b_on - a_on[i - 1])
        pair = prev[:-1] + np.where(b_code == a_code[i - 1], 0, STEP) + gap
        pair = np.where(gap <= tolerance_ms, pair, NEVER)
        missed = prev[1:] + STEP
        best = np.empty(n + 1, dtype=np.int64)
        best[0] = i * STEP
        best[1:] = np.minimum(pair, missed)
        row = np.minimum.accumulate(best - cols) + cols  # extra: row[j-1] + STEP
        flags = np.zeros(n + 1, dtype=np.uint8)
        flags[1:] |= np.where(row[1:] == pair, _DIAG, 0).astype(np.uint8)
        flags[1:] |= np.where(row[1:] == missed, _MISSED, 0).astype(np.uint8)
        flags[1:] |= np.where(row[1:] == row[:-1] + STEP, _EXTRA, 0).astype(np.uint8)
        moves[i] = flags
        prev = row
    out: list[tuple[Event | None, Event | None]] = []
    i, j = m, n
    while i > 0 and j > 0:
        f = moves[i, j]
        if f & _DIAG:
            i, j = i - 1, j - 1
            out.append((a[i], b[j]))
        elif f & _MISSED:
            i -= 1
            out.append((a[i], None))
        else:
            j -= 1
            out.append((None, b[j]))
    out += [(a[k], None) for k in range(i - 1, -1, -1)]
    out += [(None, b[k]) for k in range(j - 1, -1, -1)]
    out.reverse()
    return out


def aligned_kappa(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    tolerance_ms: int,
    codes: Sequence[str],
    subjects: Sequence[str],
) -> AlignedResult:
    """Align per subject, then kappa over the aligned pairs (module doc)."""
    if tolerance_ms < 0:
        raise ValueError("the tolerance cannot be negative")
    rows: list[AlignedRow] = []
    for subject in subjects:

        def mine(events: Sequence[Event], s: str = subject) -> list[Event]:
            chosen = [e for e in events if e.subject_id == s and e.code_id in codes]
            return sorted(chosen, key=lambda e: (e.onset_ms, e.code_id))

        for part_a, part_b in _chunks(mine(events_a), mine(events_b), tolerance_ms):
            for x, y in align_sequences(part_a, part_b, tolerance_ms):
                rows.append(AlignedRow(_kind(x, y), subject, x, y))
    rows.sort(key=lambda r: min(e.onset_ms for e in (r.a, r.b) if e is not None))
    used = {e.code_id for r in rows for e in (r.a, r.b) if e is not None}
    categories = [c for c in codes if c in used] + [NOTHING]
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    table = np.zeros((k, k), dtype=np.int64)
    for r in rows:
        table[index[r.a.code_id] if r.a else k - 1, index[r.b.code_id] if r.b else k - 1] += 1
    per_code = [
        AlignedCode(
            c,
            int(table[index[c], index[c]]),
            int(table[index[c]].sum()),
            int(table[:, index[c]].sum()),
        )
        for c in categories[:-1]
    ]
    return AlignedResult(
        tolerance_ms,
        rows,
        categories,
        table.tolist(),
        summarize(table),
        summarize(table[:-1, :-1]),
        per_code,
    )


def _kind(x: Event | None, y: Event | None) -> Kind:
    if x is None:
        return "extra"
    if y is None:
        return "missed"
    return "agree" if x.code_id == y.code_id else "disagree"


def row_dict(
    r: AlignedRow, names: dict[str, str], subject_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """One line of the alignment as shown to people (names, seconds; never notes)."""

    def side(e: Event | None) -> dict[str, Any] | None:
        if e is None:
            return None
        return {
            "id": e.id,
            "code": e.code_id,
            "code_name": names.get(e.code_id, e.code_id),
            "onset_ms": e.onset_ms,
        }

    return {
        "kind": r.kind,
        "subject": r.subject,
        "subject_name": (subject_names or {}).get(r.subject, r.subject),
        "a": side(r.a),
        "b": side(r.b),
    }
