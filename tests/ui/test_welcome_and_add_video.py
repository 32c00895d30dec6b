"""Defects 9 and 10: with no project the window offers the demo, a new project and the recent
ones; adding a video asks for the session's name and coder (prefilled) and shows the name."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog

from coder.media.synth import write_index_video
from ui.dialogs.add_video_dialog import AddVideoDialog
from ui.main_window import MainWindow


def test_empty_window_offers_demo_new_and_recent(
    qtbot, prefs, index_project: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    prefs.add_recent(str(index_project))
    prefs.add_recent(str(index_project.parent / "gone.attune"))  # a deleted project: not offered
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.pages.currentWidget() is w.welcome
    assert w.welcome.demo.isVisible() and w.welcome.new.isVisible() and w.welcome.open.isVisible()
    items = [w.welcome.recent.item(i).data(256) for i in range(w.welcome.recent.count())]
    assert items == [str(index_project.resolve())] or items == [str(index_project)]
    # "Open the demo session" builds the demo off the GUI thread and opens it.
    import coder.demo

    monkeypatch.setattr(coder.demo, "build_demo", lambda progress=None: index_project)
    w.welcome.demo.click()
    qtbot.waitUntil(lambda: w.project is not None, timeout=10000)
    assert w.pages.currentWidget() is w.split
    w.close_project()
    assert w.pages.currentWidget() is w.welcome
    w.close()


def test_adding_a_video_asks_name_and_coder(
    qtbot, prefs, index_project: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    video = tmp_path / "week2_sam_home_visit.mp4"
    write_index_video(video, frames=30, size=(64, 48))
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    asked: list[tuple[str, str]] = []

    def answer(dialog: AddVideoDialog) -> int:
        asked.append((dialog.label.text(), dialog.coder.text()))
        dialog.label.setText("Week 2 — Sam at home (second visit)")
        dialog.coder.setText("Bea")
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(AddVideoDialog, "exec", answer)
    w.projects.add_video(str(video))
    qtbot.waitUntil(lambda: w.project is not None and len(w.project.sessions()) == 2, timeout=10000)
    assert asked == [("week2_sam_home_visit", w.user)]  # prefilled: file name and current coder
    assert w.project is not None
    session = next(s for s in w.project.sessions() if s.id != "s1")
    assert session.label == "Week 2 — Sam at home (second visit)"
    (obs,) = w.project.observations(session.id)
    assert obs.coder == "Bea"
    box = w.observation_box
    assert box.currentText() == "Week 2 — Sam at home (second visit) — Bea"
    # the toolbar lays the wider box out on a later event-loop turn
    qtbot.waitUntil(
        lambda: box.width() >= box.fontMetrics().horizontalAdvance(box.currentText()),
        timeout=5000,
    )
    w.close()
