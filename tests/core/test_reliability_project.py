"""Reliability on real project data: compare, CLI, reports, and importing a second coder."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from coder.errors import AttuneError, ProjectError
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
    from coder.model import Observation
    from coder.schemes import load_shipped, scheme_content_hash

    scheme, text = load_shipped("pcit-style")
    snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    project.add_observation(Observation("o2", "s1", "B", snap.id))
    with pytest.raises(AttuneError, match="different coding schemes"):
        compare(project, "o1", "o2")
