"""Exact seek and ±1 frame step: Attune's decoder vs mpv (the engine BORIS uses) vs raw PyAV,
on generated files shaped like phone and camcorder recordings (coder/media/synth_recorded.py).

For every format and tool: seek time (random targets) and step times (one frame forward and
back, stepping back across a keyframe, at a person's pace of PACE_S between presses), and
exactness: the frame index read from the picture itself (each frame carries its number as
black/white blocks) against the frame the time base says should be shown.

- ours: coder.media.decode.FrameDecoder, as the app's paused view uses it (RGB, rotation
  applied; the conversion is inside the timing).
- raw PyAV: seek to the keyframe before the target and decode up to it; a step forward is the
  next decoded frame, a step back seeks again (what a PyAV user gets without a frame cache).
  RGB conversion inside the timing, no rotation.
- mpv: paused, --vo=null, JSON IPC; `seek <t> absolute+exact` timed until `playback-restart`,
  `frame-step` / `frame-back-step` until `time-pos` changes. The picture is read back with an
  (untimed) screenshot. mpv also reports a frame number (estimated-frame-number); how often
  that agrees is shown too. mpv's conversion to RGB happens only for the screenshot (untimed).

The machine is shared (2 cores, several sessions), so every measurement is repeated
(--reps, default 3), tools are interleaved target by target, and medians are reported.
Run: python bench/peers.py [--reps N] [--seeks N] [--formats a,b] [--pace S]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.media.decode import FrameDecoder
from coder.media.synth import read_frame_index
from coder.media.synth_recorded import FORMATS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from media_cache import recorded, unshadow
from mpv_ipc import Mpv, mpv_path, mpv_version

unshadow()

PACE_S = 0.2  # time between two step presses: a person stepping through frames, 5 per second
Image = np.ndarray[Any, np.dtype[np.uint8]]


@dataclass
class Stream:
    """What the demuxer says about the video: real pts, keyframes, rotation."""

    path: Path
    pts: list[int]  # sorted presentation timestamps, stream time base
    start_pts: int
    time_base: Any
    keyframes: list[int]  # frame indices
    rotation: int  # clockwise degrees
    frame_times: list[int]

    @classmethod
    def read(cls, path: Path, frame_times: list[int]) -> Stream:
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            packets = [(int(p.pts), p.is_keyframe) for p in c.demux(s) if p.pts is not None and p.size]
            tb = s.time_base
            c.seek(0, stream=s)
            frame = next(c.decode(s))
            rotation = int(-(frame.rotation or 0)) % 360
        pts = sorted(p for p, _ in packets)
        order = {p: i for i, p in enumerate(pts)}
        keys = sorted(order[p] for p, key in packets if key)
        return cls(path, pts, pts[0], tb, keys, rotation, frame_times)

    def seconds(self, index: int) -> float:
        return float((self.pts[index] - self.start_pts) * self.time_base)

    def upright_index(self, image: Image, rotated: bool) -> int:
        """Frame number from a picture; undo the display rotation if the tool applied it."""
        if rotated and self.rotation:
            image = np.rot90(image, k=self.rotation // 90)
        return read_frame_index(image)


class Ours:
    name = "ours"

    def __init__(self, stream: Stream) -> None:
        self.s = stream
        self.decoder = FrameDecoder(stream.path, stream.frame_times, at_the_keyboard=True)  # as the player

    def seek(self, index: int) -> tuple[float, int, int]:
        t = time.perf_counter()
        frame = self.decoder.frame(index)
        dt = time.perf_counter() - t
        return dt, self.s.upright_index(frame.image, True), frame.index

    def step(self, delta: int) -> tuple[float, int, int]:
        t = time.perf_counter()
        frame = self.decoder.step(delta)
        dt = time.perf_counter() - t
        return dt, self.s.upright_index(frame.image, True), frame.index

    def settle(self) -> None:
        """Let background work finish before another tool is timed (fairness)."""
        waiter = getattr(self.decoder, "wait_idle", None)
        if waiter is not None:
            waiter()

    def close(self) -> None:
        self.decoder.close()


class RawPyAV:
    name = "raw PyAV"

    def __init__(self, stream: Stream) -> None:
        self.s = stream
        self.c = av.open(str(stream.path))
        self.v = self.c.streams.video[0]
        self.v.thread_type = "AUTO"
        self.frames: Iterator[Any] | None = None
        self.current = 0

    def _seek(self, index: int) -> Image:
        target = self.s.pts[index]
        self.c.seek(target, stream=self.v, backward=True)
        self.frames = iter(self.c.decode(self.v))
        for f in self.frames:
            if f.pts is not None and f.pts >= target:
                self.current = index
                image: Image = f.to_ndarray(format="rgb24")
                return image
        raise RuntimeError("raw PyAV ran off the end")

    def seek(self, index: int) -> tuple[float, int, int]:
        t = time.perf_counter()
        image = self._seek(index)
        dt = time.perf_counter() - t
        return dt, self.s.upright_index(image, False), index

    def step(self, delta: int) -> tuple[float, int, int]:
        t = time.perf_counter()
        if delta == 1 and self.frames is not None:
            image = next(self.frames).to_ndarray(format="rgb24")
            self.current += 1
        else:
            image = self._seek(self.current + delta)
        dt = time.perf_counter() - t
        return dt, self.s.upright_index(image, False), self.current

    def settle(self) -> None:
        pass

    def close(self) -> None:
        self.c.close()


class MpvTool:
    name = "mpv"

    def __init__(self, stream: Stream) -> None:
        self.s = stream
        self.mpv = Mpv()
        self.mpv.load(stream.path)

    def _reported(self) -> int:
        return self.mpv.reported_frame()  # mpv's estimated-frame-number

    def seek(self, index: int) -> tuple[float, int, int]:
        t = time.perf_counter()
        self.mpv.seek(self.s.seconds(index))
        dt = time.perf_counter() - t
        return dt, self.s.upright_index(self.mpv.picture(), False), self._reported()

    def step(self, delta: int) -> tuple[float, int, int]:
        t = time.perf_counter()
        self.mpv.step(delta)
        dt = time.perf_counter() - t
        return dt, self.s.upright_index(self.mpv.picture(), False), self._reported()

    def settle(self) -> None:
        pass

    def close(self) -> None:
        self.mpv.close()


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    rep_medians: list[float] = field(default_factory=list)
    exact: int = 0
    reported_ok: int = 0
    total: int = 0

    def add(self, dt: float, shown: int, reported: int, expected: int) -> None:
        self.times.append(dt)
        self.exact += shown == expected
        self.reported_ok += reported == expected
        self.total += 1

    def close_rep(self, start: int) -> None:
        if len(self.times) > start:
            self.rep_medians.append(statistics.median(self.times[start:]))

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000 if self.times else float("nan")

    @property
    def worst_ms(self) -> float:
        return max(self.times) * 1000 if self.times else float("nan")


@dataclass
class Result:
    seek: Tally = field(default_factory=Tally)
    forward: Tally = field(default_factory=Tally)
    back: Tally = field(default_factory=Tally)


def run_format(name: str, reps: int, seeks: int, pace: float, tools: list[str]) -> dict[str, Result]:
    fmt = FORMATS[name]
    path, frame_times = recorded(fmt)
    stream = Stream.read(path, frame_times)
    makers: dict[str, Callable[[Stream], Any]] = {"ours": Ours, "raw PyAV": RawPyAV, "mpv": MpvTool}
    opened = {t: makers[t](stream) for t in tools}
    results = {t: Result() for t in tools}
    rng = random.Random(16)
    n = len(frame_times)
    inner_keys = [k for k in stream.keyframes if 12 <= k <= n - 12]
    try:
        for rep in range(reps):
            marks = {t: (len(r.seek.times), len(r.forward.times), len(r.back.times)) for t, r in results.items()}
            order = tools[rep % len(tools) :] + tools[: rep % len(tools)]
            targets = [rng.randrange(0, n - 2) for _ in range(seeks)]
            for target in targets:
                for t in order:
                    dt, shown, reported = opened[t].seek(target)
                    results[t].seek.add(dt, shown, reported, target)
                    opened[t].settle()
            # Step back across a keyframe, then forward again, at a person's pace.
            key = inner_keys[(rep * 7) % len(inner_keys)] if inner_keys else n // 2
            for t in order:
                tool = opened[t]
                tool.seek(key + 4)
                here = key + 4
                for delta, tally in ((-1, results[t].back), (1, results[t].forward)):
                    for _ in range(10):
                        time.sleep(pace)
                        dt, shown, reported = tool.step(delta)
                        here += delta
                        tally.add(dt, shown, reported, here)
                tool.settle()
            for t, r in results.items():
                s0, f0, b0 = marks[t]
                r.seek.close_rep(s0)
                r.forward.close_rep(f0)
                r.back.close_rep(b0)
    finally:
        for tool in opened.values():
            tool.close()
    return results


def _cell(tally: Tally, worst: bool = False) -> str:
    if not tally.total:
        return "n/a"
    text = f"{tally.median_ms:6.0f}"
    if worst:
        text += f" /{tally.worst_ms:5.0f}"
    return text


def _exact(r: Result) -> str:
    ok = r.seek.exact + r.forward.exact + r.back.exact
    total = r.seek.total + r.forward.total + r.back.total
    return f"{ok}/{total}"


def print_table(name: str, results: dict[str, Result]) -> None:
    fmt = FORMATS[name]
    period = 1000 / fmt.fps
    print(
        f"\n{name}: {fmt.codec[3:]} {fmt.size[0]}x{fmt.size[1]} {fmt.fps} fps{' VFR' if fmt.vfr else ''}, "
        f"GOP {fmt.gop}, B-frames {fmt.b_frames}{f', rotated {fmt.rotation}°' if fmt.rotation else ''} "
        f"(frame period {period:.1f} ms)"
    )
    print(
        f"  {'tool':9} {'seek med':>8} {'(reps)':>13} {'step+1 med/max':>15} {'step-1 med/max':>15}"
        f" {'exact (picture)':>16} {'reported ok':>12}"
    )
    for tool, r in results.items():
        spread = (
            f"{min(r.seek.rep_medians) * 1000:.0f}-{max(r.seek.rep_medians) * 1000:.0f}"
            if r.seek.rep_medians
            else ""
        )
        reported = r.seek.reported_ok + r.forward.reported_ok + r.back.reported_ok
        total = r.seek.total + r.forward.total + r.back.total
        print(
            f"  {tool:9} {_cell(r.seek):>8} {spread:>13} {_cell(r.forward, True):>15} "
            f"{_cell(r.back, True):>15} {_exact(r):>16} {f'{reported}/{total}':>12}"
        )
    ours = results.get("ours")
    if ours is None:
        return
    ratios = []
    for peer in ("raw PyAV", "mpv"):
        if peer in results and results[peer].seek.times:
            p = results[peer]
            ratios.append(
                f"vs {peer}: seek {ours.seek.median_ms / p.seek.median_ms:.2f}x, "
                f"step+1 {ours.forward.median_ms / p.forward.median_ms:.2f}x, "
                f"step-1 {ours.back.median_ms / p.back.median_ms:.2f}x (worst {ours.back.worst_ms / p.back.worst_ms:.2f}x)"
            )
    print("  ours " + "; ".join(ratios))
    print(
        f"  ours step-1 worst {ours.back.worst_ms:.0f} ms = {ours.back.worst_ms / period:.1f} frame periods "
        f"(goal <= 1); step+1 median {ours.forward.median_ms / period:.2f} of a period"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seeks", type=int, default=8, help="random seeks per repetition")
    parser.add_argument("--pace", type=float, default=PACE_S, help="seconds between steps")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--tools", default="ours,raw PyAV,mpv")
    args = parser.parse_args()
    tools = [t for t in args.tools.split(",") if t != "mpv" or mpv_path()]
    print(
        f"peers: {mpv_version()}, PyAV {av.__version__}; {args.reps} repetitions x {args.seeks} seeks, "
        f"2 x 10 steps at {args.pace:.2f} s pace per repetition; times in ms (median, and worst "
        f"for steps); 'exact' = frame index read from the picture; shared 2-core machine"
    )
    for name in args.formats.split(","):
        results = run_format(name, args.reps, args.seeks, args.pace, tools)
        print_table(name, results)


if __name__ == "__main__":
    main()
