"""Exact-frame seeking and stepping on a 1080p H.264 file (GOP 250), against raw PyAV.

- random seek: our FrameDecoder (exact frame) vs raw PyAV "seek to keyframe + decode to the
  target" in the same run (goal: ratio <= 1.3);
- step forward / backward by one frame vs the frame period (40 ms; goals <= 0.5x and <= 1x).
Run: python bench/player.py [seconds]   (the test video is generated first, not timed)
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from coder.media.decode import FrameDecoder
from coder.media.synth import draw_index, read_frame_index

FPS = 25


def make_video(path: Path, seconds: int) -> list[int]:
    """1080p, GOP 250, every frame carries its index (so exactness is checked too)."""
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 60, (1080, 1920, 3), dtype=np.uint8)
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=FPS)
        s.width, s.height, s.pix_fmt = 1920, 1080, "yuv420p"
        s.options = {
            "preset": "ultrafast",
            "keyint": "250",
            "min-keyint": "250",
            "sc_threshold": "0",
            "bf": "0",
        }
        for i in range(seconds * FPS):
            img = np.roll(noise, i * 7, axis=1)
            draw_index(img, i)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            for p in s.encode(frame):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    return [round(i * 1000 / FPS) for i in range(seconds * FPS)]


def raw_seek(path: Path, index: int) -> int:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        target = int(index / FPS / s.time_base)
        c.seek(target, stream=s, backward=True)
        for f in c.decode(s):
            if f.pts is not None and f.pts >= target:
                return read_frame_index(f.to_ndarray(format="rgb24"))
    return -1


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench1080.mp4"
        times = make_video(path, seconds)
        rng = random.Random(5)
        targets = [rng.randrange(0, len(times)) for _ in range(12)]
        raw, ours, exact = [], [], 0
        for t in targets:
            start = time.perf_counter()
            raw_index = raw_seek(path, t)
            raw.append(time.perf_counter() - start)
            decoder = FrameDecoder(path, times)  # a cold decoder: no cache helps it
            start = time.perf_counter()
            frame = decoder.frame(t)
            ours.append(time.perf_counter() - start)
            exact += read_frame_index(frame.image) == t == raw_index
            decoder.close()
        r, o = statistics.median(raw), statistics.median(ours)
        print(
            f"random seek 1080p GOP 250: ours {o * 1000:.0f} ms, raw PyAV {r * 1000:.0f} ms, "
            f"ratio {o / r:.2f} (goal <= 1.3); exact {exact}/{len(targets)}"
        )
        decoder = FrameDecoder(path, times)
        decoder.frame(len(times) // 2)
        fwd, back = [], []
        for _ in range(20):
            start = time.perf_counter()
            decoder.step(1)
            fwd.append(time.perf_counter() - start)
        for _ in range(40):  # back across the keyframe at 250 too
            start = time.perf_counter()
            decoder.step(-1)
            back.append(time.perf_counter() - start)
        period = 1000 / FPS
        f_ms, b_ms = statistics.median(fwd) * 1000, statistics.median(back) * 1000
        print(
            f"step forward {f_ms:.1f} ms = {f_ms / period:.2f} of a frame (goal <= 0.5); "
            f"step backward {b_ms:.1f} ms = {b_ms / period:.2f} of a frame (goal <= 1.0); "
            f"worst backward {max(back) * 1000:.0f} ms (GOP boundary)"
        )
        decoder.close()


if __name__ == "__main__":
    main()
