"""Playback backends behind one small interface.

Qt Multimedia (QMediaPlayer + QVideoSink) is the default: it plays with audio, keeps pitch
when slowed down, and is frame-exact on constant frame rate. libVLC is optional (only when
python-vlc finds libvlc); it is not frame-accurate, so coded times never come from its clock:
the PlayerController always asks our time base (DESIGN §9).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QImage, QTransform
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink


class PlayerBackend(QObject):
    """What the controller needs from a player. Positions are milliseconds."""

    name = "none"
    frameReady = Signal(QImage, int)  # picture, its start time in ms (-1 when unknown)
    frameArrived = Signal(int)  # every frame the player decoded (start ms), shown or not
    positionChanged = Signal(int)
    playingChanged = Signal(bool)
    failed = Signal(str)

    def load(self, path: str) -> None: ...
    def play(self) -> None: ...
    def pause(self) -> None: ...
    def is_playing(self) -> bool:
        return False

    def position_ms(self) -> int:
        return 0

    def set_position(self, ms: int) -> None: ...
    def set_rate(self, rate: float) -> None: ...
    def set_volume(self, volume: float) -> None: ...
    def set_muted(self, muted: bool) -> None: ...
    def close(self) -> None: ...


def _degrees(frame: QVideoFrame) -> int:
    try:
        rotation = frame.rotation()
        value: object = getattr(rotation, "value", rotation)
        return int(str(value)) % 360
    except (TypeError, ValueError, AttributeError):
        return 0


class QtBackend(PlayerBackend):
    name = "Qt Multimedia"

    def __init__(self, parent: QObject | None = None, audio: bool = True) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.sink = QVideoSink(self)
        self.player.setVideoSink(self.sink)
        self.audio = QAudioOutput(self) if audio else None
        if self.audio is not None:
            self.player.setAudioOutput(self.audio)
        self._latest: QVideoFrame | None = None  # arrived, not yet turned into a picture
        self.sink.videoFrameChanged.connect(self._on_frame)
        self.player.positionChanged.connect(lambda ms: self.positionChanged.emit(int(ms)))
        self.player.playbackStateChanged.connect(
            lambda state: self.playingChanged.emit(state == QMediaPlayer.PlaybackState.PlayingState)
        )
        self.player.errorOccurred.connect(
            lambda _e, text: self.failed.emit(text or "playback error")
        )

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        start = frame.startTime()
        self.frameArrived.emit((start + 500) // 1000 if start >= 0 else -1)
        # (Microseconds to the nearest ms, as our frame tables round them.)
        # Turning a frame into a picture takes 7 ms of the GUI thread for 1080p (without a
        # GPU, on the CPU): at 4x that is 120 frames a second, more than the thread has, and
        # the screen showed a frame in three. Faster than real time, only the newest frame
        # waiting when the event loop comes round becomes a picture. At 1x and slower every
        # frame does (a presentation's freeze point is found on its own frame).
        waiting = self._latest is not None
        self._latest = frame
        if self.player.playbackRate() <= 1.0:
            self._show_latest()
        elif not waiting:
            QTimer.singleShot(0, self._show_latest)

    def _show_latest(self) -> None:
        frame, self._latest = self._latest, None
        if frame is None:
            return
        image = frame.toImage()
        if not image.isNull():
            angle = _degrees(frame)
            if angle:  # phone video: honour the rotation metadata
                image = image.transformed(QTransform().rotate(angle))
            start = frame.startTime()
            self.frameReady.emit(image, (start + 500) // 1000 if start >= 0 else -1)

    def load(self, path: str) -> None:
        self.player.setSource(QUrl.fromLocalFile(path))

    def play(self) -> None:
        self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def is_playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def position_ms(self) -> int:
        return int(self.player.position())

    def set_position(self, ms: int) -> None:
        self.player.setPosition(ms)

    def set_rate(self, rate: float) -> None:
        self.player.setPlaybackRate(rate)

    def set_volume(self, volume: float) -> None:
        if self.audio is not None:
            self.audio.setVolume(volume)

    def set_muted(self, muted: bool) -> None:
        if self.audio is not None:
            self.audio.setMuted(muted)

    def close(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())


def vlc_available() -> bool:
    try:
        import vlc

        return vlc.Instance("--quiet") is not None
    except (ImportError, OSError, NameError, AttributeError):
        return False


class VlcBackend(PlayerBackend):
    """libVLC through python-vlc, rendering into a window handle (not frame-accurate)."""

    name = "VLC"

    def __init__(self, parent: QObject | None = None, window_id: int | None = None) -> None:
        super().__init__(parent)
        import vlc

        self._vlc = vlc
        self.instance = vlc.Instance("--quiet", "--no-video-title-show")
        self.mp = self.instance.media_player_new()
        if window_id is not None:
            self.mp.set_xwindow(window_id)

    def load(self, path: str) -> None:
        self.mp.set_media(self.instance.media_new_path(path))

    def play(self) -> None:
        self.mp.play()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        self.mp.set_pause(1)
        self.playingChanged.emit(False)

    def is_playing(self) -> bool:
        return bool(self.mp.is_playing())

    def position_ms(self) -> int:
        return max(0, int(self.mp.get_time()))

    def set_position(self, ms: int) -> None:
        self.mp.set_time(int(ms))
        self.positionChanged.emit(ms)

    def set_rate(self, rate: float) -> None:
        self.mp.set_rate(rate)

    def set_volume(self, volume: float) -> None:
        self.mp.audio_set_volume(int(volume * 100))

    def set_muted(self, muted: bool) -> None:
        self.mp.audio_set_mute(muted)

    def close(self) -> None:
        self.mp.stop()
        self.mp.release()


def make_backend(name: str, parent: QObject | None = None, audio: bool = True) -> PlayerBackend:
    """The requested backend, falling back to Qt Multimedia when VLC is not available."""
    if name == "vlc" and vlc_available():
        return VlcBackend(parent)
    return QtBackend(parent, audio=audio)
