"""The synchrony tab: one box per person on the video, motion energy (off the GUI thread, with
progress and Cancel, cached in the project), windowed cross-lagged correlation against a
shuffled-segment baseline, and the candidate moments it suggests for the timeline."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from coder.analysis.motion import (
    MotionSeries,
    MotionSettings,
    default_regions,
    motion_energy,
    smooth,
)
from coder.analysis.motion_cache import cached_motion, latest_motion, person_names, store_motion
from coder.analysis.synchrony import (
    Candidate,
    SynchronyResult,
    SynchronySettings,
    windowed_cross_lagged,
)
from coder.errors import AttuneError
from coder.model import Media
from coder.progress import Cancel, Progress
from coder.store import Project
from ui.analysis.controls import ask_csv_path, compute_export_row
from ui.analysis.plots import Series, TimeChart
from ui.analysis.regions import COLOURS, RegionEditor
from ui.jobs import JobRunner, run_job

CandidatesSink = Callable[[str, Sequence[Candidate]], None]


def _spin(value: float, low: float, high: float, step: float, suffix: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox(minimum=low, maximum=high, value=value, singleStep=step)
    box.setSuffix(suffix)
    return box


class SynchronyTab(QWidget):
    def __init__(
        self,
        project: Project,
        session_id: str | None,
        on_error: Callable[[str], None],
        on_candidates: CandidatesSink,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project, self.on_error, self.on_candidates = project, on_error, on_candidates
        self.series: MotionSeries | None = None
        self.result: SynchronyResult | None = None
        self.job: JobRunner | None = None
        self.media: Media | None = None
        self.session_box = QComboBox()
        for s in project.sessions():
            if s.media_id is not None:
                self.session_box.addItem(s.label, s.id)
        if session_id is not None and self.session_box.findData(session_id) >= 0:
            self.session_box.setCurrentIndex(self.session_box.findData(session_id))
        self.person = QComboBox()
        self.editor = RegionEditor()
        self.halves = QPushButton("Side-by-side halves")
        self.halves.clicked.connect(self.use_halves)
        self.person.currentIndexChanged.connect(self._person_chosen)
        defaults = SynchronySettings()
        self.window_s = _spin(defaults.window_s, 2, 600, 5, " s")
        self.step_s = _spin(defaults.step_s, 0.5, 300, 1, " s")
        self.max_lag_s = _spin(defaults.max_lag_s, 0, 60, 0.5, " s")
        self.smooth_s = _spin(defaults.smooth_s, 0, 10, 0.1, " s")
        self.rounds = QSpinBox(minimum=0, maximum=1000, value=defaults.surrogate_rounds)
        self.threshold = QSpinBox(minimum=1, maximum=100, value=MotionSettings().threshold)
        form = QFormLayout()
        form.addRow("Session", self.session_box)
        people = QHBoxLayout()
        people.addWidget(self.person, 1)
        people.addWidget(self.halves)
        form.addRow("Box for", people)
        form.addRow(self.editor)
        form.addRow("Window", self.window_s)
        form.addRow("Step", self.step_s)
        form.addRow("Lags up to ±", self.max_lag_s)
        form.addRow("Smoothing", self.smooth_s)
        form.addRow("Shuffled rounds", self.rounds)
        form.addRow("Pixel change threshold", self.threshold)
        self.run_button, self.export_button, buttons = compute_export_row(self.compute, self.export)
        controls = QWidget()
        left = QVBoxLayout(controls)
        left.addLayout(form)
        left.addLayout(buttons)
        self.summary = QLabel("Draw one box per person (or keep the halves), then Compute.")
        self.summary.setWordWrap(True)
        self.motion_chart = TimeChart("Motion energy (share of each box's pixels moving)")
        self.peak_chart = TimeChart("Peak correlation per window")
        self.lag_chart = TimeChart("Lag of the peak (s)")
        self.candidate_list = QListWidget()
        self.candidate_list.setMaximumHeight(110)
        out = QWidget()
        right = QVBoxLayout(out)
        right.addWidget(self.summary)
        right.addWidget(self.motion_chart, 2)
        right.addWidget(self.peak_chart, 2)
        right.addWidget(self.lag_chart, 1)
        right.addWidget(QLabel("Candidate moments (shown in the timeline; not codes):"))
        right.addWidget(self.candidate_list)
        split = QSplitter()
        split.addWidget(controls)
        split.addWidget(out)
        split.setStretchFactor(1, 3)
        QVBoxLayout(self).addWidget(split)
        self.session_box.currentIndexChanged.connect(self.load_session)
        self.load_session()

    # --- the session and its boxes ---------------------------------------------------------
    @property
    def session_id(self) -> str | None:
        data = self.session_box.currentData()
        return None if data is None else str(data)

    def load_session(self) -> None:
        self.series, self.result, self.media = None, None, None
        session_id = self.session_id
        if session_id is None:
            self.summary.setText("No session with a video in this project.")
            self.run_button.setEnabled(False)
            return
        session = self.project.session(session_id)
        assert session.media_id is not None
        self.media = self.project.media(session.media_id)
        last = latest_motion(self.project, self.media.id)
        regions = (
            last.regions
            if last is not None
            else default_regions(person_names(self.project, session_id))
        )
        self.editor.set_regions(regions)
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItems([r.name for r in regions])
        self.person.blockSignals(False)
        self._show_frame()
        if last is not None:  # measured before: show the analysis at once (no decoding)
            self.compute(quiet=True)

    def _show_frame(self) -> None:
        if self.media is None or not os.path.exists(self.media.path):
            return
        from coder.media.decode import FrameDecoder

        try:
            decoder = FrameDecoder(self.media.path, self.project.frame_times(self.media.id))
            try:
                self.editor.set_frame(decoder.frame_at_ms(self.media.duration_ms // 3).image)
            finally:
                decoder.close()
        except AttuneError:
            pass  # the boxes can still be drawn on the blank area; the job reports the error

    def _person_chosen(self, index: int) -> None:
        self.editor.active = max(0, index)
        self.editor.update()

    def use_halves(self) -> None:
        self.editor.set_regions(default_regions([r.name for r in self.editor.regions]))

    def settings(self) -> SynchronySettings:
        return SynchronySettings(
            window_s=self.window_s.value(),
            step_s=self.step_s.value(),
            max_lag_s=self.max_lag_s.value(),
            smooth_s=self.smooth_s.value(),
            surrogate_rounds=self.rounds.value(),
        )

    # --- computing -----------------------------------------------------------------------------
    def compute(self, quiet: bool = False) -> None:
        """Measure (or read the cached) motion energy and correlate, off the GUI thread;
        ``quiet``: no progress dialog (for the cached case, which needs no decoding)."""
        if self.media is None or self.session_id is None:
            return
        regions = list(self.editor.regions)
        motion = MotionSettings(threshold=self.threshold.value())
        try:
            settings = self.settings()
            settings.check()
            if len(regions) < 2:
                raise AttuneError("Synchrony needs two boxes, one per person.")
        except AttuneError as exc:
            self.on_error(str(exc))
            return
        cached = cached_motion(self.project, self.media.id, regions, motion)
        path, a, b = self.media.path, regions[0].name, regions[1].name

        def job(progress: Progress, cancelled: Cancel) -> object:
            series = cached
            if series is None:
                series = motion_energy(
                    path, regions, motion, progress=lambda f: progress(0.9 * f), cancel=cancelled
                )
            return series, windowed_cross_lagged(series, a, b, settings), cached is None

        self.run_button.setEnabled(False)
        if quiet and cached is not None:
            runner = JobRunner(job)
            runner.signals.done.connect(self._done)
            runner.signals.failed.connect(self._failed)
            self.job = runner
            QThreadPool.globalInstance().start(runner)
            return
        self.job = run_job(self, "Measuring movement in the video…", job, self._done, self._failed)
        # run_job reports only failures with a message; a cancelled run must free Compute too.
        self.job.signals.failed.connect(lambda _message: self._failed(""))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _failed(self, message: str) -> None:
        if not isValid(self):
            return
        self.run_button.setEnabled(True)
        if message:
            self.on_error(message)

    def _done(self, value: Any) -> None:
        if not isValid(self):  # the window was closed while the job ran
            return
        self.run_button.setEnabled(True)
        series, result, computed = value
        if computed and self.media is not None and not self.project.read_only:
            try:
                store_motion(self.project, self.media.id, series)
            except AttuneError as exc:
                self.on_error(f"The motion energy could not be saved: {exc}")
        self.show_result(series, result)

    def show_result(self, series: MotionSeries, result: SynchronyResult) -> None:
        self.series, self.result = series, result
        self.export_button.setEnabled(True)
        duration = int(series.times_ms[-1]) if len(series.times_ms) else 0
        samples = max(1, round(result.settings.smooth_s * 1000 / series.frame_period_ms))
        self.motion_chart.set_data(
            [
                Series(r.name, series.times_ms, smooth(series.energy[:, i], samples).astype(float),
                       COLOURS[i % len(COLOURS)])
                for i, r in enumerate(series.regions[:2])
            ],
            duration,
        )  # fmt: skip
        middles = np.array([(w.start_ms + w.end_ms) / 2 for w in result.windows])
        peaks = np.array([w.peak_r for w in result.windows])
        lags = np.array([w.peak_lag_ms / 1000 for w in result.windows])
        spans = [(c.start_ms, c.end_ms) for c in result.candidates]
        self.peak_chart.set_data(
            [Series("peak r", middles, peaks, QColor(0, 120, 110), bars=True)],
            duration,
            reference=(f"baseline r = {result.threshold:.2f}", result.threshold),
            spans=spans,
            y_range=(min(0.0, float(np.nanmin(peaks, initial=0.0))), 1.0),
        )
        limit = result.settings.max_lag_s or 1.0
        self.lag_chart.set_data(
            [Series(f"+ = {result.b} follows {result.a}", middles, lags, QColor(120, 60, 160),
                    bars=True)],
            duration,
            reference=("0 s", 0.0),
            spans=spans,
            y_range=(-limit, limit),
        )  # fmt: skip
        self.candidate_list.clear()
        for c in result.candidates:
            self.candidate_list.addItem(
                f"{c.start_ms / 1000:.0f}–{c.end_ms / 1000:.0f} s  {c.label}"
            )
        self.summary.setText(
            f"Mean peak r {result.mean_peak:.2f} against {result.mean_surrogate_peak:.2f} in "
            f"shuffled data (p = {result.p_overall:.3f}). {len(result.candidates)} candidate "
            f"moment(s) above the baseline (r > {result.threshold:.2f}). Positive lags: "
            f"{result.b} follows {result.a}. Candidates are suggestions to review, not codes."
        )
        if self.session_id is not None:
            self.on_candidates(self.session_id, result.candidates)

    def export(self, path: str | None = None) -> None:
        from exports.sequential_report import write_synchrony_csv

        if self.result is None:
            return
        if path is None:
            path = ask_csv_path(self, "synchrony.csv")
        if not path:
            return
        try:
            write_synchrony_csv(self.result, path)
        except AttuneError as exc:
            self.on_error(str(exc))
