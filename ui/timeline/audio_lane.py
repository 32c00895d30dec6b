"""The audio lane under the video: waveform (top) and spectrogram (bottom) of the session's
sound, aligned with the timeline's lanes and zooming and scrolling with them.

The sound is read once per video, off the GUI thread (coder.media.waveform, PyAV + numpy),
then cached in the project; until then the lane says how far reading has got. Painting only
asks the overview for the visible range at the lane's pixel width, so any zoom is instant.
Clicking the lane seeks there, like the timeline.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from coder.errors import AttuneError
from coder.media.waveform import AudioOverview, cached_overview, compute_overview, store_overview
from coder.store import Project
from ui.jobs import JobRunner
from ui.timeline.view import LABEL_W, TimelineView

WAVE_H = 44
SPECTRUM_H = 56


def _palette() -> np.ndarray[Any, np.dtype[np.uint32]]:
    """0..255 → ARGB: dark blue through orange to pale yellow (loud)."""
    t = np.linspace(0.0, 1.0, 256)
    r = np.clip(40 + 260 * t, 0, 255)
    g = np.clip(30 + 230 * t**1.6, 0, 255)
    b = np.clip(70 + 120 * np.sin(np.pi * t) - 40 * t, 0, 255)
    argb = (
        np.uint32(0xFF000000)
        | (r.astype(np.uint32) << np.uint32(16))
        | (g.astype(np.uint32) << np.uint32(8))
        | b.astype(np.uint32)
    )
    return argb.astype(np.uint32)


PALETTE = _palette()


class AudioLane(QWidget):
    seekRequested = Signal(int)

    def __init__(self, view: TimelineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.overview: AudioOverview | None = None
        self.status = "Reading the sound…"
        self.job: JobRunner | None = None
        self.setFixedHeight(WAVE_H + SPECTRUM_H + 2)
        self.setToolTip("Sound: waveform above, spectrogram (60 Hz – 8 kHz) below")
        bar = view.horizontalScrollBar()
        bar.valueChanged.connect(self.update)
        bar.rangeChanged.connect(self.update)

    # --- loading --------------------------------------------------------------------------
    def load(self, project: Project, media_id: str, path: str) -> None:
        """Show the cached overview, or read the sound off the GUI thread (and cache it)."""
        cached = cached_overview(project, media_id)
        if cached is not None:
            self._show(cached)
            return
        runner = JobRunner(
            lambda progress, cancelled: compute_overview(path, progress=progress, cancel=cancelled)
        )
        self.job = runner

        def done(value: object) -> None:
            if not isValid(self) or not isinstance(value, AudioOverview):
                return
            if not project.read_only:
                with contextlib.suppress(AttuneError):  # the cache is only a speed-up
                    store_overview(project, media_id, value)
            self._show(value)

        def failed(message: str) -> None:
            if isValid(self):
                self.status = message or "Reading the sound was cancelled"
                self.update()

        def progress(fraction: float) -> None:
            if isValid(self):
                self.status = f"Reading the sound… {fraction:.0%}"
                self.update()

        runner.signals.done.connect(done)
        runner.signals.failed.connect(failed)
        runner.signals.progress.connect(progress)
        QThreadPool.globalInstance().start(runner)

    def close_lane(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None

    def _show(self, overview: AudioOverview) -> None:
        self.overview = overview
        self.status = "" if overview.has_audio else "This video has no sound"
        self.update()

    # --- geometry shared with the timeline ---------------------------------------------------
    def visible_range(self) -> tuple[float, float, int]:
        """(start ms, end ms, pixel width) of what the timeline shows now."""
        px = max(1e-9, self.view.timeline.px_per_ms)
        left = self.view.mapToScene(0, 0).x()
        width = max(1, self.view.viewport().width())  # the timeline's pixels, one for one
        return left / px, (left + width) / px, width

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(250, 248, 244))
        painter.setPen(QColor(60, 60, 60))
        painter.drawText(QRectF(6, 0, LABEL_W - 8, WAVE_H), Qt.AlignmentFlag.AlignVCenter, "Sound")
        painter.drawText(
            QRectF(6, WAVE_H, LABEL_W - 8, SPECTRUM_H), Qt.AlignmentFlag.AlignVCenter, "Spectrum"
        )
        area = QRectF(LABEL_W, 0, self.width() - LABEL_W, self.height())
        painter.fillRect(area, QColor(20, 22, 30))
        start, end, width = self.visible_range()
        if self.overview is not None and self.overview.has_audio:
            self._paint_wave(painter, start, end, width)
            self._paint_spectrum(painter, start, end, width)
        if self.status:
            painter.setPen(QColor(220, 220, 220))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.status)
        x = LABEL_W + (self.view.playhead_ms - start) / max(1e-9, end - start) * width
        painter.setPen(QPen(QColor(220, 30, 30), 1))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        painter.end()

    def _paint_wave(self, painter: QPainter, start: float, end: float, width: int) -> None:
        assert self.overview is not None
        peaks = self.overview.peaks_for(start, end, width)
        # Scaled to the loudest moment of the recording: quiet speech is still visible.
        loudest = max(1e-3, float(np.abs(self.overview.peaks).max(initial=0.0)))
        peaks = peaks / loudest
        mid = WAVE_H / 2
        painter.setPen(QPen(QColor(120, 200, 255), 1))
        for x, (low, high) in enumerate(peaks):
            if high > low:
                painter.drawLine(
                    QPointF(LABEL_W + x + 0.5, mid - float(high) * (mid - 2)),
                    QPointF(LABEL_W + x + 0.5, mid - float(low) * (mid - 2)),
                )

    def _paint_spectrum(self, painter: QPainter, start: float, end: float, width: int) -> None:
        assert self.overview is not None
        levels = self.overview.spectrogram_for(start, end, width)  # (width, bands)
        rows = np.ascontiguousarray(PALETTE[levels.T[::-1]])  # low frequencies at the bottom
        image = QImage(rows.data, width, rows.shape[0], 4 * width, QImage.Format.Format_ARGB32)
        painter.drawImage(QRectF(LABEL_W, WAVE_H + 2, width, SPECTRUM_H), image)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.position().x() < LABEL_W:
            return
        start, end, width = self.visible_range()
        fraction = (event.position().x() - LABEL_W) / width
        self.seekRequested.emit(max(0, int(start + fraction * (end - start))))
