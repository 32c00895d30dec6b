"""The player controller: one source of truth for time, frame number and the picture shown.

Time and frame always come from our time base (PyAV packet timestamps), never from a
backend's clock. While playing, the backend's frames are shown; when paused or stepping, the
exact frame is decoded by PyAV on a worker thread (the latest request wins) and shown, so the
picture, the frame number and any coded time agree even on VFR video.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from coder.errors import MediaError
from coder.timebase import TimeBase
from ui.player.backends import PlayerBackend, make_backend

MIN_RATE, MAX_RATE = 0.1, 4.0


class _ExactFrameWorker(QObject):
    """Decodes exact frames off the GUI thread; coalesces bursts of requests."""

    decoded = Signal(int, int, QImage)  # frame index, start ms, picture
    failed = Signal(str)

    def __init__(self, path: str, frame_times: list[int]) -> None:
        super().__init__()
        self.path, self.frame_times = path, frame_times
        self.wanted = -1  # set from the GUI thread; older queued requests are skipped
        self.decoder: object | None = None

    @Slot(int)
    def request(self, index: int) -> None:
        if index != self.wanted:
            return
        try:
            from coder.media.decode import FrameDecoder

            if self.decoder is None:
                self.decoder = FrameDecoder(
                    self.path, self.frame_times or None, at_the_keyboard=True
                )
            frame = self.decoder.frame(index)  # type: ignore[attr-defined]
        except MediaError as exc:
            self.failed.emit(str(exc))
            return
        if index != self.wanted:
            return  # a newer request is queued; skip converting this one
        height, width = frame.image.shape[:2]
        image = QImage(
            frame.image.data, width, height, 3 * width, QImage.Format.Format_RGB888
        ).copy()
        self.decoded.emit(frame.index, frame.pts_ms, image)

    @Slot()
    def close(self) -> None:
        if self.decoder is not None:
            self.decoder.close()  # type: ignore[attr-defined]
            self.decoder = None


class PlayerController(QObject):
    positionChanged = Signal(int, int)  # ms (frame start), frame index
    imageChanged = Signal()
    playingChanged = Signal(bool)
    rateChanged = Signal(float)
    error = Signal(str)
    _requestFrame = Signal(int)

    def __init__(
        self, parent: QObject | None = None, backend: str = "qt", audio: bool = True
    ) -> None:
        super().__init__(parent)
        self.backend: PlayerBackend = make_backend(backend, self, audio=audio)
        self.backend.frameReady.connect(self._on_backend_frame)
        self.backend.positionChanged.connect(self._on_backend_position)
        self.backend.playingChanged.connect(self._on_playing)
        self.backend.failed.connect(self.error)
        self.timebase: TimeBase | None = None
        self.path = ""
        self.image = QImage()
        self.displayed_index = -1  # the frame whose picture is on screen (-1: none yet)
        self.position = 0
        self.frame = 0
        self.rate = 1.0
        self.loop: tuple[int, int] | None = None
        self._thread: QThread | None = None
        self._worker: _ExactFrameWorker | None = None

    @property
    def backend_name(self) -> str:
        return self.backend.name

    @property
    def playing(self) -> bool:
        return self.backend.is_playing()

    def load(self, path: str, frame_times: list[int], duration_ms: int) -> None:
        self.close_media()
        self.path = path
        self.timebase = TimeBase(frame_times, duration_ms)
        self._thread = QThread(self)
        self._worker = _ExactFrameWorker(path, frame_times)
        self._worker.moveToThread(self._thread)
        self._requestFrame.connect(self._worker.request)
        self._worker.decoded.connect(self._on_exact)
        self._worker.failed.connect(self.error)
        self._thread.start()
        self.backend.load(path)
        self.seek(0)

    def close_media(self) -> None:
        if self._thread is not None and self._worker is not None:
            self._requestFrame.disconnect(self._worker.request)
            self._thread.quit()
            self._thread.wait(5000)
            self._worker.close()
            self._thread = None
            self._worker = None
        self.backend.close()

    # --- transport ------------------------------------------------------------------------
    def play(self) -> None:
        if self.timebase is not None:
            self.backend.set_position(self.position)
            self.backend.play()

    def pause(self) -> None:
        self.backend.pause()
        self.seek(self.backend.position_ms() if self.backend.position_ms() > 0 else self.position)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        """Go to the frame shown at ``ms`` and show exactly that frame."""
        if self.timebase is None:
            return
        frame = self.timebase.frame_at(max(0, ms))
        self._set(self.timebase.ms_of(frame), frame)
        self.backend.set_position(self.position + 1)  # +1 ms: Qt shows the frame starting there
        if not self.playing and self._worker is not None:
            self._worker.wanted = frame
            self._requestFrame.emit(frame)

    def seek_frame(self, frame: int) -> None:
        if self.timebase is not None:
            self.seek(self.timebase.ms_of(frame))

    def step_frames(self, n: int) -> None:
        if self.timebase is None:
            return
        if self.playing:
            self.backend.pause()
        self.seek_frame(self.frame + n)

    def step_ms(self, delta: int) -> None:
        self.seek(self.position + delta)

    def set_rate(self, rate: float) -> None:
        self.rate = min(MAX_RATE, max(MIN_RATE, rate))
        self.backend.set_rate(self.rate)  # Qt keeps the pitch
        self.rateChanged.emit(self.rate)

    def set_loop(self, start_ms: int | None, end_ms: int | None = None) -> None:
        self.loop = None if start_ms is None or end_ms is None else (start_ms, end_ms)

    # --- events from the backend and the worker ------------------------------------------
    def _set(self, ms: int, frame: int) -> None:
        if (ms, frame) != (self.position, self.frame):
            self.position, self.frame = ms, frame
        self.positionChanged.emit(ms, frame)

    def _on_backend_position(self, ms: int) -> None:
        if self.timebase is None or not self.playing:
            return
        if self.loop is not None and ms >= self.loop[1]:
            self.seek(self.loop[0])
            return
        frame = self.timebase.frame_at(ms)
        self._set(self.timebase.ms_of(frame), frame)

    def _on_backend_frame(self, image: QImage, start_ms: int) -> None:
        if not self.playing or self.timebase is None:
            return  # paused pictures come from the exact decoder only
        self.image = image
        self.displayed_index = self.timebase.frame_at(start_ms) if start_ms >= 0 else self.frame
        self.imageChanged.emit()

    def _on_exact(self, index: int, _ms: int, image: QImage) -> None:
        if self.playing or index != self.frame:
            return  # stale: the user moved on
        self.image = image
        self.displayed_index = index
        self.imageChanged.emit()

    def _on_playing(self, playing: bool) -> None:
        self.playingChanged.emit(playing)
