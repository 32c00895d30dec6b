"""The toolbar's observation chooser: only what the person coding may see (blind coding),
with how many are hidden in its tooltip. It re-fills itself when an observation is added or
marked final, so a blind coder's view opens up exactly when the rule says so."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from coder.app.visibility import HIDDEN_WHILE_BLIND, hidden_count, visible_observations
from coder.store import Change, Project


class ObservationChooser(QComboBox):
    chosen = Signal(str)  # an observation id the user may see

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.user = ""
        self.hidden = 0
        self.hidden_label = QLabel("")  # shown next to the chooser (the toolbar places it)
        self._unsubscribe: Callable[[], None] | None = None
        self.setMinimumContentsLength(24)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # full labels
        self.currentIndexChanged.connect(self._picked)

    def show_project(self, project: Project | None, user: str, select: str | None = None) -> None:
        """List ``project``'s observations visible to ``user`` and choose one (or clear)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.project, self.user = project, user
        if project is None:
            self.blockSignals(True)
            self.clear()
            self.blockSignals(False)
            self.hidden = 0
            self.hidden_label.setText("")
            return
        self._unsubscribe = project.subscribe(self._on_change)
        self.fill(select)

    def current_id(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None

    def fill(self, select: str | None = None) -> None:
        """Re-list; keep ``select`` (else the current one, else the user's own, else the
        first) and announce it with ``chosen`` when it differs from what was chosen."""
        project = self.project
        if project is None:
            return
        before = self.current_id()
        labels = {s.id: s.label for s in project.sessions()}
        visible = visible_observations(project, self.user)
        self.hidden = hidden_count(project, self.user)
        self.blockSignals(True)
        self.clear()
        for obs in visible:
            marks = (" (blind)" if obs.blind else "") + (" — final" if obs.final else "")
            self.addItem(f"{labels.get(obs.session_id, '?')} — {obs.coder}{marks}", obs.id)
        own = next((o.id for o in visible if o.coder == self.user), None)
        wanted = [i for i in (select, before, own) if i is not None and self.findData(i) >= 0]
        self.setCurrentIndex(self.findData(wanted[0]) if wanted else (0 if visible else -1))
        note = f"{self.hidden} observation(s) hidden from you. {HIDDEN_WHILE_BLIND}"
        self.setToolTip(note if self.hidden else "")
        self.hidden_label.setText(f"  {self.hidden} hidden (blind coding)" if self.hidden else "")
        self.hidden_label.setToolTip(note if self.hidden else "")
        self.blockSignals(False)
        now = self.current_id()
        if now is not None and (now != before or select is not None):
            self.chosen.emit(now)

    def _picked(self, _index: int) -> None:
        now = self.current_id()
        if now is not None:
            self.chosen.emit(now)

    def _on_change(self, change: Change) -> None:
        if change.entity in ("observation", "session"):
            self.fill()
