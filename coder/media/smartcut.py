"""Frame-exact smart cut: re-encode only what must be, copy the compressed packets of the rest.

A clip [first, last] of an H.264/HEVC source is put together from up to three pieces:
- head: the frames from the in point up to the first keyframe K inside the clip where decoding
  can start afresh (an IDR in H.264; an IRAP in HEVC), re-encoded;
- copy: the source's packets from K on, in decode order, up to the first packet shown after
  the out point;
- tail: with B-frames, the last few frames before the out point can be decoded only after a
  frame shown after it; those are re-encoded too (decoding them needs the GOP they sit in).

The pieces come from different encoders, so their parameter sets (SPS/PPS, VPS) differ and
use the same ids. Each piece gets its own sample description in the MP4 track: a packet that
carries new extradata makes FFmpeg's muxer write a second (third) stsd entry, and demuxers hand
the new parameter sets to the decoder at that sample. Tracks stay plain avc1/hvc1.

Head and tail are encoded without B-frames, so nothing is reordered across a splice; their
decode times are placed so that decode order stays strictly increasing and never after the
presentation time.

Every cut is verified before it is used: the timestamps of all frames, and the decoded
pictures around each splice against the source's (thumbnails; copied frames must match, re-
encoded ones closely). If that fails the caller re-encodes the whole clip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.ahead import InOrder
from coder.errors import Cancelled
from coder.media import clip_source as source
from coder.media.nal import is_leading, starts_clean
from coder.media.opening import open_for_decoding
from coder.progress import Cancel, Progress

CHECK_AFTER_SPLICE = 3  # copied frames decoded and compared after a splice
HEAD_MAX_DIFF = 12.0  # mean |difference| (0-255) of a re-encoded frame's thumbnail
COPY_MAX_DIFF = 1.0  # copied frames decode to the source's picture
# Re-encoded pieces are at most one GOP of the source. The fastest preset keeps even a 10 s
# camcorder GOP well above 4x real time; a low CRF spends the bits that hides the splice.
PIECE_PRESET = "ultrafast"
PIECE_CRF = 17
PIECE_GOP = 24  # an IDR every 24 frames: verification decodes at most this many to a splice
CHECK_HEAD_START = 2  # re-encoded frames checked at the start of the clip


@dataclass
class Plan:
    frames: list[int]  # pts of every frame of the clip, display order
    head: list[int]  # pts re-encoded before the copy
    copy: list[Any]  # source packets copied, decode order
    tail: list[int]  # pts re-encoded after the copy
    reorder: int  # the copied packets' largest pts - dts (time base units)
    check: list[int] = field(default_factory=list)  # copied pts compared after the head

    @property
    def is_plain_copy(self) -> bool:
        return not self.head and not self.tail

    def checked(self) -> set[int]:
        """Every source frame whose picture verify() compares (only these need thumbnails):
        the first head frames, those after the head's last IDR (decoding the output from
        there crosses the splice), the first copied ones and the tail."""
        last_idr = (len(self.head) - 1) // PIECE_GOP * PIECE_GOP if self.head else 0
        head = set(self.head[:CHECK_HEAD_START]) | set(self.head[last_idr:])
        return head | set(self.check) | set(self.tail)


def make_plan(region: source.Region, first_pts: int, end_pts: int) -> Plan | None:
    """How to cut [first_pts, end_pts) by copying as much as possible; None if it cannot be."""
    codec, size = region.codec, region.nal_size
    if codec not in source.ENCODERS or size is None:
        return None
    frames = [p for p in region.frame_pts if first_pts <= p < end_pts]
    packets = region.packets
    for k, key in enumerate(packets):
        key_pts = int(key.pts)
        if not key.is_keyframe or key_pts < first_pts or key_pts >= end_pts:
            continue
        if not starts_clean(codec, bytes(key), size):
            continue
        copy: list[Any] = []
        clean = True
        for packet in packets[k:]:
            pts = int(packet.pts)
            if pts >= end_pts:
                break
            if pts < key_pts:  # a leading picture: its time is covered by the head
                if not is_leading(codec, bytes(packet), size):
                    clean = False
                    break
                continue
            copy.append(packet)
        if not clean or not copy:
            continue
        copied = {int(p.pts) for p in copy}
        head = [p for p in frames if p < key_pts]
        tail = [p for p in frames if p > key_pts and p not in copied]
        if tail and min(tail) < max(copied):
            continue  # the tail must come after everything copied
        reorder = max(int(p.pts) - int(p.dts) for p in copy if p.dts is not None)
        check = sorted(copied)[:CHECK_AFTER_SPLICE]
        return Plan(frames, head, copy, tail, max(0, reorder), check)
    return None


def cut(
    region: source.Region,
    plan: Plan,
    tmp: Path,
    audio_packets: list[Any] | None,
    audio_template: Any,
    cancel: Cancel | None = None,
    progress: Progress | None = None,
) -> dict[int, np.ndarray[Any, np.dtype[np.uint8]]]:
    """Write the clip to ``tmp``; return the source thumbnails to verify it against."""
    first = plan.frames[0]
    thumbs: dict[int, np.ndarray[Any, np.dtype[np.uint8]]] = {}
    encoder_name = source.ENCODERS[region.codec]
    decoder = source.decoder_for(region)
    checked = plan.checked()
    head = _encode_piece(
        region, plan.head, set(plan.check), checked, first, encoder_name, decoder, thumbs, cancel
    )
    if progress is not None:
        progress(0.5)
    tail = _encode_piece(
        region, plan.tail, set(), checked, first, encoder_name, decoder, thumbs, cancel
    )
    try:
        _mux(region, plan, tmp, head, tail, audio_packets, audio_template, cancel)
    finally:
        for piece in (head, tail):
            if piece is not None:
                piece.close()
    return thumbs


def _encode_piece(
    region: source.Region,
    wanted: list[int],
    extra_thumbs: set[int],
    checked: set[int],
    first: int,
    encoder_name: str,
    decoder: Any,
    thumbs: dict[int, np.ndarray[Any, np.dtype[np.uint8]]],
    cancel: Cancel | None,
) -> source.Encoded | None:
    if not wanted and not extra_thumbs:
        return None
    want = set(wanted) | extra_thumbs
    # Decode from the last keyframe at or before the piece's first frame.
    start = 0
    for i, packet in enumerate(region.packets):
        if packet.is_keyframe and int(packet.pts) <= min(want):
            start = i
    encoder = (
        source.FrameEncoder(
            encoder_name,
            (region.width, region.height),
            region.time_base,
            region.fps,
            PIECE_PRESET,
            PIECE_CRF,
            PIECE_GOP,
            color_from=decoder,  # same range and matrix: no brightness jump at the splice
        )
        if wanted
        else None
    )
    wanted_set = set(wanted)
    # x264 encodes on a worker while the source goes on being decoded here: the two take
    # about as long, and done in turn one of the two cores waited (a long GOP's head).
    encoding = InOrder(encoder.add_timed) if encoder is not None else None

    def on_frame(frame: Any) -> None:
        pts = int(frame.pts)
        if pts in checked:  # a 1080p thumbnail costs a few ms: only those verify() compares
            thumbs[pts] = source.thumbnail(frame)
        if encoding is not None and pts in wanted_set:
            encoding.put((frame, pts - first))

    try:
        source.decode(decoder, region.packets[start:], want, on_frame, cancel)
    finally:
        if encoding is not None:
            encoding.finish()
    return encoder.finish() if encoder is not None else None


def _mux(
    region: source.Region,
    plan: Plan,
    tmp: Path,
    head: source.Encoded | None,
    tail: source.Encoded | None,
    audio_packets: list[Any] | None,
    audio_template: Any,
    cancel: Cancel | None,
) -> None:
    first = plan.frames[0]
    tb = region.time_base
    with av.open(
        str(tmp), "w", format="mp4", options={"movflags": "+faststart", "fflags": "+bitexact"}
    ) as out:
        template = head.stream if head is not None else plan.copy[0].stream
        video = out.add_stream_from_template(template)
        video.time_base = tb
        if region.rotation:
            video.set_display_rotation(region.rotation)
        sound = out.add_stream_from_template(audio_template) if audio_packets else None
        last_dts: int | None = None

        def write(packet: Any, pts: int, dts: int, new_extradata: bytes | None) -> None:
            nonlocal last_dts
            if cancel is not None and cancel():
                raise Cancelled("clip cancelled")
            if last_dts is not None and dts <= last_dts:
                dts = last_dts + 1
            dts = min(dts, pts)
            packet.pts, packet.dts, packet.time_base = pts, dts, tb
            packet.stream = video
            if new_extradata is not None:
                _attach_extradata(packet, new_extradata)
            out.mux(packet)
            last_dts = dts

        if head is not None:
            for packet in head.packets:
                pts = _rescale(int(packet.pts), head.time_base, tb)
                duration = _rescale(int(packet.duration or 0), head.time_base, tb)
                packet.duration = duration
                write(packet, pts, pts - plan.reorder, None)
        for n, original in enumerate(plan.copy):
            new = region.extradata if (n == 0 and head is not None) else None
            dts = int(original.dts) if original.dts is not None else int(original.pts)
            write(_clone(original), int(original.pts) - first, dts - first, new)
        if tail is not None:
            for n, packet in enumerate(tail.packets):
                pts = _rescale(int(packet.pts), tail.time_base, tb)
                packet.duration = _rescale(int(packet.duration or 0), tail.time_base, tb)
                write(packet, pts, pts - plan.reorder, tail.extradata if n == 0 else None)
        if sound is not None and audio_packets:
            for packet in audio_packets:
                packet.stream = sound
                out.mux(packet)


def _clone(packet: Any) -> Any:
    """A copy to re-time and mux; the region's packets stay as read (a fallback needs them)."""
    copy = av.Packet(bytes(packet))
    copy.is_keyframe = packet.is_keyframe
    copy.duration = packet.duration
    return copy


def _rescale(value: int, src: Any, dst: Any) -> int:
    result: int = round(value * src / dst)
    return result


def _attach_extradata(packet: Any, extradata: bytes) -> None:
    kind = av.packet.packet_sidedata_type_from_literal("new_extradata")
    side_data: Any = av.packet.PacketSideData  # the stubs omit its (type, size) constructor
    side = side_data(kind, len(extradata))
    memoryview(side).cast("B")[:] = extradata
    packet.set_sidedata(side)


# --- verification ------------------------------------------------------------------------

Thumbs = dict[int, np.ndarray[Any, np.dtype[np.uint8]]]


def verify(path: Path, region: source.Region, plan: Plan, thumbs: Thumbs) -> bool:
    """Every frame's time; the pictures at the start, across the head-copy splice and of the
    tail, against the source's (decoding from the last IDR of a piece before its splice)."""
    first = plan.frames[0]

    def clip_ms(pts: int) -> int:
        return round(float((pts - first) * region.time_base) * 1000)

    def checks(pts_list: list[int], limit: float) -> dict[int, tuple[Any, float]]:
        return {clip_ms(p): (thumbs.get(p), limit) for p in pts_list}

    last_head_idr = (len(plan.head) - 1) // PIECE_GOP * PIECE_GOP if plan.head else 0
    start_group = checks(plan.head[:CHECK_HEAD_START], HEAD_MAX_DIFF)
    splice_group = checks(plan.head[last_head_idr:], HEAD_MAX_DIFF) | checks(
        plan.check, COPY_MAX_DIFF
    )
    # A head of one IDR period is decoded from the clip's start for the splice anyway: one
    # pass checks both (each pass is a seek and a decoder refill).
    groups = (
        [start_group | splice_group] if last_head_idr == 0 else [start_group, splice_group]
    ) + [checks(plan.tail, HEAD_MAX_DIFF)]
    try:
        with open_for_decoding(str(path)) as c:
            v = c.streams.video[0]
            v.thread_type = "AUTO"  # both cores: the check decodes a GOP's worth at most
            pts = sorted(int(p.pts) for p in c.demux(v) if p.pts is not None and p.size)
            if not pts:
                return False
            start = pts[0]
            got = [round(float((p - start) * v.time_base) * 1000) for p in pts]
            if got != [clip_ms(p) for p in plan.frames]:
                return False
            for group in groups:
                if not _pictures_match(c, v, start, group):
                    return False
    except av.error.FFmpegError:
        return False
    return True


def _pictures_match(
    container: Any, v: Any, start: int, wanted: dict[int, tuple[Any, float]]
) -> bool:
    """Decode from the keyframe before the first wanted time; compare each wanted picture."""
    if not wanted:
        return True
    if any(reference is None for reference, _ in wanted.values()):
        return False
    container.seek(start + int(min(wanted) / 1000 / v.time_base), stream=v, backward=True)
    seen: set[int] = set()
    for frame in container.decode(v):
        if frame.pts is None:
            continue
        ms = round(float((int(frame.pts) - start) * v.time_base) * 1000)
        if ms in wanted:
            reference, limit = wanted[ms]
            diff = np.abs(source.thumbnail(frame).astype(np.int16) - reference.astype(np.int16))
            if float(diff.mean()) > limit:
                return False
            seen.add(ms)
        if ms >= max(wanted):
            break
    return seen == set(wanted)
