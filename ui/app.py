"""Start the GUI: `attune`, `attune open FILE`, `attune demo`."""

from __future__ import annotations

import sys

from ui.quiet_logs import quiet_ffmpeg, quiet_qt_logging

quiet_qt_logging()  # before Qt loads: it reads its logging rules once

from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.main_window import MainWindow  # noqa: E402


def run_gui(project_path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Attune")
    app.setOrganizationName("Attune")
    window = MainWindow()
    quiet_ffmpeg()  # the player made Qt load its FFmpeg: no stream dump per video opened
    window.show()
    if project_path:
        window.open_project(project_path)
    return int(app.exec())
