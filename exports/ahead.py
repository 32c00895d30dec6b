"""Make the items of an iterator on a thread of their own, a few ahead of the one using them.

A reel decodes, scales and captions each picture, then encodes it: done in turn, one of the
two cores waits. Here the pictures are made while the encoder works (PyAV and x264 release
the GIL). An error in the maker comes out where the item would have; closing the consumer
stops the maker.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def made_ahead(items: Iterable[T], depth: int = 6) -> Generator[T, None, None]:
    """``items`` as they are made on a worker thread, at most ``depth`` waiting."""
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def make() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put(exc)

    worker = threading.Thread(target=make, name="attune-made-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # let a maker blocked on a full queue see the stop
            try:
                ready.get_nowait()
            except queue.Empty:
                worker.join(0.05)
