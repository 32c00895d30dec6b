"""Decode the frames before the ones cached, on a background thread, while a user steps back.

One daemon thread per decoder, with its own demuxer and decoder (PyAV releases the GIL while
decoding, so it runs beside the GUI and the foreground decoder). It takes one job at a time —
"decode frames [lo, hi) into the cache" — and a newer request replaces a queued one; a job
the user has moved away from is cancelled between two frames. Before the wanted range starts,
frames nothing refers to (non-reference B-frames) are skipped, so reaching the end of a long
GOP costs less than decoding all of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from coder.media.frame_cache import FrameCache
from coder.media.opening import open_for_decoding

SEEK_RETRIES = 3


@dataclass
class _Job:
    lo: int
    hi: int
    cancelled: bool = False
    done: bool = False
    passed: int = -1  # highest frame index the job has produced so far

    def covers(self, index: int) -> bool:
        """The frame at ``index`` is still to come from this job (worth waiting for)."""
        return (
            not self.done
            and not self.cancelled
            and self.lo <= index < self.hi
            and (index > self.passed)
        )

    def includes(self, lo: int, hi: int) -> bool:
        """This job puts (or has put) every frame of [lo, hi) into the cache."""
        return not self.done and not self.cancelled and self.lo <= lo and hi <= self.hi


class BackwardPrefetcher:
    def __init__(
        self,
        path: Path,
        frame_index: Callable[[int], int],
        pts_of: Callable[[int, int], int],
        cache: FrameCache,
    ) -> None:
        self.path = path
        self._frame_index = frame_index  # pts -> frame index (the decoder's time base)
        self._pts_of = pts_of  # (frame index, ms earlier) -> pts to seek to
        self._cache = cache
        self._lock = threading.Condition()
        self._pending: _Job | None = None
        self._running: _Job | None = None
        self._closed = False
        self._container: Any = None
        self.jobs_done = 0  # for tests and benchmarks
        self._thread = threading.Thread(target=self._loop, name="attune-prefetch", daemon=True)
        self._thread.start()

    # --- called from the decoder's thread ---------------------------------------------
    def request(self, lo: int, hi: int) -> None:
        """Decode [lo, hi) unless a queued or running job already does."""
        if hi <= lo:
            return
        with self._lock:
            # A job already past ``lo`` still counts: queueing the same range again would
            # decode the whole GOP before it a second time while the user waits for the next.
            for job in (self._running, self._pending):
                if job is not None and job.includes(lo, hi):
                    return
            self._pending = _Job(lo, hi)
            self._lock.notify_all()

    def retarget(self, focus: int, window: int) -> None:
        """Cancel work the user has moved away from (a seek elsewhere)."""
        with self._lock:
            for job in (self._running, self._pending):
                if job is not None and not (job.lo - window <= focus <= job.hi + 2 * window):
                    job.cancelled = True
            if self._pending is not None and self._pending.cancelled:
                self._pending = None
        self._cache.notify()

    def covers(self, index: int) -> bool:
        with self._lock:
            return any(j is not None and j.covers(index) for j in (self._running, self._pending))

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._lock.wait_for(
                lambda: self._running is None and self._pending is None, timeout
            )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for job in (self._running, self._pending):
                if job is not None:
                    job.cancelled = True
            self._lock.notify_all()
        # The thread closes its own demuxer on the way out: closing it from here while a slow
        # decode is still inside FFmpeg (a loaded machine, a 4K frame) would free it under it.
        self._thread.join(10)

    # --- the background thread --------------------------------------------------------
    def _loop(self) -> None:
        try:
            self._serve()
        finally:
            if self._container is not None:
                self._container.close()
                self._container = None

    def _serve(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._closed or self._pending is not None)
                if self._closed:
                    return
                job, self._pending = self._pending, None
                assert job is not None
                self._running = job
            try:
                self._decode(job)
            except (av.error.FFmpegError, OSError, StopIteration):
                pass  # the foreground decoder reports errors when it needs the frame itself
            finally:
                with self._lock:
                    job.done = True
                    self._running = None
                    self.jobs_done += 1
                    self._lock.notify_all()
                self._cache.notify()

    def _decode(self, job: _Job) -> None:
        if self._container is None:
            self._container = open_for_decoding(str(self.path))
            self._container.streams.video[0].thread_type = "AUTO"
        container = self._container
        stream = container.streams.video[0]
        context = stream.codec_context
        for attempt in range(SEEK_RETRIES + 1):
            back_ms = 1000 * 4 ** (attempt - 1) if attempt else 0
            container.seek(self._pts_of(job.lo, back_ms), stream=stream, backward=True)
            context.flush_buffers()
            state = _Pass(job, self._frame_index, self._cache)
            for packet in container.demux(stream):
                if job.cancelled:
                    return
                if packet.pts is not None:
                    # Frames shown before the range matter only as references. (Compare frame
                    # indexes: a pts made from a rounded ms can lie just after the frame's own.)
                    before = self._frame_index(int(packet.pts)) < job.lo
                    context.skip_frame = "NONREF" if before else "DEFAULT"
                if packet.size == 0:
                    context.skip_frame = "DEFAULT"
                if not state.take(context.decode(packet)):
                    break
                if state.finished:
                    return
            if not state.overshot:
                return


class _Pass:
    """Frames coming out of one decoding pass of a job."""

    def __init__(self, job: _Job, frame_index: Callable[[int], int], cache: FrameCache) -> None:
        self.job, self._frame_index, self._cache = job, frame_index, cache
        self.first = True
        self.overshot = False
        self.finished = False

    def take(self, frames: list[Any]) -> bool:
        """Store the frames in range; False when the pass should stop."""
        for frame in frames:
            if self.job.cancelled:
                return False
            if frame.pts is None:
                continue
            got = self._frame_index(int(frame.pts))
            if self.first and got > self.job.lo:
                self.overshot = True  # the seek landed after the range: go further back
                return False
            self.first = False
            if got >= self.job.hi:
                self.finished = True
                return True
            if got >= self.job.lo:
                self._cache.put(got, frame)
                self.job.passed = got
        return True
