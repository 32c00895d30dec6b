"""Privacy blur: find faces (OpenCV's Haar cascade, shipped inside the opencv wheel), follow
confirmed boxes through a clip, and blur them.

Detection only proposes boxes; the clinician confirms or adjusts them per highlight. Boxes
are fractions of the frame (0..1) so they survive scaling. Tracking re-detects near the last
position each frame and keeps the last box when detection fails, so a face that turns away
stays covered (we would rather blur too much than too little).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from coder.errors import MediaError

Frame = np.ndarray[Any, np.dtype[np.uint8]]
MARGIN = 0.25  # grow boxes by a quarter so hair and ears are covered too


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def to_pixels(self, width: int, height: int, margin: float = 0.0) -> tuple[int, int, int, int]:
        grow_w, grow_h = self.w * margin, self.h * margin
        x0 = max(0, int((self.x - grow_w / 2) * width))
        y0 = max(0, int((self.y - grow_h / 2) * height))
        x1 = min(width, int(np.ceil((self.x + self.w + grow_w / 2) * width)))
        y1 = min(height, int(np.ceil((self.y + self.h + grow_h / 2) * height)))
        return x0, y0, x1, y1

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


@lru_cache(maxsize=1)
def _cascade() -> Any:
    path = str(cv2.data.haarcascades) + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise MediaError(
            "the face detector model is missing from OpenCV; reinstall opencv-python-headless 4.x"
        )
    return cascade


def detect_faces(rgb: Frame, min_size_fraction: float = 0.05) -> list[Box]:
    """Proposed face boxes in ``rgb``, largest first."""
    height, width = rgb.shape[:2]
    grey = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    side = max(12, int(min(width, height) * min_size_fraction))
    found = _cascade().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))
    boxes = [Box(x / width, y / height, w / width, h / height) for (x, y, w, h) in found]
    return sorted(boxes, key=lambda b: -b.w * b.h)


def blur_boxes(rgb: Frame, boxes: Sequence[Box], margin: float = MARGIN) -> Frame:
    """A copy of ``rgb`` with each box pixelated and blurred beyond recognition."""
    out = rgb.copy()
    height, width = rgb.shape[:2]
    for box in boxes:
        x0, y0, x1, y1 = box.to_pixels(width, height, margin)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        region = out[y0:y1, x0:x1]
        size = (max(1, (x1 - x0) // 24), max(1, (y1 - y0) // 24))  # a few coarse cells only
        small = cv2.resize(region, size, interpolation=cv2.INTER_AREA)  # averages, no aliasing
        coarse = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
        out[y0:y1, x0:x1] = cv2.GaussianBlur(coarse, (0, 0), sigmaX=max(2.0, (x1 - x0) / 6))
    return out


class BoxFollower:
    """Follows confirmed boxes frame to frame by re-detecting near each box's last place."""

    def __init__(self, boxes: Sequence[Box]) -> None:
        self.boxes = list(boxes)

    def update(self, rgb: Frame) -> list[Box]:
        if not self.boxes:
            return []
        found = detect_faces(rgb)
        for i, box in enumerate(self.boxes):
            cx, cy = box.centre
            near = [
                f for f in found if abs(f.centre[0] - cx) < box.w and abs(f.centre[1] - cy) < box.h
            ]
            if near:
                best = min(near, key=lambda f: (f.centre[0] - cx) ** 2 + (f.centre[1] - cy) ** 2)
                self.boxes[i] = best
        return list(self.boxes)


def blur_function(boxes: Sequence[Box], follow: bool = True) -> Callable[[Frame, int], Frame]:
    """A frame filter for the reel and stills: blur ``boxes``, following them if asked."""
    follower = BoxFollower(boxes) if follow else None

    def apply(rgb: Frame, _ms: int) -> Frame:
        current = follower.update(rgb) if follower is not None else list(boxes)
        return blur_boxes(rgb, current)

    return apply
