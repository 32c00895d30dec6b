"""Text drawn into video frames (Pillow): caption bands, title cards, a watermark.

Overlays stay in the lower part of the frame so the picture itself (faces, the play)
stays visible; text is wrapped to the frame width.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from exports.handout import find_unicode_font

Frame = np.ndarray[Any, np.dtype[np.uint8]]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
WARM_BG = (250, 243, 232)
INK = (60, 45, 35)


@lru_cache(maxsize=16)
def font(size: int) -> Font:
    path = find_unicode_font()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words, line = paragraph.split(), ""
        for word in words:
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=face) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def caption_band(frame: Frame, lines: list[tuple[str, bool]], watermark: str = "") -> Frame:
    """Draw ``lines`` ((text, bold-ish)) in a translucent band at the bottom of ``frame``."""
    height, width = frame.shape[:2]
    top, drawn, keep = _band_layer(width, height, tuple(lines), watermark)
    out = frame.copy()
    if top < height:
        # "Over" compositing of the drawn layer, only on the rows it covers: a reel draws the
        # same band on hundreds of frames, so the layer is drawn once (see _band_layer).
        # Rounded as Pillow's alpha_composite rounds; every sum fits 16 bits.
        mixed = out[top:] * keep
        mixed += drawn
        out[top:] = mixed // 255
    return out


@lru_cache(maxsize=8)
def _band_layer(
    width: int, height: int, lines: tuple[tuple[str, bool], ...], watermark: str
) -> tuple[int, np.ndarray[Any, np.dtype[np.uint16]], np.ndarray[Any, np.dtype[np.uint16]]]:
    """The band and watermark drawn on a transparent layer: (first row drawn on, its RGB and
    alpha from there down)."""
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(12, height // 22)
    margin = size
    wrapped: list[tuple[str, Font]] = []
    for text, strong in lines:
        face = font(round(size * 1.15) if strong else size)
        wrapped += [(line, face) for line in _wrap(draw, text, face, width - 2 * margin) if line]
    top = height
    if wrapped:
        line_h = round(size * 1.45)
        band_h = line_h * len(wrapped) + margin
        top = height - band_h
        draw.rectangle((0, top, width, height), fill=(0, 0, 0, 150))
        y = top + margin // 2
        for line, face in wrapped:
            draw.text((margin, y), line, font=face, fill=(255, 255, 255, 255))
            y += line_h
    if watermark:
        face = font(max(11, height // 28))
        tw = draw.textlength(watermark, font=face)
        y_mark = (
            top - round(face.size * 1.6) if isinstance(face, ImageFont.FreeTypeFont) else top - 20
        )
        draw.text((width - tw - margin, y_mark), watermark, font=face, fill=(255, 90, 70, 230))
    pixels = np.asarray(layer, dtype=np.uint16)
    rows = np.flatnonzero(pixels[:, :, 3].any(axis=1))
    first = int(rows[0]) if rows.size else height
    colour, alpha = pixels[first:, :, :3], pixels[first:, :, 3:4]
    drawn = colour * alpha + 127  # the layer's share, with the rounding
    keep = np.broadcast_to(255 - alpha, colour.shape).copy()  # the picture's share
    return first, drawn, keep


def title_card(
    width: int, height: int, title: str, subtitle: str = "", watermark: str = ""
) -> Frame:
    """A calm full-frame card with a centred title."""
    image = Image.new("RGB", (width, height), WARM_BG)
    draw = ImageDraw.Draw(image)
    big, small = font(max(16, height // 12)), font(max(12, height // 24))
    lines = [(line, big) for line in _wrap(draw, title, big, width * 4 // 5)]
    lines += [(line, small) for line in _wrap(draw, subtitle, small, width * 4 // 5) if line]
    line_hs = [round((height // 12 if face is big else height // 24) * 1.5) for _, face in lines]
    y = (height - sum(line_hs)) // 2
    for (line, face), lh in zip(lines, line_hs, strict=True):
        tw = draw.textlength(line, font=face)
        draw.text(((width - tw) / 2, y), line, font=face, fill=INK)
        y += lh
    if watermark:
        face = font(max(11, height // 28))
        tw = draw.textlength(watermark, font=face)
        draw.text((width - tw - 16, 12), watermark, font=face, fill=(192, 57, 43))
    return np.asarray(image, dtype=np.uint8).copy()
