"""Several synchronised cameras: offsets from marked moments, frame mapping proved by decoding
the frame each camera shows (index videos carry their frame number), undoable store edits."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import pytest

from coder.app.cameras import (
    EditCamera,
    RemoveCamera,
    add_camera_from_video,
    nudge,
    session_videos,
    sync_by_marks,
    video_for,
)
from coder.cameras import CameraClock, offset_from_marks
from coder.commands import CommandStack
from coder.errors import CommandError, ProjectError
from coder.media.decode import FrameDecoder
from coder.media.probe import media_from_probe, probe
from coder.media.synth import read_frame_index, write_index_video
from coder.model import Session
from coder.store import Project
from coder.timebase import TimeBase


def shown(starts: list[int], duration: int, t: int) -> int | None:
    """Independent of TimeBase: the frame whose start is the last one at or before ``t``."""
    if t < starts[0] or t >= duration:
        return None
    return bisect_right(starts, t) - 1


@pytest.fixture
def two_cameras(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A project whose session has a 25 fps main video and a VFR second camera."""
    main = tmp_path / "main.mp4"
    side = tmp_path / "side.mp4"
    write_index_video(main, frames=75, fps=25, gop=10, size=(64, 48))
    side_starts = write_index_video(
        side, frames=80, fps=30, gop=9, size=(64, 48), vfr_pattern=[33, 33, 34, 50]
    )
    project = Project.create(tmp_path / "cams.attune", user="ui")
    result = probe(main)
    media = media_from_probe(main, result)
    with project.transaction():
        project.add_media(media, result.frame_times_ms)
        project.add_session(Session("s1", "Week 1", media.id))
    yield project, main, side, side_starts
    project.close()


def test_offset_from_a_marked_clap_maps_every_frame(two_cameras) -> None:  # type: ignore[no-untyped-def]
    project, _main, side, side_starts = two_cameras
    stack = CommandStack(project)
    stack.push(add_camera_from_video(project, "s1", side, "Child face"))
    camera = project.cameras("s1")[0]
    assert (camera.position, camera.label, camera.offset_ms) == (1, "Child face", 0)
    # The clap: frame 30 of the main video (1200 ms) is frame 40 of the side camera.
    clap_side = side_starts[40]
    stack.push(sync_by_marks(project, camera.id, 1200, clap_side))
    offset = clap_side - 1200
    assert project.camera(camera.id).offset_ms == offset == offset_from_marks(1200, clap_side)

    main_video, side_video = session_videos(project, "s1")
    assert main_video.is_primary and side_video.label == "Child face"
    side_duration = side_video.clock.timebase.duration_ms
    decoders = [FrameDecoder(main_video.media.path), FrameDecoder(side)]
    try:
        # Step forward, backward and seek at random across the whole main video.
        moments = [*range(0, 2960, 40), *range(2960, 0, -120), 1200, 37, 2999, 0, 1717]
        for t in moments:
            expected_side = shown(side_starts, side_duration, t + offset)
            assert side_video.clock.frame_for(t) == expected_side
            main_frame = main_video.clock.frame_for(t)
            assert main_frame is not None
            assert read_frame_index(decoders[0].frame(main_frame).image) == main_frame
            if expected_side is not None:
                picture = decoders[1].frame(expected_side).image
                assert read_frame_index(picture) == expected_side
        assert side_video.clock.frame_for(1200) == 40  # the clap shows in both
    finally:
        for d in decoders:
            d.close()


def test_nudging_moves_the_camera_one_of_its_frames(two_cameras) -> None:  # type: ignore[no-untyped-def]
    project, _main, side, side_starts = two_cameras
    stack = CommandStack(project)
    stack.push(add_camera_from_video(project, "s1", side))
    video = session_videos(project, "s1")[1]
    at = 800
    before = video.clock.frame_for(at)
    assert before == shown(side_starts, 3000, at)
    stack.push(nudge(video, at, +1))
    later = session_videos(project, "s1")[1]
    assert later.clock.frame_for(at) == before + 1  # type: ignore[operator]
    stack.push(nudge(later, at, -3))
    assert session_videos(project, "s1")[1].clock.frame_for(at) == before - 2  # type: ignore[operator]
    stack.undo()
    stack.undo()
    assert project.cameras("s1")[0].offset_ms == 0
    with pytest.raises(CommandError, match="main camera"):
        nudge(session_videos(project, "s1")[0], at, 1)


def test_a_camera_before_its_start_shows_nothing() -> None:
    clock = CameraClock(TimeBase([0, 40, 80], 120), offset_ms=-100)
    assert clock.frame_for(50) is None  # camera time -50: not recording yet
    assert clock.frame_for(100) == 0 and clock.frame_for(219) == 2
    assert clock.frame_for(220) is None  # past its end
    assert clock.primary_range() == (100, 220)
    assert clock.primary_ms_of(1) == 140


def test_add_is_undoable_and_at_most_four_videos(two_cameras, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, main, side, _ = two_cameras
    stack = CommandStack(project)
    stack.push(add_camera_from_video(project, "s1", side))
    assert len(project.media_list()) == 2
    stack.undo()
    assert project.cameras("s1") == [] and len(project.media_list()) == 1  # media removed too
    stack.redo()
    assert len(project.cameras("s1")) == 1
    with pytest.raises(CommandError, match="already one of the session's cameras"):
        stack.push(add_camera_from_video(project, "s1", main))
    for i in range(2):
        extra = tmp_path / f"extra{i}.mp4"
        write_index_video(extra, frames=10 + i, fps=25, size=(32, 24))
        stack.push(add_camera_from_video(project, "s1", extra))
    assert [c.position for c in project.cameras("s1")] == [1, 2, 3]
    fifth = tmp_path / "fifth.mp4"
    write_index_video(fifth, frames=9, fps=25, size=(32, 24))
    with pytest.raises(CommandError, match="at most 4 videos"):
        stack.push(add_camera_from_video(project, "s1", fifth))
    removed = project.cameras("s1")[1]
    stack.push(RemoveCamera(removed.id))
    assert [c.position for c in project.cameras("s1")] == [1, 3]
    stack.undo()
    assert [c.position for c in project.cameras("s1")] == [1, 2, 3]
    assert video_for(project, "s1", "2").camera == removed
    assert video_for(project, "s1", None).is_primary
    with pytest.raises(ProjectError, match="no camera 'nine'"):
        video_for(project, "s1", "nine")


def test_offsets_are_checked_and_survive_reopening(two_cameras) -> None:  # type: ignore[no-untyped-def]
    project, _main, side, _ = two_cameras
    stack = CommandStack(project)
    stack.push(add_camera_from_video(project, "s1", side, "Wide"))
    camera = project.cameras("s1")[0]
    with pytest.raises(CommandError, match="more than 6 hours"):
        stack.push(EditCamera(camera.id, offset_ms=7 * 3600 * 1000))
    stack.push(EditCamera(camera.id, offset_ms=-250, label=" Parent face "))
    location = project.location
    project.close()
    with Project.open(location) as again:
        saved = again.cameras("s1")[0]
        assert (saved.offset_ms, saved.label) == (-250, "Parent face")
        assert [a.entity for a in again.audit_log()][-3:] == ["media", "camera", "camera"]


def test_clip_from_another_camera_shows_that_cameras_frames(two_cameras, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`attune clips --camera`: the clip is cut from the camera's own file at the moment the
    main video shows; its first and last frames are the camera's frames for those times."""
    from ui.cli import main

    project, _main, side, side_starts = two_cameras
    stack = CommandStack(project)
    stack.push(add_camera_from_video(project, "s1", side, "Child face"))
    camera = project.cameras("s1")[0]
    stack.push(EditCamera(camera.id, offset_ms=500))
    project.close()
    out = tmp_path / "clips"
    code = main(
        [
            "clips",
            str(tmp_path / "cams.attune"),
            "--session",
            "s1",
            "--range",
            "1000",
            "2000",
            "--camera",
            "Child face",
            "--mode",
            "reencode",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    (clip,) = [p for p in out.iterdir() if p.suffix == ".mp4"]
    assert "Child_face" in clip.name
    decoded = FrameDecoder(clip)
    try:
        first = read_frame_index(decoded.frame(0).image)
        last = read_frame_index(decoded.frame(decoded.frame_count - 1).image)
    finally:
        decoded.close()
    assert first == shown(side_starts, 10_000, 1500)  # main 1000 ms = camera 1500 ms
    assert last == shown(side_starts, 10_000, 2499)  # the last camera frame before 2500 ms
