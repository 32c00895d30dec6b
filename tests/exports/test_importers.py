"""Spreadsheet imports (CSV, TSV, XLSX): mapping, our own export read back, per-code report;
and the text exports that carry coding elsewhere (WebVTT escaping, SDIS for GSEQ)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from coder.errors import ImportFormatError
from coder.store import Project
from exports.bundle import bundles_from_project
from exports.importers import import_csv, import_eaf
from exports.tables import export_tables
from ui.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
MAPPING = {
    "session": "Session",
    "coder": "Rater",
    "subject": "Who",
    "code": "Behaviour",
    "onset": "Start",
    "offset": "End",
}


def _events(target: Path) -> list[tuple[Any, ...]]:
    with Project.open(target, read_only=True) as p:
        return [
            (e.code_id, e.subject_id, e.onset_ms, e.offset_ms, dict(e.modifiers))
            for o in p.observations()
            for e in p.events(o.id)
        ]


def test_csv_with_mapping_reports_each_bad_row_by_code_and_line(tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    src.write_text(
        "Session,Rater,Who,Behaviour,Start,End\n"
        "Week 1,Ana,Parent,warmth,1200,\n"
        "Week 1,Ana,parent,Following the lead,00:02.000,00:05.500\n"  # name; case ignored
        "Week 1,Ana,Grandma,warmth,3000,\n"  # unknown subject: never given to another
        "Week 1,Ana,Parent,warmth,soon,\n"
        "Week 1,Ana,Parent,following_lead,9000,8000\n"
        "Week 1,Ana,Parent,hugging,100,\n",
        encoding="utf-8",
    )
    target = tmp_path / "p.attune"
    report = import_csv(target, src, "attachment-core", MAPPING)
    assert (report.sessions, report.observations, report.events) == (1, 1, 2)
    assert _events(target) == [
        ("warmth", "parent", 1200, None, {}),
        ("following_lead", "parent", 2000, 5500, {}),
    ]
    lines = {line.source: line for line in report.lines}
    assert lines["code 'warmth'"].not_imported == {
        "their subject is not in the scheme": 1,
        "their onset is not a time (ms, seconds or hh:mm:ss.mmm)": 1,
    }
    assert (
        "(line 4)" in lines["code 'warmth'"].text() and "(line 5)" in lines["code 'warmth'"].text()
    )
    assert lines["code 'following_lead'"].not_imported == {"they end before they start": 1}
    assert lines["code 'hugging' (not in the scheme attachment-core)"].missing == 1
    assert report.not_imported == 4


def test_our_own_export_reads_back_with_modifiers_notes_and_text(tmp_path: Path) -> None:
    """CSV, TSV and XLSX written by Attune come back as the same events (a table cannot tell
    an empty annotation text from none: both read back as none)."""
    target = tmp_path / "src.attune"
    import_eaf(target, DATA / "eaf" / "all_constraints.eaf")
    with Project.open(target) as p:
        with p.transaction():  # texts the spreadsheet guard changes: they must come back as-is
            first = next(e for o in p.observations() for e in p.events(o.id) if e.tier == "CHI")
            for i, text in enumerate(("=1+2", "'-already quoted", "''@x", "\tx", "'")):
                at = 30_000 + 1000 * i
                p.insert_event(
                    replace(first, id=f"g{i}", onset_ms=at, offset_ms=at + 500, text=text)
                )
        bundles = bundles_from_project(p)
        scheme = bundles[0].scheme
    scheme_file = tmp_path / "scheme.yaml"
    with Project.open(target, read_only=True) as p:
        scheme_file.write_text(p.snapshots()[0].source_text, encoding="utf-8")
    originals = sorted(
        (e.code_id, e.subject_id, e.onset_ms, e.offset_ms, e.text or None)
        for b in bundles
        for e in b.events
    )
    for fmt in ("csv", "tsv", "xlsx"):
        out = tmp_path / f"events.{fmt}"
        export_tables(bundles, out, fmt, include_notes=True)
        back = tmp_path / f"back-{fmt}.attune"
        report = import_csv(back, out, str(scheme_file))
        assert report.not_imported == 0, report.text()
        with Project.open(back, read_only=True) as p:
            got = sorted(
                (e.code_id, e.subject_id, e.onset_ms, e.offset_ms, e.text or None)
                for o in p.observations()
                for e in p.events(o.id)
            )
        assert got == originals, fmt
    assert scheme.codes  # the imported ELAN scheme was used throughout


def test_modifier_columns_of_our_export_read_back(demo_copy: Path, tmp_path: Path) -> None:
    from coder.commands import CommandStack, EditEvent

    with Project.open(demo_copy) as p:
        scheme = p.scheme_for_observation(p.observations()[0].id)
        coded = next(
            (e, c) for o in p.observations() for e in p.events(o.id)
            for c in scheme.codes if c.id == e.code_id and c.modifiers
        )  # fmt: skip
        event, code = coded
        modifier = scheme.modifier(code.modifiers[0])
        value = modifier.values[-1] if modifier.values else 2.0
        CommandStack(p).push(EditEvent(event.id, modifiers={modifier.id: value}))
        bundles = bundles_from_project(p)
        scheme_text = p.snapshots()[0].source_text
    out = tmp_path / "events.csv"
    export_tables(bundles, out, "csv")
    (tmp_path / "scheme.yaml").write_text(scheme_text, encoding="utf-8")
    import_csv(tmp_path / "back.attune", out, str(tmp_path / "scheme.yaml"))
    back = _events(tmp_path / "back.attune")
    assert (
        event.code_id,
        event.subject_id,
        event.onset_ms,
        event.offset_ms,
        {modifier.id: value},
    ) in back


def test_unreadable_tables_are_refused_clearly(tmp_path: Path) -> None:
    target = tmp_path / "p.attune"
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("code,onset_ms\nwarmth,1\ncaf\xe9,2\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match="latin1.csv: line 3: not UTF-8"):
        import_csv(target, latin1, "attachment-core")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(ImportFormatError, match="fake.xlsx: is not a readable XLSX"):
        import_csv(target, fake, "attachment-core")
    nocode = tmp_path / "nocode.tsv"
    nocode.write_text("who\twhen\nParent\t1\n")
    with pytest.raises(ImportFormatError, match="none of the 2 columns.*'code'.*--column code="):
        import_csv(target, nocode, "attachment-core")
    # A file without a header row: its first row (here a note) is not repeated in the error.
    headless = tmp_path / "headless.csv"
    headless.write_text("warmth,1200,SECRET note about the family\n")
    with pytest.raises(ImportFormatError) as refused:
        import_csv(target, headless, "attachment-core")
    assert "SECRET" not in str(refused.value)
    # The code column mapped to the notes: nothing importable, said by count and line only.
    notes = tmp_path / "notes.csv"
    notes.write_text("code,onset_ms\nSECRET first note,100\nSECRET second note,200\n")
    with pytest.raises(ImportFormatError, match="no row can be imported \\(2 row") as refused:
        import_csv(target, notes, "attachment-core")
    assert "SECRET" not in str(refused.value) and "line 2" in str(refused.value)
    assert not target.exists()


def test_cli_imports_tsv_and_prints_lines(tmp_path: Path, capsys: Any) -> None:
    src = tmp_path / "e.tsv"
    src.write_text("subject\tcode\tonset_ms\nParent\twarmth\t500\nParent\twarmth\t-5\n")
    assert main(["import", str(tmp_path / "p.attune"), "--from", "csv", str(src)]) == 0
    out = capsys.readouterr().out
    assert (
        "code 'warmth', 2 rows: 1 imported as point events; 1 not imported because their onset is before the video starts (line 3)"
        in out
    )


def test_webvtt_escapes_text_and_srt_keeps_it(tmp_path: Path) -> None:
    from exports.subtitles import write_subtitles

    target = tmp_path / "p.attune"
    import_eaf(target, DATA / "eaf" / "all_constraints.eaf")
    with Project.open(target, read_only=True) as p:
        bundles = bundles_from_project(p)
    write_subtitles(bundles, tmp_path / "s.vtt", "vtt")
    write_subtitles(bundles, tmp_path / "s.srt", "srt")
    vtt = (tmp_path / "s.vtt").read_text(encoding="utf-8")
    assert "FA1: look at the &lt;dog&gt; &amp; cat" in vtt
    assert "<dog>" not in vtt and "-->" not in vtt.replace(" --> ", "")
    assert "CHI: こんにちは" in vtt
    assert "FA1: look at the <dog> & cat" in (tmp_path / "s.srt").read_text(encoding="utf-8")


def _parse_sdis(text: str) -> tuple[list[str], list[tuple[str, list[tuple[str, int, int | None]]]]]:
    """A reader for the SDIS we write (timed-event): declaration, then sessions."""
    declaration, _, rest = text.partition(";")
    codes = declaration.split()[1:]
    sessions = []
    for chunk in rest.split("/")[:-1]:
        label = re.search(r"<([^>]*)>", chunk)
        body = chunk[label.end() :] if label else chunk
        tokens = body.split()
        events = []
        for token in tokens[1:-1]:
            code, _, times = token.partition(",")
            start, _, end = times.partition("-")
            events.append(
                (code, round(float(start) * 1000), round(float(end) * 1000) if end else None)
            )
        sessions.append((label.group(1) if label else "", events))
    return codes, sessions


def test_sdis_timed_events_read_back(demo_dir: Path, tmp_path: Path) -> None:
    from exports.sdis import write_sdis

    out = tmp_path / "demo.sds"
    with Project.open(demo_dir / "demo.attune", read_only=True) as p:
        bundles = bundles_from_project(p)
        notes = write_sdis(bundles, out)
    raw = out.read_bytes()
    assert b"\r\n" in raw and raw.decode("ascii")  # plain ASCII, Windows line ends
    codes, sessions = _parse_sdis(raw.decode("ascii"))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,23}", c) for c in codes)
    assert len(sessions) == len(bundles)
    for b, (label, events) in zip(bundles, sessions, strict=True):
        assert label == f"{b.session.label} - {b.observation.coder}"
        states = {c.id for c in b.scheme.codes if c.is_state}
        subjects = {s.id: s.name for s in b.scheme.subjects}
        expected = sorted(
            (
                f"{subjects[e.subject_id]}_{e.code_id}",
                e.onset_ms,
                e.offset_ms if e.code_id in states else None,
            )
            for e in b.events
        )
        assert sorted(events) == expected
    assert all("running state" in n or "not written" in n for n in notes)
