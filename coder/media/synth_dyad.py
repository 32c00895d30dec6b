"""Generated videos of two moving figures for synchrony tests, benchmarks and the demo.

The leader (left half) moves in bursts of random length and speed with still spells between
them; the follower (right half, the same shape) repeats the leader's path ``lag_frames``
later. Both are drawn on a flat background, so the motion energy of the follower is the
leader's shifted by exactly that lag: an analysis must recover it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

Frame = np.ndarray[Any, np.dtype[np.uint8]]


@dataclass(frozen=True)
class DyadTruth:
    fps: int
    frames: int
    lag_frames: int
    leader_x: tuple[float, ...]  # the leader's horizontal offset per frame (pixels)

    @property
    def lag_ms(self) -> int:
        return round(1000 * self.lag_frames / self.fps)


def burst_path(
    frames: int, fps: int, span: float, rng: np.random.Generator
) -> np.ndarray[Any, Any]:
    """Offsets in [0, span]: moving bursts (0.4-2.5 s) alternate with still spells."""
    x = np.zeros(frames)
    pos, i = span / 2, 0
    moving = False
    while i < frames:
        length = max(1, int(rng.uniform(0.4, 2.5) * fps))
        velocity = rng.uniform(0.6, 1.6) * span / fps * rng.choice((-1, 1)) if moving else 0.0
        for j in range(i, min(frames, i + length)):
            pos += velocity
            if pos < 0 or pos > span:  # bounce off the edges of the figure's half
                velocity = -velocity
                pos = min(span, max(0.0, pos))
            x[j] = pos
        i += length
        moving = not moving
    return x


def lead_and_follow(
    frames: int, fps: int, follow: tuple[float, float], lag_frames: int, seed: int = 11
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Two paths in [0, 1] for the demo: the child moves on its own except during
    ``follow`` (a fraction range of the session, e.g. (0.3, 0.9)), where it repeats the
    parent's moves ``lag_frames`` later."""
    rng = np.random.default_rng(seed)
    parent = burst_path(frames, fps, 1.0, rng)
    own = burst_path(frames, fps, 1.0, rng)
    echo = np.concatenate([np.full(lag_frames, parent[0]), parent[: frames - lag_frames]])
    child = own.copy()
    start, end = round(follow[0] * frames), round(follow[1] * frames)
    # Glide from the child's own place to the echo over one second, so there is no jump.
    ramp = np.clip((np.arange(frames) - start) / fps, 0, 1) * (np.arange(frames) < end)
    child = (1 - ramp) * own + ramp * echo
    return parent, child


def _draw(image: Frame, cx: float, cy: float, size: float, colour: tuple[int, int, int]) -> None:
    height, width = image.shape[:2]
    yy, xx = np.ogrid[:height, :width]
    head = (xx - cx) ** 2 + (yy - (cy - 1.1 * size)) ** 2 <= (0.45 * size) ** 2
    body = ((xx - cx) / (0.6 * size)) ** 2 + ((yy - cy) / size) ** 2 <= 1
    image[head | body] = colour


def render_dyad(
    leader_x: np.ndarray[Any, Any],
    follower_x: np.ndarray[Any, Any],
    i: int,
    size: tuple[int, int],
    background: Frame,
) -> Frame:
    width, height = size
    image = background.copy()
    figure = height * 0.22
    _draw(image, width * 0.12 + leader_x[i], height * 0.55, figure, (60, 80, 170))
    _draw(image, width * 0.62 + follower_x[i], height * 0.55, figure, (60, 80, 170))
    return image


def write_dyad_video(
    path: str | Path,
    *,
    seconds: float = 60,
    fps: int = 10,
    size: tuple[int, int] = (160, 90),
    lag_frames: int = 5,
    seed: int = 1,
    independent: bool = False,
    crf: int = 18,
    preset: str = "ultrafast",
    grain: int = 0,
    progress: Callable[[float], None] | None = None,
) -> DyadTruth:
    """Write the clip; ``independent=True`` gives the follower its own unrelated path.

    ``grain`` adds a textured floor and fresh sensor-like noise of that amplitude to every
    frame, so a benchmark decodes something closer to a camera recording than flat colour."""
    width, height = size
    frames = round(seconds * fps)
    rng = np.random.default_rng(seed)
    span = width * 0.25
    leader = burst_path(frames, fps, span, rng)
    if independent:
        follower = burst_path(frames, fps, span, np.random.default_rng(seed + 1000))
    else:
        follower = np.concatenate([np.full(lag_frames, leader[0]), leader[: frames - lag_frames]])
    background = np.zeros((height, width, 3), np.uint8)
    background[:] = (225, 220, 205)
    if grain:
        texture = rng.integers(-12, 13, (height, width, 1))
        background = np.clip(background + texture, 0, 255).astype(np.uint8)
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"preset": preset, "crf": str(crf), "keyint": str(2 * fps)}
        noise = np.random.default_rng(seed + 7)
        for i in range(frames):
            image = render_dyad(leader, follower, i, size, background)
            if grain:
                jitter = noise.integers(-grain, grain + 1, (height, width, 1), dtype=np.int16)
                image = np.clip(image + jitter, 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
            if progress is not None and i % fps == 0:
                progress(i / frames)
        for packet in stream.encode(None):
            container.mux(packet)
    if progress is not None:
        progress(1.0)
    return DyadTruth(fps, frames, 0 if independent else lag_frames, tuple(leader.tolist()))
