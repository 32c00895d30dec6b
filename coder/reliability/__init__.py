"""Reliability statistics (our own numpy/scipy code; DESIGN §7).

Tables: cohen_kappa, weighted_kappa, pabak, gwet_ac1, scott_pi, percent_agreement,
kappa_max, confusion_table, summarize. Several coders, ``ratings`` shaped (units, coders)
with NaN as missing: fleiss_kappa (pooled or per-unit chance), krippendorff_alpha(ratings,
level=...), gwet_ac1_multi, icc(ratings).
Timelines: timeline.time_unit_agreement, alignment.align_events (per-code matching),
aligned.aligned_kappa (Bakeman & Quera sequence alignment), elan.elan_kappa (Holle & Rein),
boris_mode.boris_kappa / boris_identity (BORIS-exact), drift.drift (per part of a session).
Project level: compare.compare_many (the service behind CLI, window and reports);
readings (plain words beside each number); options (methods and their defaults).
"""

from coder.reliability.icc import IccResult, icc
from coder.reliability.multi import fleiss_kappa, gwet_ac1_multi, krippendorff_alpha
from coder.reliability.tables import (
    Estimate,
    TableSummary,
    cohen_kappa,
    confusion_table,
    gwet_ac1,
    kappa_max,
    pabak,
    percent_agreement,
    scott_pi,
    summarize,
    weighted_kappa,
)

__all__ = [
    "Estimate",
    "IccResult",
    "TableSummary",
    "cohen_kappa",
    "confusion_table",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac1_multi",
    "icc",
    "kappa_max",
    "krippendorff_alpha",
    "pabak",
    "percent_agreement",
    "scott_pi",
    "summarize",
    "weighted_kappa",
]
