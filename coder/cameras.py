"""Several synchronised cameras per session: who shows which frame when (Qt-free rules).

A session's primary video (``Session.media_id``) defines time: every stored time (events,
segments, highlights) is primary-video time. Up to three more cameras (``Camera``) each carry
an offset: the camera's own media time at a moment is ``primary_ms + offset_ms``. The offset
is set by marking the same moment (a clap) in the primary and in the camera —
``offset_from_marks`` — and nudged a frame at a time (``CameraClock.nudged``).

Stepping, seeking and playing are driven by the primary; each camera shows the frame its own
time base says is on screen at the mapped time (``CameraClock.frame_for``), so a camera with
another frame rate or a variable one stays in step without accumulating drift: nothing is
counted, every position is mapped afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from coder.errors import CommandError
from coder.timebase import TimeBase

MAX_VIDEOS = 4  # the primary and up to three more cameras
MAX_OFFSET_MS = 6 * 3600 * 1000  # more than any session; a larger offset is a typing mistake


@dataclass(frozen=True)
class Camera:
    """One more camera of a session (the primary video is the session's own ``media_id``)."""

    id: str
    session_id: str
    media_id: str
    position: int  # 1..MAX_VIDEOS-1, the order cameras are shown in
    label: str = ""
    offset_ms: int = 0  # camera time = primary time + offset_ms


def offset_from_marks(primary_mark_ms: int, camera_mark_ms: int) -> int:
    """The offset that makes the camera show ``camera_mark_ms`` when the primary shows
    ``primary_mark_ms`` (the same clap seen in both)."""
    return int(camera_mark_ms) - int(primary_mark_ms)


def check_offset(offset_ms: int) -> int:
    if not -MAX_OFFSET_MS <= offset_ms <= MAX_OFFSET_MS:
        raise CommandError(
            f"a camera offset of {offset_ms} ms is more than 6 hours; mark the same moment "
            "in both videos again"
        )
    return int(offset_ms)


def free_position(cameras: list[Camera]) -> int:
    """The first unused camera position; CommandError when the session has four videos."""
    used = {c.position for c in cameras}
    for position in range(1, MAX_VIDEOS):
        if position not in used:
            return position
    raise CommandError(
        f"a session shows at most {MAX_VIDEOS} videos; remove a camera before adding another"
    )


class CameraClock:
    """A camera's time base seen from the primary video's time."""

    def __init__(self, timebase: TimeBase, offset_ms: int = 0) -> None:
        self.timebase = timebase
        self.offset_ms = int(offset_ms)

    def camera_ms(self, primary_ms: int) -> int:
        return int(primary_ms) + self.offset_ms

    def frame_for(self, primary_ms: int) -> int | None:
        """The camera frame on screen when the primary is at ``primary_ms``; None when the
        camera was not recording then (before its start or after its end)."""
        t = self.camera_ms(primary_ms)
        if t < self.timebase.ms_of(0) or t >= self.timebase.duration_ms:
            return None
        return self.timebase.frame_at(t)

    def primary_ms_of(self, frame: int) -> int:
        """The primary time at which the camera's ``frame`` starts."""
        return self.timebase.ms_of(frame) - self.offset_ms

    def nudged(self, primary_ms: int, frames: int) -> int:
        """The offset after moving this camera ``frames`` frames (its own frames) relative to
        the primary at ``primary_ms``: +1 shows the camera's next frame at the same moment."""
        t = min(max(0, self.camera_ms(primary_ms)), self.timebase.duration_ms - 1)
        here = self.timebase.frame_at(t)
        there = min(max(0, here + frames), self.timebase.frame_count - 1)
        return self.offset_ms + self.timebase.ms_of(there) - self.timebase.ms_of(here)

    def primary_range(self) -> tuple[int, int]:
        """The primary times [start, end) during which this camera has a picture."""
        return self.timebase.ms_of(0) - self.offset_ms, self.timebase.duration_ms - self.offset_ms


def camera_window(offset_ms: int, in_ms: int, out_ms: int) -> tuple[int, int]:
    """A primary-time range [in, out) in the camera's own media time (for clips and reels)."""
    return in_ms + offset_ms, out_ms + offset_ms
