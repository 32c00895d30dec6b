"""The timeline scene: lanes (segments, ratings, highlights, then subject × code) and items.

Kept in step with the coding session's change messages: an added, changed or removed event
adds, moves or removes exactly one item (``items_by_id`` maps event id -> item); nothing is
rebuilt after an edit. The selection lives in the session: picking items selects there, and a
selection made elsewhere (the event table) is shown here. Zoom re-places items
(x = ms * px_per_ms).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem
from shiboken6 import isValid

from coder.app.session import CodingSession, SelectionChanged, SessionMessage
from coder.commands import Command, Composite, DeleteEvents, EditEvent
from coder.model import Event, Scheme
from coder.store import Change
from ui.timeline.candidates import CandidateLane
from ui.timeline.items import EDGE_PX, BandItem, EventItem

LANE_H = 22
OVERVIEW_MIN_ITEMS = 2000
# Up to this many events the items are built at once; beyond, the window opens at once and
# the timeline fills in, a chunk per event-loop turn (100,000 items took ~37 s to build).
EAGER_ITEMS = 5000
CHUNK_ITEMS = 500
TOP = 26  # room for the ruler
SPECIAL = ("segments", "ratings", "highlights", "candidates")  # candidates: ui.timeline.candidates


def stack_rows(spans: list[tuple[int, int]]) -> list[int]:
    """Row per span (sorted by start) so that spans in one row never overlap (greedy)."""
    ends: list[int] = []
    rows = []
    for start, end in spans:
        row = next((i for i, e in enumerate(ends) if e <= start), len(ends))
        if row == len(ends):
            ends.append(end)
        else:
            ends[row] = end
        rows.append(row)
    return rows


class TimelineScene(QGraphicsScene):
    seekRequested = Signal(int)

    def __init__(self, session: CodingSession, read_only: bool = False) -> None:
        super().__init__()
        self.session = session
        self.timebase = session.timebase
        self.scheme: Scheme = session.scheme
        self.read_only = read_only or session.read_only  # evidence views are never edited
        self.px_per_ms = 0.1
        self.overview_mode = False
        self._overview_image: QImage | None = None
        self.running_end_ms = 0
        self.collapsed: set[str] = set()
        self.collapsed_categories: set[tuple[str, str]] = set()
        self.lanes: list[tuple[str, str]] = []  # (subject or special, code or "")
        self._lane_index: dict[tuple[str, str], int] = {}
        self.items_by_id: dict[str, EventItem] = {}
        self._pending: dict[str, Event] = {}  # listed, item not built yet (in onset order)
        self._builder: QTimer | None = None
        self.bands: dict[str, BandItem] = {}
        self._rating_labels: list[QGraphicsSimpleTextItem] = []
        self.session_ratings: list[str] = []  # "Warmth 6": whole-session ratings, for the label
        self._kinds = {c.id: c for c in self.scheme.codes}
        self._mirroring = False  # True while showing the session's selection on the items
        self._build_lanes()
        self.candidates = CandidateLane(self)  # synchrony suggestions, never codes
        events = session.events()
        if len(events) <= EAGER_ITEMS:
            for event in events:
                self._add(event)
        else:
            self._pending = {e.id: e for e in events}
            self._builder = QTimer(self)
            self._builder.setInterval(1)
            self._builder.timeout.connect(self._build_chunk)
            self._builder.start()
        self._load_bands()
        self._resize()
        self._show_selection(session.selection)
        self.selectionChanged.connect(self._items_selected)
        self._unsubscribe = session.subscribe(self.on_change)

    def close(self) -> None:
        if self._builder is not None:
            self._builder.stop()
        self._unsubscribe()

    @property
    def building(self) -> bool:
        """True while the timeline is still filling in (large observations)."""
        return bool(self._pending)

    def _build_chunk(self) -> None:
        chosen = self.session.selection
        for _ in range(min(CHUNK_ITEMS, len(self._pending))):
            _id, event = self._pop_first()
            item = self._add(event)
            if event.id in chosen:
                self._mirroring = True
                item.setSelected(True)
                self._mirroring = False
        if not self._pending and self._builder is not None:
            self._builder.stop()
            self._overview_image = None
            self.update()

    def _pop_first(self) -> tuple[str, Event]:
        event_id = next(iter(self._pending))
        return event_id, self._pending.pop(event_id)

    def all_events(self) -> list[Event]:
        """Every event shown or still to be built."""
        return [i.event for i in self.items_by_id.values()] + list(self._pending.values())

    def push(self, command: Command) -> bool:
        return self.session.apply(command)

    # --- lanes ----------------------------------------------------------------------------
    def _build_lanes(self) -> None:
        self.lanes = [(name, "") for name in SPECIAL]
        for subject in self.scheme.subjects:
            codes = [c.id for c in self.scheme.codes if subject.id in self.scheme.subjects_for(c)]
            if not codes:
                continue
            if subject.id in self.collapsed:
                self.lanes.append((subject.id, "*"))
                continue
            for c in codes:
                category = self._kinds[c].category
                if (subject.id, category) in self.collapsed_categories:
                    if (subject.id, f"#{category}") not in self.lanes:
                        self.lanes.append((subject.id, f"#{category}"))
                else:
                    self.lanes.append((subject.id, c))
        self._lane_index = {lane: i for i, lane in enumerate(self.lanes)}

    def lane_rect(self, subject: str, code: str) -> tuple[float, float]:
        index = self._lane_index.get((subject, code))
        if index is None:
            category = self._kinds[code].category if code in self._kinds else ""
            index = self._lane_index.get(
                (subject, f"#{category}"), self._lane_index.get((subject, "*"), 0)
            )
        return TOP + index * LANE_H, LANE_H

    def lane_label(self, index: int) -> str:
        subject, code = self.lanes[index]
        if subject == "ratings" and code == "" and self.session_ratings:
            return "Ratings · session: " + ", ".join(self.session_ratings)
        if code == "":
            return subject.capitalize()
        name = {s.id: s.name for s in self.scheme.subjects}.get(subject, subject)
        if code == "*":
            return f"{name}: all codes"
        if code.startswith("#"):
            return f"{name}: {code[1:]} (all)"
        return f"{name}: {self._kinds[code].name}"

    def toggle_lane(self, index: int, whole_subject: bool = False) -> None:
        """Collapse or expand a lane's category (or, asked, the whole subject)."""
        subject, code = self.lanes[index]
        if code == "":
            return
        if whole_subject or code == "*":
            self.toggle_subject(subject)
            return
        category = code[1:] if code.startswith("#") else self._kinds[code].category
        if not category:
            self.toggle_subject(subject)
            return
        self.collapsed_categories ^= {(subject, category)}
        self._build_lanes()
        self.relayout()

    def toggle_subject(self, subject: str) -> None:
        self.collapsed ^= {subject}
        self._build_lanes()
        self.relayout()

    def is_state(self, code_id: str) -> bool:
        code = self._kinds.get(code_id)
        return code is not None and code.is_state

    # --- geometry -------------------------------------------------------------------------
    def set_zoom(self, px_per_ms: float) -> None:
        self.px_per_ms = px_per_ms
        self.relayout()

    def relayout(self) -> None:
        width = max(1.0, self.timebase.duration_ms * self.px_per_ms)
        count = len(self.items_by_id) + len(self._pending)
        dense = count > OVERVIEW_MIN_ITEMS and count / width > 0.5
        overview = dense and self.px_per_ms < 0.05  # never at frame-level zoom: editing needs items
        if overview != self.overview_mode:
            self.overview_mode = overview
            for item in self.items_by_id.values():
                item.setVisible(not overview)
        self._overview_image = None
        if not overview:
            for item in self.items_by_id.values():
                item.place()
        self._load_bands()
        self.candidates.place()
        self._resize()
        self.update()

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        rect = QRectF(rect)
        # Alternate lane shading and a line between subjects, so a lane is easy to follow.
        first = max(0, int((rect.top() - TOP) // LANE_H))
        last = min(len(self.lanes) - 1, int((rect.bottom() - TOP) // LANE_H))
        shade, rule = QColor(246, 247, 250), QPen(QColor(200, 200, 205), 0)
        for i in range(first, last + 1):
            y = TOP + i * LANE_H
            if i % 2:
                painter.fillRect(QRectF(rect.left(), y, rect.width(), LANE_H), shade)
            if i > 0 and self.lanes[i][0] != self.lanes[i - 1][0]:
                painter.setPen(rule)
                painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        if not self.overview_mode:
            return
        if self._overview_image is None:
            self._overview_image = self._paint_overview()
        painter.drawImage(QPointF(0, TOP), self._overview_image)

    def _paint_overview(self) -> QImage:
        """Zoomed far out, one picture of event density per lane replaces the items (one
        blit instead of thousands of items); zoom in to edit single events."""
        width = max(1, int(self.timebase.duration_ms * self.px_per_ms) + 1)
        height = len(self.lanes) * LANE_H
        pixels = np.full((height, width, 4), 0, np.uint8)
        colors = {c.id: QColor(c.color) for c in self.scheme.codes}
        for e in self.all_events():
            y0, _ = self.lane_rect(e.subject_id, e.code_id)
            row = int(y0 - TOP) + 3
            x0 = int(e.onset_ms * self.px_per_ms)
            end = e.offset_ms if e.offset_ms is not None else e.onset_ms
            x1 = max(x0 + 2, int(end * self.px_per_ms) + 1)
            c = colors.get(e.code_id, QColor("#808080"))
            pixels[row : row + LANE_H - 6, x0:x1] = (c.blue(), c.green(), c.red(), 255)
        image = QImage(pixels.data, width, height, 4 * width, QImage.Format.Format_ARGB32)
        return image.copy()

    def _resize(self) -> None:
        width = self.timebase.duration_ms * self.px_per_ms
        self.setSceneRect(QRectF(0, 0, width + 40, TOP + len(self.lanes) * LANE_H + 4))

    def set_running_end(self, ms: int) -> None:
        self.running_end_ms = ms
        for item in self.items_by_id.values():
            if item.event.offset_ms is None and not item.is_point:
                item.place()

    def snap_ms(self, ms: float, exclude: str | None = None) -> int:
        """Snap to another event's edge within a few pixels, else to the nearest frame start."""
        slack = EDGE_PX / self.px_per_ms
        best: tuple[float, int] | None = None
        area = QRectF(ms * self.px_per_ms - EDGE_PX, 0, 2 * EDGE_PX, self.sceneRect().height())
        for item in self.items(area):
            if isinstance(item, EventItem) and item.event.id != exclude:
                for edge in (item.event.onset_ms, item.event.offset_ms):
                    if (
                        edge is not None
                        and abs(edge - ms) <= slack
                        and (best is None or abs(edge - ms) < best[0])
                    ):
                        best = (abs(edge - ms), edge)
        if best is not None:
            return best[1]
        return self.timebase.nearest_frame_edge(round(ms))

    # --- items ----------------------------------------------------------------------------
    def _add(self, event: Event) -> EventItem:
        self._overview_image = None
        code = self._kinds.get(event.code_id)
        item = EventItem(
            self, event, code.color if code else "#808080", code.name if code else event.code_id
        )
        self.items_by_id[event.id] = item
        item.place()
        item.setVisible(not self.overview_mode)
        self.addItem(item)
        return item

    def _load_bands(self) -> None:
        for band in self.bands.values():
            self.removeItem(band)
        for label in self._rating_labels:
            self.removeItem(label)
        self.bands, self._rating_labels = {}, []
        segment_list = self.session.segments()
        for seg in segment_list:
            self._band(seg.id, seg.name, seg.onset_ms, seg.offset_ms, "segments", QColor("#d9e4f5"))
        highlights = sorted(self.session.highlights(), key=lambda h: (h.in_ms, h.id))
        rows = stack_rows([(h.in_ms, h.out_ms) for h in highlights])
        count = max(rows, default=0) + 1
        for h, row in zip(highlights, rows, strict=True):
            color = QColor("#ffd38a") if h.shareable else QColor("#e6e0d4")
            self._band(
                h.id, h.title or "highlight", h.in_ms, h.out_ms, "highlights", color, (row, count)
            )
        segments = {s.id: s for s in segment_list}
        ratings = {r.id: r.name for r in self.scheme.ratings}
        order = {r.id: i for i, r in enumerate(self.scheme.ratings)}
        y, _ = self.lane_rect("ratings", "")
        next_x: dict[str, float] = {}  # per anchor: where the next label goes
        # In the scheme's order, so editing a rating never moves the labels around.
        values = sorted(
            self.session.rating_values(), key=lambda v: (order.get(v.rating_id, 99), v.rating_id)
        )
        # Whole-session ratings belong to no segment: they are named in the lane's label.
        self.session_ratings = [
            f"{ratings.get(v.rating_id, v.rating_id)} {v.value:g}"
            for v in values
            if v.segment_id is None or v.segment_id not in segments
        ]
        for value in values:
            owner = segments.get(value.segment_id or "")
            if owner is None:
                continue
            start = owner.onset_ms * self.px_per_ms + 4
            limit = owner.offset_ms * self.px_per_ms
            key = f"{start:.0f}"  # labels anchored at the same place line up one after another
            x = next_x.get(key, start)
            full = f"{ratings.get(value.rating_id, value.rating_id)} {value.value:g}"
            label = QGraphicsSimpleTextItem(f"{full.split()[0]} {value.value:g}")
            label.setToolTip(full)
            label.setPos(x, y + 3)
            next_x[key] = x + label.boundingRect().width() + 10
            label.setVisible(next_x[key] - 10 <= limit)  # never spill into the next segment
            self.addItem(label)
            self._rating_labels.append(label)
        for view in self.views():  # the lane names show the whole-session ratings
            labels = getattr(view, "labels", None)
            if labels is not None:
                labels.update()

    def _band(
        self,
        item_id: str,
        label: str,
        start: int,
        end: int,
        lane: str,
        color: QColor,
        row: tuple[int, int] = (0, 1),
    ) -> None:
        """A band in ``lane``; ``row`` = (index, count) stacks overlapping bands so each one's
        title stays readable."""
        y, h = self.lane_rect(lane, "")
        index, count = row
        height = (h - 4) / count
        band = BandItem(item_id, label, color)
        band.setRect(
            QRectF(
                start * self.px_per_ms,
                y + 2 + index * height,
                max(2, (end - start) * self.px_per_ms),
                height,
            )
        )
        band.setPen(QPen(color.darker(140), 0))
        band.setBrush(QBrush(color))
        self.addItem(band)
        self.bands[item_id] = band

    def on_change(self, message: SessionMessage) -> None:
        if isinstance(message, SelectionChanged):
            self._show_selection(message.ids)
            return
        if not isinstance(message, Change):
            return
        if message.entity == "event":
            before, after = message.before, message.after
            if isinstance(before, Event):
                self._pending.pop(before.id, None)  # built now (changed) or never (removed)
            if message.kind == "added" and isinstance(after, Event):
                self._add(after)
            elif message.kind == "changed" and isinstance(after, Event):
                item = self.items_by_id.get(after.id) or self._add(after)
                item.event = after
                item.place()
                item.update()
            elif message.kind == "removed" and isinstance(before, Event):
                gone = self.items_by_id.pop(before.id, None)
                if gone is not None:
                    self.removeItem(gone)
            if self.overview_mode:
                self._overview_image = None
                self.update()
        elif message.entity in ("segment", "highlight", "rating"):
            self._load_bands()

    # --- selection (lives in the session) ---------------------------------------------------
    def _items_selected(self) -> None:
        if isValid(self) and not self._mirroring:  # not while the scene is torn down
            self.session.select(i.event.id for i in self.selected_events())

    def _show_selection(self, ids: frozenset[str]) -> None:
        self._mirroring = True
        try:
            for event_id, item in self.items_by_id.items():
                item.setSelected(event_id in ids)
        finally:
            self._mirroring = False

    # --- edits ----------------------------------------------------------------------------
    def commit_drag(self, item: EventItem, onset: int, offset: int | None) -> None:
        shift = onset - item.event.onset_ms
        others = [i for i in self.selected_events() if i is not item] if item.isSelected() else []
        moved_whole = offset is None or (
            item.event.offset_ms is not None and offset - item.event.offset_ms == shift
        )
        if others and moved_whole:
            commands: list[Command] = []
            for i in [item, *others]:
                e = i.event
                end = None if e.offset_ms is None else e.offset_ms + shift
                commands.append(EditEvent(e.id, onset_ms=max(0, e.onset_ms + shift), offset_ms=end))
            ok = self.push(Composite(f"Move {len(commands)} events", commands))
        else:
            ok = self.push(EditEvent(item.event.id, onset_ms=onset, offset_ms=offset))
        if not ok:
            item.place()

    def selected_events(self) -> list[EventItem]:
        return [i for i in self.selectedItems() if isinstance(i, EventItem)]

    def delete_selected(self) -> None:
        ids = [i.event.id for i in self.selected_events()]
        if ids and not self.read_only:
            self.push(DeleteEvents(ids))
