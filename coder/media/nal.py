"""Just enough H.264/HEVC bitstream reading to find safe splice points in MP4 samples.

MP4 samples hold NAL units prefixed by their length (1, 2 or 4 bytes, from the avcC/hvcC
record). A packet can be cut in front of when decoding may start there without anything
before it: an IDR picture in H.264; an IRAP picture (IDR, CRA, BLA) in HEVC, whose leading
pictures (RADL/RASL, decoded after it but shown before it) are not carried over.
"""

from __future__ import annotations

from collections.abc import Iterator

H264_IDR = 5
HEVC_IRAP = range(16, 24)  # BLA, IDR, CRA and reserved IRAP types
HEVC_LEADING = range(6, 10)  # RADL_N, RADL_R, RASL_N, RASL_R


def length_size(codec: str, extradata: bytes | None) -> int | None:
    """NAL length-prefix size from an avcC/hvcC record; None for Annex B or unknown data."""
    if not extradata or extradata[0] != 1:
        return None
    if codec == "h264" and len(extradata) >= 5:
        return (extradata[4] & 3) + 1
    if codec == "hevc" and len(extradata) >= 22:
        return (extradata[21] & 3) + 1
    return None


def nal_units(data: bytes, size: int) -> Iterator[bytes]:
    at = 0
    while at + size <= len(data):
        n = int.from_bytes(data[at : at + size], "big")
        at += size
        if n <= 0 or at + n > len(data):
            return
        yield data[at : at + n]
        at += n


def nal_types(codec: str, data: bytes, size: int) -> list[int]:
    if codec == "h264":
        return [unit[0] & 0x1F for unit in nal_units(data, size)]
    return [(unit[0] >> 1) & 0x3F for unit in nal_units(data, size)]


def starts_clean(codec: str, data: bytes, size: int) -> bool:
    """True when decoding can start at this sample with nothing before it."""
    types = nal_types(codec, data, size)
    if codec == "h264":
        return H264_IDR in types
    return any(t in HEVC_IRAP for t in types)


def is_leading(codec: str, data: bytes, size: int) -> bool:
    """An HEVC leading picture (shown before the IRAP picture it follows in decode order)."""
    return codec == "hevc" and any(t in HEVC_LEADING for t in nal_types(codec, data, size))
