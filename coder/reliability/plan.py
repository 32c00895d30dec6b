"""A reliability plan: a seeded random share of the project's sessions (usually 20–25 %) to
be coded a second time, blind, so agreement is checked on a fair sample rather than on the
sessions someone happened to pick.

The seed, the share and the sessions drawn are recorded in the project (table
``reliability_plan_sessions``, schema v7) and in its audit log, so anyone can see — and
re-draw with the same seed — which sessions were chosen and how. A plan is never edited or
undone: drawing again makes a new plan and the old one stays on record (a plan that could
be quietly redrawn until it suited would no longer be random).
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from coder.errors import AttuneError
from coder.model import new_id

DEFAULT_PERCENT = 20.0
MAX_SEED = 2**31 - 1  # fits every engine's INTEGER


@dataclass(frozen=True)
class ReliabilityPlan:
    id: str
    created_at: str
    created_by: str
    seed: int
    percent: float
    sessions_total: int
    session_ids: tuple[str, ...]  # in the order drawn


def pick_sessions(session_ids: Sequence[str], percent: float, seed: int) -> list[str]:
    """At least ``percent`` % of the sessions (rounded up, at least one), drawn at random
    with ``seed`` from the sessions sorted by id — the same inputs always draw the same."""
    if not 0 < percent <= 100:
        raise AttuneError("the share of sessions to double-code must be between 0 and 100 %")
    pool = sorted(set(session_ids))
    if not pool:
        return []
    count = min(len(pool), max(1, math.ceil(len(pool) * percent / 100 - 1e-9)))
    return random.Random(seed).sample(pool, count)


def make_plan(
    project: Any, percent: float = DEFAULT_PERCENT, seed: int | None = None
) -> ReliabilityPlan:
    """Draw and record a plan over every session of the project (one transaction)."""
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    if not 0 <= seed <= MAX_SEED:
        raise AttuneError(f"the seed must be a whole number from 0 to {MAX_SEED}")
    sessions = [s.id for s in project.sessions()]
    if not sessions:
        raise AttuneError("the project has no sessions yet; add sessions, then draw a plan")
    picked = pick_sessions(sessions, percent, seed)
    plan = ReliabilityPlan(
        new_id(),
        datetime.now(UTC).isoformat(timespec="microseconds"),
        project.user or "",
        seed,
        float(percent),
        len(set(sessions)),
        tuple(picked),
    )
    with project.transaction():
        for position, session_id in enumerate(picked):
            project.db.execute(
                "INSERT INTO reliability_plan_sessions (plan_id, session_id, draw_order, "
                "created_at, created_by, seed, share_percent, sessions_total) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    plan.id,
                    session_id,
                    position,
                    plan.created_at,
                    plan.created_by,
                    plan.seed,
                    plan.percent,
                    plan.sessions_total,
                ),
            )
        project.record("added", "reliability_plan", plan.id, None, plan)
    return plan


def plans(project: Any) -> list[ReliabilityPlan]:
    """Every recorded plan, oldest first."""
    rows = project.db.execute(
        "SELECT plan_id, session_id, draw_order, created_at, created_by, seed, share_percent, "
        "sessions_total FROM reliability_plan_sessions ORDER BY created_at, plan_id, draw_order"
    ).fetchall()
    found: dict[str, ReliabilityPlan] = {}
    for r in rows:
        plan_id = str(r[0])
        old = found.get(plan_id)
        sessions = (*old.session_ids, str(r[1])) if old else (str(r[1]),)
        found[plan_id] = ReliabilityPlan(
            plan_id, str(r[3]), str(r[4]), int(r[5]), float(r[6]), int(r[7]), sessions
        )
    return list(found.values())


def current_plan(project: Any) -> ReliabilityPlan | None:
    every = plans(project)
    return every[-1] if every else None


def plan_status(project: Any, plan: ReliabilityPlan) -> list[dict[str, Any]]:
    """Per drawn session: its label, the coders whose observations this user may see, and
    whether it is double coded yet (two or more coders)."""
    labels = {s.id: s.label for s in project.sessions()}
    out = []
    for session_id in plan.session_ids:
        coders = sorted({o.coder for o in project.observations(session_id)})
        out.append(
            {
                "session": session_id,
                "label": labels.get(session_id, "(removed)"),
                "coders": coders,
                "double_coded": len(coders) >= 2,
            }
        )
    return out
