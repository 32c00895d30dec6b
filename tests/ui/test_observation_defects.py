"""Defects 2 and 5: a new observation opens in the same window (no stray top-level window),
and a consensus observation shows in the chooser at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QInputDialog

from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def visible_windows() -> list[str]:
    return sorted(
        f"{type(x).__name__}:{x.windowTitle()}"
        for x in QApplication.topLevelWidgets()
        if x.isVisible()
    )


def test_new_observation_leaves_no_stray_window(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = visible_windows()
    for name in ("Bea", "Cy"):
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, n=name, **k: (n, True))
        window.menu_actions.new_observation.trigger()
        qtbot.wait(200)
        assert window.session is not None and window.session.observation.coder == name
        assert visible_windows() == before


def test_a_consensus_observation_is_in_the_chooser_at_once(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from coder.model import Observation

    assert window.project is not None
    snapshot = window.project.observation("o1").snapshot_id
    window.project.add_observation(
        Observation("cons", "s1", "Consensus", snapshot, name="Consensus (Ana / Bea)")
    )
    box = window.observation_box
    ids = [box.itemData(i) for i in range(box.count())]
    assert "cons" in ids
    assert box.itemText(ids.index("cons")) == "Week 1 — Consensus"
