"""The summary export shows the shipped clinical questions (bid responsiveness, repair) with
their targets and the base rate behind them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coder.model import Event
from coder.store import Project
from exports.bundle import bundles_from_project
from exports.summary import summary_long, write_summary


def test_bid_responsiveness_and_repair_in_the_summary(project: Project, tmp_path: Path) -> None:
    # Bids at 5, 20 and 40 s; the parent's warmth at 7 s and attunement at 21.5 s answer the
    # first two within 3 s (2 of 3 = 66.7 %, target >= 60: met). The child's warmth at 41 s
    # is not the parent's. A rupture at 30 s is repaired at 34 s (within 5 s, 4 s: target
    # <= 3 s missed), one at 50 s is not (1 of 2 = 50 %, target >= 50: met).
    events = [
        Event("b1", "o1", "child_bid", "child", 5000),
        Event("b2", "o1", "child_bid", "child", 20_000),
        Event("b3", "o1", "child_bid", "child", 40_000),
        Event("w1", "o1", "warmth", "parent", 7000),
        Event("a1", "o1", "attunement", "parent", 21_500),
        Event("w2", "o1", "warmth", "child", 41_000),
        Event("r1", "o1", "rupture", "dyad", 30_000),
        Event("p1", "o1", "repair", "dyad", 34_000),
        Event("r2", "o1", "rupture", "dyad", 50_000),
    ]
    with project.transaction():
        for e in events:
            project.insert_event(e)
    long = summary_long(bundles_from_project(project))
    rows = {(r.code, r.measure): r for r in long.itertuples()}
    bids = rows[("bid_responsiveness", "percent_answered")]
    assert bids.value == pytest.approx(200 / 3) and bids.target == ">= 60" and bids.met == "yes"
    assert rows[("bid_responsiveness", "from_events")].value == 3
    assert rows[("bid_responsiveness", "median_latency_s")].value == pytest.approx(1.75)
    # Two responses start in the 3 x 30 window units of 600: p = 2/90 vs base 2/600.
    assert rows[("bid_responsiveness", "p_response_in_window")].value == pytest.approx(2 / 90)
    assert rows[("bid_responsiveness", "p_response_base")].value == pytest.approx(2 / 600)
    assert rows[("bid_responsiveness", "yules_q")].value == 1.0  # no response outside windows
    repaired = rows[("repair_within", "percent_answered")]
    assert repaired.value == 50 and repaired.met == "yes"
    latency = rows[("repair_latency", "latency")]
    assert latency.value == 4.0 and latency.target == "<= 3" and latency.met == "no"
    out = tmp_path / "summary.csv"
    write_summary(bundles_from_project(project), out)
    back = pd.read_csv(out)
    assert "bid_responsiveness" in set(back.code) and "yules_q" in set(back.measure)
