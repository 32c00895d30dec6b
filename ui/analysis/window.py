"""The Analysis window: a Sequential tab (event lags and time windows, with the residual heat
map) and a Synchrony tab (motion energy and windowed cross-lagged correlation, whose candidate
moments go to the timeline's candidate lane)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout, QWidget

from coder.app.visibility import visible_observations
from coder.store import Project
from ui.analysis.sequential_tab import SequentialTab
from ui.analysis.synchrony_tab import CandidatesSink, SynchronyTab


def observation_choices(project: Project, user: str) -> list[tuple[str, str]]:
    """(id, "session — coder") of every observation ``user`` may see (blind coding)."""
    labels = {s.id: s.label for s in project.sessions()}
    chosen = visible_observations(project, user) if user else project.observations()
    return [(o.id, f"{labels.get(o.session_id, '?')} — {o.coder}") for o in chosen]


class AnalysisWindow(QDialog):
    def __init__(
        self,
        project: Project,
        user: str,
        observation_id: str | None,
        on_error: Callable[[str], None],
        on_candidates: CandidatesSink,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Analysis — sequential and synchrony")
        observations = observation_choices(project, user)
        current = observation_id if any(o == observation_id for o, _ in observations) else None
        session_id = project.observation(current).session_id if current else None
        self.sequential = SequentialTab(project, observations, current, on_error)
        self.synchrony = SynchronyTab(project, session_id, on_error, on_candidates)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.sequential, "Sequential (lags and time windows)")
        self.tabs.addTab(self.synchrony, "Synchrony (movement in the video)")
        QVBoxLayout(self).addWidget(self.tabs)
        self.resize(1280, 860)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.synchrony.cancel()  # a running measurement stops; nothing half-saved
        super().closeEvent(event)
