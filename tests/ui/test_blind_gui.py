"""Blind coding in the GUI, as two people would use it on one machine: Ana codes, then Bea
opens the same project as a blind coder. Bea sees none of Ana's events anywhere — chooser,
event table, timeline, reliability window, disagreement review, export — until both
observations are final; then both are visible. Marking final is undoable."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from coder.app.visibility import HIDDEN_WHILE_BLIND
from ui.dialogs.coder_dialog import CoderDialog
from ui.dialogs.export_import import ExportDialog
from ui.main_window import MainWindow


def as_coder(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The "Who is coding?" dialog is answered with ``name``."""

    def answer(dialog: CoderDialog) -> int:
        dialog.name.setText(name)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(CoderDialog, "exec", answer)


def chooser(w: MainWindow) -> list[str]:
    box = w.observation_box
    return [box.itemText(i) for i in range(box.count())]


def export_session_csv(w: MainWindow, qtbot, monkeypatch, out: Path) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def accept(dialog: ExportDialog) -> int:
        seen.append(dialog.hidden.text())
        dialog.format.setCurrentIndex(dialog.format.findText("Events table (CSV)"))
        dialog.scope.setCurrentIndex(1)  # this session (all coders)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(ExportDialog, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    w.menu_actions.export.trigger()
    qtbot.waitUntil(
        lambda: w.statusBar().currentMessage() == f"Export saved: {out.resolve()}", timeout=10000
    )
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows.append({"hidden note": seen[-1]})
    return rows


def test_blind_coder_sees_nothing_of_the_other_until_both_are_final(
    qtbot, prefs, index_project: Path, tmp_path: Path, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    # --- Ana codes o1 and sets up Bea's blind observation of the same session.
    as_coder(monkeypatch, "Ana")
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(w.isActiveWindow)  # key presses go to the active window
    w.player.seek(1000)
    QTest.keyClick(w, Qt.Key.Key_A)  # attunement
    QTest.keyClick(w, Qt.Key.Key_F)  # following the lead starts
    ana_events = {e.id for e in w.project.events("o1")}  # type: ignore[union-attr]
    assert len(ana_events) == 2, no_modal_boxes
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bea", True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    w.menu_actions.new_observation.trigger()
    assert w.observation is not None and (w.observation.coder, w.observation.blind) == ("Bea", True)
    bea_obs = w.observation.id

    # --- Bea opens the same project: only her own observation, nothing of Ana's.
    as_coder(monkeypatch, "Bea")
    w.menu_actions.switch_coder.trigger()
    assert w.user == "Bea" and w.project is not None
    assert chooser(w) == ["Week 1 — Bea (blind)"]
    assert "1 observation(s) hidden" in w.observation_box.toolTip()
    assert w.observation_box.hidden_label.text() == "  1 hidden (blind coding)"
    assert w.session is not None and w.session.observation_id == bea_obs
    assert w.table_model is not None and w.table_model.events == []
    assert w.scene is not None and w.scene.items_by_id == {}
    w.open_observation("o1")  # even asked directly, Ana's observation stays closed
    assert no_modal_boxes[-1] == HIDDEN_WHILE_BLIND and w.session.observation_id == bea_obs
    w.menu_actions.reliability.trigger()
    rel = w.feedback.reliability_window
    assert rel is not None and rel.obs_a.count() == 1 and rel.obs_b.count() == 1
    assert HIDDEN_WHILE_BLIND in rel.note.text() and not rel.run_button.isEnabled()
    rel.close()
    w.menu_actions.disagreements.trigger()
    assert no_modal_boxes[-1] == HIDDEN_WHILE_BLIND and w.feedback.review_window is None
    QTest.keyClick(w, Qt.Key.Key_W)  # Bea codes warmth at 0 ms
    rows = export_session_csv(w, qtbot, monkeypatch, tmp_path / "bea.csv")
    assert [r["coder"] for r in rows[:-1]] == ["Bea"]
    assert "1 observation(s) hidden from you are left out" in rows[-1]["hidden note"]
    monkeypatch.setattr(ExportDialog, "exec", lambda self: int(QDialog.DialogCode.Accepted))
    w.menu_actions.export.trigger()  # the first format is CSV; now try the whole-project JSON
    qtbot.waitUntil(lambda: "saved: " in w.statusBar().currentMessage(), timeout=10000)

    def whole_json(dialog: ExportDialog) -> int:
        dialog.format.setCurrentIndex(dialog.format.findText("Whole project (JSON)"))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(ExportDialog, "exec", whole_json)
    w.menu_actions.export.trigger()
    assert "whole-project JSON" in no_modal_boxes[-1]

    # --- Bea marks hers final: Ana's is not final yet, so still hidden.
    w.menu_actions.toggle_final.trigger()
    assert w.project.observation(bea_obs).final and w.menu_actions.toggle_final.isChecked()
    assert chooser(w) == ["Week 1 — Bea (blind) — final"]

    # --- Ana (not blind) marks hers final.
    as_coder(monkeypatch, "Ana")
    w.menu_actions.switch_coder.trigger()
    assert len(chooser(w)) == 2  # Ana codes openly: she sees both
    w.open_observation("o1")
    w.menu_actions.toggle_final.trigger()
    assert w.project.observation("o1").final

    # --- Now Bea sees both: chooser, table, reliability, review, export.
    as_coder(monkeypatch, "Bea")
    w.menu_actions.switch_coder.trigger()
    assert chooser(w) == ["Week 1 — Ana — final", "Week 1 — Bea (blind) — final"]
    assert w.session is not None and w.session.observation_id == bea_obs  # her own first
    w.observation_box.setCurrentIndex(0)
    assert w.session.observation_id == "o1"
    assert {e.id for e in w.table_model.events} == ana_events  # type: ignore[union-attr]
    assert set(w.scene.items_by_id) == ana_events  # type: ignore[union-attr]
    w.menu_actions.reliability.trigger()
    assert w.feedback.reliability_window is not None
    assert w.feedback.reliability_window.obs_a.count() == 2
    w.feedback.reliability_window.close()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Bea", True))
    w.menu_actions.disagreements.trigger()
    review = w.feedback.review_window
    assert review is not None and review.b.coder == "Bea" and review.items
    review.close()
    rows = export_session_csv(w, qtbot, monkeypatch, tmp_path / "both.csv")
    assert sorted({r["coder"] for r in rows[:-1]}) == ["Ana", "Bea"]
    assert rows[-1]["hidden note"] == "" and w.observation_box.hidden_label.text() == ""

    # --- Bea takes "final" back: Ana's work is hidden again at once; Undo reopens it.
    w.observation_box.setCurrentIndex(w.observation_box.findData(bea_obs))
    w.menu_actions.toggle_final.trigger()
    assert chooser(w) == ["Week 1 — Bea (blind)"]
    assert not w.menu_actions.toggle_final.isChecked()
    assert w.menu_actions.undo.text() == "&Undo Mark not final"
    w.menu_actions.undo.trigger()
    assert len(chooser(w)) == 2 and w.menu_actions.toggle_final.isChecked()
    w.close()


def test_export_reads_the_project_as_the_blind_coder_whatever_it_is_asked(
    qtbot, prefs, index_project: Path, tmp_path: Path, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """The export job opens the project as the person coding, so even a listing bug that
    offered Ana's observation to blind Bea could not put Ana's events into a file."""
    from coder.app.usecases import new_observation
    from coder.commands import AddEvent, CommandStack
    from coder.model import Event
    from coder.store import Project

    with Project.open(index_project, user="Ana") as project:
        CommandStack(project).push(AddEvent(Event("ana-1", "o1", "attunement", "parent", 1000)))
        bea = new_observation(project, project.session("s1"), "Bea", blind=True).id
    as_coder(monkeypatch, "Bea")
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert w.open_project(str(index_project)) and w.session is not None
    assert w.session.observation_id == bea
    assert w.project is not None
    everything = w.project._all_observations("s1")  # what a buggy listing would offer
    assert {o.id for o in everything} == {"o1", bea}
    monkeypatch.setattr(w, "visible_observations", lambda session_id=None: everything)
    out = tmp_path / "leak.csv"

    def session_csv(dialog: ExportDialog) -> int:
        dialog.format.setCurrentIndex(dialog.format.findText("Events table (CSV)"))
        dialog.scope.setCurrentIndex(1)  # this session (all coders)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(ExportDialog, "exec", session_csv)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    w.menu_actions.export.trigger()
    qtbot.waitUntil(lambda: len(no_modal_boxes) > 0, timeout=10000)
    assert "hidden until every observation of that session is marked final" in no_modal_boxes[-1]
    assert not out.exists()  # nothing written, not even Bea's part
    w.close()
