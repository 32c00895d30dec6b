"""Segments lane editing: drag on empty lane to create a segment (named after the next of the
scheme's segment definitions not yet used), drag a segment to move it, drag its edges to
resize, Delete removes it. One AddSegment/EditSegment/DeleteSegment command per gesture,
pushed on release; the band follows the mouse meanwhile without touching the project.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from coder.commands import AddSegment, DeleteSegment, EditSegment
from coder.model import Segment, new_id
from ui.timeline.items import EDGE_PX, BandItem
from ui.timeline.scene import TimelineScene

MIN_PX = 4  # a shorter drag is a click, not a new segment


class SegmentEditor:
    def __init__(self, scene: TimelineScene) -> None:
        self.scene = scene
        self._mode = ""  # "create" | "move" | "left" | "right"
        self._segment: Segment | None = None
        self._x0 = 0.0
        self._preview: QGraphicsRectItem | None = None
        self.selected: str | None = None  # segment id chosen by the last click

    def in_lane(self, pos: QPointF) -> bool:
        y, h = self.scene.lane_rect("segments", "")
        return y <= pos.y() < y + h

    def _ms(self, x: float) -> int:
        ms = max(0, min(self.scene.timebase.duration_ms, round(x / self.scene.px_per_ms)))
        return int(self.scene.timebase.snap(ms))

    def next_name(self) -> tuple[str, str | None]:
        used = {s.definition_id for s in self.scene.session.segments()}
        for d in self.scene.scheme.segments:
            if d.id not in used:
                return d.name, d.id
        count = len(self.scene.session.segments())
        return f"Segment {count + 1}", None

    def press(self, pos: QPointF, band: BandItem | None) -> bool:
        """Start a gesture; False when the press is not for the segments lane."""
        if self.scene.read_only or not self.in_lane(pos):
            return False
        self._x0 = pos.x()
        segment = self.scene.session.project.segment(band.item_id) if band is not None else None
        self._segment = segment
        self.selected = segment.id if segment else None
        if segment is None:
            self._mode = "create"
        else:
            left = segment.onset_ms * self.scene.px_per_ms
            right = segment.offset_ms * self.scene.px_per_ms
            near_left, near_right = abs(pos.x() - left) <= EDGE_PX, abs(pos.x() - right) <= EDGE_PX
            self._mode = "left" if near_left else "right" if near_right else "move"
        return True

    def _span(self, x: float) -> tuple[int, int]:
        seg = self._segment
        if self._mode == "create" or seg is None:
            a, b = sorted((self._ms(self._x0), self._ms(x)))
            return a, b
        delta = self._ms(abs(x - self._x0)) * (1 if x >= self._x0 else -1)
        if self._mode == "move":
            shift = max(-seg.onset_ms, delta)
            return seg.onset_ms + shift, seg.offset_ms + shift
        if self._mode == "left":
            return min(seg.offset_ms - 1, max(0, seg.onset_ms + delta)), seg.offset_ms
        return seg.onset_ms, max(seg.onset_ms + 1, seg.offset_ms + delta)

    def move(self, pos: QPointF) -> None:
        if not self._mode:
            return
        onset, offset = self._span(pos.x())
        y, h = self.scene.lane_rect("segments", "")
        rect = QRectF(
            onset * self.scene.px_per_ms, y + 2, (offset - onset) * self.scene.px_per_ms, h - 4
        )
        if self._segment is not None and self._segment.id in self.scene.bands:
            self.scene.bands[self._segment.id].setRect(rect)
            return
        if self._preview is None:
            self._preview = QGraphicsRectItem()
            self._preview.setPen(QPen(QColor("#4a6fa5"), 0))
            self._preview.setBrush(QBrush(QColor(74, 111, 165, 70)))
            self.scene.addItem(self._preview)
        self._preview.setRect(rect)

    def release(self, pos: QPointF) -> bool:
        """Finish the gesture; True when a command was pushed."""
        mode, seg = self._mode, self._segment
        self._mode, self._segment = "", None
        if self._preview is not None:
            self.scene.removeItem(self._preview)
            self._preview = None
        if not mode or abs(pos.x() - self._x0) < MIN_PX:
            return False
        self._mode, self._segment = mode, seg
        onset, offset = self._span(pos.x())
        self._mode, self._segment = "", None
        if offset <= onset:
            return False
        if mode == "create":
            name, definition = self.next_name()
            segment = Segment(
                new_id(), self.scene.session.session_id, name, onset, offset, definition
            )
            return self.scene.push(AddSegment(segment))
        assert seg is not None
        if (onset, offset) == (seg.onset_ms, seg.offset_ms):
            return False
        ok = self.scene.push(EditSegment(replace(seg, onset_ms=onset, offset_ms=offset)))
        if not ok:
            self.scene._load_bands()  # put the band back where the project says it is
        return ok

    def delete_selected(self) -> bool:
        if self.selected is None or self.scene.read_only:
            return False
        segment_id, self.selected = self.selected, None
        return self.scene.push(DeleteSegment(segment_id))
