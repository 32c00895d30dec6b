"""Presentation mode: the shareable highlights, large, for watching together with parents.

Shows only parent-facing text (title, caption, "what your child might be saying", freeze
captions). It never receives the project: it is given a PresentationPlan, made from the one
privacy gate (coder.app.parent), so nothing internal can leak into a widget by accident.
Every highlight shows exactly its frames: the seek waits until the media has loaded, and a
frame from outside the highlight (before the seek lands, or past the out point) is never
painted.
Keys: Space play/pause, Right/Left next/previous highlight, R replay, S slow motion
(1x / 0.5x / 0.25x), Esc close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRect, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont, QImage, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from coder.app.parent import ParentPlan, parent_plan
from ui.player.backends import QtBackend

SPEEDS = (1.0, 0.5, 0.25)


@dataclass(frozen=True)
class ShownFreeze:
    at_ms: int
    caption: str
    hold_s: float


@dataclass(frozen=True)
class ShownHighlight:
    """The parent-facing part of a highlight; nothing else exists on this side."""

    title: str
    caption: str
    child_voice: str
    in_ms: int
    out_ms: int
    speed: float
    freezes: tuple[ShownFreeze, ...]


@dataclass(frozen=True)
class PresentationPlan:
    video_url: str
    highlights: tuple[ShownHighlight, ...]


def presentation_plan(plan: ParentPlan) -> PresentationPlan:
    """The parent plan as the presentation shows it (exact in/out frames, freezes in order)."""
    shown = tuple(
        ShownHighlight(
            title=h.title,
            caption=h.caption,
            child_voice=h.child_voice,
            in_ms=h.in_ms,
            out_ms=h.out_ms,
            speed=h.speed,
            freezes=tuple(ShownFreeze(p.at_ms, p.caption, p.hold_s) for p in h.freeze_points),
        )
        for h in plan.highlights
    )
    return PresentationPlan(QUrl.fromLocalFile(plan.media_path).toString(), shown)


def plan_presentation(project: Any, session_id: str) -> PresentationPlan:
    """Through the privacy gate; refuses without consent or without shareable highlights."""
    return presentation_plan(parent_plan(project, session_id, "presentation mode"))


class _Screen(QWidget):
    """Paints the current video frame letterboxed, with the overlay text on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.top_text = ""
        self.bottom_lines: list[str] = []
        self.banner = ""
        self.counter = ""  # "2 of 3": where the family is in the moments
        self.backdrops: list[QRect] = []  # where text sat on a dark panel (tests read it)
        self.setMinimumSize(480, 270)

    def _panel(self, painter: QPainter, text_rect: QRect) -> None:
        """A dark, rounded panel behind text, so it reads on any picture."""
        panel = text_rect.adjusted(-12, -6, 12, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 185))
        painter.drawRoundedRect(panel, 8, 8)
        self.backdrops.append(panel)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 18, 16))
        if not self.image.isNull():
            scaled = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - scaled.width()) / 2
            y = (self.height() - scaled.height()) / 2
            painter.drawImage(QRectF(x, y, scaled.width(), scaled.height()), self.image)
        size = max(14, self.height() // 22)
        self.backdrops = []
        if self.top_text:
            painter.setFont(QFont("Sans", round(size * 1.2), QFont.Weight.DemiBold))
            # the left two thirds: the counter and speed sit on the right
            area = self.rect().adjusted(24, 16, -self.width() // 3, 0)
            flags = Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            self._panel(painter, painter.boundingRect(area, flags, self.top_text))
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(area, flags, self.top_text)
        if self.bottom_lines:
            painter.setFont(QFont("Sans", size))
            text = "\n".join(self.bottom_lines)
            box = self.rect().adjusted(24, 0, -24, -24)
            bound = painter.boundingRect(
                box, Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap, text
            )
            painter.fillRect(bound.adjusted(-12, -8, 12, 8), QColor(0, 0, 0, 160))
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(box, Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap, text)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
        top = 16
        for text, colour in (
            (self.counter, QColor(255, 255, 255)),
            (self.banner, QColor(255, 221, 87)),
        ):
            if not text:
                continue
            painter.setFont(QFont("Sans", size, QFont.Weight.Bold))
            area = self.rect().adjusted(0, top, -24, 0)
            bound = painter.boundingRect(area, right, text)
            self._panel(painter, bound)
            painter.setPen(colour)  # white / bright yellow on the dark panel: high contrast
            painter.drawText(area, right, text)
            top = bound.bottom() + 16
        painter.end()


class PresentationWindow(QWidget):
    """Full-screen (or second-screen) player of a PresentationPlan."""

    closed = Signal()

    def __init__(
        self, plan: PresentationPlan, parent: QWidget | None = None, audio: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Our moments")
        self.plan = plan
        self.index = 0
        self.speed_index = 0
        self._freeze_done: set[int] = set()
        self.screen_widget = _Screen(self)
        self.backend = QtBackend(self, audio=audio)  # the same playback path as the workspace
        self.player = self.backend.player
        self.backend.frameReady.connect(self._on_frame)
        self.player.positionChanged.connect(self._on_position)
        self.player.mediaStatusChanged.connect(self._on_status)
        self._pending_seek: int | None = None  # a seek waiting for the media to load
        self._awaiting_seek = False  # frames from before the seek are not the highlight's
        self._at_end = False
        self._hold_at: int | None = None  # the held frame's start during a freeze
        self.hold_timer = QTimer(self, singleShot=True)
        self.hold_timer.timeout.connect(self._end_hold)
        self.buttons: dict[str, QPushButton] = {}
        controls = QHBoxLayout()
        for key, label, slot in (
            ("prev", "◀ Previous", self.previous),
            ("play", "Play / Pause", self.toggle),
            ("replay", "↺ Replay", self.replay),
            ("slow", "Slow motion: 1×", self.cycle_speed),
            ("next", "Next ▶", self.next),
        ):
            button = QPushButton(label, self)
            button.setMinimumHeight(56)
            button.setStyleSheet("font-size: 20px; padding: 8px 18px;")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            controls.addWidget(button)
            self.buttons[key] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.screen_widget, 1)
        layout.addLayout(controls)
        self.setStyleSheet("background: #141210; color: white;")
        if plan.highlights:
            self.player.setSource(QUrl(plan.video_url))
            self._show(0)

    # --- what is shown -------------------------------------------------------------------
    @property
    def current(self) -> ShownHighlight | None:
        return self.plan.highlights[self.index] if self.plan.highlights else None

    def visible_texts(self) -> list[str]:
        """Every piece of text a viewer can see now (used by the privacy test)."""
        screen = self.screen_widget
        texts = [self.windowTitle(), screen.top_text, screen.counter, screen.banner]
        texts += self.screen_widget.bottom_lines
        texts += [b.text() for b in self.buttons.values()]
        return [t for t in texts if t]

    def _caption_lines(self, h: ShownHighlight) -> list[str]:
        lines = [h.caption] if h.caption else []
        if h.child_voice:
            lines.append(f"\u201c{h.child_voice}\u201d")
        return lines

    def _show(self, index: int) -> None:
        self.index = index
        h = self.plan.highlights[index]
        self._freeze_done.clear()
        self.hold_timer.stop()
        self._hold_at = None
        self.screen_widget.top_text = h.title
        self.screen_widget.counter = f"{index + 1} of {len(self.plan.highlights)}"
        self.screen_widget.bottom_lines = self._caption_lines(h)
        self.screen_widget.banner = ""
        self.screen_widget.image = QImage()  # nothing until the highlight's first frame
        self.speed_index = SPEEDS.index(h.speed) if h.speed in SPEEDS else 0
        self._apply_speed()
        self._at_end = False
        self._awaiting_seek = True
        if self._loaded():
            self.player.setPosition(h.in_ms)
        else:  # QMediaPlayer ignores a seek before the media has loaded
            self._pending_seek = h.in_ms
        self.screen_widget.update()

    def _loaded(self) -> bool:
        return self.player.mediaStatus() in (
            QMediaPlayer.MediaStatus.LoadedMedia,
            QMediaPlayer.MediaStatus.BufferingMedia,
            QMediaPlayer.MediaStatus.BufferedMedia,
            QMediaPlayer.MediaStatus.EndOfMedia,
        )

    def _on_status(self, _status: QMediaPlayer.MediaStatus) -> None:
        if self._pending_seek is not None and self._loaded():
            target, self._pending_seek = self._pending_seek, None
            self.player.setPosition(target)

    # --- controls ------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.hold_timer.isActive():
            self._end_hold()
        elif self._at_end:  # the highlight has ended: play it again from its first frame
            self.replay()
        elif self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def replay(self) -> None:
        if self.current is not None:
            self._show(self.index)
            self.player.play()

    def next(self) -> None:
        if self.index + 1 < len(self.plan.highlights):
            self._show(self.index + 1)

    def previous(self) -> None:
        if self.index > 0:
            self._show(self.index - 1)

    def cycle_speed(self) -> None:
        self.speed_index = (self.speed_index + 1) % len(SPEEDS)
        self._apply_speed()

    def _apply_speed(self) -> None:
        speed = SPEEDS[self.speed_index]
        self.player.setPlaybackRate(speed)  # Qt keeps the pitch when slowing down
        self.buttons["slow"].setText(f"Slow motion: {speed:g}×")
        self.screen_widget.banner = "" if speed == 1.0 else f"{speed:g}× slow motion"
        self.screen_widget.update()

    # --- playback events -----------------------------------------------------------------
    def _on_frame(self, image: QImage, start_ms: int) -> None:
        """Paint a decoded frame only if it belongs where we are: inside the highlight, and
        during a freeze only the held frame. Frames, not the coarse position signal, decide
        when a freeze starts, so no frame past a freeze point is shown before its hold."""
        h = self.current
        if h is None:
            return
        if start_ms >= 0:
            inside = h.in_ms - 1 <= start_ms < h.out_ms
            if self._awaiting_seek and not inside:
                return  # decoded before our seek landed: not part of this highlight
            if not inside:
                if start_ms >= h.out_ms:  # the out point: stop on the last frame shown
                    self.player.pause()
                    self._at_end = True
                return
            if self._hold_at is not None:
                if abs(start_ms - self._hold_at) > 1:
                    return
            else:
                for i, freeze in enumerate(h.freezes):
                    if i not in self._freeze_done and start_ms >= freeze.at_ms - 1:
                        self._start_hold(i)
                        if start_ms > freeze.at_ms + 1:
                            return  # played past it: the seek brings the held frame
                        break
        self._awaiting_seek = False
        self.screen_widget.image = image
        self.screen_widget.update()

    def _start_hold(self, i: int) -> None:
        h = self.current
        assert h is not None
        freeze = h.freezes[i]
        self._freeze_done.add(i)
        self._hold_at = freeze.at_ms
        self.player.pause()
        self.player.setPosition(freeze.at_ms)
        self.screen_widget.bottom_lines = [freeze.caption] if freeze.caption else []
        self.screen_widget.update()
        self.hold_timer.start(round(freeze.hold_s * 1000))

    def _on_position(self, ms: int) -> None:
        h = self.current
        if h is None or self.hold_timer.isActive() or self._awaiting_seek:
            return  # (a position from before the seek landed says nothing about this one)
        if ms >= h.out_ms:
            self.player.pause()
            self._at_end = True

    def _end_hold(self) -> None:
        self.hold_timer.stop()
        self._hold_at = None
        h = self.current
        if h is not None:
            self.screen_widget.bottom_lines = self._caption_lines(h)
            self.screen_widget.update()
        self.player.play()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        actions = {
            Qt.Key.Key_Space: self.toggle,
            Qt.Key.Key_Right: self.next,
            Qt.Key.Key_Left: self.previous,
            Qt.Key.Key_R: self.replay,
            Qt.Key.Key_S: self.cycle_speed,
            Qt.Key.Key_Escape: self.close,
        }
        action = actions.get(Qt.Key(event.key()))
        if action is None:
            super().keyPressEvent(event)
        else:
            action()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.player.stop()
        self.closed.emit()
        super().closeEvent(event)
