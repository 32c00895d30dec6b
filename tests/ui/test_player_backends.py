"""Backends: VLC is optional (fallback to Qt Multimedia); Qt plays the index video."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.media.synth import write_index_video
from ui.player.backends import QtBackend, VlcBackend, make_backend, vlc_available


def test_vlc_request_falls_back_to_qt_without_libvlc(qtbot) -> None:  # type: ignore[no-untyped-def]
    backend = make_backend("vlc", audio=False)
    assert isinstance(backend, VlcBackend if vlc_available() else QtBackend)


def test_qt_backend_plays_and_reports_frames(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = tmp_path / "clip.mp4"
    write_index_video(video, frames=50)
    backend = QtBackend(audio=False)
    frames: list[int] = []
    backend.frameReady.connect(lambda _img, ms: frames.append(ms))
    backend.load(str(video))
    backend.play()
    qtbot.waitUntil(lambda: len(frames) > 3, timeout=10000)
    backend.pause()
    assert frames == sorted(frames)
    backend.close()


@pytest.mark.skipif(not vlc_available(), reason="libvlc is not installed (optional backend)")
def test_vlc_backend_loads_and_seeks(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = tmp_path / "clip.mp4"
    write_index_video(video, frames=50)
    backend = VlcBackend()
    backend.load(str(video))
    backend.play()
    qtbot.wait(500)
    backend.set_position(1000)
    qtbot.waitUntil(lambda: backend.position_ms() > 0, timeout=5000)
    backend.close()
