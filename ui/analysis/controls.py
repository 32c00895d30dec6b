"""What both analysis tabs share: the Compute / Export CSV row under their settings, and
asking where a CSV goes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget


def compute_export_row(
    compute: Callable[[], None], export: Callable[[], None]
) -> tuple[QPushButton, QPushButton, QHBoxLayout]:
    """Compute and Export CSV… buttons (export off until there is a result), in one row."""
    run_button = QPushButton("Compute")
    run_button.clicked.connect(compute)
    export_button = QPushButton("Export CSV…")
    export_button.setEnabled(False)
    export_button.clicked.connect(export)
    row = QHBoxLayout()
    row.addWidget(run_button)
    row.addWidget(export_button)
    row.addStretch(1)
    return run_button, export_button, row


def ask_csv_path(parent: QWidget, suggested: str) -> str:
    """Where to save a CSV ("" when the user cancelled)."""
    path, _ = QFileDialog.getSaveFileName(parent, "Export CSV", suggested, "CSV (*.csv)")
    return path
