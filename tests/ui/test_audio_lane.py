"""The audio lane: read off the GUI thread, cached in the project, drawn where the sound is,
zooming and scrolling with the timeline, clickable to seek."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from coder.media.probe import media_from_probe, probe
from coder.media.synth import write_index_video
from coder.media.waveform import cached_overview
from coder.model import Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from ui.main_window import MainWindow
from ui.timeline.audio_lane import WAVE_H
from ui.timeline.view import LABEL_W


@pytest.fixture
def voiced(tmp_path: Path) -> Path:
    video = tmp_path / "voiced.mp4"
    write_index_video(video, frames=100, gop=12, size=(160, 120), audio=True)  # 440 Hz, 4 s
    path = tmp_path / "voiced.attune"
    scheme, text = load_shipped("attachment-core")
    result = probe(video)
    media = media_from_probe(video, result)
    with Project.create(path, user="ui") as project:
        snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
        with project.transaction():
            project.add_media(media, result.frame_times_ms)
            project.add_session(Session("s1", "Week 1", media.id))
        project.add_observation(Observation("o1", "s1", "ui", snap.id, name="Week 1/ui"))
    return path


def wave_columns(lane_image: QImage) -> np.ndarray:
    """Which pixel columns of the waveform strip have a drawn (light blue) line."""
    rgb = lane_image.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    pixels = arr[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3)
    strip = pixels[2 : WAVE_H - 2, LABEL_W:, 2].astype(int)  # blue channel
    return (strip > 200).any(axis=0)


def test_lane_reads_caches_and_zooms_with_the_timeline(qtbot, prefs, voiced: Path) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(voiced))
    lane = w.audio_lane
    assert lane is not None and lane.job is not None  # read in the background, not cached yet
    qtbot.waitUntil(lambda: lane.overview is not None, timeout=10000)
    assert w.project is not None and cached_overview(w.project, w.project.media_list()[0].id)
    assert w.timeline is not None
    w.fit_timeline()
    qtbot.wait(50)
    start, end, width = lane.visible_range()
    assert start == pytest.approx(0, abs=1)
    px = w.timeline.timeline.px_per_ms
    assert width == w.timeline.viewport().width()
    sound_px = int(4000 * px)  # the tone lasts the whole 4 s video
    drawn = wave_columns(lane.grab().toImage())
    assert drawn[5 : sound_px - 5].all()  # a line in every column where there is sound
    assert not drawn[sound_px + 5 : width].any()  # and none past the recording's end
    # Zoom in around 2 s: the lane shows exactly the timeline's visible range.
    w.player.seek(2000)
    w.timeline.zoom_by(8.0, anchor_ms=2000)
    qtbot.wait(50)
    start, end, _ = lane.visible_range()
    left = w.timeline.mapToScene(0, 0).x() / w.timeline.timeline.px_per_ms
    assert start == pytest.approx(left, abs=1) and end - start < 4000 / 2
    assert start < 2000 < end
    columns = wave_columns(lane.grab().toImage())[: width - 5]
    playhead_x = round((2000 - start) * w.timeline.timeline.px_per_ms)
    assert np.nonzero(~columns)[0].tolist() in (
        [],
        [playhead_x],
        [playhead_x - 1],
        [playhead_x + 1],
    )
    # A click on the lane seeks where it was clicked.
    x = LABEL_W + width // 2
    QTest.mouseClick(lane, Qt.MouseButton.LeftButton, pos=QPoint(x, 10))
    target = start + (end - start) * (width // 2) / width
    assert abs(w.player.position - target) <= 40
    # Reopening uses the cache: no second reading.
    w.open_observation("o1", reload=True)
    assert w.audio_lane is not None and w.audio_lane.job is None
    assert w.audio_lane.overview is not None
    w.close()
