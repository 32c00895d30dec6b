"""Two stages of a media job on two cores: decoding and encoding, done in turn, leave one of
the two cores waiting (PyAV and x264 release the GIL while they work).

- ``made_ahead``: the items of an iterator made on a thread of their own, a few ahead of the
  one using them (a reel's pictures are decoded, scaled and captioned while x264 encodes).
  An error in the maker comes out where the item would have; closing the consumer stops it.
- ``InOrder``: items handed to a worker that handles them one by one, in order, while the
  caller goes on (a clip's head is encoded while the source goes on being decoded). Its
  error comes out of the next ``put`` or of ``finish``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable
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


class InOrder:
    """``work(item)`` for every item put, on one worker thread, in the order put."""

    def __init__(self, work: Callable[[T], None], depth: int = 8) -> None:
        self._work = work
        self._waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._worker = threading.Thread(target=self._run, name="attune-in-order", daemon=True)
        self._worker.start()

    def _run(self) -> None:
        while True:
            item = self._waiting.get()
            if item is _DONE:
                return
            if self._error is None:  # after an error, drain without working
                try:
                    self._work(item)  # type: ignore[arg-type]
                except BaseException as exc:
                    self._error = exc

    def put(self, item: T) -> None:
        self._raise()
        self._waiting.put(item)

    def finish(self) -> None:
        """Wait for every item to be handled; raise the worker's error if there was one."""
        self._waiting.put(_DONE)
        self._worker.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error
