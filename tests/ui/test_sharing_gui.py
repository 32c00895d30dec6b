"""File > Send project securely / Open received bundle, driven as a user would, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QMessageBox

from ui.dialogs.sharing import PassphraseDialog, SharingActions
from ui.main_window import MainWindow

WORDS = "seven quiet harbour kites"


def answer(monkeypatch: pytest.MonkeyPatch, cls: type, name: str, value: object) -> None:
    monkeypatch.setattr(cls, name, lambda *a, **k: value)


def type_passphrase(monkeypatch: pytest.MonkeyPatch, words: str, media: bool = False) -> None:
    def fill(dialog: PassphraseDialog) -> int:
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        dialog.first.setText(words)
        if dialog.second is not None:
            assert not ok.isEnabled()  # not confirmed yet
            dialog.second.setText(words)
        dialog.with_media.setChecked(media)
        assert ok.isEnabled()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(PassphraseDialog, "exec", fill)


def test_send_and_receive_a_bundle_from_the_file_menu(  # type: ignore[no-untyped-def]
    qtbot, prefs, index_project: Path, tmp_path: Path, monkeypatch, no_modal_boxes: list[str]
) -> None:
    monkeypatch.setattr(SharingActions, "scrypt_n", 1 << 12)  # fast key derivation in tests
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert w.open_project(str(index_project))
    info: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: info.append(str(a[2])))
    answer(monkeypatch, QFileDialog, "getSaveFileName", (str(tmp_path / "send"), ""))
    type_passphrase(monkeypatch, WORDS, media=True)
    w.menu_actions.send_bundle.trigger()
    qtbot.waitUntil(lambda: bool(info) or bool(no_modal_boxes), timeout=60000)
    assert no_modal_boxes == [] and "ready to send" in info[0]
    bundle = tmp_path / "send.attunebundle"
    assert bundle.stat().st_size > (tmp_path / "clip.mp4").stat().st_size  # the video went in

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    answer(monkeypatch, QFileDialog, "getOpenFileName", (str(bundle), ""))
    answer(monkeypatch, QFileDialog, "getExistingDirectory", str(inbox))
    type_passphrase(monkeypatch, "not the passphrase")
    w.menu_actions.open_bundle.trigger()
    qtbot.waitUntil(lambda: bool(no_modal_boxes), timeout=60000)
    assert "wrong passphrase" in no_modal_boxes[0] and list(inbox.iterdir()) == []

    type_passphrase(monkeypatch, WORDS)
    w.menu_actions.open_bundle.trigger()
    received = inbox / "send" / "project" / "ui.attune"
    qtbot.waitUntil(
        lambda: w.project is not None and w.project.path.resolve() == received.resolve(),
        timeout=60000,
    )
    assert [m.path for m in w.project.media_list()] == [  # type: ignore[union-attr]
        str((inbox / "send" / "media").resolve() / w.project.media_list()[0].id / "clip.mp4")  # type: ignore[union-attr]
    ]
    assert w.observation is not None and w.observation.id == "o1"
    w.close()
