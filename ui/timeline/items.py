"""Timeline items: events (drag to move, drag an edge to resize), segments, highlights.

Items are cheap rectangles; their geometry is scene pixels (x = ms * zoom), so labels and
pens keep their size at every zoom. An edit changes the item only while the mouse is down;
on release one command is pushed and the model's change notification sets the final place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from coder.model import Event

if TYPE_CHECKING:
    from ui.timeline.scene import TimelineScene

EDGE_PX = 5
POINT_PX = 4


class EventItem(QGraphicsRectItem):
    def __init__(self, scene: TimelineScene, event: Event, color: str, label: str) -> None:
        super().__init__()
        self.timeline = scene
        self.event = event
        self.label = label
        self.color = QColor(color)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setBrush(QBrush(self.color))
        self.setPen(QPen(self.color.darker(150), 0))
        self._drag: tuple[str, float, int, int | None] | None = None  # mode, x0, onset, offset
        self._text: QGraphicsSimpleTextItem | None = None
        self.setToolTip(label)

    @property
    def is_point(self) -> bool:
        return self.event.offset_ms is None and not self.timeline.is_state(self.event.code_id)

    def place(self, onset: int | None = None, offset: int | None = None) -> None:
        """Put the item at its lane and times (or at a preview of them during a drag)."""
        t = self.timeline
        onset = self.event.onset_ms if onset is None else onset
        if offset is None:
            offset = self.event.offset_ms
        y, h = t.lane_rect(self.event.subject_id, self.event.code_id)
        x0 = onset * t.px_per_ms
        if self.is_point:
            self.setRect(QRectF(x0 - POINT_PX / 2, y + 3, POINT_PX, h - 6))
        else:
            end = offset if offset is not None else max(t.running_end_ms, onset + 1)
            self.setRect(QRectF(x0, y + 3, max(2.0, (end - onset) * t.px_per_ms), h - 6))
        self._update_label()
        self._update_look()

    # No paint() override: Qt's own C++ painting of rectangles keeps 20,000 items cheap;
    # labels are child text items that exist only while the event is wide enough to show one.
    def _update_label(self) -> None:
        wide = self.rect().width() > 48
        if wide and self._text is None:
            self._text = QGraphicsSimpleTextItem(self.label, self)
            # Keep a long name inside its own bar instead of running over the neighbours.
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
            self._text.setBrush(QBrush(Qt.GlobalColor.white))
        if self._text is not None:
            self._text.setVisible(wide)
            if wide:
                r = self.rect()
                self._text.setPos(
                    r.left() + 3, r.top() + (r.height() - self._text.boundingRect().height()) / 2
                )

    def _update_look(self) -> None:
        running = self.event.offset_ms is None and not self.is_point
        base = self.color.lighter(125) if running else self.color  # a running state looks open
        if self.isSelected():
            self.setBrush(QBrush(base.lighter(140)))
            self.setPen(QPen(Qt.GlobalColor.black, 2))
        else:
            self.setBrush(QBrush(base))
            self.setPen(QPen(base.darker(150), 0))

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._update_look()
        return super().itemChange(change, value)

    # --- editing ----------------------------------------------------------------------
    def _mode_at(self, x: float) -> str:
        if self.is_point:
            return "move"
        rect = self.rect()
        if self.event.offset_ms is not None and abs(x - rect.right()) <= EDGE_PX:
            return "right"
        if abs(x - rect.left()) <= EDGE_PX:
            return "left"
        return "move"

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        mode = self._mode_at(event.pos().x())
        self.setCursor(
            Qt.CursorShape.SizeHorCursor if mode != "move" else Qt.CursorShape.OpenHandCursor
        )

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.timeline.read_only:
            self._drag = (
                self._mode_at(event.pos().x()),
                event.scenePos().x(),
                self.event.onset_ms,
                self.event.offset_ms,
            )
        super().mousePressEvent(event)

    def _preview(self, scene_x: float) -> tuple[int, int | None]:
        assert self._drag is not None
        mode, x0, onset, offset = self._drag
        delta = (scene_x - x0) / self.timeline.px_per_ms
        snap = self.timeline.snap_ms
        if mode == "move":
            new_onset = snap(max(0, onset + delta), exclude=self.event.id)
            shift = new_onset - onset
            return new_onset, None if offset is None else offset + shift
        if mode == "left":
            limit = (offset if offset is not None else onset + 1) - 1
            return min(snap(max(0, onset + delta), exclude=self.event.id), limit), offset
        assert offset is not None
        return onset, max(snap(offset + delta, exclude=self.event.id), onset + 1)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is None:
            return
        onset, offset = self._preview(event.scenePos().x())
        self.place(onset, offset)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is not None:
            onset, offset = self._preview(event.scenePos().x())
            moved = (onset, offset) != (self.event.onset_ms, self.event.offset_ms)
            self._drag = None
            if moved:
                self.timeline.commit_drag(self, onset, offset)
            else:
                self.place()
        super().mouseReleaseEvent(event)


class BandItem(QGraphicsRectItem):
    """A segment or highlight span in its own lane, with its name."""

    def __init__(self, item_id: str, label: str, color: QColor) -> None:
        super().__init__()
        self.item_id = item_id
        self.label = label
        self.setBrush(QBrush(color))
        self.setPen(QPen(color.darker(140), 0))
        self.setToolTip(label)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        super().paint(painter, option, widget)
        if self.rect().width() > 30:
            painter.setPen(Qt.GlobalColor.black)
            painter.drawText(
                self.rect().adjusted(4, 0, -2, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                self.label,
            )
