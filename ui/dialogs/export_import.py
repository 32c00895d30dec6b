"""File > Export and File > Import: the CLI's options in a dialog, run off the GUI thread
with a progress bar and Cancel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QWidget,
)

from coder.app.visibility import HIDDEN_WHILE_BLIND, hidden_count
from coder.progress import Cancel, Progress
from coder.store import Project
from exports.import_report import ImportReport
from exports.registry import EXPORT_FORMATS, IMPORT_KINDS, ImportOptions, export_format
from ui.file_dialogs import confirm_saved, open_path, save_path
from ui.jobs import JobRunner, run_job

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def show_report(parent: QWidget, title: str, summary: str, lines: list[str]) -> None:
    """An import report or export notes: the summary, with every line in the details."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(summary)
    if lines:
        box.setInformativeText(lines[0] if len(lines) == 1 else f"{len(lines)} lines below")
        box.setDetailedText("\n".join(lines))
    box.open()  # not modal-blocking: tests and the event loop keep running


class ExportDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, hidden_note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.format = QComboBox()
        for fmt in EXPORT_FORMATS.values():
            self.format.addItem(fmt.label, fmt.id)
        self.scope = QComboBox()
        self.scope.addItems(["This observation", "This session (all coders)", "Whole project"])
        self.notes = QCheckBox("Include internal notes (clinical text)")
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("What", self.scope)
        form.addRow("", self.notes)
        self.hidden = QLabel(hidden_note)
        self.hidden.setWordWrap(True)
        if hidden_note:
            form.addRow("", self.hidden)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ExportImport:
    """File > Export and File > Import for the main window."""

    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.job: JobRunner | None = None
        self.last_report: ImportReport | None = None

    def export(self) -> None:
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return
        hidden = hidden_count(w.project, w.user)
        note = f"{hidden} observation(s) hidden from you are left out. {HIDDEN_WHILE_BLIND}"
        dialog = ExportDialog(w, note if hidden else "")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        fmt = export_format(str(dialog.format.currentData()))
        if fmt.whole_project and hidden:
            w.show_error(
                "A whole-project JSON file would include observations hidden from you while "
                "you code blind; export this observation or this session instead."
            )
            return
        scope = dialog.scope.currentIndex()
        # Only what the person coding may see is exported (blind coding), whatever the scope.
        if scope == 0:
            chosen = [w.observation.id]
        else:
            session_id = w.observation.session_id if scope == 1 else None
            chosen = [o.id for o in w.visible_observations(session_id)]
        path = save_path(
            w, "Export to", fmt.label, fmt.extension, f"{fmt.label} (*.{fmt.extension})"
        )
        if not path:
            return
        location, with_notes, viewer = w.project.location, dialog.notes.isChecked(), w.user

        def job(progress: Progress, cancelled: Cancel) -> object:
            from exports.dispatch import write_export

            # Opened as the person coding: the store hides what blind coding hides, so no
            # format can carry another coder's work, whatever the ids asked for.
            with Project.open(location, read_only=True, user=viewer) as reader:
                changed = write_export(
                    reader,
                    fmt.id,
                    Path(path),
                    observation_ids=chosen,
                    include_notes=with_notes,
                    progress=progress,
                    cancel=cancelled,
                )
            return path, changed

        def done(result: tuple[str, list[str]]) -> None:
            saved, notes = result
            if not notes:
                confirm_saved(w, "Export", saved)
                return
            # what the format could not hold as it was (ELAN, BORIS, SDIS), with the path
            full = str(Path(saved).resolve())
            w.statusBar().showMessage(f"Export saved: {full}", 10000)
            show_report(w, "Export", f"Export saved to {full}; some things changed form:", notes)

        self.job = run_job(w, "Exporting…", job, done, w.show_error)

    def import_into(self) -> None:
        w = self.window
        if w.project is None or w.project.read_only:
            w.show_error("Open a project for writing first.")
            return
        kinds = list(IMPORT_KINDS.values())
        labels = [k.label for k in kinds]
        choice, ok = QInputDialog.getItem(w, "Import", "What to import:", labels, 0, False)
        if not ok:
            return
        kind = kinds[labels.index(choice)]
        options = ImportOptions()
        if kind.id == "csv":
            from coder.schemes import shipped_scheme_paths

            ids = sorted(shipped_scheme_paths())
            picked, ok = QInputDialog.getItem(
                w, "Import", "Coding scheme of the table:", ids, ids.index(options.scheme), False
            )
            if not ok:
                return
            options = ImportOptions(scheme=picked)
        source = open_path(w, "Import from", kind.file_filter)
        if not source:
            return
        target, user = w.project.location, w.user
        w.close_project()  # the import opens the project itself (one writer at a time)

        def job(progress: Progress, cancelled: Cancel) -> object:
            return kind.run(target, source, options)

        def done(report: ImportReport) -> None:
            w.open_project(target, user=user)  # the same person, not asked again
            w.statusBar().showMessage(report.summary(), 8000)
            self.last_report = report
            # what was imported and what was not, per tier / behaviour / code, with counts
            show_report(w, "Import", report.summary(), report.text_lines())

        def failed(message: str) -> None:
            w.open_project(target, user=user)
            w.show_error(message)

        self.job = run_job(w, "Importing…", job, done, failed)
