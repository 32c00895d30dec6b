"""Generated test and demo videos (PyAV), so tests can prove which frame was shown or cut.

Index videos carry each frame's number as 16 black/white blocks in a strip at the top (bit i
of the index -> block i), readable back from any decoder's output with read_frame_index.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

BITS = 16
AUDIO_RATE = 48_000
Frame = np.ndarray[Any, np.dtype[np.uint8]]


def index_strip_height(height: int) -> int:
    return max(4, height // 4)


def draw_index(image: Frame, index: int) -> None:
    """Write ``index`` into the top strip of ``image`` in place."""
    height, width = image.shape[:2]
    strip = index_strip_height(height)
    block = width / BITS
    for bit in range(BITS):
        value = 255 if (index >> bit) & 1 else 0
        image[:strip, int(bit * block) : int((bit + 1) * block)] = value


def read_frame_index(image: Frame) -> int:
    """Read back the index drawn by draw_index (samples block centres, threshold 128)."""
    height, width = image.shape[:2]
    strip = index_strip_height(height)
    block = width / BITS
    y0, y1 = strip // 4, max(strip // 4 + 1, 3 * strip // 4)
    index = 0
    for bit in range(BITS):
        x0 = int(bit * block + block / 4)
        x1 = max(x0 + 1, int(bit * block + 3 * block / 4))
        if float(image[y0:y1, x0:x1].mean()) >= 128:
            index |= 1 << bit
    return index


def _tone(
    start_s: float, samples: int, freq: float, amplitude: float = 0.2
) -> np.ndarray[Any, Any]:
    t = start_s + np.arange(samples) / AUDIO_RATE
    return (amplitude * np.sin(2 * math.pi * freq * t)).astype(np.float32)


def write_index_video(
    path: str | Path,
    *,
    frames: int,
    fps: int = 25,
    size: tuple[int, int] = (160, 120),
    gop: int = 12,
    vfr_pattern: Sequence[int] | None = None,
    audio: bool = False,
    codec: str = "libx264",
    rotation: int = 0,
    container_format: str | None = None,
) -> list[int]:
    """Write a clip whose frames carry their own index; return the frame start times in ms.

    ``vfr_pattern`` gives per-frame durations in ms (repeated cyclically) for a variable frame
    rate clip, like a phone that drops frames. ``rotation`` is stored as display metadata.
    """
    width, height = size
    durations = [round(1000 / fps)] * frames
    if vfr_pattern:
        durations = [vfr_pattern[i % len(vfr_pattern)] for i in range(frames)]
    starts = [0]
    for d in durations[:-1]:
        starts.append(starts[-1] + d)
    with av.open(str(path), "w", format=container_format) as container:
        stream: Any = container.add_stream(codec, rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.codec_context.gop_size = gop
        if codec == "libx264":
            stream.options = {
                "preset": "ultrafast",
                "bf": "0",
                "keyint": str(gop),
                "min-keyint": str(gop),
                "sc_threshold": "0",
            }
        if rotation:
            stream.metadata["rotate"] = str(rotation)
        sound: Any = container.add_stream("aac", rate=AUDIO_RATE) if audio else None
        if sound is not None:
            sound.layout = "mono"
        base = np.zeros((height, width, 3), np.uint8)
        base[index_strip_height(height) :] = (90, 110, 140)
        for i, start in enumerate(starts):
            image = base.copy()
            draw_index(image, i)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = start
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if sound is not None:
            total_ms = starts[-1] + durations[-1]
            _write_audio(container, sound, total_ms, lambda s, n: _tone(s, n, 440.0))
    return starts


def _write_audio(
    container: Any,
    sound: Any,
    total_ms: int,
    samples_at: Callable[[float, int], np.ndarray[Any, Any]],
) -> None:
    total = round(total_ms * AUDIO_RATE / 1000)
    pts = 0
    while pts < total:
        n = min(1024, total - pts)
        chunk = samples_at(pts / AUDIO_RATE, n).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = pts
        pts += n
        for packet in sound.encode(frame):
            container.mux(packet)
    for packet in sound.encode(None):
        container.mux(packet)


# --- the demo session ---------------------------------------------------------------------


def _talk_schedule(seconds: int) -> list[tuple[float, float, str]]:
    """Who "talks" when: alternating short turns, parent lower pitch, child higher."""
    turns = []
    t, speaker = 1.0, "parent"
    rng = np.random.default_rng(7)
    while t < seconds - 1:
        length = float(rng.uniform(0.6, 1.8))
        turns.append((t, min(seconds, t + length), speaker))
        t += length + float(rng.uniform(0.8, 2.5))
        speaker = "child" if speaker == "parent" else "parent"
    return turns


def _figure(image: Frame, cx: float, cy: float, scale: float, colour: tuple[int, int, int]) -> None:
    """A simple person: a round head over a rounded body (numpy only)."""
    height, width = image.shape[:2]
    yy, xx = np.ogrid[:height, :width]
    head_r = 18 * scale
    head = (xx - cx) ** 2 + (yy - (cy - 40 * scale)) ** 2 <= head_r**2
    body = ((xx - cx) / (26 * scale)) ** 2 + ((yy - (cy + 10 * scale)) / (38 * scale)) ** 2 <= 1
    image[head | body] = colour


def write_demo_video(
    path: str | Path,
    *,
    seconds: int = 60,
    fps: int = 25,
    size: tuple[int, int] = (640, 360),
    progress: Callable[[float], None] | None = None,
) -> None:
    """A synthetic play session: a parent and a child figure moving, tones when they talk."""
    from coder.media.synth_dyad import lead_and_follow

    width, height = size
    frames = seconds * fps
    turns = _talk_schedule(seconds)
    # The parent moves in bursts; for most of the session the child repeats them 0.8 s
    # later (the synchrony analysis finds this as a "parent leads" candidate).
    parent_x, child_x = lead_and_follow(frames, fps, (0.3, 0.95), round(0.8 * fps))
    floor = np.zeros((height, width, 3), np.uint8)
    floor[:] = (235, 225, 205)
    floor[int(height * 0.72) :] = (196, 170, 130)  # a rug
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "26", "keyint": str(2 * fps)}
        sound: Any = container.add_stream("aac", rate=AUDIO_RATE)
        sound.layout = "mono"
        for i in range(frames):
            t = i / fps
            image = floor.copy()
            # A toy both play with, and the two figures drifting towards and away from it.
            toy_x = width * (0.5 + 0.15 * math.sin(t / 7))
            image[int(height * 0.68) : int(height * 0.74), int(toy_x) - 12 : int(toy_x) + 12] = (
                200,
                60,
                60,
            )
            px = width * (0.2 + 0.16 * parent_x[i])
            cx = width * (0.58 + 0.22 * child_x[i])
            talking = {who for start, end, who in turns if start <= t < end}
            _figure(
                image,
                px,
                height * 0.52,
                1.6,
                (70, 90, 160) if "parent" not in talking else (90, 120, 210),
            )
            _figure(
                image,
                cx,
                height * 0.62,
                1.0,
                (220, 150, 60) if "child" not in talking else (250, 190, 80),
            )
            strip = image[: max(4, height // 40)]
            draw_index(strip, i)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
            if progress is not None and i % fps == 0:
                progress(i / frames)
        for packet in stream.encode(None):
            container.mux(packet)

        def voice(start: float, n: int) -> np.ndarray[Any, Any]:
            t = start + np.arange(n) / AUDIO_RATE
            out = np.zeros(n, np.float32)
            for a, b, who in turns:
                mask = (t >= a) & (t < b)
                if mask.any():
                    freq = 220.0 if who == "parent" else 440.0
                    out[mask] += (0.25 * np.sin(2 * math.pi * freq * t[mask])).astype(np.float32)
            return out

        _write_audio(container, sound, seconds * 1000, voice)
    if progress is not None:
        progress(1.0)
