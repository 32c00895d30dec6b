"""Cut clips play in Qt Multimedia and start on the exact frame (both cutting modes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from coder.media.clip import cut_clip
from coder.media.synth import read_frame_index, write_index_video
from ui.player.backends import QtBackend


def _index(image: QImage) -> int:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return read_frame_index(arr[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3))


@pytest.mark.parametrize(("in_ms", "mode", "first"), [(520, "reencode", 13), (480, "copy", 12)])
def test_clip_plays_in_qt_from_its_first_frame(
    qtbot, tmp_path: Path, in_ms: int, mode: str, first: int
) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "src.mp4"
    write_index_video(src, frames=75, gop=12, audio=True)
    clip = tmp_path / "clip.mp4"
    assert cut_clip(src, clip, in_ms, in_ms + 1000).mode_used == mode
    backend = QtBackend(audio=False)
    shown: list[int] = []
    backend.frameReady.connect(lambda image, _ms: shown.append(_index(image)))
    backend.load(str(clip))
    backend.play()
    qtbot.waitUntil(lambda: len(shown) >= 5, timeout=10000)
    backend.close()
    assert shown[0] == first
    assert shown[:5] == sorted(shown[:5]) and all(first <= i <= first + 25 for i in shown[:5])
