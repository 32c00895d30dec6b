"""Frame-exact clips with audio (PyAV; MP4 with +faststart).

The first frame of a clip is the frame shown at ``in`` and the last the one shown just before
``out`` — always. Three ways get there:
- copy: the in point is a keyframe decoding can start at and nothing has to be reordered at
  the out point: the packets are copied unchanged;
- smart: re-encode only the frames before the first such keyframe in the clip (and, with
  B-frames, the last few before the out point), copy the packets of the rest; each piece keeps
  its own parameter sets as its own sample description (coder.media.smartcut);
- reencode: every frame decoded and encoded again (libx264), audio re-encoded.
"auto" uses copy or smart when the source allows it and the result passes verification
(frame times, and pictures around each splice against the source); otherwise it re-encodes.
Only the stretch of the source around the clip is read. Files appear atomically; cancelling
leaves nothing behind.
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

from coder.cells import safe_cell
from coder.errors import Cancelled, MediaError
from coder.files import check_folder_target, check_target, new_part, private_folder, replacing
from coder.media import audio as audio_mod
from coder.media import clip_source as source
from coder.media import smartcut
from coder.progress import Cancel, Progress

REENCODE_CRF = 20
REENCODE_PRESET = "superfast"  # a whole clip: about 5x real time at 1080p on two cores


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


def _check_file(src: Path) -> None:
    if not src.exists():
        raise MediaError(f"{src}: the video file is missing; re-link it to where it is now")
    if not src.is_file() or os.path.getsize(src) == 0:
        raise MediaError(f"{src}: is not a video file; choose the video itself")


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
    check_target(dst)  # before any decoding: a folder or read-only target fails at once
    _check_file(src)
    a = max(0, in_ms - lead_in_ms)
    region = source.scan(src, a, out_ms + lead_out_ms, cancel)
    try:
        return _cut(region, src, dst, in_ms, out_ms, a, lead_out_ms, mode, progress, cancel)
    finally:
        region.close()


def _cut(
    region: source.Region,
    src: Path,
    dst: Path,
    in_ms: int,
    out_ms: int,
    a: int,
    lead_out_ms: int,
    mode: str,
    progress: Progress | None,
    cancel: Cancel | None,
) -> ClipResult:
    duration = max(region.file_end_ms, region.ms(region.frame_pts[-1]) + 1)
    if in_ms < 0 or in_ms >= duration:
        raise MediaError(
            f"{src.name}: the in point {in_ms} ms is outside the video (0-{duration} ms)"
        )
    b = min(duration, out_ms + lead_out_ms)
    if b <= a:
        raise MediaError(
            f"the clip range {in_ms}-{out_ms} ms is empty or outside the video "
            f"(0-{duration} ms); choose an out point after the in point"
        )
    first, last = region.shown_at(a), region.shown_at(b - 1)
    if first is None or last is None:
        raise MediaError(f"{src.name}: no video frames at {a}-{b} ms; check the clip range")
    frames = [p for p in region.frame_pts if first <= p <= last]
    tmp = new_part(dst)  # owner-only; a killed cut leaves a .part the next write sweeps
    try:
        used = "reencode"
        plan = smartcut.make_plan(region, first, last + 1) if mode in ("auto", "smart") else None
        if plan is not None:
            audio = _AudioCopy(region, first, last) if region.has_audio else None
            thumbs = smartcut.cut(
                region,
                plan,
                tmp,
                audio.packets if audio else None,
                audio.stream if audio else None,
                cancel,
                progress,
            )
            if smartcut.verify(tmp, region, plan, thumbs):
                used = "copy" if plan.is_plain_copy else "smart"
            elif mode == "smart":
                raise MediaError(
                    f"{src.name}: a smart-cut clip could not be verified; use mode 'reencode'"
                )
        if used == "reencode":
            _reencode(region, frames, tmp, progress, cancel)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    first_ms = region.ms(first)
    return ClipResult(
        dst,
        first_ms,
        len(frames),
        region.end_ms_of(last) - first_ms,
        region.has_audio,
        used,
    )


class _AudioCopy:
    """The source's audio packets played with the clip, shifted to start with it."""

    def __init__(self, region: source.Region, first: int, last: int) -> None:
        start = float(first * region.time_base)
        end = start + (region.end_ms_of(last) - region.ms(first)) / 1000
        # The region's demuxer: open while its stream serves as the output track's template.
        self.container = region.container
        self.stream = self.container.streams.audio[0]
        tb = self.stream.time_base
        self.container.seek(int(max(0.0, start - 0.5) / tb), stream=self.stream, backward=True)
        shift = int(start / tb)
        self.packets: list[Any] = []
        for packet in self.container.demux(self.stream):
            if packet.pts is None or not packet.size:
                continue
            t = float(packet.pts * tb)
            if t >= end:
                break
            if t < start:
                continue
            packet.pts -= shift
            if packet.dts is not None:
                packet.dts -= shift
            self.packets.append(packet)


def _reencode(
    region: source.Region,
    frames: list[int],
    tmp: Path,
    progress: Progress | None,
    cancel: Cancel | None,
) -> None:
    """Decode every frame of the clip and encode it again (H.264); audio re-encoded too."""
    first = frames[0]
    start_s = float(first * region.time_base)
    end_s = start_s + (region.end_ms_of(frames[-1]) - region.ms(first)) / 1000
    width, height = region.width - region.width % 2, region.height - region.height % 2
    decoder = source.decoder_for(region)
    done = 0
    with av.open(
        str(tmp), "w", format="mp4", options={"movflags": "+faststart", "fflags": "+bitexact"}
    ) as out:
        v: Any = out.add_stream("libx264", rate=max(1, round(region.fps)))
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.time_base = region.time_base
        v.codec_context.time_base = region.time_base
        options = source.encoder_options("libx264", REENCODE_PRESET, REENCODE_CRF, 250)
        del options["bf"]  # B-frames are fine in a clip encoded in one piece
        v.options = options
        if region.rotation:
            v.set_display_rotation(region.rotation)
        a = None
        if region.has_audio:
            a = out.add_stream("aac", rate=audio_mod.RATE)
            a.layout = "stereo"

        def on_frame(frame: Any) -> None:
            nonlocal done
            if cancel is not None and cancel():
                raise Cancelled("clip cancelled")
            if frame.format.name != "yuv420p" or (frame.width, frame.height) != (
                width,
                height,
            ):
                frame = frame.reformat(width=width, height=height, format="yuv420p")
            frame.pts = int(frame.pts) - first
            frame.time_base = region.time_base
            frame.pict_type = av.video.frame.PictureType.NONE
            for packet in v.encode(frame):
                out.mux(packet)
            done += 1
            if progress is not None and done % 25 == 0:
                progress(0.9 * done / len(frames))

        source.decode(decoder, _from_keyframe(region, first), set(frames), on_frame, cancel)
        for packet in v.encode(None):
            out.mux(packet)
        if a is not None:
            _encode_audio(region.path, a, out, start_s, end_s)


def _from_keyframe(region: source.Region, first: int) -> list[Any]:
    start = 0
    for i, packet in enumerate(region.packets):
        if packet.is_keyframe and int(packet.pts) <= first:
            start = i
    return region.packets[start:]


def _encode_audio(path: Path, stream: Any, out: Any, start_s: float, end_s: float) -> None:
    samples = audio_mod.read_audio(path, round(start_s * 1000), round(end_s * 1000))
    pts = 0
    for k in range(0, samples.shape[1], 1024):
        chunk = audio_mod.fit(samples[:, k : k + 1024], 1024)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk), format="fltp", layout="stereo"
        )
        frame.sample_rate = audio_mod.RATE
        frame.pts = pts
        frame.time_base = Fraction(1, audio_mod.RATE)
        pts += 1024
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


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
    check_folder_target(out_dir)
    private_folder(out_dir)
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
    with (
        replacing(out_dir / "index.csv") as tmp,
        open(tmp, "w", newline="", encoding="utf-8") as fh,
    ):
        writer = csv.writer(fh)
        writer.writerow(["clip", "label", "in_ms", "out_ms", "first_frame_ms", "frames", "mode"])
        for r, res in zip(requests, results, strict=True):
            row = (
                res.path.name,
                r.label,
                r.in_ms,
                r.out_ms,
                res.first_frame_ms,
                res.frame_count,
                res.mode_used,
            )
            writer.writerow([safe_cell(v) for v in row])
    return results
