"""The session's other cameras beside (or inside) the main video, kept in step with it.

The main player (PlayerController) owns time. Each extra camera follows its position: the
camera's frame for that moment comes from the core (``CameraClock.frame_for``) and is decoded
exactly, off the GUI thread, by its own worker (the latest request wins), so stepping, seeking
and playing never let a camera drift: every position is mapped afresh. A camera that was not
recording at that moment shows a dark frame saying so.

Layouts: side by side (a grid, main first) or picture in picture (the main video fills the
area, the others are small insets in its corners).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coder.app.cameras import SessionVideo, nudge, session_videos, sync_by_marks
from coder.commands import Command
from coder.store import Change, Project
from ui.player.controller import PlayerController, _ExactFrameWorker
from ui.player.video_view import VideoView, paint_fitted
from ui.timeline.view import format_ms


class Layout(Enum):
    SIDE_BY_SIDE = "side"
    PICTURE_IN_PICTURE = "pip"


class CameraFeed(QObject):
    """One extra camera: the exact frame for the main player's position."""

    imageChanged = Signal()
    _request = Signal(int)

    def __init__(self, video: SessionVideo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.video = video
        self.image = QImage()
        self.wanted: int | None = None  # the frame this camera should show (None: no picture)
        self.displayed_index = -1
        self._thread = QThread(self)
        frame_times = video.clock.timebase.frame_times
        self._worker = _ExactFrameWorker(video.media.path, frame_times)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.request)
        self._worker.decoded.connect(self._on_decoded)
        self._thread.start()

    def follow(self, primary_ms: int) -> None:
        frame = self.video.clock.frame_for(primary_ms)
        if frame == self.wanted:
            return
        self.wanted = frame
        if frame is None:
            self.image = QImage()
            self.displayed_index = -1
            self.imageChanged.emit()
            return
        self._worker.wanted = frame
        self._request.emit(frame)

    def _on_decoded(self, index: int, _ms: int, image: QImage) -> None:
        if index != self.wanted:
            return  # stale: the main video moved on
        self.image = image
        self.displayed_index = index
        self.imageChanged.emit()

    def close(self) -> None:
        self._request.disconnect(self._worker.request)
        self._thread.quit()
        self._thread.wait(5000)
        self._worker.close()


def _button(text: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    return button


class CameraView(QWidget):
    """Paints one camera's picture with its name; a bar below nudges and synchronises it."""

    def __init__(self, feed: CameraFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feed = feed
        self.picture = _Picture(feed)
        self.title = QLabel(feed.video.label)
        self.title.setToolTip(feed.video.media.path)
        self.earlier = _button("◀ 1")
        self.earlier.setToolTip("Show this camera's previous frame at this moment (nudge)")
        self.later = _button("1 ▶")
        self.later.setToolTip("Show this camera's next frame at this moment (nudge)")
        self.sync = _button("Sync…")
        self.sync.setToolTip(
            "Mark the same moment (e.g. a clap): the main video is at it now; "
            "give the time it shows in this camera"
        )
        self.offset_label = QLabel()
        bar = QHBoxLayout()
        bar.setContentsMargins(2, 0, 2, 0)
        for w in (self.title, self.offset_label):
            bar.addWidget(w)
        bar.addStretch(1)
        for b in (self.earlier, self.later, self.sync):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.picture, 1)
        layout.addLayout(bar)
        self.show_offset()

    def show_offset(self) -> None:
        ms = self.feed.video.offset_ms
        self.offset_label.setText(f"  {'+' if ms >= 0 else '−'}{abs(ms)} ms")
        self.offset_label.setToolTip("This camera's time minus the main camera's time")


class _Picture(QWidget):
    def __init__(self, feed: CameraFeed) -> None:
        super().__init__()
        self.feed = feed
        feed.imageChanged.connect(self.update)
        self.setMinimumSize(160, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        if not paint_fitted(painter, self, self.feed.image) and self.feed.wanted is None:
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                f"{self.feed.video.label}\nnot recording at this moment",
            )
        painter.end()


class CameraArea(QWidget):
    """The main video and the session's other cameras, laid out together."""

    message = Signal(str)

    def __init__(
        self, player: PlayerController, main_view: VideoView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.player = player
        self.main_view = main_view
        self.layout_mode = Layout.SIDE_BY_SIDE
        self.feeds: list[CameraFeed] = []
        self.views: list[CameraView] = []
        self.project: Project | None = None
        self.session_id = ""
        self.apply: Callable[[Command], object] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.grid.addWidget(main_view, 0, 0)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)  # side by side: every camera gets the same width
        player.positionChanged.connect(self._follow)

    # --- session --------------------------------------------------------------------------
    def show_session(
        self, project: Project, session_id: str, apply: Callable[[Command], object]
    ) -> None:
        """Show the session's cameras; ``apply`` pushes their edits on the one stack."""
        self.clear()
        self.project, self.session_id, self.apply = project, session_id, apply
        self._unsubscribe = project.subscribe(self._on_change)
        self._build()

    def clear(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._drop_views()
        self.project = None

    def _drop_views(self) -> None:
        for view in self.views:
            view.hide()
            self.grid.removeWidget(view)
            view.setParent(None)
            view.deleteLater()
        for feed in self.feeds:
            feed.close()
            feed.deleteLater()
        self.views, self.feeds = [], []

    def _build(self) -> None:
        self._drop_views()
        if self.project is None:
            return
        for video in session_videos(self.project, self.session_id)[1:]:
            feed = CameraFeed(video, self)
            view = CameraView(feed, self)
            view.earlier.clicked.connect(lambda _=False, f=feed: self._nudge(f, -1))
            view.later.clicked.connect(lambda _=False, f=feed: self._nudge(f, 1))
            view.sync.clicked.connect(lambda _=False, f=feed: self._ask_sync(f))
            self.feeds.append(feed)
            self.views.append(view)
            feed.follow(self.player.position)
        self._arrange()

    def _on_change(self, change: Change) -> None:
        if change.entity != "camera":
            return
        for item in (change.before, change.after):
            if getattr(item, "session_id", None) == self.session_id:
                self._build()
                return

    # --- layout ---------------------------------------------------------------------------
    def set_layout(self, mode: Layout) -> None:
        self.layout_mode = mode
        self._arrange()

    def _arrange(self) -> None:
        for view in self.views:
            self.grid.removeWidget(view)
        self.grid.removeWidget(self.main_view)
        if self.layout_mode is Layout.PICTURE_IN_PICTURE or not self.views:
            self.grid.addWidget(self.main_view, 0, 0)
            for view in self.views:
                view.setParent(self.main_view)  # insets float over the main picture
                view.show()
            self._place_insets()
            return
        columns = 2 if len(self.views) >= 1 else 1
        self.grid.addWidget(self.main_view, 0, 0)
        for i, view in enumerate(self.views, start=1):
            view.setParent(self)
            self.grid.addWidget(view, i // columns, i % columns)
            view.show()

    def _place_insets(self) -> None:
        if self.layout_mode is not Layout.PICTURE_IN_PICTURE:
            return
        w, h = self.main_view.width(), self.main_view.height()
        inset_w, inset_h = max(240, w // 3), max(160, h // 3)
        corners = [
            (w - inset_w - 8, h - inset_h - 8),
            (w - inset_w - 8, 8),
            (8, h - inset_h - 8),
        ]
        for view, (x, y) in zip(self.views, corners, strict=False):
            view.setGeometry(x, y, inset_w, inset_h)
            view.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_insets()

    # --- following and synchronising ------------------------------------------------------------
    def _follow(self, ms: int, _frame: int) -> None:
        for feed in self.feeds:
            feed.follow(ms)
        self._place_insets()

    def _nudge(self, feed: CameraFeed, frames: int) -> None:
        if self.apply is not None:
            self.apply(nudge(feed.video, self.player.position, frames))

    def _ask_sync(self, feed: CameraFeed) -> None:
        if self.apply is None or self.project is None or feed.video.camera is None:
            return
        here = self.player.position
        seconds, ok = QInputDialog.getDouble(
            self,
            f"Synchronise {feed.video.label}",
            f"The main video is at {format_ms(here)}.\n"
            f"At which time (seconds) does {feed.video.label} show the same moment?",
            feed.video.clock.camera_ms(here) / 1000,
            0.0,
            feed.video.clock.timebase.duration_ms / 1000,
            3,
        )
        if ok:
            command = sync_by_marks(self.project, feed.video.camera.id, here, round(seconds * 1000))
            self.apply(command)
