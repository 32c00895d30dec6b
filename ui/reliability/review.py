"""Disagreement review: its own frame-exact video, the two coders' timelines stacked, every
disagreement listed; next and previous move the review's video there (the main window's player
is left alone); the supervisor accepts one side's event into a consensus observation (an
undoable command) and the list marks what was decided, from the consensus itself, so undo
and reopening show the truth. Esc or Close closes it. Finding the disagreements and accepting
one (``AcceptIntoConsensus``: one undo step, which also creates the consensus observation the
first time) are coder.app.consensus's; this window only shows them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from coder.app.consensus import (
    AcceptIntoConsensus,
    Disagreement,
    find_consensus,
    find_disagreements,
)
from coder.app.session import CodingSession
from coder.store import Change, Project
from ui.history import History
from ui.player.controller import PlayerController
from ui.player.video_view import VideoView
from ui.timeline.scene import TimelineScene
from ui.timeline.view import TimelineView, format_ms


def describe(d: Disagreement, names: dict[str, str]) -> str:
    """One line of the list: when, and what each side coded there ("—" for nothing)."""
    left = names.get(d.a.code_id, d.a.code_id) if d.a else "—"
    right = names.get(d.b.code_id, d.b.code_id) if d.b else "—"
    return f"{format_ms(d.at_ms)}   A: {left}   |   B: {right}"


class DisagreementReview(QWidget):
    def __init__(
        self,
        project: Project,
        obs_a: str,
        obs_b: str,
        player: PlayerController,
        history: History,
        tolerance_ms: int = 1000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Disagreements")
        self.project, self.history = project, history
        self.main_player = player
        self.a, self.b = project.observation(obs_a), project.observation(obs_b)
        scheme = project.scheme_for_observation(obs_a)
        self.names = {c.id: c.name for c in scheme.codes}
        self.items = find_disagreements(project.events(obs_a), project.events(obs_b), tolerance_ms)
        # Its own frame-exact player on the same video: the main window stays where it was.
        self.player = PlayerController(self, backend="qt", audio=False)
        recorded = project.session(self.a.session_id)
        assert recorded.media_id is not None
        media = project.media(recorded.media_id)
        self.player.load(media.path, project.frame_times(media.id), media.duration_ms)
        self.video = VideoView(self.player)
        timebase = self.player.timebase
        assert timebase is not None
        self.views: list[TimelineView] = []
        split = QSplitter(Qt.Orientation.Vertical)
        self.sessions = [CodingSession(project, o.id, timebase) for o in (self.a, self.b)]
        for obs, session in zip((self.a, self.b), self.sessions, strict=True):
            scene = TimelineScene(session, read_only=True)  # evidence here, not edited
            view = TimelineView(scene)
            view.seekRequested.connect(self.player.seek)
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(QLabel(f"<b>{'A' if obs is self.a else 'B'}: {obs.coder}</b>"))
            layout.addWidget(view)
            split.addWidget(box)
            self.views.append(view)
        self.list = QListWidget()
        for d in self.items:
            self.list.addItem(describe(d, self.names))
        self.list.currentRowChanged.connect(self.go)
        buttons = QHBoxLayout()
        for text, slot in (
            ("◀ Previous", lambda: self.step(-1)),
            ("Next ▶", lambda: self.step(1)),
            ("◀ Frame", lambda: self.player.step_frames(-1)),
            ("Frame ▶", lambda: self.player.step_frames(1)),
            ("Accept A", lambda: self.accept_side("a")),
            ("Accept B", lambda: self.accept_side("b")),
            ("Close", self.close),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.status = QLabel(f"{len(self.items)} disagreements")
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.video)
        top.addWidget(self.list)
        top.setSizes([640, 460])
        layout = QVBoxLayout(self)
        layout.addWidget(top, 3)
        layout.addWidget(split, 3)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.player.positionChanged.connect(self._playhead)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self._unsubscribe = project.subscribe(self._on_change)
        self.show_decided()
        self.resize(1200, 850)

    # --- what was decided (read from the consensus observation) ------------------------
    def decided(self) -> dict[int, str]:
        """Row -> "A" or "B" for each disagreement whose side's event is in the consensus."""
        target = find_consensus(self.project, self.a, self.b)
        if target is None:
            return {}
        taken = {(e.code_id, e.subject_id, e.onset_ms) for e in self.project.events(target.id)}
        marks = {}
        for row, d in enumerate(self.items):
            for side, event in (("A", d.a), ("B", d.b)):
                if event and (event.code_id, event.subject_id, event.onset_ms) in taken:
                    marks[row] = side
        return marks

    def show_decided(self) -> None:
        marks = self.decided()
        for row, d in enumerate(self.items):
            item = self.list.item(row)
            side = marks.get(row)
            item.setText(("✓ " + side + " accepted   " if side else "") + describe(d, self.names))
            item.setBackground(QColor(205, 235, 205) if side else QColor(0, 0, 0, 0))
        self.summary = f"{len(self.items)} disagreements, {len(marks)} decided"
        self.status.setText(self.summary)

    def _on_change(self, change: Change) -> None:
        if change.entity in ("event", "observation") and self.views:
            self.show_decided()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.views:
            self._unsubscribe()
            self.player.positionChanged.disconnect(self._playhead)
            self.player.close_media()
            for view in self.views:
                view.close_view()
            for session in self.sessions:
                session.close()  # stop listening to the project
            self.views = []
        super().closeEvent(event)

    def _playhead(self, ms: int, _frame: int) -> None:
        for view in self.views:  # empty once closed
            view.set_playhead(ms)

    def step(self, delta: int) -> None:
        if self.items:
            row = min(max(0, self.list.currentRow() + delta), len(self.items) - 1)
            self.list.setCurrentRow(row)

    def go(self, row: int) -> None:
        if not 0 <= row < len(self.items):
            return
        d = self.items[row]
        self.player.seek(max(0, d.at_ms))
        for session, event in zip(self.sessions, (d.a, d.b), strict=True):
            session.select([event.id] if event else [])

    def accept_side(self, side: str) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.items):
            return
        d = self.items[row]
        event = d.a if side == "a" else d.b
        if event is None:
            self.status.setText("That side coded nothing here; nothing to accept.")
            return
        if self.history.push(AcceptIntoConsensus(self.a, self.b, event)):
            self.status.setText(
                f"Accepted {side.upper()}'s {self.names.get(event.code_id, event.code_id)} "
                f"into the consensus observation (Edit > Undo to take it back). {self.summary}"
            )
