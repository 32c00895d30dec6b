"""Generated videos shaped like the ones clinics record: phones (H.264/HEVC, B-frames, 4K or
60 fps, variable frame rate, rotation) and camcorders (long GOPs).

Every frame carries its index as black/white blocks (coder.media.synth.draw_index), so any
decoder's output can be checked exactly. The picture under the strip is a panning texture with
a little changing grain, so the encoder spends bits like on camera footage and decoding costs
roughly what it costs on real recordings (a flat picture would decode unrealistically fast).
Everything is encoded with the libx264/libx265 inside PyAV's wheel; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.media.synth import AUDIO_RATE, _tone, _write_audio, draw_index, index_strip_height

GRAIN_FRAMES = 7  # a prime cycle longer than any reference window, so grain is never free


@dataclass(frozen=True)
class RecordedFormat:
    """How one kind of recording is encoded (names say what a clinic would record with)."""

    name: str
    codec: str  # "libx264" or "libx265"
    size: tuple[int, int]  # coded width, height
    fps: int  # nominal rate; VFR clips vary around it
    gop: int  # frames between keyframes
    b_frames: int
    seconds: int
    preset: str = "veryfast"
    crf: int = 23
    vfr: bool = False
    rotation: int = 0  # display rotation, degrees clockwise (a phone held upright: 90)
    time_base: Fraction = Fraction(1, 90_000)
    open_gop: bool = False
    audio: bool = False  # a mono AAC track (two voices taking turns)

    def scaled(self, size: tuple[int, int], seconds: int) -> RecordedFormat:
        """The same encoding at another size and length (small copies for tests)."""
        return replace(self, size=size, seconds=seconds)


FORMATS: dict[str, RecordedFormat] = {
    f.name: f
    for f in (
        RecordedFormat("h264-1080p30-bframes", "libx264", (1920, 1080), 30, 30, 3, 20),
        RecordedFormat(
            "hevc-2160p30-bframes", "libx265", (3840, 2160), 30, 30, 3, 8, preset="ultrafast"
        ),
        RecordedFormat(
            "hevc-1080p60-bframes", "libx265", (1920, 1080), 60, 60, 3, 15, preset="ultrafast"
        ),
        RecordedFormat(
            "phone-vfr-rotated",
            "libx264",
            (1920, 1080),
            30,
            30,
            0,
            20,
            vfr=True,
            rotation=90,
            time_base=Fraction(1, 600),
        ),
        RecordedFormat("camcorder-gop250", "libx264", (1920, 1080), 25, 250, 2, 30, crf=18),
    )
}
# A one-minute phone session with sound, for highlight reels and handouts.
SESSION = RecordedFormat(
    "phone-session-1080p30", "libx264", (1920, 1080), 30, 30, 3, 60, audio=True
)

# Ticks of 1/600 s per frame for the VFR phone clip: mostly 30 fps, with the stalls and
# catch-ups a phone shows when light drops or it gets busy.
VFR_TICKS = (20, 20, 20, 20, 20, 40, 20, 20, 20, 30, 20, 20, 60, 20, 10, 20, 20, 20)


def frame_starts(fmt: RecordedFormat, frames: int) -> list[int]:
    """Presentation times of the frames in ``fmt.time_base`` ticks."""
    if fmt.vfr:
        durations = [Fraction(VFR_TICKS[i % len(VFR_TICKS)], 600) for i in range(frames)]
    else:
        durations = [Fraction(1, fmt.fps)] * frames
    starts: list[int] = []
    t = Fraction(0)
    for duration in durations:
        starts.append(round(t / fmt.time_base))
        t += duration
    return starts


def _encoder_options(fmt: RecordedFormat) -> dict[str, str]:
    if fmt.codec == "libx264":
        return {
            "preset": fmt.preset,
            "crf": str(fmt.crf),
            "bf": str(fmt.b_frames),
            "keyint": str(fmt.gop),
            "min-keyint": str(fmt.gop),
            "sc_threshold": "0",
            "x264-params": f"open-gop={int(fmt.open_gop)}",
        }
    params = [
        f"keyint={fmt.gop}",
        f"min-keyint={fmt.gop}",
        "scenecut=0",
        f"bframes={fmt.b_frames}",
        f"open-gop={int(fmt.open_gop)}",
        "log-level=error",
    ]
    return {"preset": fmt.preset, "crf": str(fmt.crf), "x265-params": ":".join(params)}


def write_recorded_video(
    path: str | Path,
    fmt: RecordedFormat,
    *,
    progress: Callable[[float], None] | None = None,
) -> list[int]:
    """Encode ``fmt`` to ``path`` (MP4/MOV by suffix); return the frame start times in ms."""
    width, height = fmt.size
    frames = fmt.seconds * fmt.fps
    starts = frame_starts(fmt, frames)
    rng = np.random.default_rng(11)
    strip = index_strip_height(height)
    # Twice as wide as the picture so panning never wraps visibly inside one frame.
    texture = rng.integers(30, 200, (height, 2 * width, 3), dtype=np.uint8)
    texture[:, ::97] = 230  # some straight edges, like furniture, for the motion search
    grain = [rng.integers(0, 16, (height, width, 3), dtype=np.uint8) for _ in range(GRAIN_FRAMES)]
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream(fmt.codec, rate=fmt.fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = fmt.time_base
        stream.codec_context.time_base = fmt.time_base
        stream.codec_context.gop_size = fmt.gop
        stream.options = _encoder_options(fmt)
        if fmt.rotation:
            # FFmpeg's display matrix angle is counter-clockwise.
            stream.set_display_rotation(-fmt.rotation)
        sound: Any = container.add_stream("aac", rate=AUDIO_RATE) if fmt.audio else None
        if sound is not None:
            sound.layout = "mono"
        image = np.empty((height, width, 3), np.uint8)
        for i, start in enumerate(starts):
            shift = (i * 6) % width
            np.add(texture[:, shift : shift + width], grain[i % GRAIN_FRAMES], out=image)
            image[:strip] = 0
            draw_index(image, i)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = start
            frame.time_base = fmt.time_base
            for packet in stream.encode(frame):
                container.mux(packet)
            if progress is not None and i % 30 == 0:
                progress(i / frames)
        for packet in stream.encode(None):
            container.mux(packet)
        if sound is not None:
            total_ms = round(float(starts[-1] * fmt.time_base) * 1000) + round(1000 / fmt.fps)
            _write_audio(container, sound, total_ms, lambda s, n: _tone(s, n, 330.0))
    if progress is not None:
        progress(1.0)
    return [round(float(s * fmt.time_base) * 1000) for s in starts]
