"""The reliability window: pick two observations, a method (the same six as the command
line, with the same documented defaults from coder.reliability.options), slice, tolerance,
ELAN overlap and drift; see each number with its plain-words reading, code and subject
names, the confusion matrix as a heatmap, the event alignment (aligned method) and the
rating ICCs; export the HTML/CSV report. Computation runs off the GUI thread.

The rows shown are the report's rows (exports.reliability_report.report_rows), so the
window and the exported report never disagree.
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
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coder.app.glossary import STATISTICS
from coder.model import Observation
from coder.reliability.compare import compare
from coder.reliability.options import (
    DEFAULT_OVERLAP_PERCENT,
    DEFAULT_SLICE_MS,
    METHOD_LABELS,
    METHODS,
    SLICE_HELP,
    SLICE_METHODS,
    TOLERANCE_HELP,
    TOLERANCE_METHODS,
    default_tolerance_ms,
)
from coder.store import Project
from exports.reliability_report import (
    ALIGNMENT_ROWS_SHOWN,
    dashboard_rows,
    plan_lines,
    report_notes,
    report_rows,
)
from ui.jobs import run_job

OK, LOW = QColor("#d8f0d8"), QColor("#f8d8d0")
DRIFT_CHOICES = [
    ("No drift", None),
    ("Per third of the session", "thirds"),
    ("Per segment", "segments"),
]
# (header, report column); column 1 holds the method's main number (kappa, or identity %)
COLUMNS = [
    ("Code", "code"),
    ("Kappa", "kappa"),
    ("% agree", "percent_agreement"),
    ("PABAK", "pabak"),
    ("AC1", "ac1"),
    ("Matched", "matched"),
    ("Missed", "missed"),
    ("Extra", "extra"),
    ("What it means", "reading"),
    ("Pair", "pair"),
]
OVERVIEW_COLUMNS = [
    ("Coders", "coders"),
    ("Code", "code"),
    ("Kappa", "kappa"),
    ("% agree", "percent_agreement"),
    ("PABAK", "pabak"),
    ("Pairs", "pairs"),
    ("What it means", "reading"),
]
KIND_WORDS = {
    "agree": "same code",
    "disagree": "different codes",
    "missed": "only A coded",
    "extra": "only B coded",
}


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


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
        self.hidden_note = hidden_note
        self.comparison: dict[str, Any] | None = None
        self.obs_a, self.obs_b, self.method = QComboBox(), QComboBox(), QComboBox()
        labels = {s.id: s.label for s in project.sessions()}
        shown = project.observations() if observations is None else list(observations)
        for obs in shown:
            text = f"{labels.get(obs.session_id, '?')} — {obs.name or obs.coder}"
            self.obs_a.addItem(text, obs.id)
            self.obs_b.addItem(text, obs.id)
        if self.obs_b.count() > 1:
            self.obs_b.setCurrentIndex(1)
        for method_key in METHODS:
            self.method.addItem(METHOD_LABELS[method_key], method_key)
        self.slice = QDoubleSpinBox(
            value=DEFAULT_SLICE_MS / 1000, minimum=0.04, maximum=60, singleStep=0.5, suffix=" s"
        )
        self.slice.setToolTip(SLICE_HELP)
        self.tolerance = QDoubleSpinBox(minimum=0, maximum=30, singleStep=0.5, suffix=" s")
        self.tolerance.setDecimals(3)
        self.tolerance.setSpecialValueText("0 s (exact)")
        self.tolerance.setToolTip(TOLERANCE_HELP)
        self.overlap = QSpinBox(minimum=51, maximum=100, value=DEFAULT_OVERLAP_PERCENT, suffix=" %")
        self.overlap.setToolTip(
            "ELAN-style kappa: two annotations are linked when they overlap by at least this "
            f"share of the longer one (51-100 %, default {DEFAULT_OVERLAP_PERCENT} %)"
        )
        self.drift = QComboBox()
        for text, key in DRIFT_CHOICES:
            self.drift.addItem(text, key)
        self.threshold = QDoubleSpinBox(value=0.60, minimum=0, maximum=1, singleStep=0.05)
        self.threshold.valueChanged.connect(self._show)
        self.method.currentIndexChanged.connect(self._method_changed)
        left, right = QFormLayout(), QFormLayout()
        left.addRow("Observation A", self.obs_a)
        left.addRow("Observation B", self.obs_b)
        left.addRow("Method", self.method)
        left.addRow("Drift", self.drift)
        right.addRow("Slice width", self.slice)
        right.addRow("Tolerance", self.tolerance)
        right.addRow("ELAN overlap", self.overlap)
        right.addRow("Kappa threshold", self.threshold)
        form = QHBoxLayout()
        form.addLayout(left, 3)
        form.addLayout(right, 1)
        self.run_button = QPushButton("Compute")
        self.run_button.clicked.connect(self.compute)
        self.export_button = QPushButton("Export report…")
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        self.overview_button = QPushButton("Project overview")
        self.overview_button.setToolTip(
            "Agreement per code and per pair of coders over every session coded twice "
            "(time slices), and the reliability plan's progress"
        )
        self.overview_button.clicked.connect(self.compute_overview)
        self.board: dict[str, Any] | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.overview_button)
        buttons.addStretch(1)
        self.codes = QTableWidget(0, len(COLUMNS))
        self.codes.setHorizontalHeaderLabels([h for h, _ in COLUMNS])
        for column in range(self.codes.columnCount()):  # what each statistic means
            header = self.codes.horizontalHeaderItem(column)
            if header is not None and header.text() in STATISTICS:
                header.setToolTip(STATISTICS[header.text()])
        self.matrix = QTableWidget(0, 0)
        self.alignment = QTableWidget(0, 6)
        self.alignment.setHorizontalHeaderLabels(
            ["A: time (s)", "A: code", "B: time (s)", "B: code", "Subject", "Result"]
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(self.codes, "Agreement")
        self.tabs.addTab(self.matrix, "Confusion matrix")
        self.tabs.addTab(self.alignment, "Alignment")
        self.overview = QTableWidget(0, len(OVERVIEW_COLUMNS))
        self.overview.setHorizontalHeaderLabels([h for h, _ in OVERVIEW_COLUMNS])
        self.plan_text = QLabel("")
        self.plan_text.setWordWrap(True)
        overview_page = QWidget()
        overview_layout = QVBoxLayout(overview_page)
        overview_layout.addWidget(self.overview, 1)
        overview_layout.addWidget(self.plan_text)
        self.tabs.addTab(overview_page, "Project overview")
        self.ratings = QLabel("")
        self.ratings.setToolTip(STATISTICS["ICC"])
        self.ratings.setWordWrap(True)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.ratings)
        layout.addWidget(self.note)
        self.note.setText(hidden_note)
        self.run_button.setEnabled(len(shown) >= 2)
        self._method_changed()
        self.resize(1100, 720)

    def _method_changed(self) -> None:
        """Each method's documented default tolerance (the CLI's too); fields a method does
        not use are disabled rather than silently ignored."""
        method = str(self.method.currentData())
        self.tolerance.setValue(default_tolerance_ms(method) / 1000)
        self.tolerance.setEnabled(method in TOLERANCE_METHODS)
        self.slice.setEnabled(method in SLICE_METHODS)
        self.overlap.setEnabled(method == "elan")

    def options(self) -> dict[str, Any]:
        method = str(self.method.currentData())
        return {
            "method": method,
            "slice_ms": round(self.slice.value() * 1000),
            "tolerance_ms": round(self.tolerance.value() * 1000),
            "overlap_percent": self.overlap.value(),
            "drift_by": self.drift.currentData(),
        }

    def compute(self) -> None:
        a, b, opts = self.obs_a.currentData(), self.obs_b.currentData(), self.options()
        location, user = self.project.location, self.project.user
        self.run_button.setEnabled(False)

        def job(progress: Any, cancelled: Any) -> dict[str, Any]:
            # Own connection for this thread, as the same person (the blind rule holds).
            with Project.open(location, read_only=True, user=user) as reader:
                return compare(reader, a, b, **opts)

        def done(result: object) -> None:
            self.run_button.setEnabled(True)
            self.set_result(result)  # type: ignore[arg-type]

        def failed(message: str) -> None:
            self.run_button.setEnabled(True)
            self.note.setText(message)

        self.job = run_job(self, "Computing agreement…", job, done, failed)

    def compute_overview(self) -> None:
        """The project-wide dashboard, off the GUI thread, with the slice and (time-slice)
        tolerance chosen above."""
        location, user = self.project.location, self.project.user
        slice_ms = round(self.slice.value() * 1000)
        tolerance_ms = round(self.tolerance.value() * 1000)
        if self.method.currentData() != "timeunit":
            tolerance_ms = 0
        self.overview_button.setEnabled(False)

        def job(progress: Any, cancelled: Any) -> dict[str, Any]:
            from coder.reliability.dashboard import dashboard

            with Project.open(location, read_only=True, user=user) as reader:
                return dashboard(
                    reader, slice_ms=slice_ms, tolerance_ms=tolerance_ms, progress=progress,
                    cancel=cancelled,
                )  # fmt: skip

        def done(result: object) -> None:
            self.overview_button.setEnabled(True)
            self.set_overview(result)  # type: ignore[arg-type]

        def failed(message: str) -> None:
            self.overview_button.setEnabled(True)
            self.note.setText(message)

        self.overview_job = run_job(self, "Comparing every coder pair…", job, done, failed)

    def set_overview(self, board: dict[str, Any]) -> None:
        self.board = board
        rows = dashboard_rows(board)
        threshold = self.threshold.value()
        self.overview.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (_, key) in enumerate(OVERVIEW_COLUMNS):
                value = row.get(key)
                if key == "coders" and not value:
                    value = "all pairs"
                item = QTableWidgetItem(_fmt(value))
                if key == "kappa" and isinstance(value, (int, float)):
                    item.setBackground(OK if value >= threshold else LOW)
                self.overview.setItem(r, c, item)
        self.overview.resizeColumnsToContents()
        self.plan_text.setText("\n".join(plan_lines(board)))
        self.export_button.setEnabled(True)
        self.tabs.setCurrentIndex(self.tabs.count() - 1)

    def set_result(self, result: dict[str, Any]) -> None:
        self.comparison = result
        self.export_button.setEnabled(True)
        self._show()

    def _show(self) -> None:
        if self.comparison is None:
            return
        result = self.comparison
        identity = result["method"] == "identity"
        header = self.codes.horizontalHeaderItem(1)
        if header is not None:
            header.setText("Identity %" if identity else "Kappa")
        rows = [r for r in report_rows(result) if not r["scope"].startswith("rating")]
        threshold = self.threshold.value()
        self.codes.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (_, key) in enumerate(COLUMNS):
                value = row.get("identity_percent" if identity and c == 1 else key)
                if key == "percent_agreement" and value in (None, ""):
                    value = row.get("positive_agreement")
                if key == "code" and row["scope"] != "code":  # what the row covers, first
                    value = f"{row['code']} — {row['scope']}"
                item = QTableWidgetItem(_fmt(value))
                if c == 1 and not identity and isinstance(value, (int, float)):
                    item.setBackground(OK if value >= threshold else LOW)
                self.codes.setItem(r, c, item)
        self.codes.resizeColumnsToContents()
        pair = result["pairs"][0]
        source = pair if pair.get("table") else (pair.get("code_sets") or [{}])[0]
        self._heatmap(
            source.get("table") or [],
            source.get("category_names") or source.get("categories") or [],
        )
        self._alignment(pair.get("alignment") or [])
        ratings = result.get("ratings", [])
        self.ratings.setText(
            "Ratings: "
            + "; ".join(
                f"{r['name']}: ICC(A,1) {_fmt(r['icc_a_1']['value'])}, "
                f"alpha {_fmt(r['alpha_interval']['value'])} (n={r['units']}) — {r['reading']}"
                for r in ratings
            )
            if ratings
            else ""
        )
        notes = report_notes(result) or [
            "Kappa is shown with % agreement, PABAK and AC1: rare codes can make kappa low "
            "even when coders agree."
        ]
        self.note.setText("\n".join(([self.hidden_note] if self.hidden_note else []) + notes))

    def _heatmap(self, table: list[list[int]], cats: list[str]) -> None:
        n = len(table)
        self.matrix.setRowCount(n)
        self.matrix.setColumnCount(n)
        self.matrix.setHorizontalHeaderLabels([f"B: {c}" for c in cats])
        self.matrix.setVerticalHeaderLabels([f"A: {c}" for c in cats])
        peak = max((max(row) for row in table if row), default=1) or 1
        for i, row in enumerate(table):
            for j, count in enumerate(row):
                item = QTableWidgetItem(str(count))
                strength = int(255 - 160 * count / peak)
                item.setBackground(QColor(strength, 255 if i == j else strength, strength))
                self.matrix.setItem(i, j, item)
        self.matrix.resizeColumnsToContents()

    def _alignment(self, rows: list[dict[str, Any]]) -> None:
        """The aligned method's pairing of the two coders' events, one line each."""
        shown = rows[:ALIGNMENT_ROWS_SHOWN]
        self.alignment.setRowCount(len(shown))
        for r, row in enumerate(shown):
            cells: list[str] = []
            for side in (row["a"], row["b"]):
                cells += (
                    ["", ""]
                    if side is None
                    else [f"{side['onset_ms'] / 1000:.3f}", side["code_name"]]
                )
            cells += [
                row.get("subject_name", row["subject"]),
                KIND_WORDS.get(row["kind"], row["kind"]),
            ]
            for c, text in enumerate(cells):
                self.alignment.setItem(r, c, QTableWidgetItem(text))
        self.alignment.resizeColumnsToContents()
        self.tabs.setTabText(
            2,
            "Alignment"
            + (f" (first {len(shown)} of {len(rows)})" if len(rows) > len(shown) else ""),
        )

    def export(self) -> None:
        """The comparison's report, or the project overview's when that tab is shown."""
        from exports.reliability_report import (
            write_dashboard_csv,
            write_dashboard_html,
            write_reliability_csv,
            write_reliability_html,
        )

        overview = self.tabs.currentIndex() == self.tabs.count() - 1 and self.board is not None
        if self.comparison is None and not overview:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export report",
            "reliability-overview.html" if overview else "reliability.html",
            "HTML (*.html);;CSV (*.csv)",
        )
        if not path:
            return
        csv_file = path.lower().endswith(".csv")
        if overview:
            assert self.board is not None
            if csv_file:
                write_dashboard_csv(self.board, path)
            else:
                write_dashboard_html(self.board, path, self.threshold.value())
        elif self.comparison is not None:
            if csv_file:
                write_reliability_csv(self.comparison, path)
            else:
                write_reliability_html(self.comparison, path, self.threshold.value())
