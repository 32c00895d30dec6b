"""The timeline lane of candidate synchrony and leading/following moments.

Candidates come from the synchrony analysis (motion energy of each person's box, windowed
cross-lagged correlation against a shuffled baseline). They are hatched and labelled
"candidate"; they are not codes and are never saved. Clicking one offers, in one click, to
make it a highlight or to code it as an event — both through the core commands, so they are
undoable like any edit. Until a person chooses, nothing is coded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QMenu,
)

from coder.analysis.synchrony import Candidate
from coder.commands import AddEvent, AddHighlight
from coder.model import Event, Highlight, new_id

if TYPE_CHECKING:
    from ui.timeline.scene import TimelineScene

LANE = "candidates"
COLOUR = QColor(0, 150, 136)
HIGHLIGHT_MS = 10_000  # parent clips are short


class CandidateItem(QGraphicsRectItem):
    def __init__(self, lane: CandidateLane, candidate: Candidate) -> None:
        super().__init__()
        self.lane, self.candidate = lane, candidate
        self.setBrush(QBrush(COLOUR, Qt.BrushStyle.BDiagPattern))
        self.setPen(QPen(COLOUR, 0, Qt.PenStyle.DashLine))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.setToolTip(f"{candidate.label}\nClick to make it a highlight or code it.")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.text = QGraphicsSimpleTextItem("", self)
        self.text.setBrush(QBrush(QColor(0, 90, 80)))

    def place(self, px_per_ms: float, y: float, h: float) -> None:
        c = self.candidate
        self.setRect(
            QRectF(c.start_ms * px_per_ms, y + 2, (c.end_ms - c.start_ms) * px_per_ms, h - 4)
        )
        short = "candidate: together" if c.kind == "together" else f"candidate: {c.leader} leads"
        self.text.setText(c.label)
        if self.text.boundingRect().width() > self.rect().width() - 8:
            self.text.setText(short)  # clipped to the item if even this is too long
        self.text.setPos(self.rect().left() + 4, self.rect().top() + 1)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # the release opens the menu; no seek, no rubber band

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.lane.offer(self.candidate, event.screenPos())


class CandidateLane:
    """Candidate items of one timeline scene, and what a click on one offers."""

    def __init__(self, scene: TimelineScene) -> None:
        self.scene = scene
        self.candidates: list[Candidate] = []
        self.items: list[CandidateItem] = []
        self.menu: QMenu | None = None  # the last offer (kept for tests and to stay alive)

    def set_candidates(self, candidates: Sequence[Candidate]) -> None:
        for item in self.items:
            self.scene.removeItem(item)
        self.candidates = list(candidates)
        self.items = [CandidateItem(self, c) for c in self.candidates]
        for item in self.items:
            self.scene.addItem(item)
        self.place()

    def place(self) -> None:
        y, h = self.scene.lane_rect(LANE, "")
        for item in self.items:
            item.place(self.scene.px_per_ms, y, h)

    # --- accepting a candidate ----------------------------------------------------------------
    def menu_for(self, candidate: Candidate) -> QMenu:
        menu = QMenu()
        title = menu.addAction(candidate.label)
        title.setEnabled(False)
        menu.addSeparator()
        read_only = self.scene.read_only
        make = menu.addAction("Make a highlight of this moment")
        make.setEnabled(not read_only)
        make.triggered.connect(lambda _=False: self.make_highlight(candidate))
        code_menu = menu.addMenu("Code it as")
        code_menu.setEnabled(not read_only)
        scheme = self.scene.scheme
        for code in scheme.codes:
            for subject in scheme.subjects_for(code):
                name = scheme.subject(subject).name
                action = code_menu.addAction(f"{code.name} — {name}")
                action.triggered.connect(
                    lambda _=False, c=code.id, s=subject: self.code_as(candidate, c, s)
                )
        dismiss = menu.addAction("Dismiss (hide this candidate)")
        dismiss.triggered.connect(lambda _=False: self.dismiss(candidate))
        return menu

    def offer(self, candidate: Candidate, at: QPoint) -> None:
        self.menu = self.menu_for(candidate)
        self.menu.popup(at)

    def make_highlight(self, candidate: Candidate) -> bool:
        """A (private) highlight of the strongest 10 s; the clinician decides what to share."""
        start, end = candidate.moment(HIGHLIGHT_MS)
        title = (
            "Moving together"
            if candidate.kind == "together"
            else f"{candidate.leader.capitalize()} leads, {candidate.follower} follows"
        )
        highlight = Highlight(
            new_id(),
            self.scene.session.session_id,
            start,
            end,
            title=title,
            theme="synchrony",
            order=len(self.scene.session.highlights()),
        )
        return self.scene.push(AddHighlight(highlight))

    def code_as(self, candidate: Candidate, code_id: str, subject: str) -> bool:
        """A state code spans the candidate; a point code goes where it is strongest."""
        code = self.scene.scheme.code(code_id)
        tb = self.scene.timebase
        if code.is_state:
            onset, offset = tb.snap(candidate.start_ms), tb.snap(candidate.end_ms)
            end: int | None = offset if offset > onset else onset + 1
        else:
            onset, end = tb.snap(candidate.peak_ms), None
        event = Event(new_id(), self.scene.session.observation_id, code_id, subject, onset, end)
        return self.scene.push(AddEvent(event))

    def dismiss(self, candidate: Candidate) -> None:
        self.set_candidates([c for c in self.candidates if c != candidate])
