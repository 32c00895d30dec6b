"""The project's reliability at a glance: agreement per code and per pair of coders across
every session coded by two or more people, and the reliability plan's progress.

Every pair of observations of the same session by different coders is compared by time
slices (``compare`` with the timeunit method: the same slices, tolerance, names and
no-video rule as a single comparison); per code, the pairs' 2x2 tables are summed (pooled
kappa, % agreement, PABAK, AC1) and, per pair of coders, per code likewise plus one overall
number. Only the observations this user may see take part (the store applies the
blind-coding rule), and pairs coded with different schemes are counted as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from coder.errors import AttuneError
from coder.model import Observation
from coder.progress import Cancel, Progress, check_cancel, report
from coder.reliability.compare import compare
from coder.reliability.options import DEFAULT_SLICE_MS
from coder.reliability.plan import current_plan, plan_status
from coder.reliability.readings import read_kappa
from coder.reliability.results import prevalence, summary_dict
from coder.reliability.tables import summarize

Table = list[list[int]]


@dataclass
class _Pool:
    table: Table = field(default_factory=lambda: [[0, 0], [0, 0]])
    pairs: int = 0

    def add(self, other: Table) -> None:
        for i in range(2):
            for j in range(2):
                self.table[i][j] += other[i][j]
        self.pairs += 1


def coder_pairs(project: Any) -> list[tuple[Observation, Observation]]:
    """Every two observations of one session by different coders (visible to this user)."""
    out = []
    for session in project.sessions():
        observations = sorted(project.observations(session.id), key=lambda o: (o.coder, o.id))
        out += [(a, b) for a, b in combinations(observations, 2) if a.coder != b.coder]
    return out


def dashboard(
    project: Any,
    *,
    slice_ms: int = DEFAULT_SLICE_MS,
    tolerance_ms: int = 0,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> dict[str, Any]:
    """Per code and per coder pair, pooled over the project (module doc)."""
    if slice_ms <= 0:
        raise AttuneError("the slice must be longer than 0 s")
    pairs = coder_pairs(project)
    by_code: dict[str, _Pool] = {}
    by_coders: dict[tuple[str, str], dict[str, _Pool]] = {}
    names: dict[str, str] = {}
    skipped: list[str] = []
    for done, (a, b) in enumerate(pairs):
        check_cancel(cancel, "the reliability overview")
        report(progress, done / len(pairs))
        try:
            result = compare(
                project, a.id, b.id, method="timeunit", slice_ms=slice_ms, tolerance_ms=tolerance_ms
            )
        except AttuneError as exc:  # e.g. different schemes: say so, keep going
            skipped.append(str(exc))
            continue
        names.update(result["codes"])
        key = (min(a.coder, b.coder), max(a.coder, b.coder))
        for c in result["pairs"][0]["per_code"]:
            by_code.setdefault(c["code"], _Pool()).add(c["table"])
            by_coders.setdefault(key, {}).setdefault(c["code"], _Pool()).add(c["table"])
    report(progress, 1.0)
    plan = current_plan(project)
    return {
        "slice_ms": slice_ms,
        "tolerance_ms": tolerance_ms,
        "pairs": len(pairs) - len(skipped),
        "skipped": skipped,
        "codes": [_row(code, names.get(code, code), pool) for code, pool in by_code.items()],
        "coder_pairs": [
            {
                "coders": list(key),
                "codes": [_row(code, names.get(code, code), pool) for code, pool in per.items()],
                **_overall(per),
            }
            for key, per in sorted(by_coders.items())
        ],
        "plan": None
        if plan is None
        else {
            "seed": plan.seed,
            "percent": plan.percent,
            "created_at": plan.created_at,
            "created_by": plan.created_by,
            "sessions_total": plan.sessions_total,
            "sessions": plan_status(project, plan),
        },
    }


def _row(code: str, name: str, pool: _Pool) -> dict[str, Any]:
    return {
        "code": code,
        "code_name": name,
        "pairs": pool.pairs,
        "table": pool.table,
        **summary_dict(summarize(pool.table), pool.table),
    }


def _overall(per: dict[str, _Pool]) -> dict[str, Any]:
    """One number per coder pair: every code's table summed, with its weakest code."""
    summed: Table = [[0, 0], [0, 0]]
    for pool in per.values():
        for i in range(2):
            for j in range(2):
                summed[i][j] += pool.table[i][j]
    overall = summarize(summed)
    kappas = [(summarize(p.table).kappa, code) for code, p in per.items()]
    weakest = min(((k.value, code) for k, code in kappas if k.defined), default=None)
    return {
        "overall": summary_dict(overall, summed),
        "weakest_code": None if weakest is None else weakest[1],
        "reading": read_kappa(
            overall.kappa.value if overall.kappa.defined else None,
            reason=overall.kappa.reason,
            prevalence=prevalence(summed),
        ),
    }
