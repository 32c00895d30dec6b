"""Media time <-> frame index from the real presentation timestamps (VFR-safe, DESIGN §3).

Frame i is shown during [ms_of(i), ms_of(i + 1)); the last frame until the media's end.
Times are integer milliseconds; lookups are binary searches over the sorted start times.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence


class TimeBase:
    def __init__(self, frame_times_ms: Sequence[int], duration_ms: int) -> None:
        if not frame_times_ms:
            raise ValueError("a time base needs at least one frame")
        self._starts = sorted(int(t) for t in frame_times_ms)
        self.duration_ms = max(int(duration_ms), self._starts[-1] + 1)

    @classmethod
    def constant(cls, fps: float, duration_ms: int) -> TimeBase:
        """A constant-rate time base (for media whose table is not known yet); a length or a
        rate beyond coder.limits is refused before the table is built."""
        from coder.errors import MediaError
        from coder.limits import fps_problem, frame_count_problem, time_problem

        problem = (
            time_problem(duration_ms, "the video length")
            or fps_problem(fps)
            or frame_count_problem(duration_ms, fps)
        )
        if problem:
            raise MediaError(f"cannot make a frame table: {problem}; check the file's video length")
        count = max(1, int(duration_ms * fps / 1000))
        return cls([round(i * 1000 / fps) for i in range(count)], duration_ms)

    @property
    def frame_count(self) -> int:
        return len(self._starts)

    @property
    def frame_times(self) -> list[int]:
        return list(self._starts)

    def frame_at(self, ms: int) -> int:
        """The index of the frame displayed at ``ms`` (clamped to the media)."""
        return max(0, bisect_right(self._starts, ms) - 1)

    def ms_of(self, frame: int) -> int:
        """The start time of ``frame`` (clamped to the media)."""
        return self._starts[min(max(0, frame), len(self._starts) - 1)]

    def snap(self, ms: int) -> int:
        """The start time of the frame displayed at ``ms``."""
        return self.ms_of(self.frame_at(ms))

    def step(self, ms: int, delta_frames: int) -> int:
        """The start time of the frame ``delta_frames`` away from the one shown at ``ms``."""
        return self.ms_of(self.frame_at(ms) + delta_frames)

    def frame_duration(self, frame: int) -> int:
        if frame + 1 < len(self._starts):
            return self._starts[frame + 1] - self._starts[frame]
        return max(1, self.duration_ms - self._starts[-1])

    def nearest_frame_edge(self, ms: int) -> int:
        """The frame start closest to ``ms`` (for snapping drags to frames)."""
        i = self.frame_at(ms)
        here = self._starts[i]
        nxt = self._starts[i + 1] if i + 1 < len(self._starts) else self.duration_ms
        return here if ms - here <= nxt - ms else nxt
