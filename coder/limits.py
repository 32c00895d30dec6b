"""Bounds on sizes, times and rates that Attune accepts from any file (imports, projects).

A recording session lasts minutes, not years: a time of 10^30 ms or a media length of 10^11 s
in a damaged or hostile file must be refused with a clear message before anything (a frame
table, a timeline, a spreadsheet) is built from it. Every reader uses these same checks.
"""

from __future__ import annotations

import math

MAX_MEDIA_MS = 24 * 3600 * 1000  # one day of video: far beyond any session
MAX_FPS = 1000.0
MIN_FPS = 0.1  # a time-lapse at one frame per ten seconds
MAX_FRAMES = 24 * 3600 * 60  # one day at 60 fps
MAX_TEXT = 100_000  # characters in one note, caption or label
MAX_INFLATED_BYTES = 256 * 1024 * 1024  # a compressed input may not unpack beyond this


def time_problem(value: object, what: str, *, allow_none: bool = False) -> str | None:
    """Why ``value`` is not a usable media time in ms (0 .. one day), or None when it is."""
    if value is None:
        return None if allow_none else f"{what} is missing"
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{what} must be a whole number of milliseconds"
    if value < 0:
        return f"{what} {value} ms is before the video starts"
    if value > MAX_MEDIA_MS:
        return f"{what} {value} ms is beyond {MAX_MEDIA_MS // 3_600_000} hours"
    return None


def seconds_problem(value: object, what: str) -> str | None:
    """Why ``value`` (seconds, as read from a file) is not a usable media time, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{what} must be a finite number of seconds"
    if value < 0:
        return f"{what} {value:g} s is before the video starts"
    if value * 1000 > MAX_MEDIA_MS:
        return f"{what} {value:g} s is beyond {MAX_MEDIA_MS // 3_600_000} hours"
    return None


def fps_problem(value: object, what: str = "the frame rate") -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{what} must be a number"
    if not MIN_FPS <= value <= MAX_FPS:
        return f"{what} {value:g} is not between {MIN_FPS:g} and {MAX_FPS:g} frames per second"
    return None


def number_problem(value: object, what: str) -> str | None:
    """Why ``value`` is not a finite number (ratings, speeds, modifier values), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{what} must be a finite number"
    return None


def frame_count_problem(duration_ms: int, fps: float) -> str | None:
    """A constant-rate frame table of this size would be too large to build."""
    if duration_ms * fps / 1000 > MAX_FRAMES:
        return (
            f"a video of {duration_ms / 3_600_000:.1f} hours at {fps:g} fps has more than "
            f"{MAX_FRAMES:,} frames"
        )
    return None


def gunzip_bounded(raw: bytes, what: str, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Unpack gzip data, refusing (without unpacking it all) anything beyond ``limit`` bytes.

    A 1 MB hostile ``.gz`` can inflate to gigabytes; this stops after ``limit`` + 1 bytes.
    Raises ImportFormatError naming ``what``; damaged data raises ``zlib.error``/``EOFError``.
    """
    import zlib

    from coder.errors import ImportFormatError

    out = bytearray()
    data = raw
    while data:
        unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += unpacker.decompress(data, limit + 1 - len(out))
        if len(out) > limit or unpacker.unconsumed_tail:
            raise ImportFormatError(
                f"{what}: unpacks to more than {limit // (1024 * 1024)} MB, far beyond any "
                "real file; it is damaged or not what it claims to be"
            )
        if not unpacker.eof:
            raise EOFError("compressed data ends too early")
        data = unpacker.unused_data.lstrip(b"\0")  # gzip allows several members, and padding
    return bytes(out)
