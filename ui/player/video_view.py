"""Paints the controller's current picture, letterboxed (QVideoWidget cannot be grabbed)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ui.player.controller import PlayerController


def paint_fitted(painter: QPainter, widget: QWidget, image: QImage) -> bool:
    """Fill ``widget`` dark and draw ``image`` centred at its aspect ratio; False if none."""
    painter.fillRect(widget.rect(), QColor(24, 24, 24))
    if image.isNull():
        return False
    size = image.size().scaled(widget.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = (widget.width() - size.width()) / 2
    y = (widget.height() - size.height()) / 2
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(QRectF(x, y, size.width(), size.height()), image)
    return True


class VideoView(QWidget):
    def __init__(self, controller: PlayerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.message = ""
        controller.imageChanged.connect(self.update)
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        if not paint_fitted(painter, self, self.controller.image) and self.message:
            painter.setPen(QColor(220, 220, 220))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message
            )
        painter.end()
