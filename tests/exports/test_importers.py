"""Imports into a project: BORIS samples, ELAN, CSV; all or nothing; via the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from coder.errors import ImportFormatError
from coder.store import Project
from exports.importers import import_boris, import_csv, import_eaf
from ui.cli import main

REF = Path(__file__).resolve().parents[3] / "shared" / "reference"
BORIS = REF / "boris" / "test.boris"
needs_boris = pytest.mark.skipif(not BORIS.exists(), reason="BORIS samples not available")


@needs_boris
@pytest.mark.parametrize("name", ["test.boris", "test2.boris", "otx_import_test.boris"])
def test_boris_samples_import(name: str, tmp_path: Path) -> None:
    report = import_boris(tmp_path / "p.attune", REF / "boris" / name)
    with Project.open(tmp_path / "p.attune", read_only=True) as p:
        assert len(p.observations()) == report.observations
        assert sum(len(p.events(o.id)) for o in p.observations()) == report.events
        assert p.snapshots()[0].scheme.codes


@needs_boris
def test_boris_pairs_states_reports_unpaired_and_keeps_names(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "p.attune"
    assert main(["import", str(target), "--from", "boris", str(BORIS)]) == 0
    err = capsys.readouterr().err
    assert "no stop; imported as still running" in err
    with Project.open(target, read_only=True) as p:
        obs = p.find_observation("observation #1")
        events = p.events(obs.id)
        assert [(e.subject_id, e.onset_ms, e.offset_ms) for e in events][:2] == [
            ("subject1", 3300, 7750),
            ("subject1", 9900, 16200),
        ]
        media = p.media(p.session(obs.session_id).media_id)  # type: ignore[arg-type]
        assert media.path == "video_test_25fps_360s.mp4" and media.fingerprint.size == 0
    assert (
        main(
            [
                "reliability",
                str(target),
                "--observations",
                "observation #2",
                "observation #2 (copy)",
                "--method",
                "boris",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["pairs"][0]["kappa"] == pytest.approx(0.98, abs=0.01)


@needs_boris
def test_gzipped_boris_and_bad_boris_files(tmp_path: Path) -> None:
    gz = tmp_path / "p.boris.gz"
    gz.write_bytes(gzip.compress(BORIS.read_bytes()))
    assert import_boris(tmp_path / "a.attune", gz).events > 0
    cut = tmp_path / "cut.boris"
    cut.write_bytes(BORIS.read_bytes()[:2000])
    with pytest.raises(ImportFormatError, match="cut.boris: line"):
        import_boris(tmp_path / "b.attune", cut)
    data = json.loads(BORIS.read_text())
    data["observations"]["observation #1"]["events"].append([10.0, "subject1", "nope", "", ""])
    unknown = tmp_path / "unknown.boris"
    unknown.write_text(json.dumps(data))
    target = tmp_path / "c.attune"
    with pytest.raises(ImportFormatError, match="code 'nope' is not in the ethogram"):
        import_boris(target, unknown)
    assert not target.exists()  # refused before anything was written


def test_eaf_import_makes_one_observation_per_annotator(demo_dir: Path, tmp_path: Path) -> None:
    from exports.bundle import bundles_from_project
    from exports.eaf import write_eaf

    with Project.open(demo_dir / "demo.attune", read_only=True) as p:
        write_eaf(bundles_from_project(p), tmp_path / "d.eaf")
    report = import_eaf(tmp_path / "e.attune", tmp_path / "d.eaf")
    assert report.observations == 2
    with Project.open(tmp_path / "e.attune", read_only=True) as p:
        assert {o.coder for o in p.observations()} == {"Therapist A", "Supervisor B"}


def test_csv_import_with_mapping_and_errors(tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    src.write_text(
        "Session,Rater,Who,Behaviour,Start,End\n"
        "Week 1,Ana,Parent,warmth,1200,\n"
        "Week 1,Ana,Parent,Following the lead,00:02.000,00:05.500\n"
    )
    mapping = {
        "session": "Session",
        "coder": "Rater",
        "subject": "Who",
        "code": "Behaviour",
        "onset": "Start",
        "offset": "End",
    }
    report = import_csv(tmp_path / "p.attune", src, "attachment-core", mapping)
    assert (report.sessions, report.observations, report.events) == (1, 1, 2)
    with Project.open(tmp_path / "p.attune", read_only=True) as p:
        events = p.events(p.observations()[0].id)
        assert [(e.code_id, e.onset_ms, e.offset_ms) for e in events] == [
            ("warmth", 1200, None),
            ("following_lead", 2000, 5500),
        ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Session,Rater,Who,Behaviour,Start,End\nWeek 2,Bo,Parent,warmth,100,\n"
        "Week 2,Bo,Parent,warmth,soon,\n"
    )
    with pytest.raises(ImportFormatError, match="bad.csv: line 3: onset 'soon' is not a time"):
        import_csv(tmp_path / "p.attune", bad, "attachment-core", mapping)
    with Project.open(tmp_path / "p.attune", read_only=True) as p:
        assert len(p.sessions()) == 1  # line 2 was good, but the failed import added nothing
