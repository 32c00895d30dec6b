"""Outputs are safe to open and private: one spreadsheet guard applied last everywhere,
owner-only files, leftover ``.part`` files swept, bad targets refused before rendering."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from coder.cells import safe_cell, xlsx_cell
from coder.errors import OutputPathError
from coder.files import part_path
from coder.media.clip import ClipRequest, cut_clip, cut_clips
from coder.media.synth import write_index_video
from coder.store import Project
from exports.dispatch import write_export
from exports.tables import write_delimited, write_xlsx

# Each would run as a formula (or DDE) in Excel/LibreOffice if written as is; the first ones
# hide the formula behind characters that XLSX drops or that spreadsheets skip.
HOSTILE = [
    '\x01=HYPERLINK("http://x","y")',
    '\x1f\x02=HYPERLINK("http://x","y")',
    " \x0b=1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\uff1d1+1",
]


def _formula_like(text: str) -> bool:
    return text.lstrip(" \t\r\n\x0b\x0c")[:1] in "=+-@\uff1d"


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_xlsx_holds_no_formula_after_control_characters_are_dropped(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    rows = [{"a": text, "=header": text} for text in HOSTILE]
    write_xlsx([("events", ["a", "=header"], rows)], out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    assert len(cells) == 2 * (len(HOSTILE) + 1)
    assert [c for c in cells if c.data_type == "f"] == []
    for c in cells:
        assert isinstance(c.value, str)
        assert not _formula_like(c.value), repr(c.value)
    assert cells[3].value == '\'=HYPERLINK("http://x","y")'  # the text survives, inert


def test_csv_and_tsv_cells_and_headers_are_guarded(tmp_path: Path) -> None:
    for delimiter, name in ((",", "t.csv"), ("\t", "t.tsv")):
        out = tmp_path / name
        write_delimited(["=h"], [{"=h": text} for text in HOSTILE], out, delimiter=delimiter)
        rows = list(csv.reader(out.open(newline="", encoding="utf-8"), delimiter=delimiter))
        assert [r[0] for r in rows] == ["'=h"] + ["'" + text for text in HOSTILE]


def test_the_guard_leaves_ordinary_values_alone() -> None:
    for value in ("warmth", "a=b", "3", 3, -2.5, None, "", " x"):
        assert safe_cell(value) == value
        assert xlsx_cell(value) == value
    assert xlsx_cell("a\x01b") == "ab"


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("src") / "src.mp4"
    write_index_video(path, frames=30, gop=10, audio=False)
    return path


def test_clip_index_uses_the_same_guard_and_clips_are_owner_only(
    video: Path, tmp_path: Path, umask_022: None
) -> None:
    out = tmp_path / "new" / "clips"
    requests = [ClipRequest("s", 0, 300, text) for text in HOSTILE[:6]]
    results = cut_clips(requests, {"s": str(video)}, out)
    rows = list(csv.DictReader((out / "index.csv").open(newline="", encoding="utf-8")))
    assert [r["label"] for r in rows] == ["'" + text for text in HOSTILE[:6]]
    assert _mode(out) == 0o700 and _mode(out.parent) == 0o700
    assert {_mode(p) for p in out.iterdir()} == {0o600}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["index.csv", *(r.path.name for r in results)]
    )


def test_exports_are_owner_only_and_sweep_parts_left_by_killed_writers(
    tmp_path: Path, umask_022: None
) -> None:
    target = tmp_path / "events.csv"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = part_path(target).name.replace(f"-{os.getpid()}-", f"-{int(dead.stdout)}-")
    (tmp_path / stale).write_text("clinical notes of a killed export")
    live = part_path(target)  # this process is alive: its part is not touched
    live.write_text("being written")
    write_delimited(["a"], [{"a": 1}], target)
    assert _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "events.csv"])


def test_bad_targets_are_refused_before_anything_is_rendered(
    video: Path, tmp_path: Path, demo_copy: Path
) -> None:
    folder = tmp_path / "existing"
    folder.mkdir()
    with pytest.raises(OutputPathError, match="is a folder"):
        cut_clip(video, folder, 0, 300, progress=lambda f: pytest.fail("rendered"))
    with pytest.raises(OutputPathError, match="does not exist"):
        cut_clip(video, tmp_path / "missing" / "c.mp4", 0, 300)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputPathError, match="is a file"):
        cut_clips([ClipRequest("s", 0, 300, "a")], {"s": str(video)}, tmp_path / "afile")
    with Project.open(demo_copy, read_only=True) as project:
        for fmt in ("xlsx", "summary", "timeline-png", "json"):
            with pytest.raises(OutputPathError, match="is a folder"):
                write_export(project, fmt, folder, progress=lambda f: pytest.fail("rendered"))
    assert list(folder.iterdir()) == []
    with pytest.raises(OutputPathError, match="not allowed"):
        cut_clip(video, tmp_path / ("x" * 300 + ".mp4"), 0, 300)
