"""Two cameras in the workspace: every step, seek and nudge shows, in each camera, the frame
its offset says — read back from the pictures themselves (index videos carry their number)."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from coder.app.cameras import AddCamera, new_camera
from coder.commands import CommandStack
from coder.media.probe import media_from_probe, probe
from coder.media.synth import read_frame_index, write_index_video
from coder.store import Project
from ui.main_window import MainWindow
from ui.player.cameras import Layout

OFFSET_MS = 700  # the side camera started 0.7 s before the main one: its time = main + 700


def index_of(image: QImage) -> int:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return read_frame_index(arr[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3))


def expected(starts: list[int], duration: int, t: int) -> int | None:
    """Independent of TimeBase/CameraClock: the last frame starting at or before ``t``."""
    if t < starts[0] or t >= duration:
        return None
    return bisect_right(starts, t) - 1


@pytest.fixture
def side_video(tmp_path: Path) -> tuple[Path, list[int]]:
    path = tmp_path / "side.mp4"
    starts = write_index_video(
        path, frames=90, fps=30, gop=9, size=(160, 120), vfr_pattern=[33, 33, 34, 50]
    )
    return path, starts


@pytest.fixture
def window(qtbot, prefs, index_project: Path, side_video):  # type: ignore[no-untyped-def]
    path, _starts = side_video
    with Project.open(index_project, user="ui") as project:
        result = probe(path)
        media = media_from_probe(path, result)
        camera = new_camera(project, "s1", media, "Child face", OFFSET_MS)
        CommandStack(project).push(AddCamera(camera, media, result.frame_times_ms))
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def check_both(qtbot, w: MainWindow, main_frame: int, starts: list[int], duration: int) -> None:  # type: ignore[no-untyped-def]
    feed = w.cameras.feeds[0]
    qtbot.waitUntil(
        lambda: w.player.displayed_index == main_frame and index_of(w.player.image) == main_frame,
        timeout=5000,
    )
    want = expected(starts, duration, w.player.position + feed.video.offset_ms)
    if want is None:
        qtbot.waitUntil(lambda: feed.image.isNull(), timeout=5000)
        return
    qtbot.waitUntil(
        lambda: feed.displayed_index == want and index_of(feed.image) == want, timeout=5000
    )


def test_steps_and_seeks_keep_both_cameras_on_their_frames(
    qtbot, window: MainWindow, side_video
) -> None:  # type: ignore[no-untyped-def]
    _path, starts = side_video
    feed = window.cameras.feeds[0]
    duration = feed.video.clock.timebase.duration_ms
    assert len(window.cameras.views) == 1 and feed.video.label == "Child face"
    checked = 0
    for ms, main_frame in [(0, 0), (1000, 25), (2000, 50), (40, 1), (3960, 99), (1520, 38)]:
        window.player.seek(ms)
        check_both(qtbot, window, main_frame, starts, duration)
        checked += 1
    window.player.seek(1000)
    check_both(qtbot, window, 25, starts, duration)
    for frame in [*range(26, 40), *range(38, 20, -1)]:  # forwards, then back across GOPs
        QTest.keyClick(window, Qt.Key.Key_Right if frame > window.player.frame else Qt.Key.Key_Left)
        check_both(qtbot, window, frame, starts, duration)
        checked += 1
    assert checked == 38
    # Past the side camera's end (its 90 VFR frames last < 3.4 s; 3.96 s + 0.7 s is beyond).
    window.player.seek(3960)
    qtbot.waitUntil(lambda: feed.image.isNull() and feed.wanted is None, timeout=5000)


def test_nudge_moves_only_the_side_camera_one_frame_and_undo_restores_it(
    qtbot, window: MainWindow, side_video
) -> None:  # type: ignore[no-untyped-def]
    _path, starts = side_video
    window.player.seek(1000)
    feed = window.cameras.feeds[0]
    duration = feed.video.clock.timebase.duration_ms
    check_both(qtbot, window, 25, starts, duration)
    before = feed.displayed_index
    window.cameras.views[0].later.click()
    feed = window.cameras.feeds[0]  # the views are rebuilt from the stored offset
    qtbot.waitUntil(lambda: feed.displayed_index == before + 1, timeout=5000)
    assert index_of(feed.image) == before + 1
    assert window.player.frame == 25 and index_of(window.player.image) == 25
    assert window.project is not None
    assert window.project.cameras("s1")[0].offset_ms != OFFSET_MS
    window.history.undo()
    assert window.project.cameras("s1")[0].offset_ms == OFFSET_MS
    feed = window.cameras.feeds[0]
    qtbot.waitUntil(lambda: feed.displayed_index == before, timeout=5000)


def test_picture_in_picture_puts_the_camera_inside_the_main_video(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    view = window.cameras.views[0]
    window.menu_actions.picture_in_picture.trigger()
    assert window.cameras.layout_mode is Layout.PICTURE_IN_PICTURE
    assert view.parent() is window.video
    assert window.video.rect().contains(view.geometry())
    window.menu_actions.picture_in_picture.trigger()
    assert view.parent() is window.cameras
    assert not window.video.geometry().intersects(view.geometry())
