"""Blind double-coding through the CLI: coder B sees none of coder A's work anywhere until every
observation of the session is final; then both are visible (issue 9's "done when")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.media.synth import write_index_video
from exports.registry import EXPORT_FORMATS
from ui.cli import main

A_NOTE = "A-ONLY-NOTE"
FORMATS = sorted(EXPORT_FORMATS)  # every registered export format, present and future


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def double_coded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    project = str(tmp_path / "p.attune")
    video = tmp_path / "clip.mp4"
    write_index_video(video, frames=100)  # 4 s at 25 fps
    assert run(capsys, "project", "new", project, "--scheme", "attachment-core")[0] == 0
    code, out, _ = run(capsys, "session", "add", project, str(video), "--label", "Week 1")
    session = out.strip()
    ids = {"project": project, "session": session}
    for who, blind in (("Annika", False), ("Benno", True)):
        args = ["observation", "new", project, "--session", session, "--as", who]
        code, out, err = run(capsys, *args, *(["--blind"] if blind else []))
        assert code == 0, err
        ids[who] = out.strip()
    # Ana codes warmth with a note and a limit; Ben codes attunement only.
    for code_id, at, note in (("warmth", "400", A_NOTE), ("limit_setting", "1200", "")):
        args = ["events", "add", project, "--observation", ids["Annika"], "--code", code_id]
        args += ["--subject", "parent", "--at", at, "--as", "Annika"]
        code, out, err = run(capsys, *args, *(["--note", note] if note else []))
        assert code == 0, err
        ids[f"Annika-{code_id}"] = out.strip()
    args = ["events", "add", project, "--observation", ids["Benno"], "--code", "attunement"]
    code, out, err = run(capsys, *args, "--at", "800", "--as", "Benno")
    assert code == 0, err
    ids["Benno-attunement"] = out.strip()
    return ids


def _text_of(path: Path) -> str:
    """What a written export says, as text (workbooks cell by cell, pictures as bytes)."""
    if path.is_dir():
        return "\n".join(_text_of(p) for p in sorted(path.rglob("*")) if p.is_file())
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return path.read_bytes().decode("utf-8", errors="replace")


def _exports(
    capsys: pytest.CaptureFixture[str], ids: dict[str, str], folder: Path, who: str
) -> dict[str, str]:
    texts = {}
    folder.mkdir()
    for fmt in FORMATS:
        out = folder / f"{who}.{EXPORT_FORMATS[fmt].extension}"
        if fmt == "summary":
            out = folder / f"{who}-summary.csv"
        args = ["export", ids["project"], "--format", fmt, "--out", str(out), "--as", who]
        code, _, err = run(capsys, *args, "--include-notes")
        assert code == 0, (fmt, err)
        texts[fmt] = _text_of(out)
    return texts


def test_a_blind_coder_sees_nothing_of_the_other_until_all_are_final(
    double_coded: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = double_coded
    project = ids["project"]
    a_events = (ids["Annika-warmth"], ids["Annika-limit_setting"])

    # events list: only Ben's own, and a note on stderr that others are hidden.
    code, out, err = run(capsys, "events", "list", project, "--json", "--as", "Benno")
    assert code == 0
    assert [e["id"] for e in json.loads(out)] == [ids["Benno-attunement"]]
    assert "1 observation(s) of other coders hidden" in err
    # Asking for Ana's observation or event by id is refused with a clear message.
    code, out, err = run(
        capsys, "events", "list", project, "--observation", ids["Annika"], "--as", "Benno"
    )
    assert code == 1 and "code blind" in err and "marked final" in err and A_NOTE not in err
    # observation list: only his own.
    code, out, _ = run(capsys, "observation", "list", project, "--json", "--as", "Benno")
    assert [o["coder"] for o in json.loads(out)] == ["Benno"]
    # reliability against Ana's observation: refused.
    args = ["reliability", project, "--observations", ids["Benno"], ids["Annika"], "--as", "Benno"]
    code, _, err = run(capsys, *args)
    assert code == 1 and "code blind" in err
    # every export format: none of Ana's events, codes, notes or name.
    blind = _exports(capsys, ids, tmp_path / "blind", "Benno")
    for fmt, text in blind.items():
        for secret in (*a_events, A_NOTE, "Annika"):
            assert secret not in text, (fmt, secret)
    # The not-blind coder sees both (the rule hides only from the blind one).
    code, out, _ = run(capsys, "events", "list", project, "--json", "--as", "Annika")
    assert len(json.loads(out)) == 3

    # Ben finishes; Ana's is not final yet: still hidden.
    assert (
        run(
            capsys, "observation", "final", project, "--observation", ids["Benno"], "--as", "Benno"
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "events", "list", project, "--json", "--as", "Benno")
    assert len(json.loads(out)) == 1
    # Ana finishes: every observation is final, so both are visible everywhere.
    assert (
        run(
            capsys,
            "observation",
            "final",
            project,
            "--observation",
            ids["Annika"],
            "--as",
            "Annika",
        )[0]
        == 0
    )
    code, out, err = run(capsys, "events", "list", project, "--json", "--as", "Benno")
    assert {e["id"] for e in json.loads(out)} == {ids["Benno-attunement"], *a_events}
    assert "hidden" not in err
    args = [
        "reliability",
        project,
        "--observations",
        ids["Benno"],
        ids["Annika"],
        "--as",
        "Benno",
        "--json",
    ]
    assert run(capsys, *args)[0] == 0
    visible = _exports(capsys, ids, tmp_path / "final", "Benno")
    for fmt in ("csv", "tsv", "xlsx", "json", "eaf"):
        assert "Annika" in visible[fmt], fmt
    # A picture has no text to search: Ana's lanes make it differ once they are visible.
    assert visible["timeline-png"] != blind["timeline-png"]


def test_marking_final_is_undoable_and_audited(
    double_coded: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from coder.commands import CommandStack, SetObservationFinal
    from coder.store import Project

    with Project.open(double_coded["project"], user="Benno") as p:
        stack = CommandStack(p)
        stack.push(SetObservationFinal(double_coded["Benno"], True))
        assert p.observation(double_coded["Benno"]).final
        assert stack.undo_text == "Mark final"
        stack.undo()
        assert not p.observation(double_coded["Benno"]).final
        trail = [(a.user, a.action, a.entity) for a in p.audit_log()][-2:]
        assert trail == [("Benno", "changed", "observation")] * 2
        assert p.verify_audit_chain() == []
