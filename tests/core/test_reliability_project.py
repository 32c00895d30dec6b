"""Reliability on real project data: compare, CLI, reports, and importing a second coder."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from coder.errors import AttuneError, ProjectError
from coder.model import Event, Observation, Session
from coder.reliability.compare import compare, compare_many
from coder.store import Project
from coder.store.transfer import import_observation
from ui.cli import main


def test_compare_methods_on_the_demo(demo_copy: Path) -> None:
    with Project.open(demo_copy, read_only=True) as p:
        a, b = (o.id for o in p.observations())
        tu = compare(p, a, b, slice_ms=1000)["pairs"][0]
        assert tu["n_slices"] == 20 and {c["code"] for c in tu["per_code"]} >= {
            "attunement",
            "warmth",
        }
        assert all({"kappa", "percent_agreement", "pabak", "ac1"} <= set(c) for c in tu["per_code"])
        assert tu["code_sets"][0]["categories"][-1] == "(none)"
        ev = compare(p, a, b, method="events", tolerance_ms=1000)["pairs"][0]
        assert sum(c["matched"] for c in ev["per_code"]) > 0 and "caveat" in ev
        boris = compare(p, a, b, method="boris")["pairs"][0]
        assert -1 <= boris["kappa"] <= 1
        same = compare(p, a, a)["pairs"][0]
        assert all(c["kappa"]["value"] in (1.0, None) for c in same["per_code"])
        pooled = compare_many(p, [(a, b), (a, b)])
        assert pooled["pooled"]["n_slices"] == 40
        assert pooled["ratings"] and pooled["ratings"][0]["units"] > 0


def test_cli_reliability_json_and_reports(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = "Demo session/Therapist A", "Demo session/Supervisor B"
    assert main(["reliability", str(demo_copy), "--observations", a, b, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["method"] == "timeunit" and result["pairs"][0]["coder_b"] == "Supervisor B"
    assert (
        main(
            [
                "reliability",
                str(demo_copy),
                "--observations",
                a,
                b,
                "--method",
                "events",
                "--tolerance",
                "1",
                "--report",
                str(tmp_path / "r.csv"),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert rows and {"code", "kappa", "matched"} <= set(rows[0])
    assert (
        main(
            [
                "reliability",
                str(demo_copy),
                "--observations",
                a,
                b,
                "--report",
                str(tmp_path / "r.html"),
            ]
        )
        == 0
    )
    assert "<table>" in (tmp_path / "r.html").read_text()
    assert main(["reliability", str(demo_copy), "--observations", a]) == 1
    assert "pairs" in capsys.readouterr().err


def test_import_second_coder_from_their_own_project(demo_dir: Path, tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine.attune", tmp_path / "theirs.attune"
    shutil.copy(demo_dir / "demo.attune", mine)
    shutil.copy(demo_dir / "demo.attune", theirs)
    with Project.open(theirs) as other:
        source_events = other.events(other.find_observation("Demo session/Supervisor B").id)
    with Project.open(mine) as p:
        before = {o.id for o in p.observations()}
        imported = import_observation(p, theirs, "Demo session/Supervisor B")
        assert imported.id not in before  # ids clashed, so fresh ones; nothing overwritten
        assert len(p.events(imported.id)) == len(source_events)
        assert {o.id for o in p.observations()} >= before
    with Project.open(theirs) as other:  # a scheme change is refused with the differences
        other.db.execute(
            "UPDATE scheme_snapshots SET content_hash = 'x', source_text = "
            "replace(source_text, 'name: Warmth', 'name: Warmness')"
        )
    with (
        Project.open(mine) as p,
        pytest.raises(ProjectError, match="another version of the scheme.*warmth"),
    ):
        import_observation(p, theirs, "Demo session/Supervisor B")


def test_different_schemes_are_not_compared(project: Project) -> None:
    from coder.schemes import load_shipped, scheme_content_hash

    scheme, text = load_shipped("pcit-style")
    snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    project.add_observation(Observation("o2", "s1", "B", snap.id))
    with pytest.raises(AttuneError, match="different coding schemes"):
        compare(project, "o1", "o2")


def _two_coders(project: Project, a: list[Event], b: list[Event]) -> None:
    snap = project.observation("o1").snapshot_id
    project.add_observation(Observation("o2", "s1", "Supervisor B", snap, name="Week 1/B"))
    with project.transaction():
        for e in a:
            project.insert_event(replace(e, observation_id="o1"))
        for e in b:
            project.insert_event(replace(e, observation_id="o2"))


def test_zero_tolerance_is_exact_and_the_default_is_documented(project: Project) -> None:
    _two_coders(
        project,
        [Event("a1", "", "warmth", "parent", 1000)],
        [Event("b1", "", "warmth", "parent", 1100)],
    )
    exact = compare(project, "o1", "o2", method="events", tolerance_ms=0)
    assert exact["tolerance_ms"] == 0
    (warmth,) = [c for c in exact["pairs"][0]["per_code"] if c["code"] == "warmth"]
    assert (warmth["matched"], warmth["missed"], warmth["extra"]) == (0, 1, 1)
    default = compare(project, "o1", "o2", method="events")
    assert default["tolerance_ms"] == 2000
    (warmth,) = [c for c in default["pairs"][0]["per_code"] if c["code"] == "warmth"]
    assert warmth["matched"] == 1 and warmth["code_name"] == "Warmth"
    assert compare(project, "o1", "o2")["tolerance_ms"] == 0  # time slices: exact


def test_a_tolerance_below_one_slice_says_it_has_no_effect(project: Project) -> None:
    _two_coders(project, [], [])
    result = compare(project, "o1", "o2", tolerance_ms=400, slice_ms=1000)
    assert any("below one slice" in n and "no effect" in n for n in result["notes"])
    rounded = compare(project, "o1", "o2", tolerance_ms=1500, slice_ms=1000)
    assert any("1500 ms works as 1000 ms" in n for n in rounded["notes"])


def test_unknown_codes_and_subjects_are_refused_with_the_valid_names(project: Project) -> None:
    _two_coders(project, [], [])
    with pytest.raises(AttuneError, match=r"unknown code 'warmht'.*warmth \(Warmth\)"):
        compare(project, "o1", "o2", codes=["warmht"])
    with pytest.raises(AttuneError, match=r"unknown subject 'mum'.*parent \(Parent\)"):
        compare(project, "o1", "o2", subjects=["mum"])
    by_name = compare(project, "o1", "o2", codes=["Warmth", "child_bid"], subjects=["Parent"])
    assert by_name["codes"] == {"warmth": "Warmth", "child_bid": "Child bid"}
    assert by_name["subjects"] == {"parent": "Parent"}


def test_first_observation_without_video_uses_the_other_or_the_last_event(
    project: Project,
) -> None:
    snap = project.observation("o1").snapshot_id
    project.add_session(Session("live", "Live session"))  # a BORIS live observation: no video
    project.add_observation(Observation("o3", "live", "Live coder", snap, name="live/coder"))
    with project.transaction():
        project.insert_event(Event("l1", "o3", "directing", "parent", 0, 4_000))
        project.insert_event(Event("a1", "o1", "directing", "parent", 0, 5_000))
    first_live = compare(project, "o3", "o1")["pairs"][0]
    assert first_live["duration_ms"] == 60_000 and first_live["n_slices"] == 60  # o1's video
    alone = compare(project, "o3", "o3")["pairs"][0]
    assert alone["duration_ms"] == 4_000 and "last coded moment" in alone["notes"][0]


def test_boris_pairs_are_not_pooled_and_names_are_reported(demo_copy: Path) -> None:
    with Project.open(demo_copy, read_only=True) as p:
        a, b = (o.id for o in p.observations())
        result = compare_many(p, [(a, b), (a, b)], method="boris", subjects=["parent"])
        assert "pooled" not in result
        assert any("no pooled value" in n for n in result["notes"])
        pair = result["pairs"][0]
        assert pair["reading"].startswith("BORIS κ") and "Parent: Directing" in pair["categories"]
        identity = compare(p, a, a, method="identity")["pairs"][0]
        assert identity["identity"] == 100.0


def test_cli_new_methods_drift_and_refusals(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = "Demo session/Therapist A", "Demo session/Supervisor B"
    base = ["reliability", str(demo_copy), "--observations", a, b]
    assert main([*base, "--method", "elan", "--overlap", "70", "--json"]) == 0
    elan = json.loads(capsys.readouterr().out)
    assert elan["overlap_percent"] == 70 and "kappa_with_unmatched" in elan["pairs"][0]
    report = tmp_path / "aligned.html"
    assert main([*base, "--method", "aligned", "--tolerance", "1", "--report", str(report)]) == 0
    page = report.read_text()
    assert "<h2>Alignment:" in page and "structurally 0" in page
    assert main([*base, "--by-third", "--json"]) == 0
    drift = json.loads(capsys.readouterr().out)["pairs"][0]["drift"]
    assert [p["part"] for p in drift["parts"]] == ["first third", "middle third", "last third"]
    assert sum(p["n_slices"] for p in drift["parts"]) == 20
    assert main([*base, "--codes", "warmht"]) == 1
    err = capsys.readouterr().err
    assert "unknown code 'warmht'" in err and "warmth (Warmth)" in err
    csv_out = tmp_path / "boris.csv"
    assert main([*base, "--method", "boris", "--report", str(csv_out)]) == 0
    (row,) = [r for r in csv.DictReader(csv_out.open()) if r["scope"] == "boris"]
    assert row["reading"].startswith("BORIS κ") and float(row["kappa"]) <= 1
