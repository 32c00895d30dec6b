"""Frame-exact clips with audio (PyAV; H.264 + AAC in MP4 with +faststart).

The first frame of a clip is the frame shown at ``in`` and the last the one shown just before
``out`` — always. Two ways get there:
- copy: when ``in`` falls on a keyframe and the stream has no B-frames, the packets are copied
  unchanged (as fast as a plain stream copy, and exact); the result is decoded and checked;
- reencode: otherwise the range is decoded and encoded again (libx264, CRF 20).
"auto" tries copy when it applies and falls back to re-encoding when the check fails.
A true smart cut (re-encode up to the first keyframe, copy the rest) would need the encoder's
parameter sets to match the source's inside one MP4 track; it is not done (see the notes).
Files appear atomically; cancelling leaves nothing behind.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.errors import Cancelled, MediaError
from coder.media import audio as audio_mod
from coder.media.probe import probe
from coder.progress import Cancel, Progress
from coder.timebase import TimeBase

MS = Fraction(1, 1000)


@dataclass(frozen=True)
class ClipResult:
    path: Path
    first_frame_ms: int  # source time of the first frame
    frame_count: int
    duration_ms: int
    has_audio: bool
    mode_used: str


@dataclass(frozen=True)
class ClipRequest:
    session_id: str
    in_ms: int
    out_ms: int
    label: str


def _range(tb: TimeBase, in_ms: int, out_ms: int, lead_in: int, lead_out: int) -> tuple[int, int]:
    """Source frame indices [first, last] of the clip."""
    a = max(0, in_ms - lead_in)
    b = min(tb.duration_ms, out_ms + lead_out)
    if b <= a:
        raise MediaError(
            f"the clip range {in_ms}-{out_ms} ms is empty or outside the video "
            f"(0-{tb.duration_ms} ms); choose an out point after the in point"
        )
    first = tb.frame_at(a)
    last = max(first, tb.frame_at(b - 1))
    return first, last


def cut_clip(
    src: str | Path,
    dst: str | Path,
    in_ms: int,
    out_ms: int,
    *,
    lead_in_ms: int = 0,
    lead_out_ms: int = 0,
    mode: str = "auto",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ClipResult:
    src, dst = Path(src), Path(dst)
    info = probe(src)
    tb = TimeBase(info.frame_times_ms, info.duration_ms)
    if in_ms < 0 or in_ms >= info.duration_ms:
        raise MediaError(
            f"{src.name}: the in point {in_ms} ms is outside the video (0-{info.duration_ms} ms)"
        )
    first, last = _range(tb, in_ms, out_ms, lead_in_ms, lead_out_ms)
    tmp = dst.with_name(f".{dst.name}.part")
    try:
        used = "reencode"
        if mode in ("auto", "smart") and _copy_possible(src, tb.ms_of(first)):
            _copy(src, tmp, tb, first, last, info.has_audio, cancel)
            if _verify(tmp, last - first + 1):
                used = "copy"
            elif mode == "smart":
                raise MediaError(
                    f"{src.name}: a copied clip could not be verified; use mode 'reencode'"
                )
        if used == "reencode":
            _reencode(src, tmp, tb, first, last, info.has_audio, progress, cancel)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    end = tb.ms_of(last) + tb.frame_duration(last)
    return ClipResult(
        dst, tb.ms_of(first), last - first + 1, end - tb.ms_of(first), info.has_audio, used
    )


def _copy_possible(src: Path, start_ms: int) -> bool:
    with av.open(str(src)) as c:
        s = c.streams.video[0]
        if s.codec_context.has_b_frames:
            return False
        for packet in c.demux(s):
            if packet.pts is None or packet.time_base is None:
                continue
            if round(float(packet.pts * packet.time_base) * 1000) == start_ms:
                return bool(packet.is_keyframe)
            if float(packet.pts * packet.time_base) * 1000 > start_ms + 1:
                return False
    return False


def _open_out(tmp: Path) -> Any:
    return av.open(
        str(tmp), "w", format="mp4", options={"movflags": "+faststart", "fflags": "+bitexact"}
    )


def _copy(
    src: Path,
    tmp: Path,
    tb: TimeBase,
    first: int,
    last: int,
    has_audio: bool,
    cancel: Cancel | None,
) -> None:
    start, end = tb.ms_of(first), tb.ms_of(last) + tb.frame_duration(last)
    with av.open(str(src)) as c, _open_out(tmp) as out:
        v_in = c.streams.video[0]
        v_out = out.add_stream_from_template(v_in)
        a_in = c.streams.audio[0] if has_audio and c.streams.audio else None
        a_out = out.add_stream_from_template(a_in) if a_in is not None else None
        streams = [v_in] + ([a_in] if a_in is not None else [])
        c.seek(int(start / 1000 / v_in.time_base), stream=v_in, backward=True)
        for packet in c.demux(streams):
            if cancel is not None and cancel():
                raise Cancelled("clip cancelled")
            if packet.pts is None or packet.time_base is None:
                continue
            t = float(packet.pts * packet.time_base) * 1000
            if packet.stream is v_in:
                if round(t) < start:
                    continue
                if round(t) >= end:
                    break
                target = v_out
            else:
                if t < start or t >= end:
                    continue
                target = a_out
            shift = int(start / 1000 / packet.time_base)
            packet.pts -= shift
            if packet.dts is not None:
                packet.dts -= shift
            packet.stream = target
            out.mux(packet)


def _verify(path: Path, expected_frames: int) -> bool:
    try:
        with av.open(str(path)) as c:
            return sum(1 for _ in c.decode(video=0)) == expected_frames
    except av.error.FFmpegError:
        return False


def _reencode(
    src: Path,
    tmp: Path,
    tb: TimeBase,
    first: int,
    last: int,
    has_audio: bool,
    progress: Progress | None,
    cancel: Cancel | None,
) -> None:
    from coder.media.decode import FrameDecoder

    start = tb.ms_of(first)
    end = tb.ms_of(last) + tb.frame_duration(last)
    decoder = FrameDecoder(src, tb.frame_times, apply_rotation=False)
    try:
        with _open_out(tmp) as out:
            sample = decoder.frame(first).image
            v = out.add_stream(
                "libx264", rate=max(1, round(len(tb.frame_times) * 1000 / max(1, tb.duration_ms)))
            )
            v.width, v.height, v.pix_fmt = (
                sample.shape[1] - sample.shape[1] % 2,
                sample.shape[0] - sample.shape[0] % 2,
                "yuv420p",
            )
            v.time_base = MS
            v.codec_context.time_base = MS
            v.options = {"preset": "veryfast", "crf": "20"}
            _keep_rotation(src, v)
            a = None
            if has_audio:
                a = out.add_stream("aac", rate=audio_mod.RATE)
                a.layout = "stereo"
            for i in range(first, last + 1):
                if cancel is not None and cancel():
                    raise Cancelled("clip cancelled")
                image = decoder.frame(i).image[: v.height, : v.width]
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
                frame.pts = tb.ms_of(i) - start
                frame.time_base = MS
                for packet in v.encode(frame):
                    out.mux(packet)
                if progress is not None and (i - first) % 25 == 0:
                    progress(0.9 * (i - first + 1) / (last - first + 1))
            for packet in v.encode(None):
                out.mux(packet)
            if a is not None:
                samples = audio_mod.read_audio(src, start, end)
                pts = 0
                for k in range(0, samples.shape[1], 1024):
                    chunk = audio_mod.fit(samples[:, k : k + 1024], 1024)
                    af = av.AudioFrame.from_ndarray(
                        np.ascontiguousarray(chunk), format="fltp", layout="stereo"
                    )
                    af.sample_rate = audio_mod.RATE
                    af.pts = pts
                    pts += 1024
                    for packet in a.encode(af):
                        out.mux(packet)
                for packet in a.encode(None):
                    out.mux(packet)
    finally:
        decoder.close()


def _keep_rotation(src: Path, stream: Any) -> None:
    with av.open(str(src)) as c:
        rotate = c.streams.video[0].metadata.get("rotate")
    if rotate:
        stream.metadata["rotate"] = rotate


def _part(progress: Progress | None, n: int, total: int) -> Progress | None:
    if progress is None:
        return None
    outer = progress

    def report(fraction: float) -> None:
        outer((n + fraction) / total)

    return report


def cut_clips(
    requests: Sequence[ClipRequest],
    sources: dict[str, str],
    out_dir: Path,
    *,
    lead_ms: int = 0,
    mode: str = "auto",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> list[ClipResult]:
    """One clip per request, named by label and time, with index.csv (atomic)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for n, r in enumerate(requests):
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in r.label)[:60]
        path = out_dir / f"{n + 1:02d}-{safe}-{r.in_ms}.mp4"
        results.append(
            cut_clip(
                sources[r.session_id],
                path,
                r.in_ms,
                r.out_ms,
                lead_in_ms=lead_ms,
                lead_out_ms=lead_ms,
                mode=mode,
                cancel=cancel,
                progress=_part(progress, n, len(requests)),
            )
        )
    index = out_dir / "index.csv"
    tmp = index.with_name(".index.csv.part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["clip", "label", "in_ms", "out_ms", "first_frame_ms", "frames", "mode"])
        for r, res in zip(requests, results, strict=True):
            label = "'" + r.label if r.label.startswith(("=", "+", "-", "@")) else r.label
            writer.writerow(
                [
                    res.path.name,
                    label,
                    r.in_ms,
                    r.out_ms,
                    res.first_frame_ms,
                    res.frame_count,
                    res.mode_used,
                ]
            )
    os.replace(tmp, index)
    return results
