"""Who is coding: asked on open, remembered per machine, the OS user by default; Cancel opens
nothing; Session > Switch coder reopens as someone else."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from ui.dialogs import coder_dialog
from ui.dialogs.coder_dialog import CoderDialog
from ui.main_window import MainWindow


def test_first_time_offers_the_os_user_then_remembers_the_answer(
    qtbot, prefs, index_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(coder_dialog, "default_user", lambda: "os-account")
    offered: list[str] = []

    def answer(dialog: CoderDialog) -> int:
        offered.append(dialog.name.text())
        dialog.name.setText("  Bea ")
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(CoderDialog, "exec", answer)
    assert prefs.coder == ""
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert w.open_project(str(index_project))
    assert w.user == "Bea" and prefs.coder == "Bea"
    assert w.project is not None and w.project.user == "Bea"  # the audit log's name
    assert w.windowTitle().endswith("coding as Bea")
    w.close()
    again = MainWindow(prefs, audio=False)
    qtbot.addWidget(again)
    assert again.open_project(str(index_project))
    assert offered == ["os-account", "Bea"]  # remembered on this machine
    again.close()


def test_cancel_opens_nothing(qtbot, prefs, index_project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(CoderDialog, "exec", lambda self: int(QDialog.DialogCode.Rejected))
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert not w.open_project(str(index_project))
    assert w.project is None and w.observation_box.count() == 0


def test_ok_needs_a_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = CoderDialog("p.attune", "")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.name.setText("Ana")
    assert ok.isEnabled() and dialog.chosen() == "Ana"


def test_switch_coder_reopens_as_someone_else(
    qtbot, prefs, index_project: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert w.open_project(str(index_project), user="Ana")

    def answer(dialog: CoderDialog) -> int:
        dialog.name.setText("Bea")
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(CoderDialog, "exec", answer)
    w.menu_actions.switch_coder.trigger()
    assert w.user == "Bea" and w.project is not None and w.project.user == "Bea"
    assert w.observation is not None and w.observation.id == "o1"  # Ana's is not blind
    w.close()
