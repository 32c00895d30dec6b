"""File dialogs that start in the project's folder with a meaningful name, and a confirmation
naming the file every export wrote. The naming rule is coder.app.file_names."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from coder.app.file_names import project_folder, suggested_path

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _location(w: MainWindow) -> str | None:
    return None if w.project is None else str(w.project.location)


def _session_label(w: MainWindow) -> str:
    if w.project is None or w.observation is None:
        return ""
    return w.project.session(w.observation.session_id).label


def save_path(w: MainWindow, title: str, what: str, extension: str, file_filter: str) -> str:
    """Ask where to save; proposes <project folder>/<session> - <what> - <date>.<ext>."""
    proposal = suggested_path(_location(w), _session_label(w), what, extension)
    path, _ = QFileDialog.getSaveFileName(w, title, str(proposal), file_filter)
    return path


def open_path(w: MainWindow, title: str, file_filter: str) -> str:
    """Ask for a file to read, starting in the project's folder."""
    path, _ = QFileDialog.getOpenFileName(w, title, str(project_folder(_location(w))), file_filter)
    return path


def confirm_saved(w: MainWindow, what: str, path: str | Path) -> None:
    """Say where the file went (status bar and a message naming the full path)."""
    full = str(Path(path).resolve())
    w.statusBar().showMessage(f"{what} saved: {full}", 10000)
    QMessageBox.information(w, "Saved", f"{what} saved to\n{full}")
