"""Defect 8: file dialogs start in the project's folder with a name from the session, what it
is and the date; every export is confirmed with its full path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from coder.app.file_names import safe_name, suggested_path
from ui.dialogs.export_import import ExportDialog
from ui.main_window import MainWindow


def test_suggested_names_are_safe_and_in_the_project_folder(tmp_path: Path) -> None:
    project = tmp_path / "clinic" / "families.attune"
    got = suggested_path(project, "Week 3: Sam/Ana?", "handout", "pdf", date(2026, 11, 24))
    assert got == tmp_path / "clinic" / "Week 3- Sam-Ana - handout - 2026-11-24.pdf"
    assert safe_name("..") == "attune" and "/" not in safe_name("a/b\\c")
    assert suggested_path("postgresql://u@h/db", "S", "x", "csv").parent == Path.home()


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def test_export_proposes_a_named_file_in_the_project_folder_and_confirms(
    qtbot, window: MainWindow, index_project: Path, monkeypatch, no_modal_boxes
) -> None:  # type: ignore[no-untyped-def]
    proposed: list[str] = []

    def save(_parent, _title, start, _filter, *a, **k):  # type: ignore[no-untyped-def]
        proposed.append(start)
        return start, ""

    def accept(dialog: ExportDialog) -> int:
        dialog.format.setCurrentIndex(dialog.format.findText("Events table (CSV)"))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(ExportDialog, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    window.menu_actions.export.trigger()
    today = date.today().isoformat()
    want = index_project.resolve().parent / f"Week 1 - Events table (CSV) - {today}.csv"
    assert proposed == [str(want)]
    qtbot.waitUntil(lambda: want.exists(), timeout=10000)
    qtbot.waitUntil(lambda: bool(no_modal_boxes) and str(want) in no_modal_boxes[-1], timeout=5000)
    assert str(want) in window.statusBar().currentMessage()
