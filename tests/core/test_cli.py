"""The headless CLI, run as a user would (subprocess for the durability promise)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coder.media.synth import write_index_video
from ui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_scheme_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "attune 0." in capsys.readouterr().out
    code, out, _ = run(capsys, "scheme", "list")
    assert code == 0 and "attachment-core" in out and "pcit-style" in out
    code, out, _ = run(capsys, "scheme", "show", "pcit-style")
    assert code == 0 and "labelled_praise" in out and "DPICS" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nversion: 1\ncodes:\n  - {id: a, name: A, kind: blip}\n")
    code, out, err = run(capsys, "scheme", "validate", str(bad))
    assert code == 1 and "bad.yaml:5: codes[0].kind: 'blip' is not a valid kind" in err
    code, _, err = run(capsys, "scheme", "show", "nope")
    assert code == 1 and "unknown scheme 'nope'" in err and "Traceback" not in err


def test_project_session_observation_events(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = str(tmp_path / "p.attune")
    video = tmp_path / "clip.mp4"
    write_index_video(video, frames=50)
    assert run(capsys, "project", "new", project, "--scheme", "attachment-core")[0] == 0
    code, out, _ = run(capsys, "session", "add", project, str(video), "--label", "Week 1")
    assert code == 0 and len(out.strip()) == 32
    code, out, _ = run(
        capsys, "observation", "new", project, "--session", "Week 1", "--coder", "Ana", "--blind"
    )
    obs = out.strip()
    code, out, _ = run(
        capsys,
        "events",
        "add",
        project,
        "--observation",
        obs,
        "--code",
        "attunement",
        "--subject",
        "parent",
        "--at",
        "1200",
        "--modifier",
        "intensity=high",
        "--modifier",
        "channel=words,face",
    )
    assert code == 0
    event_id = out.strip()
    code, out, _ = run(
        capsys,
        "events",
        "add",
        project,
        "--observation",
        "Week 1/Ana",
        "--code",
        "following_lead",
        "--subject",
        "parent",
        "--at",
        "0",
        "--until",
        "800",
    )
    assert code == 0
    code, out, _ = run(capsys, "events", "list", project, "--json")
    rows = json.loads(out)
    assert [r["code"] for r in rows] == ["following_lead", "attunement"]
    assert rows[1]["id"] == event_id and rows[1]["modifiers"] == {
        "channel": ["words", "face"],
        "intensity": "high",
    }
    code, _, err = run(
        capsys,
        "events",
        "add",
        project,
        "--observation",
        obs,
        "--code",
        "attunement",
        "--subject",
        "child",
        "--at",
        "5",
    )
    assert code == 1 and "cannot be coded for 'child'" in err
    code, _, err = run(
        capsys,
        "events",
        "add",
        project,
        "--observation",
        obs,
        "--code",
        "attunement",
        "--subject",
        "parent",
        "--at",
        "5",
        "--modifier",
        "mood=x",
    )
    assert code == 1 and "unknown modifier" in err


def test_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    junk = tmp_path / "junk.attune"
    junk.write_text("not a project")
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "events", "list", str(junk)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "not an Attune project" in result.stderr and "Traceback" not in result.stderr


def test_cli_headless_path_never_imports_qt(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['PySide6'] = None; from ui.cli import main; "
        "sys.exit(main(['scheme', 'list']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_demo_project(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = str(demo_dir / "demo.attune")
    code, out, _ = run(capsys, "events", "list", project, "--json")
    assert code == 0
    rows = json.loads(out)
    coders = {r["observation_id"] for r in rows}
    assert len(coders) == 2 and len(rows) > 10
    _code, out, _ = run(capsys, "highlights", project, "--session", "Demo session", "--json")
    highlights = json.loads(out)
    assert any(h["shareable"] for h in highlights)
