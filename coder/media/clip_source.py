"""The part of a source video a clip needs: its packets, its frames' times, decoding and
re-encoding of chosen frames.

Only the stretch around the clip is read (from the keyframe before the in point to just after
the out point), so cutting ten seconds out of an hour-long recording reads ten seconds of it.
Times follow coder.timebase: integer ms from the first frame of the file.
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
import numpy as np

from coder.errors import Cancelled, MediaError
from coder.media.nal import length_size
from coder.media.opening import open_for_decoding
from coder.progress import Cancel

THUMB = (64, 36)  # thumbnails compared when verifying a cut
FIRST_PACKETS = 48  # packets read from the start of the file to find its first frame
END_MARGIN_MS = 400  # read this far past the out point (frames' durations, B-frame order)
SEEK_RETRIES = 3


@dataclass
class Region:
    """Video packets (decode order) from a keyframe at or before ``a_ms`` to past ``b_ms``."""

    path: Path
    codec: str  # FFmpeg codec name of the source ("h264", "hevc", ...)
    time_base: Fraction
    origin_pts: int  # pts of the file's first frame: ms are counted from here
    packets: list[Any]
    extradata: bytes
    nal_size: int | None
    width: int
    height: int
    rotation: int  # FFmpeg display-matrix angle (counter-clockwise degrees)
    file_end_ms: int
    has_audio: bool
    fps: float
    reached_end: bool = False  # the scan met the end of the file
    container: Any = None  # open while its packets and stream are in use

    def close(self) -> None:
        if self.container is not None:
            self.container.close()
            self.container = None

    def ms(self, pts: int) -> int:
        return round(float((pts - self.origin_pts) * self.time_base) * 1000)

    @property
    def frame_pts(self) -> list[int]:
        """Presentation timestamps of the frames in the region, in display order."""
        return sorted({int(p.pts) for p in self.packets})

    def shown_at(self, ms: int) -> int | None:
        """pts of the frame shown at ``ms`` (the last one starting at or before it)."""
        best = None
        for pts in self.frame_pts:
            if self.ms(pts) <= ms:
                best = pts
            else:
                break
        return best

    def end_ms_of(self, pts: int) -> int:
        """When the frame at ``pts`` stops being shown."""
        later = [p for p in self.frame_pts if p > pts]
        return self.ms(later[0]) if later else max(self.file_end_ms, self.ms(pts) + 1)


def scan(path: Path, a_ms: int, b_ms: int, cancel: Cancel | None = None) -> Region:
    try:
        container = open_for_decoding(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"{path}: cannot read the video ({exc.__class__.__name__})") from exc
    try:
        if not container.streams.video:
            raise MediaError(f"{path}: has no video track; choose a video file")
        v = container.streams.video[0]
        v.thread_type = "AUTO"  # before the decoder opens; clip_source.decode uses it
        tb = v.time_base
        if tb is None:
            raise MediaError(f"{path}: the video track has no time base; re-link the file")
        origin = int(v.start_time) if v.start_time is not None else _first_pts(container, v)
        rotation = display_rotation(v)
        file_end = int(container.duration / 1000) if container.duration else 0
        region = Region(
            path=path,
            codec=v.codec_context.name,
            time_base=Fraction(tb.numerator, tb.denominator),
            origin_pts=origin,
            packets=[],
            extradata=bytes(v.codec_context.extradata or b""),
            nal_size=length_size(v.codec_context.name, v.codec_context.extradata),
            width=v.codec_context.width,
            height=v.codec_context.height,
            rotation=rotation,
            file_end_ms=file_end,
            has_audio=bool(container.streams.audio),
            fps=float(v.average_rate or v.guessed_rate or 25),
        )
        target = origin + int(a_ms / 1000 / tb)
        for attempt in range(SEEK_RETRIES + 1):
            back = int(2 ** (2 * attempt) / tb) if attempt else 0  # 0, 4, 16, 64 s further back
            region.packets = _demux(container, v, max(origin, target - back), region, b_ms, cancel)
            pts = [int(p.pts) for p in region.packets]
            if not pts or min(pts) <= target or region.ms(min(pts)) <= 0:
                break
        if not region.packets:
            raise MediaError(f"{path}: no video frames near {a_ms} ms; check the in point")
    except BaseException:
        container.close()
        raise
    region.container = container
    return region


def _first_pts(container: Any, v: Any) -> int:
    pts = []
    for packet in container.demux(v):
        if packet.pts is not None and packet.size:
            pts.append(int(packet.pts))
            if len(pts) >= FIRST_PACKETS:
                break
    if not pts:
        raise MediaError(f"{container.name}: the video track holds no frames")
    return min(pts)


def display_rotation(v: Any) -> int:
    """The stream's display-matrix rotation in degrees counter-clockwise (FFmpeg's sign), read
    from the container without decoding a frame (as av_display_rotation_get does)."""
    try:
        matrix = v.codec_context.coded_side_data.get("display_matrix")
    except AttributeError:
        return 0
    if not matrix or len(matrix) < 36:
        return 0
    m = struct.unpack("<9i", bytes(matrix[:36]))
    scale0, scale1 = math.hypot(m[0], m[3]), math.hypot(m[1], m[4])
    if not scale0 or not scale1:
        return 0
    return -round(math.degrees(math.atan2(m[1] / scale1, m[0] / scale0)))


def _demux(
    container: Any, v: Any, start_pts: int, region: Region, b_ms: int, cancel: Cancel | None
) -> list[Any]:
    container.seek(start_pts, stream=v, backward=True)
    packets: list[Any] = []
    region.reached_end = True
    for packet in container.demux(v):
        if cancel is not None and cancel():
            raise Cancelled("clip cancelled")
        if packet.pts is None or not packet.size:
            continue
        if not packets and not packet.is_keyframe:
            continue  # a demuxer may start before the keyframe it sought to
        # In decode order a frame is never shown before it is decoded (pts >= dts), so
        # once dts is past the end every later packet is too.
        if packet.dts is not None and region.ms(int(packet.dts)) > b_ms + END_MARGIN_MS:
            region.reached_end = False
            break
        packets.append(packet)
    return packets


# --- decoding ----------------------------------------------------------------------------


def decoder_for(region: Region) -> Any:
    """The region's video decoder (its demuxer is done: the packets are in memory)."""
    return region.container.streams.video[0].codec_context


def decode(
    context: Any,
    packets: Sequence[Any],
    wanted: set[int],
    on_frame: Callable[[Any], None],
    cancel: Cancel | None = None,
) -> set[int]:
    """Decode ``packets`` and hand each frame whose pts is in ``wanted`` to ``on_frame`` in
    display order; returns the pts of the frames delivered. Frames nothing refers to and
    nobody wants are skipped, so reaching the end of a long GOP is cheaper."""
    got: set[int] = set()
    if not wanted:
        return got
    context.flush_buffers()
    last_wanted = max(wanted)

    def take(frames: Iterable[Any]) -> None:
        for frame in frames:
            if frame.pts is not None and int(frame.pts) in wanted and int(frame.pts) not in got:
                got.add(int(frame.pts))
                on_frame(frame)

    fed_last = False
    for packet in packets:
        if cancel is not None and cancel():
            raise Cancelled("clip cancelled")
        context.skip_frame = "DEFAULT" if int(packet.pts) in wanted else "NONREF"
        take(context.decode(packet))
        fed_last = fed_last or int(packet.pts) >= last_wanted
        if got == wanted:
            break
    if got != wanted:
        context.skip_frame = "DEFAULT"
        take(context.decode(None))
    if not fed_last and got != wanted:
        raise MediaError(f"{context.name}: frames of the clip are missing from the source")
    return got


def thumbnail(frame: Any) -> np.ndarray[Any, np.dtype[np.uint8]]:
    small: np.ndarray[Any, np.dtype[np.uint8]] = frame.to_ndarray(
        format="gray", width=THUMB[0], height=THUMB[1]
    )
    return small


# --- encoding ----------------------------------------------------------------------------


@dataclass
class Encoded:
    """Frames encoded into an in-memory MP4, read back as MP4 packets + their avcC/hvcC."""

    packets: list[Any] = field(default_factory=list)
    extradata: bytes = b""
    time_base: Fraction = Fraction(1, 1000)
    stream: Any = None  # a stream of the in-memory file, a template for the output track
    container: Any = None

    def close(self) -> None:
        if self.container is not None:
            self.container.close()


ENCODERS = {"h264": "libx264", "hevc": "libx265"}


def encoder_options(codec: str, preset: str, crf: int, gop: int) -> dict[str, str]:
    """One IDR at the start, no B-frames (nothing to reorder at a splice), no scene cuts."""
    if codec == "libx265":
        params = f"bframes=0:keyint={gop}:min-keyint={gop}:scenecut=0:log-level=error"
        return {"preset": preset, "crf": str(crf), "x265-params": params}
    return {
        "preset": preset,
        "crf": str(crf),
        "bf": "0",
        "keyint": str(gop),
        "min-keyint": str(gop),
        "sc_threshold": "0",
    }


class FrameEncoder:
    """Encodes decoded source frames (YUV, no RGB round trip) into an in-memory MP4."""

    def __init__(
        self,
        codec: str,
        size: tuple[int, int],
        time_base: Fraction,
        fps: float,
        preset: str,
        crf: int,
        gop: int,
        color_from: Any = None,
    ) -> None:
        self.buffer = io.BytesIO()
        self.container: Any = av.open(
            self.buffer, "w", format="mp4", options={"fflags": "+bitexact"}
        )
        self.stream: Any = cast(Any, self.container).add_stream(codec, rate=max(1, round(fps)))
        self.stream.width, self.stream.height = size
        self.stream.pix_fmt = "yuv420p"
        self.stream.time_base = time_base
        self.stream.codec_context.time_base = time_base
        self.stream.options = encoder_options(codec, preset, crf, gop)
        if color_from is not None:
            for name in ("color_range", "colorspace", "color_primaries", "color_trc"):
                value = getattr(color_from, name, None)
                if value is not None:
                    with contextlib.suppress(AttributeError, TypeError, ValueError):
                        setattr(self.stream.codec_context, name, value)
        self.time_base = time_base
        self.count = 0

    def add(self, frame: Any, pts: int) -> None:
        """Encode ``frame`` to be shown at ``pts`` (time base units, from the clip start)."""
        w, h = self.stream.width, self.stream.height
        if frame.format.name != "yuv420p" or (frame.width, frame.height) != (w, h):
            frame = frame.reformat(width=w, height=h, format="yuv420p")
        frame.pts = pts
        frame.time_base = self.time_base
        frame.pict_type = av.video.frame.PictureType.NONE  # never force the source's types
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.count += 1

    def add_timed(self, frame_and_pts: tuple[Any, int]) -> None:
        """``add`` for a (frame, pts) pair (work handed to ``coder.ahead.InOrder``)."""
        self.add(*frame_and_pts)

    def finish(self) -> Encoded:
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()
        reader: Any = open_for_decoding(io.BytesIO(self.buffer.getvalue()))
        stream = reader.streams.video[0]
        packets = [p for p in reader.demux(stream) if p.size and p.pts is not None]
        return Encoded(
            packets=packets,
            extradata=bytes(stream.codec_context.extradata or b""),
            time_base=Fraction(stream.time_base.numerator, stream.time_base.denominator),
            stream=stream,
            container=reader,
        )
