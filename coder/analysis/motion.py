"""Motion energy per region of interest (Ramseyer & Tschacher's motion energy analysis).

Each frame is decoded with PyAV and scaled down to a small grey picture by FFmpeg's scaler
(area averaging, which also removes most sensor noise; the decoder may skip deblocking, see
MotionSettings); the absolute difference from the previous frame is thresholded, and a
region's motion energy at that frame is the share of its pixels that changed (0..1). The
raw per-frame values are what we cache; smoothing is cheap and applied at analysis time
(``smooth``), so changing it needs no new decode.

Regions are boxes in fractions (0..1) of the picture as shown (rotation applied), one per
person; the clinician draws them or accepts the default halves. Frame times come from the
packets' timestamps, so variable frame rate video is timed correctly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.errors import AttuneError, Cancelled, MediaError
from coder.progress import Cancel, Progress

FloatArray = np.ndarray[Any, np.dtype[np.float32]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

ALGORITHM_VERSION = 1  # part of the cache key: bump when the computation changes


@dataclass(frozen=True)
class Region:
    """A box around one person, in fractions of the shown picture."""

    name: str
    x: float
    y: float
    w: float
    h: float

    def check(self) -> None:
        inside = 0 <= self.x < 1 and 0 <= self.y < 1 and self.w > 0 and self.h > 0
        if not inside or self.x + self.w > 1.0001 or self.y + self.h > 1.0001:
            raise AttuneError(
                f"region '{self.name}' ({self.x:g}, {self.y:g}, {self.w:g}, {self.h:g}) must lie "
                "inside the picture: x, y, width and height are fractions between 0 and 1"
            )

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        x0, y0 = int(self.x * width), int(self.y * height)
        x1 = max(x0 + 1, min(width, math.ceil((self.x + self.w) * width)))
        y1 = max(y0 + 1, min(height, math.ceil((self.y + self.h) * height)))
        return x0, y0, x1, y1

    @classmethod
    def parse(cls, text: str) -> Region:
        """``name=x,y,w,h`` (fractions), as the CLI takes it."""
        name, _, box = text.partition("=")
        try:
            x, y, w, h = (float(v) for v in box.split(","))
        except ValueError:
            raise AttuneError(
                f"'{text}' is not a region; write NAME=X,Y,W,H with fractions, "
                "e.g. parent=0,0,0.5,1"
            ) from None
        region = cls(name.strip(), x, y, w, h)
        if not region.name:
            raise AttuneError(f"'{text}': the region needs a name, e.g. parent=0,0,0.5,1")
        region.check()
        return region


def default_regions(names: Sequence[str] = ("left", "right")) -> tuple[Region, ...]:
    """Side-by-side halves of the picture, one per name (left to right)."""
    n = max(1, len(names))
    return tuple(Region(name, i / n, 0.0, 1 / n, 1.0) for i, name in enumerate(names))


@dataclass(frozen=True)
class MotionSettings:
    width: int = 160  # width of the grey picture compared; height keeps the aspect
    threshold: int = 10  # a pixel "moves" when its grey level changes by more than this
    # Skip H.264's deblocking filter: it only smooths block edges, which the 8x area
    # downscale averages away (max 5 grey levels on bench/motion.py's file, below the
    # threshold), and it costs a fifth of the decode.
    fast_decode: bool = True

    def check(self) -> None:
        if not 16 <= self.width <= 1920:
            raise AttuneError(f"the analysis width must be 16-1920 pixels (got {self.width})")
        if not 0 <= self.threshold < 255:
            raise AttuneError(f"the threshold must be 0-254 grey levels (got {self.threshold})")


@dataclass(frozen=True)
class MotionSeries:
    """Per-frame motion energy: ``energy[i, r]`` is region r's share of changed pixels
    between frame i-1 and frame i (0 for the first frame), at ``times_ms[i]``."""

    times_ms: IntArray
    energy: FloatArray
    regions: tuple[Region, ...]
    settings: MotionSettings = field(default_factory=MotionSettings)

    @property
    def frame_period_ms(self) -> float:
        if len(self.times_ms) < 2:
            return 40.0
        return float(np.median(np.diff(self.times_ms)))

    def region(self, name: str) -> FloatArray:
        names = [r.name for r in self.regions]
        if name not in names:
            raise AttuneError(f"no region '{name}' (regions: {', '.join(names)})")
        column: FloatArray = self.energy[:, names.index(name)]
        return column


def cache_key(regions: Sequence[Region], settings: MotionSettings) -> str:
    """A stable text naming everything the cached values depend on."""
    return json.dumps(
        {
            "version": ALGORITHM_VERSION,
            "regions": [asdict(r) for r in regions],
            "settings": asdict(settings),
        },
        sort_keys=True,
    )


def _rotate(grey: np.ndarray[Any, Any], rotation: int) -> np.ndarray[Any, Any]:
    if rotation % 360 == 0:
        return grey
    # PyAV reports the display angle counter-clockwise; rot90 turns that way too.
    return np.ascontiguousarray(np.rot90(grey, k=(rotation // 90) % 4))


def motion_energy(
    path: str | Path,
    regions: Sequence[Region],
    settings: MotionSettings | None = None,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> MotionSeries:
    """Decode ``path`` once and measure each region's motion energy at every frame."""
    settings = settings or MotionSettings()
    settings.check()
    if not regions:
        raise AttuneError("draw at least one region (one box per person)")
    names = [r.name for r in regions]
    if len(set(names)) != len(names):
        raise AttuneError(f"region names must differ (got {', '.join(names)})")
    for r in regions:
        r.check()
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(
            f"{path}: cannot read this video ({exc.__class__.__name__}); check it or re-link it"
        ) from exc
    with container:
        if not container.streams.video:
            raise MediaError(f"{path}: has no video track; choose the session's video")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if settings.fast_decode:
            stream.codec_context.options = {"skip_loop_filter": "all"}
        src_w, src_h = stream.codec_context.width, stream.codec_context.height
        if not src_w or not src_h:
            raise MediaError(f"{path}: the video has no picture size; it may be damaged")
        expected = stream.frames or (
            int(container.duration / 1_000_000 * float(stream.average_rate or 25))
            if container.duration
            else 0
        )
        time_base = float(stream.time_base or 0)
        times: list[int] = []
        rows: list[np.ndarray[Any, Any]] = []
        previous: np.ndarray[Any, Any] | None = None
        boxes: list[tuple[int, int, int, int]] = []
        start_pts: int | None = None
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                rotation = int(getattr(frame, "rotation", 0) or 0)
                turned = rotation % 180 != 0
                shown_w, shown_h = (src_h, src_w) if turned else (src_w, src_h)
                w = settings.width
                h = max(2, round(w * shown_h / shown_w))
                # Scale before rotating: the scaler sees the stored (unrotated) picture.
                grey = frame.to_ndarray(
                    format="gray",
                    width=h if turned else w,
                    height=w if turned else h,
                    interpolation="AREA",
                )
                grey16 = _rotate(grey, rotation).astype(np.int16)
                if start_pts is None:
                    start_pts = int(frame.pts)
                    boxes = [r.pixels(grey16.shape[1], grey16.shape[0]) for r in regions]
                times.append(round((int(frame.pts) - start_pts) * time_base * 1000))
                if previous is None or previous.shape != grey16.shape:
                    rows.append(np.zeros(len(regions), np.float32))
                else:
                    moved = np.abs(grey16 - previous) > settings.threshold
                    rows.append(
                        np.array(
                            [moved[y0:y1, x0:x1].mean() for x0, y0, x1, y1 in boxes], np.float32
                        )
                    )
                previous = grey16
                if len(times) % 50 == 0:
                    if cancel is not None and cancel():
                        raise Cancelled("motion energy cancelled; nothing was saved")
                    if progress is not None and expected:
                        progress(min(0.99, len(times) / expected))
        except av.error.FFmpegError as exc:
            raise MediaError(
                f"{path}: the video is damaged near {times[-1] / 1000 if times else 0:.1f} s "
                f"({exc.__class__.__name__}); re-encode or re-link it"
            ) from exc
    if not times:
        raise MediaError(f"{path}: the video track holds no frames")
    order = np.argsort(np.asarray(times), kind="stable")  # frames arrive in display order;
    energy = np.vstack(rows)[order]  # sort anyway so odd streams cannot scramble the series
    if progress is not None:
        progress(1.0)
    return MotionSeries(
        np.asarray(times, np.int64)[order], energy.astype(np.float32), tuple(regions), settings
    )


def smooth(values: np.ndarray[Any, Any], samples: int) -> FloatArray:
    """Centred moving average over ``samples`` (edges average what exists)."""
    x = np.asarray(values, np.float64)
    if samples <= 1 or len(x) == 0:
        return x.astype(np.float32)
    kernel = np.ones(samples)
    total = np.convolve(x, kernel, mode="same")
    count = np.convolve(np.ones_like(x), kernel, mode="same")
    result: FloatArray = (total / count).astype(np.float32)
    return result
