"""Exact-frame decoding with PyAV: the picture of frame i, every time, also on VFR video.

Seek to the keyframe before the target, decode forward to it, and keep the decoded frames
(YUV, converted to RGB only on request) in a bounded cache, so stepping back inside a GOP needs
no new seek and stepping forward just continues decoding.

Stepping back across a keyframe would cost a whole GOP decode (0.3-2 s on long GOPs). So once
the caller has stepped back, whenever the frames cached just behind the one shown run short
(also right after a seek), a background thread with its own
demuxer and decoder (coder.media.prefetch) decodes the stretch before them while the user is
still looking at the current frames. Memory stays bounded: the cache holds at most
CACHE_BYTES of frames and drops the ones farthest from the frame shown first.

The public methods are not thread-safe: call them from one thread (the prefetch thread only
fills the cache).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.errors import MediaError
from coder.media.frame_cache import FrameCache, frame_bytes
from coder.media.opening import open_for_decoding
from coder.media.prefetch import BackwardPrefetcher
from coder.timebase import TimeBase

CACHE_BYTES = 384 * 1024 * 1024
FORWARD_DECODE_LIMIT = 300  # beyond this many frames ahead, seeking is cheaper than decoding
SEEK_COST_FRAMES = 4  # a seek (decoder flush and refill) costs about this many frame decodes
BACK_WINDOW_MAX = 64  # frames decoded ahead of a user stepping back, at most
BACK_WINDOW_MIN = 6
SEEK_RETRIES = 4  # a seek that lands after its target is retried this often, further back


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    pts_ms: int
    image: np.ndarray[Any, np.dtype[np.uint8]]  # RGB, rotation applied


class FrameDecoder:
    def __init__(
        self,
        path: str | Path,
        frame_times_ms: Sequence[int] | None = None,
        *,
        apply_rotation: bool = True,
        scale_to: tuple[int, int] | None = None,
        prefetch: bool = True,
        cache_bytes: int = CACHE_BYTES,
        at_the_keyboard: bool = False,
    ) -> None:
        self.path = Path(path)
        try:
            self._container = open_for_decoding(str(self.path))
            self._stream = self._container.streams.video[0]
        except (av.error.FFmpegError, OSError, IndexError) as exc:
            raise MediaError(
                f"{self.path}: cannot decode this video ({exc.__class__.__name__}); "
                "check the file or re-link it"
            ) from exc
        self._stream.thread_type = "AUTO"
        self._tb = self._stream.time_base
        self._start_pts = self._first_pts()
        times = list(frame_times_ms) if frame_times_ms else self._scan_times()
        duration = (
            int(self._container.duration / 1000) if self._container.duration else times[-1] + 40
        )
        self.timebase = TimeBase(times, duration)
        self.apply_rotation = apply_rotation
        self.scale_to = scale_to
        # Pictures come out at this (width, height) as shown, rotation applied (None: as is).
        self.display_size: tuple[int, int] | None = None
        self._cache = FrameCache(cache_bytes)
        self._iter: Iterator[Any] | None = None
        self._last_index = -1  # index of the last frame the live iterator produced
        self._keyframes: list[int] | None = None  # known keyframe indices (sorted)
        per_frame = frame_bytes(self._stream.codec_context.width, self._stream.codec_context.height)
        # The cache holds the window behind the frame shown, the one being prefetched before
        # it and what lies ahead; a third of the budget each.
        self.window = max(BACK_WINDOW_MIN, min(BACK_WINDOW_MAX, cache_bytes // 3 // per_frame))
        # Started on the first step back only: a reel or a handout reading forwards never
        # has a thread, and a decoder it forgets to close is simply collected.
        self._prefetch_allowed = prefetch
        self._prefetch: BackwardPrefetcher | None = None
        self.current: int = 0
        # Decoding backwards ahead of time pays off only for someone who steps back (a coder
        # at the keyboard); a reel or a handout reading forwards never starts it. The player
        # (``at_the_keyboard``) starts on the frames before each place it lands on: the first
        # step back across a keyframe then finds the GOP before it decoded or under way, not a
        # whole GOP still to decode (a second and more for long GOPs and 4K).
        self._steps_back = at_the_keyboard
        self.seeks = 0  # how many container seeks were needed (for tests and benchmarks)

    def _first_pts(self) -> int:
        for packet in self._container.demux(self._stream):
            if packet.pts is not None:
                first = int(packet.pts)
                break
        else:
            raise MediaError(f"{self.path}: the video track holds no frames")
        self._container.seek(0, stream=self._stream, backward=True)
        return first

    def _scan_times(self) -> list[int]:
        pts = [
            int(p.pts) for p in self._container.demux(self._stream) if p.pts is not None and p.size
        ]
        self._container.seek(0, stream=self._stream, backward=True)
        return sorted({self._ms(p) for p in pts})

    def _ms(self, pts: int) -> int:
        return round(float((pts - self._start_pts) * self._tb) * 1000)

    def _frame_index(self, pts: int) -> int:
        return self.timebase.frame_at(self._ms(pts))

    def _pts_of(self, index: int, back_ms: int = 0) -> int:
        ms = self.timebase.ms_of(index) - back_ms
        return max(self._start_pts, int(ms / 1000 / self._tb) + self._start_pts)

    # --- public -------------------------------------------------------------------------
    @property
    def frame_count(self) -> int:
        return self.timebase.frame_count

    def frame_at_ms(self, ms: int) -> DecodedFrame:
        return self.frame(self.timebase.frame_at(ms))

    def frame(self, index: int) -> DecodedFrame:
        index = min(max(0, index), self.frame_count - 1)
        self._cache.focus = index
        raw = self._cache.get(index)
        prefetch = self._prefetch
        if prefetch is not None:
            prefetch.retarget(index, self.window)
            if raw is None and prefetch.covers(index):
                raw = self._cache.wait_for(index, lambda: prefetch.covers(index))
        if raw is None:
            raw = self._decode_to(index)
        if 0 < self.current - index <= 2:
            self._steps_back = True
        self.current = index
        self._plan_backward(index)
        return DecodedFrame(index, self.timebase.ms_of(index), self._to_rgb(raw))

    def step(self, delta: int = 1) -> DecodedFrame:
        return self.frame(self.current + delta)

    def thumbnail(self, ms: int) -> DecodedFrame:
        """The keyframe at or before ``ms``: fast, approximate (for previews only)."""
        target = int(ms / 1000 / self._tb) + self._start_pts
        self._container.seek(target, stream=self._stream, backward=True)
        self._iter = None
        for frame in self._container.decode(self._stream):
            index = self.timebase.frame_at(self._ms(int(frame.pts or 0)))
            return DecodedFrame(index, self.timebase.ms_of(index), self._to_rgb(frame))
        raise MediaError(f"{self.path}: no picture near {ms} ms")

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until background decoding has finished (tests and benchmarks)."""
        return self._prefetch.wait_idle(timeout) if self._prefetch is not None else True

    @property
    def cached_bytes(self) -> int:
        return self._cache.bytes

    def is_cached(self, index: int) -> bool:
        return index in self._cache

    def close(self) -> None:
        if self._prefetch is not None:
            self._prefetch.close()
            self._prefetch = None
        self._cache.clear()
        self._container.close()

    # --- decoding -----------------------------------------------------------------------
    def _plan_backward(self, index: int) -> None:
        """Decode the frames before the cached run behind ``index`` if it is getting short."""
        if not self._prefetch_allowed or not self._steps_back:
            return
        # Ask as soon as fewer than a window of frames lie behind: the job (a decode from the
        # keyframe before it) then has a whole window of steps to finish in, which 4K frames
        # (a window of ~10) and long GOPs need at a person's pace.
        low = self._cache.run_start(index, self.window)
        if low == 0 or index - low >= self.window:
            return
        if self._prefetch is None:
            self._prefetch = BackwardPrefetcher(
                self.path, self._frame_index, self._pts_of, self._cache
            )
        lo = max(0, low - self.window)
        key = self._keyframe_at_or_before(low - 1)
        if key is not None and lo <= key < low:
            # The GOP just behind fits the window: decode exactly it. A job reaching further
            # back would start at the keyframe before that and decode a second GOP first,
            # while the user is about to step onto the frame just behind.
            lo = key
        self._prefetch.request(lo, low)

    def _keyframe_at_or_before(self, index: int) -> int | None:
        if self._keyframes is None:
            self._keyframes = self._indexed_keyframes()
        at = bisect_right(self._keyframes, index)
        return self._keyframes[at - 1] if at else None

    def _indexed_keyframes(self) -> list[int]:
        """Keyframes from the container's sample index when it lists every frame (MP4/MOV).

        Entries are in decode order; with closed GOPs a keyframe's position there is its
        display index. Only used to decide between seeking and decoding on, so an open GOP
        being off by a few frames costs a little time, never a wrong picture.
        """
        try:
            entries = self._stream.index_entries
            if len(entries) != self.frame_count:
                return []
            return [i for i, entry in enumerate(entries) if entry.is_keyframe]
        except (AttributeError, av.error.FFmpegError):
            return []

    def _should_seek(self, index: int) -> bool:
        if self._iter is None or index <= self._last_index:
            return True
        ahead = index - self._last_index
        if ahead > FORWARD_DECODE_LIMIT:
            return True
        key = self._keyframe_at_or_before(index)
        return key is not None and key > self._last_index and index - key + SEEK_COST_FRAMES < ahead

    def _decode_to(self, index: int) -> Any:
        for attempt in range(SEEK_RETRIES + 1):
            if attempt or self._should_seek(index):
                # A seek can land just after the target (B-frames, odd indexes): go further back.
                self._seek_before(index, back_ms=1000 * 4 ** (attempt - 1) if attempt else 0)
            frame, overshot = self._run_to(index)
            if frame is not None:
                return frame
            if not overshot:
                break
        # Ran past the end or lost the target: fall back to the nearest decoded frame.
        near = self._cache.nearest(index)
        if near is None:
            raise MediaError(
                f"{self.path}: cannot decode the frame at {self.timebase.ms_of(index)} ms"
            )
        return near

    def _run_to(self, index: int) -> tuple[Any, bool]:
        """Decode on to ``index``: (frame, False); (None, True) when a fresh seek landed after
        it; (None, False) when the stream ended or has no picture for it."""
        assert self._iter is not None
        fresh = self._last_index < 0
        for frame in self._iter:
            if frame.pts is None:
                continue
            got = self._frame_index(int(frame.pts))
            if fresh and got > index:
                return None, True
            fresh = False
            self._last_index = got
            if frame.key_frame:
                self._learn_keyframe(got)
            if got >= index - self.window:  # holding every GOP frame would stall the pool
                self._cache.put(got, frame)
            if got >= index:
                if got > index:  # the stream has no picture for the target: show its neighbour
                    return None, False
                return frame, False
        self._iter = None
        return None, False

    def _learn_keyframe(self, index: int) -> None:
        if self._keyframes is None:
            self._keyframes = self._indexed_keyframes()
        at = bisect_right(self._keyframes, index)
        if not at or self._keyframes[at - 1] != index:
            insort(self._keyframes, index)

    def _seek_before(self, index: int, back_ms: int = 0) -> None:
        self._container.seek(self._pts_of(index, back_ms), stream=self._stream, backward=True)
        self.seeks += 1
        self._iter = iter(self._container.decode(self._stream))
        self._last_index = -1

    def _to_rgb(self, frame: Any) -> np.ndarray[Any, np.dtype[np.uint8]]:
        rotation = int(getattr(frame, "rotation", 0) or 0) if self.apply_rotation else 0
        turns = (rotation // 90) % 4  # PyAV reports the display matrix angle counter-clockwise
        if self.display_size is not None:
            # Scaled in the same pass as the colour conversion (a reel: a third of its time
            # went to resizing full 1080p pictures); area averaging, as a picture shrinks.
            w, h = self.display_size if turns % 2 == 0 else self.display_size[::-1]
            image = frame.to_ndarray(format="rgb24", width=w, height=h, interpolation="AREA")
        elif self.scale_to is not None:
            image = frame.to_ndarray(
                format="rgb24", width=self.scale_to[0], height=self.scale_to[1]
            )
        else:
            image = frame.to_ndarray(format="rgb24")
        if turns:
            # OpenCV turns a 1080p picture in a third of the time numpy's copy of rot90 takes;
            # imported here, as only rotated phone videos need it (0.1 s off opening a project).
            import cv2

            image = cv2.rotate(
                image,
                (0, cv2.ROTATE_90_COUNTERCLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE)[turns],
            )
        result: np.ndarray[Any, np.dtype[np.uint8]] = image
        return result
