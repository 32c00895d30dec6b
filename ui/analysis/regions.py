"""Draw one box per person on a frame of the session's video (the regions whose motion energy
is measured). Boxes are fractions of the picture; drag on the picture to redraw the box of
the person chosen in the list."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from coder.analysis.motion import Region

COLOURS = (QColor(40, 90, 200), QColor(230, 120, 20), QColor(30, 150, 90), QColor(170, 50, 160))


class RegionEditor(QWidget):
    regionsChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.regions: list[Region] = []
        self.active = 0
        self._drag: QPointF | None = None
        self.setMinimumSize(240, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setToolTip("Drag on the picture to draw the chosen person's box")

    def sizeHint(self) -> QSize:
        return QSize(360, 210)

    def set_frame(self, rgb: np.ndarray) -> None:
        height, width = rgb.shape[:2]
        data = np.ascontiguousarray(rgb)
        self.image = QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        self.update()

    def set_regions(self, regions: Sequence[Region]) -> None:
        self.regions = list(regions)
        self.active = min(self.active, max(0, len(self.regions) - 1))
        self.update()
        self.regionsChanged.emit()

    def picture_rect(self) -> QRectF:
        """Where the frame is drawn (aspect kept, centred)."""
        if self.image is None or self.image.isNull():
            return QRectF(0, 0, self.width(), self.height())
        scale = min(self.width() / self.image.width(), self.height() / self.image.height())
        w, h = self.image.width() * scale, self.image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(30, 30, 30))
        area = self.picture_rect()
        if self.image is not None:
            painter.drawImage(area, self.image)
        for i, r in enumerate(self.regions):
            colour = COLOURS[i % len(COLOURS)]
            box = QRectF(
                area.left() + r.x * area.width(),
                area.top() + r.y * area.height(),
                r.w * area.width(),
                r.h * area.height(),
            )
            painter.setPen(QPen(colour, 3 if i == self.active else 2))
            painter.drawRect(box.adjusted(1, 1, -1, -1))
            painter.fillRect(QRectF(box.left() + 2, box.top() + 2, 90, 18), colour)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(QPointF(box.left() + 6, box.top() + 16), r.name)
        painter.end()

    def _fraction(self, pos: QPointF) -> tuple[float, float]:
        area = self.picture_rect()
        x = (pos.x() - area.left()) / max(1.0, area.width())
        y = (pos.y() - area.top()) / max(1.0, area.height())
        return min(1.0, max(0.0, x)), min(1.0, max(0.0, y))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.regions and event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._draw_box(self._drag, event.position(), final=False)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._draw_box(self._drag, event.position(), final=True)
            self._drag = None

    def _draw_box(self, a: QPointF, b: QPointF, final: bool) -> None:
        (x0, y0), (x1, y1) = self._fraction(a), self._fraction(b)
        x, y, w, h = min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)
        if w < 0.02 or h < 0.02:  # a click, not a box
            return
        old = self.regions[self.active]
        self.regions[self.active] = Region(old.name, x, y, min(w, 1 - x), min(h, 1 - y))
        self.update()
        if final:
            self.regionsChanged.emit()
