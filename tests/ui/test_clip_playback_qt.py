"""Cut clips play in Qt Multimedia from their exact first frame, every frame in order (smart
cuts with two and three sample descriptions, H.264 and HEVC, plain copies, re-encodes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from coder.media.clip import cut_clip
from coder.media.synth import read_frame_index, write_index_video
from coder.media.synth_recorded import FORMATS, write_recorded_video
from tests.core.test_smartcut import out_point_with_tail
from ui.player.backends import QtBackend


def _index(image: QImage) -> int:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return read_frame_index(arr[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3))


def _source(tmp_path: Path, kind: str) -> Path:
    src = tmp_path / "src.mp4"
    if kind == "plain":
        write_index_video(src, frames=75, gop=12, audio=True)
    else:
        write_recorded_video(src, FORMATS[kind].scaled((192, 108), 3))
    return src


@pytest.mark.parametrize(
    ("kind", "in_ms", "out_ms", "mode", "used", "first", "last"),
    [
        ("plain", 520, 1520, "auto", "smart", 13, 37),  # head re-encoded + copy, with audio
        ("plain", 480, 1480, "auto", "copy", 12, 36),
        ("plain", 520, 1520, "reencode", "reencode", 13, 37),
        ("h264-1080p30-bframes", 400, -1, "auto", "smart", 12, -1),  # head, copy and tail
        ("hevc-1080p60-bframes", 220, 1500, "auto", "smart", 13, 89),
    ],
)
def test_clip_plays_in_qt_with_every_frame_exact(
    qtbot,
    tmp_path: Path,
    kind: str,
    in_ms: int,
    out_ms: int,
    mode: str,
    used: str,
    first: int,
    last: int,
) -> None:  # type: ignore[no-untyped-def]
    clip = tmp_path / "clip.mp4"
    src = _source(tmp_path, kind)
    if out_ms < 0:  # an out point just after a B-frame whose reference lies beyond it
        out_ms = out_point_with_tail(src, in_ms)
        last = (out_ms - 1) * 30 // 1000
    assert cut_clip(src, clip, in_ms, out_ms, mode=mode).mode_used == used
    backend = QtBackend(audio=False)
    shown: list[int] = []
    ended: list[bool] = []
    backend.frameReady.connect(lambda image, _ms: shown.append(_index(image)))
    backend.player.mediaStatusChanged.connect(
        lambda status: ended.append(status == backend.player.MediaStatus.EndOfMedia)
    )
    backend.load(str(clip))
    # Real-time playback drops late frames on a loaded machine (it did, at 60 fps, in a
    # full suite run): play at most 30 frames a second so every frame is shown in time.
    fps = 30 if kind in ("plain", "h264-1080p30-bframes") else FORMATS[kind].fps
    backend.set_rate(min(1.0, 30 / fps))
    backend.play()
    qtbot.waitUntil(lambda: any(ended), timeout=20000)
    backend.close()
    assert shown[0] == first
    assert shown == list(range(first, last + 1))
