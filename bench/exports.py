"""Export speed: a 10 s clip from a generated 1080p H.264 file (GOP 250) — our exact cut vs
plain stream copy (fast but starts at the previous keyframe) vs a full re-encode of the same
range, in the same run; and an events table of 100,000 events to CSV and XLSX.
Run: python bench/exports.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the `exports` package; keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from coder.media.clip import _reencode, cut_clip
from coder.media.probe import probe
from coder.media.synth import draw_index, read_frame_index
from coder.model import Event, Observation, Session, new_id
from coder.schemes import load_shipped
from coder.timebase import TimeBase
from exports.bundle import ExportBundle
from exports.tables import export_tables


def make_video(path: Path, seconds: int = 40) -> None:
    rng = np.random.default_rng(2)
    noise = rng.integers(0, 60, (1080, 1920, 3), dtype=np.uint8)
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=25)
        v.width, v.height, v.pix_fmt = 1920, 1080, "yuv420p"
        v.options = {
            "preset": "ultrafast",
            "keyint": "250",
            "min-keyint": "250",
            "sc_threshold": "0",
            "bf": "0",
        }
        a = out.add_stream("aac", rate=48000)
        a.layout = "mono"
        for i in range(seconds * 25):
            img = np.roll(noise, i * 5, axis=1)
            draw_index(img, i)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = i, Fraction(1, 25)
            for p in v.encode(f):
                out.mux(p)
        for p in v.encode(None):
            out.mux(p)
        t = np.arange(seconds * 48000) / 48000
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for k in range(0, len(tone), 1024):
            af = av.AudioFrame.from_ndarray(
                tone[k : k + 1024].reshape(1, -1), format="fltp", layout="mono"
            )
            af.sample_rate, af.pts = 48000, k
            for p in a.encode(af):
                out.mux(p)
        for p in a.encode(None):
            out.mux(p)


def stream_copy(src: Path, dst: Path, a_ms: int, b_ms: int) -> None:
    with av.open(str(src)) as c, av.open(str(dst), "w") as out:
        vin = c.streams.video[0]
        vout = out.add_stream_from_template(vin)
        c.seek(int(a_ms / 1000 / vin.time_base), stream=vin, backward=True)
        for p in c.demux(vin):
            if p.pts is None:
                continue
            if float(p.pts * p.time_base) * 1000 >= b_ms:
                break
            p.stream = vout
            out.mux(p)


def first_index(path: Path) -> int:
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            return read_frame_index(f.to_ndarray(format="rgb24"))
    return -1


def bench_clips() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src.mp4"
        make_video(src)
        a, b = 12_520, 22_520  # mid-GOP (keyframes at 0 s, 10 s, 20 s)
        t = time.perf_counter()
        ours = cut_clip(src, Path(tmp) / "ours.mp4", a, b)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        stream_copy(src, Path(tmp) / "copy.mp4", a, b)
        t_copy = time.perf_counter() - t
        info = probe(src)
        tb = TimeBase(info.frame_times_ms, info.duration_ms)
        t = time.perf_counter()
        _reencode(
            src, Path(tmp) / "full.mp4", tb, tb.frame_at(a), tb.frame_at(b - 1), True, None, None
        )
        t_full = time.perf_counter() - t
        print(f"10 s clip, 1080p GOP 250, in point mid-GOP (frame {a // 40}):")
        print(
            f"  ours ({ours.mode_used}) {t_ours:.2f} s, first frame {first_index(Path(tmp) / 'ours.mp4')} (exact)"
        )
        print(
            f"  stream copy {t_copy:.2f} s, first frame {first_index(Path(tmp) / 'copy.mp4')} "
            f"(starts at the previous keyframe: not exact)"
        )
        print(
            f"  full re-encode {t_full:.2f} s; ours / re-encode {t_ours / t_full:.2f}x, ours / copy {t_ours / t_copy:.0f}x"
        )
        t = time.perf_counter()
        copy_on_key = cut_clip(src, Path(tmp) / "key.mp4", 10_000, 20_000)
        print(
            f"  in point on a keyframe: ours ({copy_on_key.mode_used}) {time.perf_counter() - t:.2f} s, "
            f"first frame {first_index(Path(tmp) / 'key.mp4')} (exact)"
        )


def bench_tables() -> None:
    scheme, _ = load_shipped("attachment-core")
    points = [c for c in scheme.codes if not c.is_state]
    events = [
        Event(new_id(), "o", points[i % len(points)].id, "parent", i * 40) for i in range(100_000)
    ]
    bundle = ExportBundle(
        scheme=scheme,
        session=Session("s", "bench"),
        media=None,
        observation=Observation("o", "s", "bench", "snap"),
        events=events,
        segments=[],
        rating_values=[],
        highlights=[],
        frame_times=[i * 40 for i in range(100_001)],
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "xlsx"):
            t = time.perf_counter()
            export_tables([bundle], Path(tmp) / f"events.{fmt}", fmt)
            print(f"events table, 100,000 events -> {fmt}: {time.perf_counter() - t:.2f} s")


def bench_naive_smart_cut() -> None:
    """Why there is no smart cut: re-encode up to the first keyframe, copy the rest, one MP4
    track. The copied packets need the source's parameter sets, but the track has only the
    head encoder's, so decoding breaks at the splice (checked frame by frame here)."""
    from coder.media.decode import FrameDecoder
    from coder.media.synth import write_index_video

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "src.mp4", Path(tmp) / "smart.mp4"
        write_index_video(src, frames=100, gop=25, size=(320, 240))
        first, key, end = 13, 25, 60
        decoder = FrameDecoder(src)
        with av.open(str(src)) as c, av.open(str(dst), "w") as out:
            vin = c.streams.video[0]
            v = out.add_stream("libx264", rate=25)
            v.width, v.height, v.pix_fmt = 320, 240, "yuv420p"
            v.time_base = v.codec_context.time_base = Fraction(1, 1000)
            v.options = {"preset": "ultrafast", "bf": "0"}
            for i in range(first, key):
                f = av.VideoFrame.from_ndarray(decoder.frame(i).image, format="rgb24")
                f.pts, f.time_base = (i - first) * 40, Fraction(1, 1000)
                for p in v.encode(f):
                    out.mux(p)
            for p in v.encode(None):
                out.mux(p)
            c.seek(int(1.0 / vin.time_base), stream=vin, backward=True)
            for p in c.demux(vin):
                if p.pts is None:
                    continue
                t = float(p.pts * p.time_base) * 1000
                if t < key * 40:
                    continue
                if t >= end * 40:
                    break
                p.pts = p.dts = int((t - first * 40) / 1000 / p.time_base)
                p.stream = v
                out.mux(p)
        decoder.close()
        got: list[int] = []
        error = ""
        try:
            with av.open(str(dst)) as c:
                got = [read_frame_index(f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]
        except av.error.FFmpegError as exc:
            error = exc.__class__.__name__
        ok = got == list(range(first, end))
        print(
            f"naive smart cut: decoded {len(got)} of {end - first} frames exactly={ok} {error} "
            "-> Attune uses a verified keyframe copy when the in point is a keyframe, else re-encodes"
        )


def main() -> None:
    bench_clips()
    bench_naive_smart_cut()
    bench_tables()


if __name__ == "__main__":
    main()
