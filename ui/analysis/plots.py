"""Small painted charts for the Analysis window (no plotting library needed): a heat map of
adjusted residuals, a histogram of latencies, bars comparing two probabilities, and a time
series chart for motion energy and windowed correlation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor(50, 50, 55)
GRID = QColor(215, 215, 220)
POSITIVE = QColor(200, 60, 50)
NEGATIVE = QColor(50, 100, 200)


def residual_colour(z: float, limit: float = 4.0) -> QColor:
    """White at 0, deepening red for positive and blue for negative residuals."""
    if math.isnan(z):
        return QColor(235, 235, 235)
    t = min(1.0, abs(z) / limit)
    base = POSITIVE if z > 0 else NEGATIVE
    return QColor(
        round(255 + (base.red() - 255) * t),
        round(255 + (base.green() - 255) * t),
        round(255 + (base.blue() - 255) * t),
    )


class _Chart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)
        self.empty_text = "Nothing to show yet"

    def sizeHint(self) -> QSize:
        return QSize(520, 260)

    def _empty(self, painter: QPainter) -> None:
        painter.setPen(QColor(140, 140, 140))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)


class ResidualHeatMap(_Chart):
    """Rows: given; columns: target at the lag. Cell colour = adjusted residual; the text
    shows the count and z; |z| >= 1.96 is bold (p < .05 two-sided, uncorrected)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.counts = np.zeros((0, 0))
        self.z = np.zeros((0, 0))
        self.empty_text = "Choose behaviours and compute to see the lag table"

    def set_table(self, labels: Sequence[str], counts: np.ndarray, z: np.ndarray) -> None:
        self.labels, self.counts, self.z = list(labels), counts, z
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        k = len(self.labels)
        if not k:
            self._empty(painter)
            return
        left, top = 150.0, 70.0
        cell = max(24.0, min((self.width() - left - 10) / k, (self.height() - top - 10) / k))
        font = QFont(painter.font())
        font.setPointSizeF(max(7.0, min(10.0, cell / 6)))
        painter.setFont(font)
        painter.setPen(INK)
        painter.drawText(
            QRectF(0, 0, left, top), Qt.AlignmentFlag.AlignCenter, "given \u2192 target"
        )
        for j, label in enumerate(self.labels):  # column heads, turned to save room
            painter.save()
            painter.translate(left + (j + 0.5) * cell, top - 4)
            painter.rotate(-40)
            painter.drawText(QPointF(0, 0), label[:22])
            painter.restore()
        for i, label in enumerate(self.labels):
            y = top + i * cell
            painter.setPen(INK)
            painter.drawText(
                QRectF(0, y, left - 6, cell),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label[:24],
            )
            for j in range(k):
                rect = QRectF(left + j * cell, y, cell, cell)
                z = float(self.z[i, j])
                painter.fillRect(rect, residual_colour(z))
                painter.setPen(QPen(GRID, 1))
                painter.drawRect(rect)
                bold = not math.isnan(z) and abs(z) >= 1.96
                font.setBold(bold)
                painter.setFont(font)
                painter.setPen(INK)
                text = f"{self.counts[i, j]:g}\n{'–' if math.isnan(z) else f'{z:+.1f}'}"
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        font.setBold(False)
        painter.setFont(font)
        painter.end()


class LatencyHistogram(_Chart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bins: list[tuple[float, float, int]] = []
        self.empty_text = "No responses within the window"

    def set_bins(self, bins: Sequence[tuple[float, float, int]]) -> None:
        self.bins = list(bins)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.bins or not any(n for _, _, n in self.bins):
            self._empty(painter)
            return
        left, bottom, top = 36.0, 28.0, 22.0
        width = self.width() - left - 10
        height = self.height() - bottom - top
        most = max(n for _, _, n in self.bins)
        bar = width / len(self.bins)
        painter.setPen(INK)
        painter.drawText(QPointF(left, 14), "Latency to the first response (s)")
        for i, (a, _b, n) in enumerate(self.bins):
            h = height * n / most
            rect = QRectF(left + i * bar + 1, top + height - h, bar - 2, h)
            painter.fillRect(rect, QColor(70, 130, 180))
            if n:
                painter.drawText(
                    QRectF(rect.left(), rect.top() - 16, rect.width(), 14),
                    Qt.AlignmentFlag.AlignCenter,
                    str(n),
                )
            painter.drawText(QPointF(left + i * bar, top + height + 16), f"{a:g}")
        painter.drawText(
            QPointF(left + len(self.bins) * bar - 10, top + height + 16), f"{self.bins[-1][1]:g}"
        )
        painter.end()


class ProbabilityBars(_Chart):
    """p(target | window) next to the base rate p(target)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: list[tuple[str, float]] = []
        self.setMinimumHeight(90)

    def set_values(self, values: Sequence[tuple[str, float]]) -> None:
        self.values = list(values)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 90)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        finite = [v for _, v in self.values if not math.isnan(v)]
        if not finite:
            self._empty(painter)
            return
        most = max(finite) or 1.0
        left, row = 190.0, (self.height() - 10) / max(1, len(self.values))
        for i, (label, value) in enumerate(self.values):
            y = 5 + i * row
            painter.setPen(INK)
            painter.drawText(
                QRectF(0, y, left - 8, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            if math.isnan(value):
                continue
            w = (self.width() - left - 70) * value / most
            painter.fillRect(QRectF(left, y + row * 0.2, w, row * 0.6), QColor(90, 150, 110))
            painter.drawText(QPointF(left + w + 6, y + row * 0.65), f"{value:.3f}")
        painter.end()


@dataclass
class Series:
    name: str
    x_ms: np.ndarray
    y: np.ndarray
    colour: QColor
    bars: bool = False


class TimeChart(_Chart):
    """Series over session time with an optional horizontal reference line (the baseline)
    and shaded spans (candidate moments)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.series: list[Series] = []
        self.reference: tuple[str, float] | None = None
        self.spans: list[tuple[int, int]] = []
        self.y_range: tuple[float, float] | None = None
        self.duration_ms = 0

    def set_data(
        self,
        series: Sequence[Series],
        duration_ms: int,
        reference: tuple[str, float] | None = None,
        spans: Sequence[tuple[int, int]] = (),
        y_range: tuple[float, float] | None = None,
    ) -> None:
        self.series, self.duration_ms = list(series), duration_ms
        self.reference, self.spans, self.y_range = reference, list(spans), y_range
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.series or self.duration_ms <= 0:
            self._empty(painter)
            return
        left, right, top, bottom = 44.0, 10.0, 20.0, 22.0
        w, h = self.width() - left - right, self.height() - top - bottom
        values = [v for s in self.series for v in s.y[np.isfinite(s.y)]]
        lo, hi = self.y_range or (min(values, default=0.0), max(values, default=1.0))
        if hi <= lo:
            hi = lo + 1.0

        def px(t: float) -> float:
            return left + w * t / self.duration_ms

        def py(v: float) -> float:
            return top + h * (1 - (v - lo) / (hi - lo))

        for a, b in self.spans:
            painter.fillRect(QRectF(px(a), top, px(b) - px(a), h), QColor(255, 236, 179))
        painter.setPen(QPen(GRID, 1))
        painter.drawRect(QRectF(left, top, w, h))
        painter.setPen(INK)
        painter.drawText(QPointF(left, 14), self.title)
        painter.drawText(QPointF(2, top + 10), f"{hi:.2g}")
        painter.drawText(QPointF(2, top + h), f"{lo:.2g}")
        step = _nice_step(self.duration_ms / 1000 / 6)
        t = 0.0
        while t * 1000 <= self.duration_ms:
            painter.drawText(QPointF(px(t * 1000) - 8, top + h + 16), f"{t:g}s")
            t += step
        if self.reference is not None and lo <= self.reference[1] <= hi:
            y = py(self.reference[1])
            painter.setPen(QPen(QColor(120, 120, 120), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(left, y), QPointF(left + w, y))
            painter.drawText(QPointF(left + w - 160, y - 3), self.reference[0])
        legend_x = left + painter.fontMetrics().horizontalAdvance(self.title) + 24
        for s in self.series:
            painter.setPen(QPen(s.colour, 1.4))
            finite = np.isfinite(s.y)
            if s.bars:
                zero = py(max(lo, 0.0))
                for x, v in zip(s.x_ms[finite], s.y[finite], strict=True):
                    painter.drawLine(QPointF(px(x), zero), QPointF(px(x), py(v)))
                    painter.drawEllipse(QPointF(px(x), py(v)), 2.5, 2.5)
            else:
                points = [
                    QPointF(px(x), py(v)) for x, v in zip(s.x_ms[finite], s.y[finite], strict=True)
                ]
                painter.drawPolyline(QPolygonF(points))
            painter.drawText(QPointF(legend_x, 14), s.name)
            legend_x += painter.fontMetrics().horizontalAdvance(s.name) + 18
        painter.end()


def _nice_step(raw: float) -> float:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800):
        if step >= raw:
            return float(step)
    return 3600.0
