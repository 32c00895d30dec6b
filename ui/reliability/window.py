"""The reliability window: pick two observations, a method, slice and tolerance; see kappa
with % agreement, PABAK and AC1 per code (coloured against a threshold), the confusion
matrix as a heatmap, and the rating ICCs; export the report. Computation runs off the GUI
thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.model import Observation
from coder.reliability.compare import compare
from coder.store import Project
from ui.jobs import run_job

METHODS = [
    ("Time slices (kappa per code)", "timeunit"),
    ("Event matching (tolerance)", "events"),
    ("BORIS-compatible", "boris"),
]


def _fmt(d: Any) -> str:
    if isinstance(d, dict):
        d = d.get("value")
    return "–" if d is None else f"{d:.3f}" if isinstance(d, float) else str(d)


class ReliabilityWindow(QDialog):
    def __init__(
        self,
        project: Project,
        parent: QWidget | None = None,
        observations: Sequence[Observation] | None = None,
        hidden_note: str = "",
    ) -> None:
        """``observations``: those the person may compare (blind coding), else all;
        ``hidden_note`` says why some are missing."""
        super().__init__(parent)
        self.setWindowTitle("Reliability")
        self.project = project
        self.comparison: dict[str, Any] | None = None
        self.obs_a, self.obs_b, self.method = QComboBox(), QComboBox(), QComboBox()
        labels = {s.id: s.label for s in project.sessions()}
        shown = project.observations() if observations is None else list(observations)
        for obs in shown:
            text = f"{labels.get(obs.session_id, '?')} — {obs.coder}"
            self.obs_a.addItem(text, obs.id)
            self.obs_b.addItem(text, obs.id)
        if self.obs_b.count() > 1:
            self.obs_b.setCurrentIndex(1)
        for text, key in METHODS:
            self.method.addItem(text, key)
        self.slice = QDoubleSpinBox(
            value=1.0, minimum=0.04, maximum=60, singleStep=0.5, suffix=" s"
        )
        self.tolerance = QDoubleSpinBox(
            value=1.0, minimum=0, maximum=30, singleStep=0.5, suffix=" s"
        )
        self.threshold = QDoubleSpinBox(value=0.60, minimum=0, maximum=1, singleStep=0.05)
        self.threshold.valueChanged.connect(self._show)
        form = QFormLayout()
        form.addRow("Observation A", self.obs_a)
        form.addRow("Observation B", self.obs_b)
        form.addRow("Method", self.method)
        form.addRow("Slice width", self.slice)
        form.addRow("Tolerance", self.tolerance)
        form.addRow("Kappa threshold", self.threshold)
        self.run_button = QPushButton("Compute")
        self.run_button.clicked.connect(self.compute)
        self.export_button = QPushButton("Export report…")
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.export_button)
        self.codes = QTableWidget(0, 8)
        self.codes.setHorizontalHeaderLabels(
            ["Code", "Kappa", "% agree", "PABAK", "AC1", "Matched", "Missed", "Extra"]
        )
        self.matrix = QTableWidget(0, 0)
        self.ratings = QLabel("")
        self.ratings.setWordWrap(True)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        split = QSplitter()
        split.addWidget(self.codes)
        split.addWidget(self.matrix)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        layout.addWidget(self.ratings)
        layout.addWidget(self.note)
        self.note.setText(hidden_note)
        self.run_button.setEnabled(len(shown) >= 2)
        self.resize(1000, 640)

    def options(self) -> dict[str, Any]:
        return {
            "method": self.method.currentData(),
            "slice_ms": round(self.slice.value() * 1000),
            "tolerance_ms": round(self.tolerance.value() * 1000),
        }

    def compute(self) -> None:
        a, b, opts = self.obs_a.currentData(), self.obs_b.currentData(), self.options()
        path = self.project.path
        self.run_button.setEnabled(False)

        def job(progress: Any, cancelled: Any) -> dict[str, Any]:
            with Project.open(path, read_only=True) as reader:  # own connection for this thread
                return compare(reader, a, b, **opts)

        def done(result: object) -> None:
            self.run_button.setEnabled(True)
            self.set_result(result)  # type: ignore[arg-type]

        def failed(message: str) -> None:
            self.run_button.setEnabled(True)
            self.note.setText(message)

        self.job = run_job(self, "Computing agreement…", job, done, failed)

    def set_result(self, result: dict[str, Any]) -> None:
        self.comparison = result
        self.export_button.setEnabled(True)
        self._show()

    def _show(self) -> None:
        if self.comparison is None:
            return
        pair = self.comparison["pairs"][0]
        threshold = self.threshold.value()
        rows = pair.get("per_code", [])
        if "kappa" in pair and not isinstance(pair.get("kappa"), dict):
            rows = [{"code": "all (BORIS combined categories)", "kappa": pair["kappa"]}]
        self.codes.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = [
                row["code"],
                _fmt(row.get("kappa")),
                _fmt(row.get("percent_agreement")),
                _fmt(row.get("pabak")),
                _fmt(row.get("ac1")),
                _fmt(row.get("matched")),
                _fmt(row.get("missed")),
                _fmt(row.get("extra")),
            ]
            if "positive_agreement" in row:
                values[2] = _fmt(row["positive_agreement"])
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 1 and text not in ("–", ""):
                    ok = float(text) >= threshold
                    item.setBackground(QColor("#d8f0d8") if ok else QColor("#f8d8d0"))
                self.codes.setItem(r, c, item)
        self.codes.resizeColumnsToContents()
        table = pair.get("table") or (
            pair["code_sets"][0]["table"] if pair.get("code_sets") else None
        )
        cats = pair.get("categories") or (
            pair["code_sets"][0]["categories"] if pair.get("code_sets") else []
        )
        self._heatmap(table or [], cats)
        ratings = self.comparison.get("ratings", [])
        self.ratings.setText(
            "Ratings: "
            + "; ".join(
                f"{r['name']}: ICC(A,1) {_fmt(r['icc_a_1'])}, "
                f"alpha {_fmt(r['alpha_interval'])} (n={r['units']})"
                for r in ratings
            )
            if ratings
            else ""
        )
        self.note.setText(
            pair.get(
                "caveat",
                "Kappa is shown with % agreement, PABAK and AC1: "
                "rare codes can make kappa low even when coders agree.",
            )
        )

    def _heatmap(self, table: list[list[int]], cats: list[str]) -> None:
        n = len(table)
        self.matrix.setRowCount(n)
        self.matrix.setColumnCount(n)
        self.matrix.setHorizontalHeaderLabels([f"B: {c}" for c in cats])
        self.matrix.setVerticalHeaderLabels([f"A: {c}" for c in cats])
        peak = max((max(row) for row in table), default=1) or 1
        for i, row in enumerate(table):
            for j, count in enumerate(row):
                item = QTableWidgetItem(str(count))
                strength = int(255 - 160 * count / peak)
                item.setBackground(QColor(strength, 255 if i == j else strength, strength))
                self.matrix.setItem(i, j, item)
        self.matrix.resizeColumnsToContents()

    def export(self) -> None:
        if self.comparison is None:
            return
        from exports.reliability_report import write_reliability_csv, write_reliability_html

        path, _ = QFileDialog.getSaveFileName(
            self, "Export report", "reliability.html", "HTML (*.html);;CSV (*.csv)"
        )
        if not path:
            return
        if path.lower().endswith(".csv"):
            write_reliability_csv(self.comparison, path)
        else:
            write_reliability_html(self.comparison, path, self.threshold.value())
