"""A bounded cache of decoded frames shared by the decoder and its prefetch thread.

Frames are kept as decoded (YUV av.VideoFrame, converted to RGB only when shown). When the
budget is exceeded, the frames farthest from the focus (the frame shown) go first: a user
stepping back needs the frames just before the focus, which the prefetch thread has just put
there, and least the ones far away (a plain LRU would drop exactly those prefetched frames).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def frame_bytes(width: int, height: int) -> int:
    """Memory of one decoded 8-bit 4:2:0 frame (what phones and camcorders record)."""
    return max(1, width * height * 3 // 2)


class FrameCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.focus = 0  # the frame shown; eviction keeps what is near it
        self._frames: dict[int, Any] = {}
        self._bytes = 0
        self._changed = threading.Condition()

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, index: int) -> bool:
        return index in self._frames

    def get(self, index: int) -> Any:
        return self._frames.get(index)

    def put(self, index: int, frame: Any) -> None:
        with self._changed:
            if index in self._frames:
                return
            self._frames[index] = frame
            self._bytes += frame_bytes(frame.width, frame.height)
            while self._bytes > self.budget and len(self._frames) > 1:
                focus = self.focus
                far = max(self._frames, key=lambda i: abs(i - focus))
                old = self._frames.pop(far)
                self._bytes -= frame_bytes(old.width, old.height)
            self._changed.notify_all()

    def run_start(self, index: int, limit: int) -> int:
        """The first index of the run of cached frames ending at ``index`` (looks at most
        ``limit`` frames back; returns ``index + 1`` when ``index`` itself is not cached)."""
        low = index + 1
        while low - 1 >= 0 and index - (low - 1) <= limit and (low - 1) in self._frames:
            low -= 1
        return low

    def nearest(self, index: int) -> Any:
        with self._changed:
            if not self._frames:
                return None
            return self._frames[min(self._frames, key=lambda i: abs(i - index))]

    def wait_for(self, index: int, still_coming: Callable[[], bool]) -> Any:
        """The frame once another thread has put it, or None when it stops coming."""
        with self._changed:
            while index not in self._frames and still_coming():
                self._changed.wait(0.05)
            return self._frames.get(index)

    def notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def clear(self) -> None:
        with self._changed:
            self._frames.clear()
            self._bytes = 0
            self._changed.notify_all()
