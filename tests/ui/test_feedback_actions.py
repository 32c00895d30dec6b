"""Analysis, Feedback and File > Export/Import menu actions, offscreen: each reads back what
it produced (the file written, the window opened, the observation marked)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from coder.commands import AddEvent, AddHighlight
from coder.model import Event, Highlight, Observation
from ui.dialogs.export_import import ExportDialog
from ui.main_window import MainWindow


def answer(monkeypatch: pytest.MonkeyPatch, cls: type, name: str, value: object) -> None:
    monkeypatch.setattr(cls, name, lambda *a, **k: value)


def add_shareable_highlight(w: MainWindow) -> None:
    h = Highlight("h1", "s1", 400, 2400, title="You waited", shareable=True)
    assert w.history.push(AddHighlight(h))


def test_present_refuses_without_shareable_moments_then_shows_them(
    qtbot, window: MainWindow, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    window.menu_actions.present.trigger()
    assert "has no highlights marked 'Show to parents'" in no_modal_boxes[-1]
    add_shareable_highlight(window)
    window.menu_actions.present.trigger()
    shown = window.feedback.presentation
    assert shown is not None and shown.isVisible()
    assert "You waited" in shown.visible_texts()
    shown.close()


def test_handout_is_written_off_the_gui_thread(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    add_shareable_highlight(window)
    out = tmp_path / "handout.html"
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(out), ""))
    window.menu_actions.handout.trigger()
    qtbot.waitUntil(lambda: "Handout saved" in window.statusBar().currentMessage(), timeout=20000)
    text = out.read_text(encoding="utf-8")
    assert "You waited" in text


def test_reel_is_written_off_the_gui_thread(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import av

    add_shareable_highlight(window)
    out = tmp_path / "reel.mp4"
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(out), ""))
    window.menu_actions.reel.trigger()
    qtbot.waitUntil(lambda: "Reel saved" in window.statusBar().currentMessage(), timeout=60000)
    with av.open(str(out)) as container:
        assert container.streams.video[0].frames > 0


def test_handout_refused_without_consent_reaches_the_user(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from coder.model import Consent

    assert window.project is not None
    session = window.project.session("s1")
    window.project.update_session(replace(session, consent=Consent(show_to_parents=False)))
    add_shareable_highlight(window)
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(tmp_path / "h.html"), ""))
    window.menu_actions.handout.trigger()
    qtbot.waitUntil(lambda: bool(no_modal_boxes), timeout=20000)
    assert "consent" in no_modal_boxes[-1].lower()
    assert not (tmp_path / "h.html").exists()


def test_reliability_and_disagreements_need_a_second_coder(
    qtbot, window: MainWindow, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    window.menu_actions.disagreements.trigger()
    assert "only one observation" in no_modal_boxes[-1]
    project = window.project
    assert project is not None
    project.add_observation(Observation("o2", "s1", "Bea", project.observation("o1").snapshot_id))
    window.history.push(AddEvent(Event("a1", "o1", "attunement", "parent", 400)))
    answer(monkeypatch, QInputDialog, "getItem", ("Bea", True))
    window.menu_actions.disagreements.trigger()
    review = window.feedback.review_window
    assert review is not None and review.b.id == "o2"
    assert len(review.items) == 1 and review.items[0].a is not None
    review.close()
    window.menu_actions.reliability.trigger()
    rel = window.feedback.reliability_window
    assert rel is not None and rel.obs_a.count() == 2
    rel.close()


def test_mark_final_and_back(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.project is not None
    window.menu_actions.toggle_final.trigger()
    assert window.project.observation("o1").final
    assert window.statusBar().currentMessage() == "Marked final"
    window.menu_actions.toggle_final.trigger()
    assert not window.project.observation("o1").final


def test_export_csv_of_this_observation(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window.history.push(AddEvent(Event("a1", "o1", "attunement", "parent", 400)))
    window.history.push(AddEvent(Event("w1", "o1", "warmth", "child", 1200)))

    def accept(dialog: ExportDialog) -> int:
        dialog.format.setCurrentIndex(dialog.format.findText("Events table (CSV)"))
        dialog.scope.setCurrentIndex(0)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(ExportDialog, "exec", accept)
    out = tmp_path / "events.csv"
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(out), ""))
    window.menu_actions.export.trigger()
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == f"Export saved: {out.resolve()}",
        timeout=10000,
    )
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted((r["code"], r["onset_ms"]) for r in rows) == [
        ("attunement", "400"),
        ("warmth", "1200"),
    ]


def test_import_eaf_reopens_the_project_with_the_new_observation(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from exports.dispatch import write_export

    project = window.project
    assert project is not None
    window.history.push(AddEvent(Event("a1", "o1", "attunement", "parent", 400)))
    eaf = tmp_path / "visit.eaf"
    write_export(project, "eaf", eaf, observation_ids=["o1"])
    answer(monkeypatch, QInputDialog, "getItem", ("ELAN", True))
    answer(monkeypatch, QFileDialog, "getOpenFileName", (str(eaf), ""))
    window.menu_actions.import_.trigger()
    assert window.project is None  # closed while the importer writes
    qtbot.waitUntil(
        lambda: "Imported 1 observation" in window.statusBar().currentMessage(), timeout=10000
    )
    assert window.project is not None
    # the import report is shown: the summary, with one line per tier in the details
    box = next(b for b in window.findChildren(QMessageBox) if b.windowTitle() == "Import")
    assert box.text().startswith("Imported 1 observation, 1 event")
    assert (
        "tier 'Parent Attunement (Ana)', 1 annotation: all imported as codes" in box.detailedText()
    )
    labels = [window.observation_box.itemText(i) for i in range(window.observation_box.count())]
    assert len(labels) == 2 and any(label.startswith("visit") for label in labels)


def test_import_failure_reopens_and_reports(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.eaf"
    bad.write_text("<not eaf", encoding="utf-8")
    answer(monkeypatch, QInputDialog, "getItem", ("ELAN", True))
    answer(monkeypatch, QFileDialog, "getOpenFileName", (str(bad), ""))
    window.menu_actions.import_.trigger()
    qtbot.waitUntil(lambda: bool(no_modal_boxes), timeout=10000)
    assert "broken.eaf" in no_modal_boxes[-1]
    assert window.project is not None and window.observation_box.count() == 1


def test_export_and_import_dialogs_list_the_registry(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from exports.registry import EXPORT_FORMATS, IMPORT_KINDS

    dialog = ExportDialog()
    qtbot.addWidget(dialog)
    shown = [
        (dialog.format.itemText(i), dialog.format.itemData(i)) for i in range(dialog.format.count())
    ]
    assert shown == [(f.label, f.id) for f in EXPORT_FORMATS.values()]
    offered: list[list[str]] = []

    def cancel(*args, **kwargs):  # type: ignore[no-untyped-def]
        offered.append(list(args[3]))
        return "", False

    monkeypatch.setattr(QInputDialog, "getItem", cancel)
    window.menu_actions.import_.trigger()
    assert offered == [[k.label for k in IMPORT_KINDS.values()]]


def test_handout_to_a_bad_target_fails_before_any_still_is_decoded(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    import exports.handout_content

    add_shareable_highlight(window)
    decoded: list[str] = []
    real = exports.handout_content.build_handout_content
    monkeypatch.setattr(
        exports.handout_content,
        "build_handout_content",
        lambda *a, **k: decoded.append("built") or real(*a, **k),
    )
    folder = tmp_path / "a folder.html"
    folder.mkdir()
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(folder), ""))
    window.menu_actions.handout.trigger()
    qtbot.waitUntil(lambda: bool(no_modal_boxes), timeout=20000)
    assert "is a folder" in no_modal_boxes[-1] and decoded == []
    assert list(folder.iterdir()) == []
