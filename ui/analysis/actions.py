"""Analysis menu handler: open the Analysis window, and fill the timeline's candidate lane
from motion energy already cached for the session's video (computed off the GUI thread)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QThreadPool
from shiboken6 import isValid

from coder.analysis.motion_cache import latest_motion
from coder.analysis.synchrony import Candidate, windowed_cross_lagged
from coder.app.session import CodingSession
from coder.progress import Cancel, Progress
from ui.analysis.window import AnalysisWindow
from ui.jobs import JobRunner

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class AnalysisActions:
    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.analysis_window: AnalysisWindow | None = None
        self.candidate_job: JobRunner | None = None

    def open_window(self) -> None:
        w = self.window
        if w.project is None:
            w.show_error("Open a project first.")
            return
        if self.analysis_window is not None:
            self.analysis_window.close()
        self.analysis_window = AnalysisWindow(
            w.project,
            w.user,
            w.observation.id if w.observation is not None else None,
            w.show_error,
            self.show_candidates,
            w,
        )
        self.analysis_window.show()

    def show_candidates(self, session_id: str, candidates: Sequence[Candidate]) -> None:
        """Put candidates in the open timeline when it shows that session's video."""
        w = self.window
        if not isValid(w) or w.scene is None or not isValid(w.scene) or w.session is None:
            return  # the window or its timeline closed while the candidates were computed
        if w.session.session_id == session_id:
            w.scene.candidates.set_candidates(candidates)

    def timeline_opened(self, session: CodingSession) -> None:
        """Candidates from the cached motion energy (default settings), in the background."""
        media_id = session.session.media_id
        series = latest_motion(session.project, media_id) if media_id else None
        if series is None or len(series.regions) < 2:
            return
        a, b, session_id = series.regions[0].name, series.regions[1].name, session.session_id

        def job(_progress: Progress, _cancelled: Cancel) -> object:
            return windowed_cross_lagged(series, a, b).candidates

        def done(candidates: Any) -> None:
            self.show_candidates(session_id, candidates)

        runner = JobRunner(job)
        runner.signals.done.connect(done)  # a failure only means no lane; nothing to report
        self.candidate_job = runner
        QThreadPool.globalInstance().start(runner)
