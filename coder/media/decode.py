"""Exact-frame decoding with PyAV: the picture of frame i, every time, also on VFR video.

Seek to the keyframe before the target, decode forward to it, and keep the decoded frames
(YUV, converted to RGB only on request) in a bounded cache, so stepping back inside a GOP needs
no new seek and stepping forward just continues decoding. Not thread-safe: one per thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.errors import MediaError
from coder.timebase import TimeBase

CACHE_BYTES = 384 * 1024 * 1024
FORWARD_DECODE_LIMIT = 300  # beyond this many frames ahead, seeking is cheaper than decoding
KEEP_BEHIND = 48  # decoded frames kept before a seek target, for fast stepping back


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
    ) -> None:
        self.path = Path(path)
        try:
            self._container = av.open(str(self.path))
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
        self._cache: OrderedDict[int, Any] = OrderedDict()  # index -> av.VideoFrame
        self._cache_bytes = 0
        self._iter: Iterator[Any] | None = None
        self._last_index = -1  # index of the last frame the live iterator produced
        self.current: int = 0
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

    # --- public -------------------------------------------------------------------------
    @property
    def frame_count(self) -> int:
        return self.timebase.frame_count

    def frame_at_ms(self, ms: int) -> DecodedFrame:
        return self.frame(self.timebase.frame_at(ms))

    def frame(self, index: int) -> DecodedFrame:
        index = min(max(0, index), self.frame_count - 1)
        raw = self._cache.get(index)
        if raw is None:
            raw = self._decode_to(index)
        else:
            self._cache.move_to_end(index)
        self.current = index
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

    def close(self) -> None:
        self._cache.clear()
        self._container.close()

    # --- decoding -----------------------------------------------------------------------
    def _decode_to(self, index: int) -> Any:
        ahead = index - self._last_index
        if self._iter is None or ahead <= 0 or ahead > FORWARD_DECODE_LIMIT:
            self._seek_before(index)
        assert self._iter is not None
        target_ms = self.timebase.ms_of(index)
        for frame in self._iter:
            if frame.pts is None:
                continue
            got = self.timebase.frame_at(self._ms(int(frame.pts)))
            self._last_index = got
            if got >= index - KEEP_BEHIND:  # holding every GOP frame would stall the decoder's pool
                self._remember(got, frame)
            if got >= index:
                if got > index:  # the stream skipped the target: keep going from a fresh seek
                    break
                return frame
        # Ran past the end or lost the target: fall back to the nearest decoded frame.
        near = min(self._cache, key=lambda i: abs(i - index), default=None)
        if near is None:
            raise MediaError(f"{self.path}: cannot decode the frame at {target_ms} ms")
        return self._cache[near]

    def _seek_before(self, index: int) -> None:
        target_pts = int(self.timebase.ms_of(index) / 1000 / self._tb) + self._start_pts
        self._container.seek(max(self._start_pts, target_pts), stream=self._stream, backward=True)
        self.seeks += 1
        self._iter = iter(self._container.decode(self._stream))
        self._last_index = -1

    def _remember(self, index: int, frame: Any) -> None:
        if index in self._cache:
            return
        size = frame.width * frame.height * 3 // 2
        self._cache[index] = frame
        self._cache_bytes += size
        while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cache_bytes -= old.width * old.height * 3 // 2

    def _to_rgb(self, frame: Any) -> np.ndarray[Any, np.dtype[np.uint8]]:
        if self.scale_to is not None:
            image = frame.to_ndarray(
                format="rgb24", width=self.scale_to[0], height=self.scale_to[1]
            )
        else:
            image = frame.to_ndarray(format="rgb24")
        rotation = int(getattr(frame, "rotation", 0) or 0) if self.apply_rotation else 0
        if rotation % 360:
            # PyAV reports the display matrix angle counter-clockwise; rot90 turns that way too.
            image = np.ascontiguousarray(np.rot90(image, k=(rotation // 90) % 4))
        result: np.ndarray[Any, np.dtype[np.uint8]] = image
        return result
