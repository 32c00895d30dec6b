"""Reliability plan (seeded, recorded draw of sessions to double-code) and the project-wide
dashboard per code and per coder pair; CLI and reports."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from coder.errors import AttuneError, ReadOnlyError
from coder.model import Event, Observation, Session
from coder.reliability.dashboard import dashboard
from coder.reliability.plan import current_plan, make_plan, pick_sessions, plan_status, plans
from coder.store import Project
from ui.cli import main


def test_pick_sessions_is_seeded_rounds_up_and_can_be_redrawn_by_hand() -> None:
    ids = [f"s{i:02d}" for i in range(10)]
    picked = pick_sessions(ids, 20, seed=7)
    assert len(picked) == 2 and set(picked) <= set(ids)
    assert pick_sessions(list(reversed(ids)), 20, seed=7) == picked  # input order is irrelevant
    # the documented recipe: Random(seed).sample(sorted ids, ceil(n * share))
    assert picked == random.Random(7).sample(sorted(ids), 2)
    assert len(pick_sessions(ids, 25, seed=7)) == 3  # 2.5 sessions rounds up
    assert len(pick_sessions(ids[:1], 20, seed=7)) == 1  # at least one
    draws = {tuple(pick_sessions(ids, 20, seed=s)) for s in range(20)}
    assert len(draws) > 5  # the seed matters
    for bad in (0, -5, 100.5):
        with pytest.raises(AttuneError, match="between 0 and 100"):
            pick_sessions(ids, bad, seed=1)


def test_plan_is_recorded_audited_and_kept_on_every_backend(store: Project) -> None:
    with store.transaction():
        for i in range(2, 9):  # s1 (with video) + 7 live sessions = 8
            store.add_session(Session(f"s{i}", f"Week {i}"))
    assert current_plan(store) is None
    first = make_plan(store, 25, seed=11)
    assert first.seed == 11 and first.sessions_total == 8 and len(first.session_ids) == 2
    assert list(first.session_ids) == pick_sessions([f"s{i}" for i in range(1, 9)], 25, 11)
    second = make_plan(store, 20, seed=12)  # a new draw never replaces the old one
    assert [p.id for p in plans(store)] == [first.id, second.id]
    assert current_plan(store) == second
    audit = store.db.execute(
        "SELECT action, entity, entity_id FROM audit_log WHERE entity = 'reliability_plan'"
    ).fetchall()
    assert [tuple(r) for r in audit] == [
        ("added", "reliability_plan", first.id),
        ("added", "reliability_plan", second.id),
    ]
    status = plan_status(store, first)
    assert [s["session"] for s in status] == list(first.session_ids)
    drawn = [s for s in status if s["session"] == "s1"]
    for s in drawn:  # s1 has one coder so far
        assert s["coders"] == ["Therapist A"] and not s["double_coded"]
    location = store.location
    store.close()
    with Project.open(location, read_only=True) as again:
        assert plans(again) == [first, second]
        with pytest.raises(ReadOnlyError):
            make_plan(again, 20, seed=1)


def test_plan_refuses_bad_seeds_and_empty_projects(tmp_path: Path) -> None:
    with Project.create(tmp_path / "empty.attune", user="x") as p:
        with pytest.raises(AttuneError, match="no sessions"):
            make_plan(p, 20, seed=1)
        p.add_session(Session("s1", "Week 1"))
        with pytest.raises(AttuneError, match="seed"):
            make_plan(p, 20, seed=-1)
        assert make_plan(p, 20).session_ids == ("s1",)  # a fresh seed, recorded
        assert plans(p)[0].seed >= 0


def _code(project: Project, obs: str, code: str, start: int, end: int) -> None:
    with project.transaction():
        project.insert_event(Event(f"{obs}-{start}", obs, code, "parent", start, end))


def test_dashboard_pools_per_code_and_per_coder_pair_by_hand(project: Project) -> None:
    snap = project.observation("o1").snapshot_id
    n_codes = len(project.scheme_for_observation("o1").codes)
    project.add_observation(Observation("o2", "s1", "Supervisor B", snap))
    project.add_observation(Observation("o5", "s1", "Coder C", snap))
    project.add_session(Session("s2", "Week 2"))  # no video: ends with the last coded moment
    project.add_observation(Observation("o3", "s2", "Therapist A", snap))
    project.add_observation(Observation("o4", "s2", "Supervisor B", snap))
    # s1 (60 s video, 60 one-second slices, a state is on when active at the slice middle):
    #   A directing 0-10 s -> slices 0-9; B 5-15 s -> slices 5-14; C 0-10 s like A.
    #   A vs B: both 5 (5-9), A only 5 (0-4), B only 5 (10-14), neither 45 -> [[5,5],[5,45]]
    #   A vs C: [[10,0],[0,50]];  B vs C: [[5,5],[5,45]] (off-diagonals equal, so either way)
    # s2 (4 s): A and B directing 0-4 s -> [[4,0],[0,0]]
    _code(project, "o1", "directing", 0, 10_000)
    _code(project, "o2", "directing", 5_000, 15_000)
    _code(project, "o5", "directing", 0, 10_000)
    _code(project, "o3", "directing", 0, 4_000)
    _code(project, "o4", "directing", 0, 4_000)
    board = dashboard(project)
    assert board["pairs"] == 4 and board["skipped"] == []
    directing = next(c for c in board["codes"] if c["code"] == "directing")
    # pooled: [[24,10],[10,140]], n 184: po = 164/184, pe = (34^2 + 150^2)/184^2
    # kappa = (164*184 - 23656) / (33856 - 23656) = 6520/10200
    assert directing["table"] == [[24, 10], [10, 140]] and directing["pairs"] == 4
    assert directing["code_name"] == "Directing"
    assert directing["kappa"]["value"] == pytest.approx(6520 / 10200, abs=1e-4)
    assert directing["reading"].startswith("κ .64: good agreement")
    pairs = {tuple(p["coders"]): p for p in board["coder_pairs"]}
    assert set(pairs) == {
        ("Coder C", "Supervisor B"),
        ("Coder C", "Therapist A"),
        ("Supervisor B", "Therapist A"),
    }
    ab = pairs[("Supervisor B", "Therapist A")]
    ab_directing = next(c for c in ab["codes"] if c["code"] == "directing")
    # [[9,5],[5,45]], n 64: (54*64 - (14^2 + 50^2)) / (64^2 - 2696) = 760/1400
    assert ab_directing["table"] == [[9, 5], [5, 45]]
    assert ab_directing["kappa"]["value"] == pytest.approx(760 / 1400, abs=1e-4)
    # overall: every code's table summed; the other codes were never coded: 64 "neither" each
    neither = 45 + 64 * (n_codes - 1)
    n = 64 * n_codes
    po, pe = (9 + neither) / n, (14 / n) ** 2 + ((n - 14) / n) ** 2
    assert ab["overall"]["kappa"]["value"] == pytest.approx((po - pe) / (1 - pe), abs=1e-4)
    assert ab["weakest_code"] == "directing"
    assert pairs[("Coder C", "Therapist A")]["overall"]["kappa"]["value"] == 1.0
    assert board["plan"] is None


def test_dashboard_skips_pairs_with_different_schemes_and_says_why(project: Project) -> None:
    from coder.schemes import load_shipped, scheme_content_hash

    scheme, text = load_shipped("pcit-style")
    other = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    project.add_observation(Observation("o2", "s1", "B", other.id))
    board = dashboard(project)
    assert board["pairs"] == 0 and len(board["skipped"]) == 1
    assert "different coding schemes" in board["skipped"][0]


def test_cli_plan_show_plan_and_dashboard_reports(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = project.observation("o1").snapshot_id
    project.add_observation(Observation("o2", "s1", "Supervisor B", snap))
    _code(project, "o1", "directing", 0, 10_000)
    _code(project, "o2", "directing", 5_000, 15_000)
    for i in range(2, 5):
        project.add_session(Session(f"s{i}", f"Week {i}"))
    location = str(project.location)
    project.close()
    base = ["reliability", location]
    assert main([*base, "--plan", "--percent", "25", "--seed", "3", "--json", "--as", "Lead"]) == 0
    drawn = json.loads(capsys.readouterr().out)
    assert drawn["seed"] == 3 and len(drawn["sessions"]) == 1  # 25 % of 4
    assert drawn["sessions"][0]["session"] == pick_sessions(["s1", "s2", "s3", "s4"], 25, 3)[0]
    assert main([*base, "--show-plan"]) == 0
    shown = capsys.readouterr().out
    assert "seed 3" in shown and "1 of 4 sessions (25 %)" in shown and "by Lead" in shown
    out = tmp_path / "board.csv"
    assert main([*base, "--dashboard", "--report", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    directing = next(r for r in rows if r["scope"] == "code" and r["code"] == "Directing")
    # [[5,5],[5,45]]: po 50/60, pe (10^2 + 50^2)/60^2 = 2600/3600 -> (3000-2600)/(3600-2600)
    assert float(directing["kappa"]) == pytest.approx(0.4, abs=1e-4)
    page = tmp_path / "board.html"
    assert main([*base, "--dashboard", "--report", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert (
        "Reliability plan" in text and "seed 3" in text and "Supervisor B &amp; Therapist A" in text
    )
    with pytest.raises(SystemExit):  # one of --observations, --dashboard, --plan, --show-plan
        main([*base, "--dashboard", "--plan"])
