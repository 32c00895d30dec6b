"""Live counters tab: each scheme metric in the segment at the playhead against its target,
updated as the clinician codes. All counting is coder.app.counters.LiveCounters (the same
compute_metric the reports use); this only shows it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QBrush, QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.analysis.metrics import MetricResult
from coder.app.counters import (
    CountersChanged,
    LiveCounters,
    reason_text,
    target_text,
    value_text,
)
from coder.app.session import CodingSession
from ui.timeline.view import format_ms

MET = QColor(205, 235, 205)
NOT_YET = QColor(250, 232, 200)


def status_text(result: MetricResult) -> str:
    if result.met is None:
        return ""
    return "✓ met" if result.met else "not yet"


class CountersPanel(QWidget):
    COLUMNS = ("Metric", "Now", "Target", "")

    def __init__(self, session: CodingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counters = LiveCounters(session)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table)
        # Counted only while the tab is on screen (a hidden tab cost seconds at open with
        # 100,000 events); showing it counts the window at the playhead then follows edits.
        self._unsubscribe: Callable[[], None] | None = None
        if not self.counters.active:
            self.heading.setText("This scheme has no metrics to count.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.counters.active and self._unsubscribe is None:
            self._unsubscribe = self.counters.subscribe(self._show)
            self._show(CountersChanged(self.counters.window, self.counters.results()))

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def set_position(self, ms: int) -> None:
        self.counters.set_position(ms)

    def close_panel(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.counters.close()

    def _show(self, changed: CountersChanged) -> None:
        window = changed.window
        self.heading.setText(
            f"<b>{window.name}</b> ({format_ms(window.start_ms)} – {format_ms(window.end_ms)})"
        )
        self.table.setRowCount(len(changed.results))
        for row, result in enumerate(changed.results):
            cells = [result.name, value_text(result), target_text(result), status_text(result)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if result.reason:
                    item.setToolTip(reason_text(result, self.counters.scheme))
                if result.met is not None:
                    item.setBackground(QBrush(MET if result.met else NOT_YET))
                self.table.setItem(row, column, item)
