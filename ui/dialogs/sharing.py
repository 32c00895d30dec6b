"""File > Send project securely… / Open received bundle…: the GUI side of coder/sharing.

The passphrase is typed twice (hidden) when sending, and never stored; bundles are made and
opened off the GUI thread with progress and Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from coder.sharing.sealed import MIN_PASSPHRASE, SCRYPT_N
from ui.jobs import JobRunner, run_job

if TYPE_CHECKING:
    from ui.main_window import MainWindow

BUNDLE_FILTER = "Attune bundles (*.attunebundle)"


class PassphraseDialog(QDialog):
    """Hidden passphrase entry; when ``confirm`` the passphrase is typed twice."""

    def __init__(self, parent: QWidget, title: str, *, confirm: bool, media_choice: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Passphrase:", self.first)
        self.second: QLineEdit | None = None
        if confirm:
            self.second = QLineEdit()
            self.second.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow("Again:", self.second)
            form.addRow(
                QLabel(
                    f"At least {MIN_PASSPHRASE} characters; a few unrelated words are best.\n"
                    "Tell it to the receiver another way (phone, in person), not in the "
                    "same e-mail."
                )
            )
        self.with_media = QCheckBox("Include the session videos")
        if media_choice:
            form.addRow(self.with_media)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for edit in (self.first, self.second):
            if edit is not None:
                edit.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        text = self.first.text()
        ok = len(text) >= MIN_PASSPHRASE and (self.second is None or self.second.text() == text)
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setEnabled(ok)

    def passphrase(self) -> str:
        return self.first.text()


class SharingActions:
    scrypt_n = SCRYPT_N  # the key-derivation cost of new bundles (tests lower it)

    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.job: JobRunner | None = None

    def send(self) -> None:
        from coder.sharing.bundle import EXTENSION, make_bundle

        w = self.window
        if w.project is None:
            w.show_error("Open a project first.")
            return
        if w.project.is_team:
            w.show_error("A team project lives on its server: pull it into a file first.")
            return
        source = w.project.path
        path, _ = QFileDialog.getSaveFileName(
            w, "Send project securely", f"{source.stem}{EXTENSION}", BUNDLE_FILTER
        )
        if not path:
            return
        out = Path(path) if path.endswith(EXTENSION) else Path(path + EXTENSION)
        dialog = PassphraseDialog(w, "Passphrase for the bundle", confirm=True, media_choice=True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        words, with_media = dialog.passphrase(), dialog.with_media.isChecked()

        def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> object:
            return make_bundle(
                source,
                out,
                words,
                with_media=with_media,
                scrypt_n=self.scrypt_n,
                progress=progress,
                cancel=cancelled,
            )

        def done(report: object) -> None:
            missing = getattr(report, "missing_media", ())
            note = f"\n{len(missing)} video(s) were not found and not included." if missing else ""
            QMessageBox.information(
                w,
                "Bundle written",
                f"{out.name} is encrypted and ready to send.{note}\n"
                "Give the receiver the passphrase another way, not with the file.",
            )

        self.job = run_job(w, "Encrypting the project…", job, done, w.show_error)

    def receive(self) -> None:
        from coder.sharing.bundle import open_bundle

        w = self.window
        path, _ = QFileDialog.getOpenFileName(w, "Open received bundle", "", BUNDLE_FILTER)
        if not path:
            return
        parent = QFileDialog.getExistingDirectory(w, "Where to put the received project")
        if not parent:
            return
        target = _new_folder(Path(parent), Path(path).stem)
        dialog = PassphraseDialog(w, "Passphrase of the bundle", confirm=False, media_choice=False)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        words = dialog.passphrase()

        def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> object:
            return open_bundle(path, target, words, progress=progress, cancel=cancelled)

        def done(report: object) -> None:
            project = getattr(report, "project", None)
            if isinstance(project, Path):
                w.open_project(str(project))

        self.job = run_job(w, "Opening the bundle…", job, done, w.show_error)


def _new_folder(parent: Path, stem: str) -> Path:
    candidate, n = parent / stem, 2
    while candidate.exists():
        candidate, n = parent / f"{stem} ({n})", n + 1
    return candidate
