"""The sequential tab: given -> target by event lag or time window, per session and pooled,
with the adjusted-residual heat map of the lag table or the latency histogram."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.analysis.behaviour import Behaviour, every_behaviour, overlap
from coder.analysis.contingency import TwoByTwo
from coder.analysis.loading import session_events
from coder.analysis.sequential import (
    LagAnalysis,
    LagTable,
    SessionEvents,
    WindowAnalysis,
    WindowFrom,
    lag_analysis,
    lag_table,
    latency_histogram,
    window_analysis,
)
from coder.errors import AttuneError
from coder.model import Scheme
from coder.store import Project
from ui.analysis.controls import ask_csv_path, compute_export_row
from ui.analysis.plots import LatencyHistogram, ProbabilityBars, ResidualHeatMap

LAG_HEAD = ["Session", "a", "b", "c", "d", "p(T|G)", "p(T)", "z", "Yule's Q", "OR [95% CI]"]
WINDOW_HEAD = ["Session", "answered", "p(T|window)", "p(T)", "z", "Yule's Q", "median latency"]


def fmt(value: float, digits: int = 2) -> str:
    if math.isnan(value):
        return "–"
    return "inf" if math.isinf(value) else f"{value:.{digits}f}"


class SequentialTab(QWidget):
    def __init__(
        self,
        project: Project,
        observations: Sequence[tuple[str, str]],
        current: str | None,
        on_error: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project, self.on_error = project, on_error
        self.lags: list[LagAnalysis] = []
        self.table: LagTable | None = None
        self.window_result: WindowAnalysis | None = None
        self.observations = QListWidget()
        self.observations.setMaximumHeight(110)
        for obs_id, text in observations:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, obs_id)
            checked = obs_id == current or (current is None and self.observations.count() == 0)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.observations.addItem(item)
        self.scheme = self._scheme(current or (observations[0][0] if observations else None))
        self.given, self.target = QComboBox(), QComboBox()
        self.stream = QListWidget()
        self.stream.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.stream.setMaximumHeight(130)
        self._fill_behaviours()
        self.mode = QComboBox()
        self.mode.addItem("Event lag (what comes next)", "lag")
        self.mode.addItem("Time window (within seconds)", "window")
        self.lag = QSpinBox(minimum=1, maximum=10, value=1)
        self.all_lags = QCheckBox("and every lag below it")
        self.seconds = QDoubleSpinBox(minimum=0.1, maximum=120, value=3.0, singleStep=0.5)
        self.seconds.setSuffix(" s")
        self.window_from = QComboBox()
        self.window_from.addItem("from the given's onset", WindowFrom.ONSET.value)
        self.window_from.addItem("after its whole duration", WindowFrom.DURATION.value)
        self.unit = QDoubleSpinBox(minimum=0.01, maximum=10, value=0.1, singleStep=0.1)
        self.unit.setSuffix(" s")
        form = QFormLayout()
        form.addRow("Observations (pooled)", self.observations)
        form.addRow("Given", self.given)
        form.addRow("Target", self.target)
        form.addRow("Question", self.mode)
        lag_row = QHBoxLayout()
        lag_row.addWidget(self.lag)
        lag_row.addWidget(self.all_lags)
        form.addRow("Lag", lag_row)
        form.addRow("Codes in the lag table", self.stream)
        form.addRow("Window", self.seconds)
        form.addRow("Window opens", self.window_from)
        form.addRow("Time unit", self.unit)
        self.run_button, self.export_button, buttons = compute_export_row(self.compute, self.export)
        controls = QWidget()
        side = QVBoxLayout(controls)
        side.addLayout(form)
        side.addLayout(buttons)
        side.addStretch(1)
        self.results = QTableWidget(0, len(LAG_HEAD))
        self.results.setHorizontalHeaderLabels(LAG_HEAD)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.heat = ResidualHeatMap()
        self.bars = ProbabilityBars()
        self.histogram = LatencyHistogram()
        out = QWidget()
        right = QVBoxLayout(out)
        right.addWidget(self.summary)
        right.addWidget(self.results, 2)
        right.addWidget(self.heat, 3)
        right.addWidget(self.bars, 1)
        right.addWidget(self.histogram, 2)
        split = QSplitter()
        split.addWidget(controls)
        split.addWidget(out)
        split.setStretchFactor(1, 3)
        QVBoxLayout(self).addWidget(split)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()

    # --- choices -------------------------------------------------------------------------
    def _scheme(self, obs_id: str | None) -> Scheme | None:
        return self.project.scheme_for_observation(obs_id) if obs_id else None

    def _fill_behaviours(self) -> None:
        if self.scheme is None:
            return
        names = {s.id: s.name for s in self.scheme.subjects}
        codes = {c.id: c.name for c in self.scheme.codes}
        for b in every_behaviour(self.scheme):
            text = f"{codes[b.code]} — {names.get(b.subject or '', b.subject)}"
            self.given.addItem(text, b.label)
            self.target.addItem(text, b.label)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, b.label)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.stream.addItem(item)
        self.choose("child_bid@child", "attunement@parent")
        self.set_stream(self._occurring())
        self.include_in_stream()

    def _occurring(self, most: int = 8) -> list[str]:
        """The behaviours coded most often in the ticked observations (the table's default)."""
        counts: dict[str, int] = {}
        for obs_id in self.chosen_observations():
            for e in self.project.events(obs_id):
                label = f"{e.code_id}@{e.subject_id}"
                counts[label] = counts.get(label, 0) + 1
        return sorted(counts, key=lambda k: -counts[k])[:most]

    def choose(self, given: str, target: str) -> None:
        """Preselect a given and target when the scheme has them (e.g. bid -> attunement)."""
        for box, label in ((self.given, given), (self.target, target)):
            index = box.findData(label)
            if index >= 0:
                box.setCurrentIndex(index)
        if self.target.currentIndex() == self.given.currentIndex() and self.target.count() > 1:
            self.target.setCurrentIndex((self.given.currentIndex() + 1) % self.target.count())

    def _mode_changed(self) -> None:
        lag = self.mode.currentData() == "lag"
        lag_inputs: list[QWidget] = [self.lag, self.all_lags, self.stream]
        window_inputs: list[QWidget] = [self.seconds, self.window_from, self.unit]
        for widget in lag_inputs:
            widget.setEnabled(lag)
        for widget in window_inputs:
            widget.setEnabled(not lag)
        self.heat.setVisible(lag)
        self.bars.setVisible(not lag)
        self.histogram.setVisible(not lag)

    def chosen_observations(self) -> list[str]:
        return [
            str(self.observations.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.observations.count())
            if self.observations.item(i).checkState() == Qt.CheckState.Checked
        ]

    def chosen_stream(self) -> list[Behaviour]:
        return [
            Behaviour.parse(str(self.stream.item(i).data(Qt.ItemDataRole.UserRole)))
            for i in range(self.stream.count())
            if self.stream.item(i).checkState() == Qt.CheckState.Checked
        ]

    def include_in_stream(self) -> None:
        """Tick the given and the target in the lag table's codes: left out of the sequence
        they could only ever count 0."""
        stream = self.chosen_stream()
        if not stream:
            return
        for box in (self.given, self.target):
            chosen = Behaviour.parse(str(box.currentData()))
            if not any(overlap(chosen, b) for b in stream):
                index = next(
                    (
                        i
                        for i in range(self.stream.count())
                        if self.stream.item(i).data(Qt.ItemDataRole.UserRole) == chosen.label
                    ),
                    None,
                )
                if index is not None:
                    self.stream.item(index).setCheckState(Qt.CheckState.Checked)
                    stream = self.chosen_stream()

    def set_stream(self, labels: Sequence[str]) -> None:
        for i in range(self.stream.count()):
            item = self.stream.item(i)
            wanted = item.data(Qt.ItemDataRole.UserRole) in labels
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    # --- computing -------------------------------------------------------------------------
    def _sessions(self, behaviours: Sequence[Behaviour]) -> list[SessionEvents]:
        chosen = self.chosen_observations()
        if not chosen:
            raise AttuneError("Tick at least one observation.")
        texts = {
            str(self.observations.item(i).data(Qt.ItemDataRole.UserRole)): self.observations.item(
                i
            ).text()
            for i in range(self.observations.count())
        }
        out = []
        for obs_id in chosen:
            found, scheme = session_events(self.project, obs_id)
            for b in behaviours:
                b.check(scheme)
            out.append(
                SessionEvents(texts[obs_id], found.events, found.duration_ms, found.state_codes)
            )
        return out

    def compute(self) -> None:
        try:
            given = Behaviour.parse(str(self.given.currentData()))
            target = Behaviour.parse(str(self.target.currentData()))
            if self.mode.currentData() == "lag":
                self._compute_lag(given, target)
            else:
                self._compute_window(given, target)
        except AttuneError as exc:
            self.on_error(str(exc))
            return
        self.export_button.setEnabled(True)

    def _compute_lag(self, given: Behaviour, target: Behaviour) -> None:
        self.include_in_stream()
        stream = self.chosen_stream()
        sessions = self._sessions([given, target, *stream])
        lags = range(1, self.lag.value() + 1) if self.all_lags.isChecked() else [self.lag.value()]
        self.lags = [lag_analysis(sessions, given, target, k, stream or None) for k in lags]
        self.window_result = None
        self.table = lag_table(sessions, stream, self.lag.value()) if stream else None
        rows: list[list[str]] = []
        for a in self.lags:
            for label, t in [*a.sessions, ("pooled (sum of tables)", a.pooled)]:
                low, high, corrected = t.odds_ratio_ci()
                rows.append(
                    [f"lag {a.lag}: {label}", *(f"{v:g}" for v in (t.a, t.b, t.c, t.d)),
                     fmt(t.p_target_given), fmt(t.p_target), fmt(t.adjusted_residual),
                     fmt(t.yules_q),
                     f"{fmt(t.odds_ratio)} [{fmt(low)}, {fmt(high)}]{'*' if corrected else ''}"]
                )  # fmt: skip
        self._show(LAG_HEAD, rows)
        first = self.lags[0]
        self.summary.setText(
            f"{self.given.currentText()} → {self.target.currentText()}: mean Yule's Q over "
            f"{first.sessions_with_q} "
            f"session(s) {fmt(first.mean_q)} (lag {first.lag}). a = given then target, "
            "b = given then other, c = other then target, d = neither; z is the adjusted "
            "residual of a (|z| ≥ 1.96: more or less often than chance, p < .05)."
        )
        if self.table is not None:
            self.heat.set_table(self.table.labels, self.table.counts, self.table.residuals)
        else:
            self.heat.set_table([], self.heat.counts, self.heat.z)

    def _compute_window(self, given: Behaviour, target: Behaviour) -> None:
        sessions = self._sessions([given, target])
        self.window_result = window_analysis(
            sessions,
            given,
            target,
            round(self.seconds.value() * 1000),
            WindowFrom(str(self.window_from.currentData())),
            max(1, round(self.unit.value() * 1000)),
        )
        self.lags, self.table = [], None
        w = self.window_result

        def row(
            label: str, t: TwoByTwo, answered: int, givens: int, lat: Sequence[int]
        ) -> list[str]:
            median = sorted(lat)[len(lat) // 2] / 1000 if lat else math.nan
            return [label, f"{answered}/{givens}", fmt(t.p_target_given, 3), fmt(t.p_target, 3),
                    fmt(t.adjusted_residual), fmt(t.yules_q), f"{fmt(median)} s"]  # fmt: skip

        rows = [row(s.label, s.table, s.answered, s.givens, s.latencies_ms) for s in w.sessions]
        rows.append(row("pooled (sum of tables)", w.pooled, w.answered, w.givens, w.latencies_ms))
        self._show(WINDOW_HEAD, rows)
        self.summary.setText(
            f"{self.given.currentText()} → {self.target.currentText()} within "
            f"{self.seconds.value():g} s: "
            f"{w.answered} of {w.givens} answered; a target starts in "
            f"{fmt(100 * w.p_conditional, 1)} % of window time units against "
            f"{fmt(100 * w.p_base, 1)} % of all units (Yule's Q {fmt(w.pooled.yules_q)}; "
            f"mean of per-session Q {fmt(w.mean_q)})."
        )
        self.bars.set_values(
            [("p(target | window)", w.p_conditional), ("base p(target)", w.p_base)]
        )
        self.histogram.set_bins(latency_histogram(w.latencies_ms, w.window_ms))

    def _show(self, head: list[str], rows: list[list[str]]) -> None:
        self.results.clear()
        self.results.setColumnCount(len(head))
        self.results.setHorizontalHeaderLabels(head)
        self.results.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                self.results.setItem(r, c, QTableWidgetItem(value))
        self.results.resizeColumnsToContents()

    def export(self, path: str | None = None) -> None:
        from exports.sequential_report import (
            write_lag_csv,
            write_lag_table_csv,
            write_window_csv,
        )

        if path is None:
            path = ask_csv_path(self, "sequential.csv")
        if not path:
            return
        try:
            if self.window_result is not None:
                write_window_csv(self.window_result, path)
            elif self.lags:
                write_lag_csv(self.lags, path)
                if self.table is not None:
                    out = Path(path)
                    write_lag_table_csv(self.table, out.with_name(f"{out.stem}-table.csv"))
        except AttuneError as exc:
            self.on_error(str(exc))

    def results_text(self) -> list[list[Any]]:
        """The result table as text (for tests and copy)."""

        def text(r: int, c: int) -> str:
            item = self.results.item(r, c)
            return item.text() if item is not None else ""

        return [
            [text(r, c) for c in range(self.results.columnCount())]
            for r in range(self.results.rowCount())
        ]
