"""Start the GUI: `attune`, `attune open FILE`, `attune demo`."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow


def run_gui(project_path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Attune")
    app.setOrganizationName("Attune")
    window = MainWindow()
    window.show()
    if project_path:
        window.open_project(project_path)
    return int(app.exec())
