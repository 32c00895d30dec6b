"""The highlight reel: one MP4 (H.264 + AAC) of a session's shareable highlights for parents.

A title card, then each highlight in order with its caption burned in, freeze-frame holds at
its freeze points (with their captions, silent), and optional slow motion (audio slowed with
its pitch kept). Only parent-facing text is drawn; no metadata is written. The file appears
atomically when done; cancelling leaves nothing behind.

The plan (which frames, how long) is computed first and is pure, so tests can check it
against the decoded result frame by frame.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.ahead import made_ahead
from coder.app.parent import ParentHighlight, parent_plan
from coder.errors import Cancelled, MediaError
from coder.files import check_target, new_part
from coder.media import audio
from coder.progress import Cancel, Progress
from exports.overlay import caption_band, title_card

Frame = np.ndarray[Any, np.dtype[np.uint8]]
TITLE_LINE_S = 3.0  # the highlight's title shows for its first seconds


@dataclass(frozen=True)
class ReelOptions:
    title: str = ""
    title_s: float = 3.0
    captions: bool = True
    holds: bool = True
    slow: bool = True
    watermark: str = ""
    remove_audio: bool = False
    max_width: int = 1280
    # highlight id -> a function that blurs regions of a frame shown at a source time
    blur: dict[str, Callable[[Frame, int], Frame]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReelPiece:
    kind: str  # "title" | "clip" | "hold"
    frames: int
    highlight_id: str | None = None
    start_ms: int = 0  # source time (clip start, or the held frame)
    end_ms: int = 0
    repeat: int = 1  # each source frame shown this many times (slow motion)
    caption: str = ""


@dataclass(frozen=True)
class ReelResult:
    path: Path
    fps: int
    frame_count: int
    duration_ms: int
    pieces: tuple[ReelPiece, ...]


def slow_factor(speed: float) -> int:
    """Supported slow motion: 1 (normal), 2 (0.5x) or 4 (0.25x)."""
    if speed <= 0.3:
        return 4
    if speed <= 0.6:
        return 2
    return 1


def plan_reel(
    highlights: Sequence[ParentHighlight], fps: int, options: ReelOptions
) -> list[ReelPiece]:
    """Title card, then each highlight in the given (the clinician's) order."""
    pieces = [ReelPiece("title", round(options.title_s * fps), caption=options.title)]
    for h in highlights:
        repeat = slow_factor(h.speed) if options.slow else 1
        cuts = (
            sorted(
                (p for p in h.freeze_points if h.in_ms <= p.at_ms < h.out_ms), key=lambda p: p.at_ms
            )
            if options.holds
            else []
        )
        start = h.in_ms
        for point in cuts:
            if point.at_ms > start:
                pieces.append(_clip(h, start, point.at_ms, fps, repeat))
            pieces.append(
                ReelPiece(
                    "hold",
                    round(point.hold_s * fps),
                    h.id,
                    point.at_ms,
                    point.at_ms,
                    1,
                    point.caption,
                )
            )
            start = point.at_ms
        if h.out_ms > start:
            pieces.append(_clip(h, start, h.out_ms, fps, repeat))
    return [p for p in pieces if p.frames > 0]


def _clip(h: ParentHighlight, start: int, end: int, fps: int, repeat: int) -> ReelPiece:
    frames = round((end - start) * fps / 1000) * repeat
    return ReelPiece("clip", frames, h.id, start, end, repeat, h.caption)


def make_reel(
    project: Any,
    session_id: str,
    out_path: str | os.PathLike[str],
    options: ReelOptions | None = None,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ReelResult:
    """Render the reel of ``session_id`` from ``project`` (a coder.store.Project)."""
    options = options or ReelOptions()
    out = Path(out_path)
    check_target(out)  # before rendering: a folder or a read-only folder fails at once
    plan = parent_plan(project, session_id, "the highlight reel")
    highlights = plan.highlights
    media = project.media(project.session(session_id).media_id)
    fps = max(1, round(media.fps)) if media.fps else 25
    title = options.title or (f"Moments with {plan.family}" if plan.family else "Our moments")
    options = ReelOptions(**{**options.__dict__, "title": title})
    blur = dict(options.blur)
    for h in highlights:  # the clinician's confirmed privacy boxes, followed through the clip
        if h.blur_boxes and h.id not in blur:
            from coder.media.faces import Box, blur_function

            blur[h.id] = blur_function([Box(b.x, b.y, b.w, b.h) for b in h.blur_boxes])
    options = ReelOptions(**{**options.__dict__, "blur": blur})
    pieces = plan_reel(highlights, fps, options)
    by_id = {h.id: h for h in highlights}
    return render_reel(plan.media_path, out, pieces, by_id, fps, options, progress, cancel)


def render_reel(
    source: str,
    out: Path,
    pieces: Sequence[ReelPiece],
    highlights: dict[str, ParentHighlight],
    fps: int,
    options: ReelOptions,
    progress: Progress | None,
    cancel: Cancel | None,
) -> ReelResult:
    from coder.media.decode import FrameDecoder

    if not os.path.exists(source):
        raise MediaError(f"{source}: the session video is missing; re-link it first")
    decoder = FrameDecoder(source)
    probe_frame = decoder.frame_at_ms(pieces[1].start_ms if len(pieces) > 1 else 0).image
    width, height = _output_size(probe_frame.shape[1], probe_frame.shape[0], options.max_width)
    decoder.display_size = (width, height)
    total = sum(p.frames for p in pieces)
    check_target(out)
    tmp = new_part(out)  # owner-only; a killed render leaves a .part the next write sweeps
    done = 0
    try:
        opts = {"movflags": "+faststart", "fflags": "+bitexact"}  # bitexact: no encoder tag
        with av.open(str(tmp), "w", format="mp4", options=opts) as container:
            container.metadata.clear()
            video = container.add_stream("libx264", rate=fps)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            video.options = {"preset": "veryfast", "crf": "20"}
            sound = None
            if not options.remove_audio:
                sound = container.add_stream("aac", rate=audio.RATE)
                sound.layout = "stereo"
            muxer = _Muxer(container, video, sound, fps)
            pictures = made_ahead(  # made on a second core while the encoder works
                frame
                for piece in pieces
                for frame in _piece_frames(
                    piece,
                    highlights.get(piece.highlight_id or ""),
                    decoder,
                    fps,
                    options,
                    width,
                    height,
                )
            )
            try:
                for piece in pieces:
                    for _ in range(piece.frames):
                        if cancel is not None and cancel():
                            raise Cancelled("reel cancelled")
                        muxer.video(next(pictures))
                        done += 1
                        if progress is not None and done % 10 == 0:
                            progress(done / total)
                    if sound is not None:
                        muxer.audio(_piece_audio(source, piece, fps))
            finally:
                pictures.close()  # stops the maker before the decoder closes
            muxer.finish()
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        decoder.close()
    if progress is not None:
        progress(1.0)
    return ReelResult(out, fps, total, round(total * 1000 / fps), tuple(pieces))


def _output_size(w: int, h: int, max_width: int) -> tuple[int, int]:
    if w > max_width:
        h, w = round(h * max_width / w), max_width
    return w - w % 2, h - h % 2


def _fit(image: Frame, width: int, height: int) -> Frame:
    if image.shape[1] == width and image.shape[0] == height:
        return image
    import cv2

    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), np.uint8)


def _piece_frames(
    piece: ReelPiece,
    h: ParentHighlight | None,
    decoder: Any,
    fps: int,
    options: ReelOptions,
    width: int,
    height: int,
) -> Any:
    if piece.kind == "title":
        card = title_card(width, height, piece.caption, watermark=options.watermark)
        for _ in range(piece.frames):
            yield card
        return
    assert h is not None
    blur = options.blur.get(h.id)
    if piece.kind == "hold":
        image = _fit(decoder.frame_at_ms(piece.start_ms).image, width, height)
        if blur is not None:
            image = blur(image, piece.start_ms)
        hold_lines = [(piece.caption, True)] if options.captions and piece.caption else []
        held = (
            caption_band(image, hold_lines, options.watermark)
            if hold_lines or options.watermark
            else image
        )
        for _ in range(piece.frames):
            yield held
        return
    step_ms = 1000 / fps
    last: tuple[int, Frame] | None = None
    for k in range(piece.frames):
        t = piece.start_ms + int((k // piece.repeat) * step_ms)
        if last is None or last[0] != t:
            image = _fit(decoder.frame_at_ms(t).image, width, height)
            if blur is not None:
                image = blur(image, t)
            lines: list[tuple[str, bool]] = []
            if options.captions:
                if h.title and t - h.in_ms < TITLE_LINE_S * 1000:
                    lines.append((h.title, True))
                if h.caption:
                    lines.append((h.caption, False))
                if h.child_voice:
                    lines.append((f"\u201c{h.child_voice}\u201d", False))
            if lines or options.watermark:
                image = caption_band(image, lines, options.watermark)
            last = (t, image)
        yield last[1]


def _piece_audio(source: str, piece: ReelPiece, fps: int) -> audio.Samples:
    length = round(piece.frames * audio.RATE / fps)  # exactly the piece's video duration
    if piece.kind != "clip":
        return np.zeros((2, length), np.float32)
    samples = audio.read_audio(source, piece.start_ms, piece.end_ms)
    return audio.fit(audio.slow_down(samples, piece.repeat), length)


class _Muxer:
    """Encodes video frames and audio samples, interleaving them by time."""

    def __init__(self, container: Any, video: Any, sound: Any, fps: int) -> None:
        self.container, self.video_stream, self.sound, self.fps = container, video, sound, fps
        self.frames = 0
        self.samples = 0
        self.pending = np.zeros((2, 0), np.float32)

    def video(self, image: Frame) -> None:
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        frame.pts = self.frames
        self.frames += 1
        for packet in self.video_stream.encode(frame):
            self.container.mux(packet)

    def audio(self, samples: audio.Samples) -> None:
        self.pending = np.concatenate([self.pending, samples], axis=1)
        self._drain(final=False)

    def _drain(self, final: bool) -> None:
        size = 1024  # AAC frame size
        while self.pending.shape[1] >= size or (final and self.pending.shape[1] > 0):
            chunk = audio.fit(self.pending[:, :size], size)
            self.pending = self.pending[:, size:]
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format="fltp", layout="stereo"
            )
            frame.sample_rate = audio.RATE
            frame.pts = self.samples
            self.samples += size
            for packet in self.sound.encode(frame):
                self.container.mux(packet)

    def finish(self) -> None:
        for packet in self.video_stream.encode(None):
            self.container.mux(packet)
        if self.sound is not None:
            self._drain(final=True)
            for packet in self.sound.encode(None):
                self.container.mux(packet)
