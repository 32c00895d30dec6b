"""The timeline view: zoom from the whole session down to single frames, a ruler with time and
frame numbers, lane names, and the playhead drawn in the foreground (no item to invalidate).

Click on empty space seeks; drag on empty space selects (rubber band); Delete removes the
selection; Ctrl+wheel or +/- zooms around the cursor; "follow" keeps the playhead in view.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget
from shiboken6 import isValid

from coder.app.session import SelectionChanged, SessionMessage
from ui.timeline.items import BandItem, EventItem
from ui.timeline.scene import LANE_H, TOP, TimelineScene
from ui.timeline.segments import SegmentEditor

LABEL_W = 185
MAX_PX_PER_MS = 1.0  # 40 px per frame at 25 fps: single frames are easy to hit


def format_ms(ms: int) -> str:
    s, milli = divmod(max(0, ms), 1000)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}.{milli:03d}" if h else f"{m:02d}:{sec:02d}.{milli:03d}"


class _LaneLabels(QWidget):
    """Lane names in the left margin, scrolled with the lanes; double-click a subject's lane
    to collapse its category into one lane (Shift: the whole subject); again to expand."""

    def __init__(self, view: TimelineView) -> None:
        super().__init__(view)
        self.view = view
        self.setToolTip(
            "Double-click: collapse/expand this category; Shift+double-click: the subject"
        )

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        y = event.position().y() + self.view.verticalScrollBar().value() - TOP
        lanes = self.view.timeline.lanes
        index = int(y // LANE_H)
        if 0 <= index < len(lanes) and lanes[index][1] != "":
            whole = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.view.timeline.toggle_lane(index, whole_subject=whole)
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(250, 248, 244))
        offset = self.view.verticalScrollBar().value()
        painter.setPen(QColor(60, 60, 60))
        for i in range(len(self.view.timeline.lanes)):
            y = TOP + i * LANE_H - offset
            if y + LANE_H < TOP or y > self.height():
                continue
            text = self.fontMetrics().elidedText(
                self.view.timeline.lane_label(i), Qt.TextElideMode.ElideRight, LABEL_W - 10
            )
            painter.drawText(QRectF(6, y, LABEL_W - 8, LANE_H), Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()


class TimelineView(QGraphicsView):
    seekRequested = Signal(int)

    def __init__(self, scene: TimelineScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.timeline = scene
        self.playhead_ms = 0
        self.follow = True
        self._press: QPoint | None = None
        self.segments = SegmentEditor(scene)
        self._segment_drag = False
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setViewportMargins(LABEL_W, 0, 0, 0)
        self.setMinimumHeight(160)
        self.labels = _LaneLabels(self)
        self.verticalScrollBar().valueChanged.connect(self.labels.update)
        self._unsubscribe = scene.session.subscribe(self._on_message)

    def close_view(self) -> None:
        self._unsubscribe()
        self.timeline.close()

    def _on_message(self, message: SessionMessage) -> None:
        """A selection made elsewhere (the event table) is scrolled into view."""
        if not isinstance(message, SelectionChanged) or not isValid(self):
            return
        chosen = [
            self.timeline.items_by_id[i] for i in message.ids if i in self.timeline.items_by_id
        ]
        if not chosen:
            return
        first = min(chosen, key=lambda item: item.event.onset_ms)
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if not visible.intersects(first.sceneBoundingRect()):
            self.ensureVisible(first)

    # --- zoom and playhead ------------------------------------------------------------------
    def fit_all(self) -> None:
        width = max(100, self.viewport().width() - 20)
        self.set_zoom(width / max(1, self.timeline.timebase.duration_ms))
        self.horizontalScrollBar().setValue(0)
        self.verticalScrollBar().setValue(0)

    def min_zoom(self) -> float:
        return max(
            1e-5, (self.viewport().width() - 20) / max(1, self.timeline.timebase.duration_ms)
        )

    def set_zoom(self, px_per_ms: float, anchor_ms: int | None = None) -> None:
        px_per_ms = min(MAX_PX_PER_MS, max(self.min_zoom() * 0.5, px_per_ms))
        anchor = self.playhead_ms if anchor_ms is None else anchor_ms
        offset = anchor * self.timeline.px_per_ms - self.horizontalScrollBar().value()
        self.timeline.set_zoom(px_per_ms)
        self.horizontalScrollBar().setValue(int(anchor * px_per_ms - offset))
        self.viewport().update()

    def zoom_by(self, factor: float, anchor_ms: int | None = None) -> None:
        self.set_zoom(self.timeline.px_per_ms * factor, anchor_ms)

    def set_playhead(self, ms: int) -> None:
        old = self.playhead_ms
        self.playhead_ms = ms
        self.timeline.set_running_end(ms)
        if self.follow:
            x = ms * self.timeline.px_per_ms
            left = self.horizontalScrollBar().value()
            width = self.viewport().width()
            if not left <= x <= left + width - 30:
                self.horizontalScrollBar().setValue(int(x - width * 0.25))
        for t in (old, ms):  # repaint only the two thin strips the playhead left and entered
            x = self.mapFromScene(QPointF(t * self.timeline.px_per_ms, 0)).x()
            self.viewport().update(x - 2, 0, 5, self.viewport().height())
        self.viewport().update(0, 0, self.viewport().width(), TOP)

    # --- painting -----------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        px = self.timeline.px_per_ms
        top_left = self.mapToScene(QPoint(0, 0))
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        # Ruler (fixed at the top of the viewport).
        painter.fillRect(
            QRectF(visible.left(), top_left.y(), visible.width(), TOP - 2), QColor(245, 245, 245)
        )
        step = self._tick_ms()
        first = int(visible.left() / px // step * step)
        painter.setPen(QPen(QColor(90, 90, 90), 0))
        t = first
        while t * px <= visible.right():
            x = t * px
            painter.drawLine(QPointF(x, top_left.y() + TOP - 8), QPointF(x, top_left.y() + TOP - 2))
            label = (
                format_ms(t)
                if step >= 1000
                else f"{format_ms(t)} f{self.timeline.timebase.frame_at(t)}"
            )
            painter.drawText(QPointF(x + 2, top_left.y() + 12), label)
            t += step
        # Minor ticks at every frame once they are a few pixels apart (real frame times: VFR).
        tb = self.timeline.timebase
        start_frame = tb.frame_at(max(0, int(visible.left() / px)))
        end_frame = tb.frame_at(max(0, int(visible.right() / px)))
        if tb.frame_count and (end_frame - start_frame) * 6 <= visible.width():
            for f in range(start_frame, min(end_frame + 1, tb.frame_count)):
                x = tb.ms_of(f) * px
                painter.drawLine(
                    QPointF(x, top_left.y() + TOP - 5), QPointF(x, top_left.y() + TOP - 2)
                )
        # Playhead.
        x = self.playhead_ms * px
        painter.setPen(QPen(QColor(220, 30, 30), 0))
        painter.drawLine(QPointF(x, visible.top()), QPointF(x, visible.bottom()))

    def _tick_ms(self) -> int:
        px = self.timeline.px_per_ms
        for step in (40, 200, 1000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000):
            if step * px >= 90:
                return step
        return 3_600_000

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.labels.setGeometry(0, 0, LABEL_W, self.viewport().height())

    # --- input --------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            anchor = int(self.mapToScene(event.position().toPoint()).x() / self.timeline.px_per_ms)
            self.zoom_by(1.25 if event.angleDelta().y() > 0 else 0.8, anchor)
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / 1.5)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if not self.segments.delete_selected():
                self.timeline.delete_selected()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        pos = self.mapToScene(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and self.segments.press(
            pos, item if isinstance(item, BandItem) else None
        ):
            self._segment_drag = True
            self._press = event.position().toPoint()
            return  # no rubber band in the segments lane: a drag there draws a segment
        self.segments.selected = None
        self._press = event.position().toPoint() if not isinstance(item, EventItem) else None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._segment_drag:
            self.segments.move(self.mapToScene(event.position().toPoint()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._segment_drag:
            self._segment_drag = False
            if self.segments.release(self.mapToScene(event.position().toPoint())):
                self._press = None
                return
        else:
            super().mouseReleaseEvent(event)
        if (
            self._press is not None
            and (event.position().toPoint() - self._press).manhattanLength() < 4
        ):
            item = self.itemAt(event.position().toPoint())
            if item is None or isinstance(item, BandItem):
                ms = int(self.mapToScene(event.position().toPoint()).x() / self.timeline.px_per_ms)
                self.seekRequested.emit(self.timeline.timebase.snap(max(0, ms)))
        self._press = None
