"""ELAN-style modified Cohen's kappa (Holle & Rein 2015, "EasyDIAg: A tool for easy
determination of interrater agreement", Behav. Res. Methods 47:837-847; as ELAN implements
it — our own code from reading ELAN's behaviour).

1. Per subject (ELAN: per pair of tiers), two coders' annotations are *linked* when they
   overlap by at least ``overlap_percent`` of the longer one (default 60 %, 51–100 %, so an
   annotation can have at most one partner above the threshold). Links are made greedily
   from the largest percentage down, then the largest overlap in ms, then the earlier start;
   an annotation is linked at most once.
2. An agreement matrix over the codes plus "(unmatched)": a linked pair adds 2 to its cell
   (each link stands for two annotations, as Holle & Rein and ELAN count it); an annotation
   without a link adds 1 to its code's "(unmatched)" cell. Summed over subjects.
3. Kappa *without* unmatched annotations: Cohen's kappa of the linked pairs only.
   Kappa *with* unmatched annotations (ELAN's kappa_ipf): observed agreement of the whole
   matrix; chance agreement from a table fitted to the matrix's margins by iterative
   proportional fitting (20 rounds, rows then columns, from a seed of ones whose
   unmatched/unmatched cell — which cannot occur — is 0.001, as ELAN seeds it).
Only state codes take part: ELAN annotations have a duration, so point events are left out
(and counted) — use the aligned or events method for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coder.model import CodeKind, Event, Scheme
from coder.reliability.tables import Estimate, TableSummary, cohen_kappa, summarize, undefined

UNMATCHED = "(unmatched)"
DEFAULT_OVERLAP_PERCENT = 60
IPF_ROUNDS = 20
ZERO = 0.001  # ELAN's stand-in for a zero seed cell or margin


@dataclass(frozen=True)
class ElanLink:
    a: str  # event id in A
    b: str  # event id in B
    percent: float  # overlap / longer duration x 100


@dataclass(frozen=True)
class ElanCode:
    code: str
    table: list[list[int]]  # 2x2 from the matrix: [[both, A only], [B only, neither]]
    kappa: Estimate


@dataclass(frozen=True)
class ElanResult:
    overlap_percent: int
    categories: list[str]  # code ids, then UNMATCHED
    table: list[list[int]]  # linked pairs counted twice, unmatched once
    links: list[ElanLink]
    unmatched_a: list[str]
    unmatched_b: list[str]
    kappa_with_unmatched: Estimate  # ELAN kappa_ipf
    agreement_with_unmatched: Estimate  # raw agreement of the whole matrix
    kappa_max_with_unmatched: Estimate
    linked: TableSummary  # Cohen's kappa etc. of the linked pairs only
    per_code: list[ElanCode]
    points_left_out: int

    @property
    def percent_linked(self) -> float:
        total = 2 * len(self.links) + len(self.unmatched_a) + len(self.unmatched_b)
        return 100 * 2 * len(self.links) / total if total else float("nan")


def overlap(a: Event, b: Event) -> tuple[float, int]:
    """(overlap as a fraction of the longer annotation, overlap in ms); 0 when apart."""
    a_end = a.onset_ms if a.offset_ms is None else a.offset_ms
    b_end = b.onset_ms if b.offset_ms is None else b.offset_ms
    ms = min(a_end, b_end) - max(a.onset_ms, b.onset_ms)
    longer = max(a_end - a.onset_ms, b_end - b.onset_ms)
    return (ms / longer, ms) if ms > 0 and longer > 0 else (0.0, 0)


def link(
    a: Sequence[Event], b: Sequence[Event], threshold: float
) -> list[tuple[Event, Event, float]]:
    """Greedy links of one subject's annotations (see module doc, step 1)."""
    candidates: list[tuple[float, int, int, Event, Event]] = []
    b_sorted = sorted(b, key=lambda e: e.onset_ms)
    b_onsets = np.array([e.onset_ms for e in b_sorted], dtype=np.int64)
    longest = max((e.duration_ms for e in b_sorted), default=0)
    for x in a:
        # A partner starts before x ends and no earlier than x's start minus B's longest.
        lo = int(np.searchsorted(b_onsets, x.onset_ms - longest, side="left"))
        hi = int(np.searchsorted(b_onsets, x.offset_ms or x.onset_ms, side="left"))
        for y in b_sorted[lo:hi]:
            frac, ms = overlap(x, y)
            if frac > 0 and frac >= threshold:
                candidates.append((frac, ms, -min(x.onset_ms, y.onset_ms), x, y))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]), reverse=True)
    used_a: set[str] = set()
    used_b: set[str] = set()
    out = []
    for frac, _overlap, _start, x, y in candidates:
        if x.id in used_a or y.id in used_b:
            continue
        used_a.add(x.id)
        used_b.add(y.id)
        out.append((x, y, frac))
    return out


def ipf_chance(table: np.ndarray) -> float:
    """Chance agreement of a matrix whose last row/column is "(unmatched)" (module doc)."""
    n = float(table.sum())
    rows = np.where(table.sum(axis=1) > 0, table.sum(axis=1), ZERO).astype(np.float64)
    cols = np.where(table.sum(axis=0) > 0, table.sum(axis=0), ZERO).astype(np.float64)
    fit = np.ones(table.shape, dtype=np.float64)
    fit[-1, -1] = ZERO
    for _ in range(IPF_ROUNDS):
        fit = fit / fit.sum(axis=1, keepdims=True) * rows[:, None]
        fit = fit / fit.sum(axis=0, keepdims=True) * cols[None, :]
    return float(np.trace(fit[:-1, :-1])) / n


def elan_kappa(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    scheme: Scheme,
    overlap_percent: int = DEFAULT_OVERLAP_PERCENT,
    codes: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
) -> ElanResult:
    """Modified kappa with and without unmatched annotations (module doc)."""
    if not 51 <= overlap_percent <= 100:
        raise ValueError("the overlap must be between 51 and 100 %")
    states = {c.id for c in scheme.codes if c.kind is CodeKind.STATE}
    chosen = list(codes) if codes is not None else [c.id for c in scheme.codes]
    who = list(subjects) if subjects is not None else [s.id for s in scheme.subjects]

    def keep(e: Event) -> bool:
        return e.code_id in chosen and e.subject_id in who

    a_all = [e for e in events_a if keep(e)]
    b_all = [e for e in events_b if keep(e)]
    a = [e for e in a_all if e.code_id in states and e.offset_ms is not None]
    b = [e for e in b_all if e.code_id in states and e.offset_ms is not None]
    points = len(a_all) + len(b_all) - len(a) - len(b)
    used = {e.code_id for e in a + b}
    categories = [c for c in chosen if c in used] + [UNMATCHED]
    index = {c: i for i, c in enumerate(categories)}
    u = len(categories) - 1
    table = np.zeros((len(categories), len(categories)), dtype=np.int64)
    links: list[ElanLink] = []
    linked_a: set[str] = set()
    linked_b: set[str] = set()
    for subject in who:
        mine_a = [e for e in a if e.subject_id == subject]
        mine_b = [e for e in b if e.subject_id == subject]
        for x, y, frac in link(mine_a, mine_b, overlap_percent / 100):
            table[index[x.code_id], index[y.code_id]] += 2
            links.append(ElanLink(x.id, y.id, 100 * frac))
            linked_a.add(x.id)
            linked_b.add(y.id)
    unmatched_a = [e for e in a if e.id not in linked_a]
    unmatched_b = [e for e in b if e.id not in linked_b]
    for e in unmatched_a:
        table[index[e.code_id], u] += 1
    for e in unmatched_b:
        table[u, index[e.code_id]] += 1
    return ElanResult(
        overlap_percent,
        categories,
        table.tolist(),
        links,
        [e.id for e in unmatched_a],
        [e.id for e in unmatched_b],
        *_with_unmatched(table),
        summarize(table[:u, :u] // 2),
        _per_code(table, categories),
        points,
    )


def _with_unmatched(table: np.ndarray) -> tuple[Estimate, Estimate, Estimate]:
    n = float(table.sum())
    if n == 0:
        none = undefined("no annotations")
        return none, none, none
    po = float(np.trace(table)) / n
    if table.shape[0] < 2:
        return undefined("no annotations"), Estimate(po), undefined("no annotations")
    pe = ipf_chance(table)
    kappa = undefined("chance agreement is 1") if pe == 1 else Estimate((po - pe) / (1 - pe))
    rows, cols = table.sum(axis=1) / n, table.sum(axis=0) / n
    pe_plain = float(rows @ cols)
    pmax = float(np.minimum(rows, cols).sum())
    kmax = (
        undefined("chance agreement is 1")
        if pe_plain == 1
        else Estimate((pmax - pe_plain) / (1 - pe_plain))
    )
    return kappa, Estimate(po), kmax


def _per_code(table: np.ndarray, categories: list[str]) -> list[ElanCode]:
    """ELAN's per-value 2x2 tables, cut from the whole matrix (unmatched included)."""
    total = int(table.sum())
    out = []
    for i, code in enumerate(categories[:-1]):
        both = int(table[i, i])
        a_only = int(table[i].sum()) - both
        b_only = int(table[:, i].sum()) - both
        two = [[both, a_only], [b_only, total - both - a_only - b_only]]
        out.append(ElanCode(code, two, cohen_kappa(two)))
    return out
