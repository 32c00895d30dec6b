"""`attune sequential` and `attune synchrony` as a user runs them: numbers equal the
hand-derived ones of test_sequential, CSV files read back, errors are one clear line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from coder.media.probe import media_from_probe, probe
from coder.media.synth_dyad import write_dyad_video
from coder.model import Event, Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from ui.cli import main

LETTER = {"B": ("child_bid", "child"), "A": ("attunement", "parent"), "C": ("warmth", "parent")}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _code(project: Project, obs: str, letters: str) -> None:
    with project.transaction():
        for i, x in enumerate(letters):
            code, subject = LETTER[x]
            project.insert_event(Event(f"{obs}{i}", obs, code, subject, (i + 1) * 1000))


@pytest.fixture
def coded(project: Project) -> Path:
    """Two observations coded as sessions S1 and S2 of test_sequential."""
    _code(project, "o1", "BACBABCABA")
    snap = project.observation("o1").snapshot_id
    project.add_observation(Observation("o2", "s1", "Coder B", snap, name="Week 1/Coder B"))
    _code(project, "o2", "BCBAA")
    path = project.path
    project.close()
    return path


def test_lag_json_matches_the_hand_derived_tables(
    capsys: pytest.CaptureFixture[str], coded: Path
) -> None:
    code, out, err = run(
        capsys, "sequential", str(coded), "--observation", "o1", "--observation", "o2",
        "--given", "child_bid@child", "--target", "attunement@parent", "--lag", "1", "--json",
    )  # fmt: skip
    assert code == 0, err
    (lag1,) = json.loads(out)["lags"]
    pooled = lag1["pooled"]
    cells = ("given_then_target", "given_then_other", "other_then_target", "other_then_other")
    assert [pooled[k] for k in cells] == [4, 2, 2, 5]
    assert pooled["yules_q"] == pytest.approx(16 / 24)
    assert lag1["mean_yules_q"] == pytest.approx((11 / 13) / 2)
    first = lag1["sessions"][0]
    assert first["session"] == "o1" and first["adjusted_residual"] == pytest.approx(33 / 20)


def test_lag_table_text_and_csv(
    capsys: pytest.CaptureFixture[str], coded: Path, tmp_path: Path
) -> None:
    out_csv = tmp_path / "lags.csv"
    code, out, err = run(
        capsys, "sequential", str(coded), "--observation", "Week 1/Therapist A",
        "--given", "child_bid@child", "--target", "attunement@parent", "--lag", "2",
        "--max-lag", "--codes", "child_bid@child", "attunement@parent", "warmth@parent",
        "--csv", str(out_csv),
    )  # fmt: skip
    assert code == 0, err
    assert "lag 2 table" in out and "odds ratio" in out
    rows = list(csv.DictReader(out_csv.open()))
    lag2 = [r for r in rows if r["lag"] == "2" and r["session"] == "Week 1/Therapist A"]
    assert [float(lag2[0][k]) for k in ("given_then_target", "given_then_other")] == [1, 2]
    assert float(lag2[0]["yules_q"]) == pytest.approx(-1 / 7)


def test_window_json(capsys: pytest.CaptureFixture[str], project: Project) -> None:
    with project.transaction():
        for t in (2000, 10_000, 15_500):
            project.insert_event(Event(f"b{t}", "o1", "child_bid", "child", t))
        for t in (3500, 4200, 7000, 12_900, 19_000):
            project.insert_event(Event(f"a{t}", "o1", "attunement", "parent", t))
    path = str(project.path)
    project.close()
    code, out, err = run(
        capsys, "sequential", path, "--observation", "o1", "--given", "child_bid",
        "--target", "attunement", "--window", "3", "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert (result["givens"], result["answered"]) == (3, 2)
    assert result["latency"]["median_s"] == pytest.approx(2.2)
    # 60 s of video in 0.1 s units: 3 windows of 30 units; targets start in 5 units, 3 inside.
    assert result["pooled"]["given_then_target"] == 3
    assert result["pooled"]["n"] == 600
    assert result["p_conditional"] == pytest.approx(3 / 90)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--given", "nope", "--target", "attunement", "--lag", "1"], "unknown code 'nope'"),
        (["--given", "child_bid@", "--target", "attunement", "--lag", "1"], "CODE@SUBJECT"),
        (["--given", "child_bid@parent", "--target", "attunement", "--lag", "1"], "not coded"),
        (["--given", "child_bid", "--target", "attunement", "--lag", "0"], "1 or more"),
        (["--given", "child_bid", "--target", "child_bid", "--window", "3"], "same behaviour"),
    ],
)
def test_bad_input_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], coded: Path, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "sequential", str(coded), "--observation", "o1", *args)
    assert code == 1 and message in err and "Traceback" not in err and out == ""


def test_synchrony_command_caches_and_finds_the_leader(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    video = tmp_path / "dyad.mp4"
    write_dyad_video(video, seconds=50, fps=10, lag_frames=6, seed=4)
    path = tmp_path / "p.attune"
    with Project.create(path) as project:
        scheme, text = load_shipped("attachment-core")
        snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
        result = probe(video)
        media = media_from_probe(video, result)
        with project.transaction():
            project.add_media(media, result.frame_times_ms)
            project.add_session(Session("s1", "Week 2", media.id))
        project.add_observation(Observation("o1", "s1", "A", snap.id))
    out_csv = tmp_path / "sync.csv"
    args = ["synchrony", str(path), "--session", "Week 2", "--window", "20", "--step", "5"]
    code, out, err = run(capsys, *args, "--json", "--csv", str(out_csv))
    assert code == 0, err
    found = json.loads(out)
    assert [r["name"] for r in found["regions"]] == ["parent", "child"]
    (candidate,) = found["candidates"]
    assert candidate["leader"] == "parent" and abs(candidate["lag_s"] - 0.6) <= 0.1
    assert len(list(csv.DictReader(out_csv.open()))) == len(found["windows"])
    code, out, _ = run(capsys, *args)
    assert code == 0 and "from the project" in out and "parent leads" in out
    code, _, err = run(capsys, *args, "--region", "parent=0,0,2,1")
    assert code == 1 and "inside the picture" in err
