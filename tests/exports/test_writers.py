"""Writers on the demo project: tables (guarded), XLSX, summaries, subtitles, ELAN, JSON, pictures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from coder.commands import CommandStack, EditEvent
from coder.errors import Cancelled, ImportFormatError
from coder.store import Project
from exports.bundle import bundles_from_project
from exports.json_io import dumps, import_json, project_to_dict, write_json
from exports.subtitles import write_subtitles
from exports.summary import summary_long, summary_wide, write_summary
from exports.tables import export_tables
from exports.timeline_image import write_timeline_png, write_timeline_svg

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\0x"]


@pytest.fixture
def bundles(demo_copy: Path):  # type: ignore[no-untyped-def]
    with Project.open(demo_copy) as p:
        stack = CommandStack(p)
        events = p.events(p.observations()[0].id)
        for e, text in zip(events, HOSTILE, strict=False):
            stack.push(EditEvent(e.id, note=text))
        yield bundles_from_project(p)


def test_csv_has_frames_and_no_notes_unless_asked(bundles, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "events.csv"
    export_tables(bundles, out, "csv")
    rows = list(csv.DictReader(out.open(newline="")))
    assert len(rows) == sum(len(b.events) for b in bundles)
    assert "note" not in rows[0]
    first = rows[0]
    assert int(first["onset_frame"]) == int(first["onset_ms"]) // 40
    assert first["onset"].count(":") == 2 and "mod_intensity" in first
    export_tables(bundles, out, "csv", include_notes=True)
    notes = [r["note"] for r in csv.DictReader(out.open(newline="")) if r["note"]]
    assert sorted(notes) == sorted("'" + h for h in HOSTILE)  # every formula is inert


def test_tsv_and_xlsx(bundles, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    export_tables(bundles, tmp_path / "e.tsv", "tsv")
    assert "\t" in (tmp_path / "e.tsv").read_text().splitlines()[0]
    export_tables(bundles, tmp_path / "e.xlsx", "xlsx", include_notes=True)
    book = load_workbook(tmp_path / "e.xlsx")
    assert book.sheetnames == ["events", "ratings", "segments"]
    values = [
        c.value for row in book["events"].iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    assert book["ratings"].max_row > 1 and book["segments"].max_row == 4


def test_cancel_leaves_no_file(bundles, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled):
        export_tables(bundles, out / "e.csv", "csv", cancel=lambda: True)
    assert list(out.iterdir()) == []


def test_summary_long_and_wide(bundles, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    long = summary_long(bundles)
    counts = long[(long.measure == "count") & (long.code == "following_lead")]
    assert len(counts) == 2 and counts.value.sum() == sum(
        1 for b in bundles for e in b.events if e.code_id == "following_lead"
    )
    pct = long[(long.measure == "percent_time") & (long.code == "disengaged")]
    assert ((pct.value >= 0) & (pct.value <= 100)).all()
    assert "repair_latency" in set(long.code)
    wide = summary_wide(long)
    assert len(wide) == 2 and "parent:following_lead:count" in wide.columns
    write_summary(bundles, tmp_path / "s.xlsx")
    write_summary(bundles, tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_text().startswith("session,observation")


def test_subtitles(bundles, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_subtitles(bundles, tmp_path / "c.srt", "srt")
    write_subtitles(bundles, tmp_path / "c.vtt", "vtt")
    srt = (tmp_path / "c.srt").read_text()
    assert srt.startswith("1\n00:00:") and " --> " in srt and "Parent: " in srt
    vtt = (tmp_path / "c.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "." in vtt.splitlines()[2]
    assert "HYPERLINK" not in srt  # notes never go into subtitles


def test_json_round_trip_is_byte_identical(demo_copy: Path, tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    with Project.open(demo_copy, read_only=True) as p:
        write_json(p, first, include_notes=True)
    with Project.create(tmp_path / "copy.attune") as fresh:
        counts = import_json(fresh, first)
        assert counts["events"] > 0
        second = dumps(project_to_dict(fresh))
    assert second == first.read_text(encoding="utf-8")
    with Project.open(
        tmp_path / "copy.attune"
    ) as again:  # importing twice conflicts, nothing added
        before = len(again.observations())
        with pytest.raises(ImportFormatError, match="nothing was changed"):
            import_json(again, first)
        assert len(again.observations()) == before
    broken = tmp_path / "broken.json"
    broken.write_text(first.read_text()[:500])
    with pytest.raises(ImportFormatError, match="line"):
        import_json(Project.create(tmp_path / "x.attune"), broken)
    data = json.loads(first.read_text())
    data["version"] = 99
    (tmp_path / "v99.json").write_text(json.dumps(data))
    with pytest.raises(ImportFormatError, match="version 99"):
        import_json(Project.create(tmp_path / "y.attune"), tmp_path / "v99.json")


def test_timeline_pictures(bundles, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_timeline_svg(bundles, tmp_path / "t.svg")
    write_timeline_png(bundles, tmp_path / "t.png")
    svg = (tmp_path / "t.svg").read_text()
    assert svg.count("<rect") > sum(len(b.events) for b in bundles) and "Child-led play" in svg
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_blind_coder_does_not_export_others(demo_copy: Path) -> None:
    with Project.open(demo_copy) as p:
        blind = next(o for o in p.observations() if o.blind)
        p.set_observation_final(blind.id, False)
        visible = bundles_from_project(p, for_coder=blind.coder)
        assert [b.observation.coder for b in visible] == [blind.coder]
