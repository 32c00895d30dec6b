"""Cameras of a session: add, synchronise (mark the same moment, nudge by frames), remove.

Every change is a Command on the one CommandStack (undoable, one transaction each). The rules
of time mapping live in coder/cameras.py; this module is the application side: which videos a
session shows (``session_videos``), and the edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from coder.cameras import (
    MAX_VIDEOS,
    Camera,
    CameraClock,
    camera_window,
    check_offset,
    free_position,
    offset_from_marks,
)
from coder.commands import Command
from coder.errors import CommandError, ProjectError
from coder.model import Media, new_id
from coder.store import Project
from coder.timebase import TimeBase

if TYPE_CHECKING:
    from coder.media.clip import ClipRequest


@dataclass(frozen=True)
class SessionVideo:
    """One video of a session as the player shows it (the primary has no camera row)."""

    media: Media
    label: str
    clock: CameraClock
    camera: Camera | None = None  # None for the primary video

    @property
    def is_primary(self) -> bool:
        return self.camera is None

    @property
    def offset_ms(self) -> int:
        return self.clock.offset_ms


def session_videos(project: Project, session_id: str) -> list[SessionVideo]:
    """The primary video first, then each camera in display order."""
    session = project.session(session_id)
    if session.media_id is None:
        raise ProjectError(f"session '{session.label}' has no video; add one first")
    primary = project.media(session.media_id)
    videos = [
        SessionVideo(
            primary,
            "Main camera",
            CameraClock(TimeBase(project.frame_times(primary.id), primary.duration_ms), 0),
        )
    ]
    for camera in project.cameras(session_id):
        media = project.media(camera.media_id)
        timebase = TimeBase(project.frame_times(media.id), media.duration_ms)
        videos.append(
            SessionVideo(
                media,
                camera.label or f"Camera {camera.position + 1}",
                CameraClock(timebase, camera.offset_ms),
                camera,
            )
        )
    return videos


def video_for(project: Project, session_id: str, camera: str | None) -> SessionVideo:
    """A session's video by camera id, label or position (``None``, "" or "0": the primary)."""
    videos = session_videos(project, session_id)
    if camera in (None, "", "0", "main"):
        return videos[0]
    for video in videos[1:]:
        assert video.camera is not None
        if camera in (video.camera.id, video.label, str(video.camera.position)):
            return video
    names = ", ".join(["main", *(v.label for v in videos[1:])])
    raise ProjectError(f"no camera '{camera}' in this session (cameras: {names})")


# --- commands ------------------------------------------------------------------------------


class AddCamera(Command):
    """Add a camera (and its media record, when new) to a session."""

    def __init__(
        self, camera: Camera, media: Media | None = None, frame_times: Sequence[int] = ()
    ) -> None:
        self.camera, self.media, self.frame_times = camera, media, list(frame_times)
        self.added_media = False
        self.text = "Add camera"

    def do(self, project: Project) -> None:
        session = project.session(self.camera.session_id)
        cameras = project.cameras(session.id)
        if len(cameras) >= MAX_VIDEOS - 1:
            free_position(cameras)  # raises the "at most four videos" message
        if any(c.position == self.camera.position for c in cameras):
            raise CommandError(f"camera position {self.camera.position} is taken")
        check_offset(self.camera.offset_ms)
        known = {m.id for m in project.media_list()}
        self.added_media = self.media is not None and self.media.id not in known
        if self.media is not None and self.added_media:
            if not self.frame_times:
                raise CommandError("a camera's video needs its frame table; probe it first")
            project.add_media(self.media, self.frame_times)
        elif self.camera.media_id not in known:
            raise CommandError("the camera's video is not in this project; add it first")
        if self.camera.media_id in {session.media_id, *(c.media_id for c in cameras)}:
            raise CommandError("this video is already one of the session's cameras")
        project.put_camera(self.camera, existed=False)

    def undo(self, project: Project) -> None:
        project.delete_camera(self.camera.id)
        if self.added_media:
            project.delete_unused_media(self.camera.media_id)


class EditCamera(Command):
    """Change a camera's offset (synchronisation) or label."""

    def __init__(
        self, camera_id: str, *, offset_ms: int | None = None, label: str | None = None
    ) -> None:
        self.camera_id, self.offset_ms, self.label = camera_id, offset_ms, label
        self.before: Camera | None = None
        self.text = "Synchronise camera" if offset_ms is not None else "Rename camera"

    def do(self, project: Project) -> None:
        self.before = project.camera(self.camera_id)
        after = self.before
        if self.offset_ms is not None:
            after = replace(after, offset_ms=check_offset(self.offset_ms))
        if self.label is not None:
            after = replace(after, label=self.label.strip())
        project.put_camera(after, existed=True)

    def undo(self, project: Project) -> None:
        assert self.before is not None
        project.put_camera(self.before, existed=True)


class RemoveCamera(Command):
    """Stop showing a camera (its media record stays: other sessions or an undo may need it)."""

    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self.before: Camera | None = None
        self.text = "Remove camera"

    def do(self, project: Project) -> None:
        self.before = project.delete_camera(self.camera_id)

    def undo(self, project: Project) -> None:
        assert self.before is not None
        project.put_camera(self.before, existed=False)


# --- use cases -----------------------------------------------------------------------------


def new_camera(
    project: Project, session_id: str, media: Media, label: str = "", offset_ms: int = 0
) -> Camera:
    """A Camera for ``media`` at the session's next free position (not yet stored)."""
    position = free_position(project.cameras(session_id))
    return Camera(
        new_id(),
        session_id,
        media.id,
        position,
        label.strip() or Path(media.path).stem or f"Camera {position + 1}",
        check_offset(offset_ms),
    )


def add_camera_from_video(
    project: Project, session_id: str, path: str | Path, label: str = ""
) -> AddCamera:
    """Probe ``path`` (slow: call off the GUI thread) and build the command adding it as a
    camera of the session. The caller pushes the command on its stack."""
    from coder.media.probe import media_from_probe, probe

    result = probe(path)
    existing = {m.fingerprint: m for m in project.media_list()}
    media = media_from_probe(path, result)
    known = existing.get(media.fingerprint)
    if known is not None:  # the same recording is already in the project: reuse its record
        return AddCamera(new_camera(project, session_id, known, label), None)
    camera = new_camera(project, session_id, media, label)
    return AddCamera(camera, media, result.frame_times_ms)


def sync_by_marks(
    project: Project, camera_id: str, primary_mark_ms: int, camera_mark_ms: int
) -> EditCamera:
    """The command that aligns a camera so that the moment marked in it (its own media time)
    shows when the primary shows its mark (e.g. the same clap)."""
    project.camera(camera_id)  # refuse an unknown camera before anything is pushed
    return EditCamera(camera_id, offset_ms=offset_from_marks(primary_mark_ms, camera_mark_ms))


def nudge(video: SessionVideo, primary_ms: int, frames: int) -> EditCamera:
    """The command moving a camera ``frames`` of its own frames against the primary."""
    if video.camera is None:
        raise CommandError("the main camera defines the time; nudge one of the others")
    return EditCamera(video.camera.id, offset_ms=video.clock.nudged(primary_ms, frames))


# --- outputs from any camera ----------------------------------------------------------------


def clip_sources(
    project: Project, requests: Sequence[ClipRequest], camera: str | None
) -> tuple[list[ClipRequest], dict[str, str]]:
    """Clip requests (primary-video times) re-aimed at ``camera`` (None: the main video):
    times moved into the camera's own time and kept inside its recording, the camera named in
    the label, and the video file each session's clips are cut from."""
    from coder.media.clip import ClipRequest

    aimed: list[ClipRequest] = []
    sources: dict[str, str] = {}
    for r in requests:
        video = video_for(project, r.session_id, camera)
        start, end = camera_window(video.offset_ms, r.in_ms, r.out_ms)
        duration = video.clock.timebase.duration_ms
        start, end = max(0, start), min(duration, end)
        if end <= start:
            raise ProjectError(
                f"{video.label} was not recording during '{r.label}' "
                f"({r.in_ms}–{r.out_ms} ms of the main video); choose another camera"
            )
        label = r.label if video.is_primary else f"{r.label}-{video.label}"
        aimed.append(ClipRequest(r.session_id, start, end, label))
        sources[r.session_id] = video.media.path
    return aimed, sources
