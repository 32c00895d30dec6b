"""Probe a media file with PyAV: duration, frame rate, size, rotation, audio, and the table of
frame start times built from the container's packets (demux only, no decoding; DESIGN §3).
"""

from __future__ import annotations

import itertools
import os
import statistics
from dataclasses import dataclass
from pathlib import Path

import av

from coder.errors import MediaError
from coder.limits import MAX_FRAMES, MAX_MEDIA_MS
from coder.media.fingerprint import fingerprint
from coder.model import Media, new_id

FIX = "check that the file is a complete video (MP4, MOV, MKV or AVI) or re-link it"


@dataclass(frozen=True)
class ProbeResult:
    duration_ms: int
    fps: float
    width: int
    height: int
    rotation: int
    has_audio: bool
    frame_times_ms: list[int]
    frame_count: int
    variable_frame_rate: bool


def probe(path: str | Path) -> ProbeResult:
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path}: the video file is missing; re-link it to where it is now")
    if not path.is_file():
        raise MediaError(f"{path}: is a folder, not a video file; choose the video itself")
    if os.path.getsize(path) == 0:
        raise MediaError(f"{path}: the file is empty; {FIX}")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise MediaError(f"{path}: not a readable video ({exc.__class__.__name__}); {FIX}") from exc
    try:
        with container:
            if not container.streams.video:
                raise MediaError(f"{path}: has no video track; {FIX}")
            stream = container.streams.video[0]
            has_audio = bool(container.streams.audio)
            time_base = stream.time_base
            if time_base is None:
                raise MediaError(f"{path}: the video track has no time base; {FIX}")
            pts = [p.pts for p in container.demux(stream) if p.pts is not None and p.size > 0]
            if not pts:
                raise MediaError(f"{path}: the video track holds no frames; {FIX}")
            start = min(pts)
            times = sorted({round(float((p - start) * time_base) * 1000) for p in pts})
            rotation = _rotation(path)
            width, height = stream.codec_context.width, stream.codec_context.height
            container_ms = int(container.duration / 1000) if container.duration else 0
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"{path}: the file is damaged ({exc.__class__.__name__}); {FIX}") from exc
    if len(times) > MAX_FRAMES or times[-1] > MAX_MEDIA_MS:
        raise MediaError(
            f"{path}: has more than {MAX_FRAMES:,} frames or lasts beyond "
            f"{MAX_MEDIA_MS // 3_600_000} hours; cut the recording into sessions first"
        )
    container_ms = min(container_ms, MAX_MEDIA_MS)  # a damaged header can claim years
    diffs = [b - a for a, b in itertools.pairwise(times)] or [40]
    typical = statistics.median(diffs)
    duration = max(container_ms, times[-1] + round(typical))
    fps = 1000 * len(times) / duration if duration else 0.0
    vfr = any(abs(d - typical) > max(2.0, 0.1 * typical) for d in diffs)
    if rotation in (90, 270):
        width, height = height, width
    return ProbeResult(
        duration_ms=duration,
        fps=round(fps, 3),
        width=width,
        height=height,
        rotation=rotation,
        has_audio=has_audio,
        frame_times_ms=times,
        frame_count=len(times),
        variable_frame_rate=vfr,
    )


def _rotation(path: Path) -> int:
    """Display rotation in degrees clockwise (0, 90, 180, 270), from the first frame."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            tag = stream.metadata.get("rotate")
            if tag:
                return int(float(tag)) % 360
            for frame in container.decode(stream):
                return int(-getattr(frame, "rotation", 0)) % 360
    except (av.error.FFmpegError, ValueError, OSError):
        return 0
    return 0


def media_from_probe(path: str | Path, result: ProbeResult, media_id: str | None = None) -> Media:
    return Media(
        id=media_id or new_id(),
        path=str(Path(path).resolve()),
        fingerprint=fingerprint(path, result.duration_ms),
        duration_ms=result.duration_ms,
        fps=result.fps,
        width=result.width,
        height=result.height,
        rotation=result.rotation,
        has_audio=result.has_audio,
        frame_count=result.frame_count,
        variable_frame_rate=result.variable_frame_rate,
    )
