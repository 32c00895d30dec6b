"""The audio lane's data: waveform peaks and a spectrogram of a video's sound (PyAV + numpy).

Computed once per video (off the GUI thread: it decodes the whole sound track), streamed in
blocks so a long session never holds its audio in memory, and cached in the project (table
``audio_overview``) so reopening is instant. Views ask for any time range at any width
(``peaks_for`` / ``spectrogram_for``): the lane zooms with the timeline from the whole session
down to single frames without recomputing anything.

- peaks: min and max sample of every ``BUCKET_MS`` (mono, full scale ±1).
- spectrogram: every ``HOP_MS`` a Hann-windowed FFT of ``WINDOW`` samples, folded into ``BANDS``
  log-spaced bands from ``LOW_HZ`` to ``HIGH_HZ`` (speech lives there), in dB mapped to 0..255
  over ``DB_RANGE`` dB below the loudest band of the whole recording.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.errors import Cancelled, MediaError

RATE = 16_000  # Hz: enough for speech and for a picture of the sound
BUCKET_MS = 5
HOP_MS = 10
WINDOW = 512  # samples (32 ms at 16 kHz)
BANDS = 64
LOW_HZ, HIGH_HZ = 60.0, 8000.0
DB_RANGE = 80.0
PARAMS_VERSION = 1
BLOCK_S = 20  # samples are processed in blocks of this many seconds

Floats = np.ndarray[Any, np.dtype[np.float32]]
Bytes = np.ndarray[Any, np.dtype[np.uint8]]


def params_key() -> str:
    return json.dumps(
        {
            "version": PARAMS_VERSION,
            "rate": RATE,
            "bucket_ms": BUCKET_MS,
            "hop_ms": HOP_MS,
            "window": WINDOW,
            "bands": BANDS,
            "low_hz": LOW_HZ,
            "high_hz": HIGH_HZ,
            "db_range": DB_RANGE,
        },
        sort_keys=True,
    )


def band_edges() -> Floats:
    edges: Floats = np.geomspace(LOW_HZ, HIGH_HZ, BANDS + 1).astype(np.float32)
    return edges


@dataclass(frozen=True)
class AudioOverview:
    duration_ms: int
    peaks: Floats  # (buckets, 2): min, max per BUCKET_MS
    spectrogram: Bytes  # (columns, BANDS): 0 = silence .. 255 = loudest, one column per HOP_MS
    has_audio: bool = True

    def peaks_for(self, start_ms: float, end_ms: float, width: int) -> Floats:
        """(width, 2) min/max for ``width`` equal slices of [start, end) (zeros outside)."""
        pooled: Floats = _pool(self.peaks, BUCKET_MS, start_ms, end_ms, width, "peaks")
        return pooled

    def spectrogram_for(self, start_ms: float, end_ms: float, width: int) -> Bytes:
        """(width, BANDS) band levels for ``width`` equal slices of [start, end): the loudest
        column of each slice, so a short sound never vanishes when zoomed out."""
        pooled: Bytes = _pool(self.spectrogram, HOP_MS, start_ms, end_ms, width, "max")
        return pooled


def _pool(
    data: np.ndarray[Any, Any], step_ms: int, start_ms: float, end_ms: float, width: int, how: str
) -> Any:
    width = max(1, int(width))
    columns = data.shape[1] if data.ndim == 2 else 1
    out = np.zeros((width, columns), data.dtype)
    if len(data) == 0 or end_ms <= start_ms:
        return out
    edges = np.linspace(start_ms, end_ms, width + 1) / step_ms
    first = np.floor(edges[:-1]).astype(np.int64)
    last = np.maximum(first + 1, np.ceil(edges[1:]).astype(np.int64))
    inside = (last > 0) & (first < len(data))
    first = np.clip(first, 0, len(data) - 1)
    last = np.clip(last, 1, len(data))
    rows = np.nonzero(inside)[0]
    if len(rows) == 0:
        return out
    # reduceat over [first, last) pairs: the odd results (last -> next first) are dropped; a
    # sentinel row lets ``last`` be the array's length.
    padded = np.concatenate([data, data[-1:]])
    bounds = np.column_stack([first[rows], last[rows]]).ravel()
    if how == "peaks":
        out[rows, 0] = np.minimum.reduceat(padded[:, 0], bounds)[::2]
        out[rows, 1] = np.maximum.reduceat(padded[:, 1], bounds)[::2]
    else:
        out[rows] = np.maximum.reduceat(padded, bounds, axis=0)[::2]
    return out


class _Builder:
    """Accumulates mono samples block by block into peaks and spectrogram columns."""

    def __init__(self) -> None:
        self.bucket = RATE * BUCKET_MS // 1000
        self.hop = RATE * HOP_MS // 1000
        self.pending: Floats = np.zeros(0, np.float32)
        self.peaks: list[Floats] = []
        self.columns: list[Floats] = []
        self.samples = 0  # consumed so far
        self.window: Floats = np.hanning(WINDOW).astype(np.float32)
        # Which FFT bins make up each band: the bins inside it, or (a low band narrower than
        # one bin) the bin nearest its centre, so no band is an empty stripe.
        freqs = np.fft.rfftfreq(WINDOW, 1 / RATE)
        edges = band_edges()
        band_of = np.searchsorted(edges, freqs, side="right") - 1
        self.weights = np.zeros((len(freqs), BANDS), np.float32)
        for band in range(BANDS):
            inside = np.nonzero(band_of == band)[0]
            if len(inside) == 0:
                centre = math.sqrt(float(edges[band]) * float(edges[band + 1]))
                inside = np.array([int(np.argmin(np.abs(freqs - centre)))])
            self.weights[inside, band] = 1.0
        self.spec_buf: Floats = np.zeros(WINDOW // 2, np.float32)  # samples not yet analysed
        self.next_col = 0

    def add(self, samples: Floats, final: bool = False) -> None:
        data = np.concatenate([self.pending, samples])
        usable = len(data) if final else len(data) // self.bucket * self.bucket
        chunk, self.pending = data[:usable], data[usable:]
        if len(chunk) == 0:
            if final:
                self._spectrum(chunk, final)  # the columns still waiting for samples
            return
        padded = chunk
        if len(chunk) % self.bucket:
            padded = np.concatenate([chunk, np.zeros(self.bucket - len(chunk) % self.bucket)])
        shaped = padded.reshape(-1, self.bucket)
        self.peaks.append(np.stack([shaped.min(axis=1), shaped.max(axis=1)], axis=1))
        self._spectrum(chunk, final)
        self.samples += len(chunk)

    def _spectrum(self, chunk: Floats, final: bool) -> None:
        # Column k's window is centred on sample k * hop (the buffer starts half a window early).
        buf = np.concatenate([self.spec_buf, chunk])
        if final:
            total = self.samples + len(chunk)
            count = max(0, -(-total // self.hop) - self.next_col)
            need = (count - 1) * self.hop + WINDOW if count else 0
            if len(buf) < need:
                buf = np.concatenate([buf, np.zeros(need - len(buf), np.float32)])
        else:
            count = max(0, (len(buf) - WINDOW) // self.hop + 1)
        if count:
            frames = np.lib.stride_tricks.sliding_window_view(buf, WINDOW)[:: self.hop][:count]
            import scipy.fft  # scipy is slow to import: only when needed

            power = np.abs(scipy.fft.rfft(frames * self.window, axis=1)) ** 2
            self.columns.append((power.astype(np.float32) @ self.weights).astype(np.float32))
            self.next_col += count
            buf = buf[count * self.hop :]
        self.spec_buf = buf

    def result(self, duration_ms: int, has_audio: bool) -> AudioOverview:
        self.add(np.zeros(0, np.float32), final=True)
        peaks = np.concatenate(self.peaks) if self.peaks else np.zeros((0, 2), np.float32)
        power = np.concatenate(self.columns) if self.columns else np.zeros((0, BANDS), np.float32)
        levels = np.zeros(power.shape, np.uint8)
        if power.size and float(power.max()) > 0:
            db = 10 * np.log10(np.maximum(power, 1e-20) / float(power.max()))
            levels = np.clip((db + DB_RANGE) / DB_RANGE * 255, 0, 255).astype(np.uint8)
        return AudioOverview(duration_ms, peaks.astype(np.float32), levels, has_audio)


def compute_overview(
    path: str | Path,
    *,
    progress: Any = None,
    cancel: Any = None,
) -> AudioOverview:
    """Decode the first sound track of ``path`` and build its overview (silence if none)."""
    try:
        container = av.open(str(path))
    except (OSError, av.error.FFmpegError) as exc:
        raise MediaError(
            f"{path}: cannot read the sound ({exc.__class__.__name__}); check or re-link the file"
        ) from exc
    with container:
        duration_ms = int(container.duration / 1000) if container.duration else 0
        builder = _Builder()
        if not container.streams.audio:
            return AudioOverview(
                duration_ms,
                np.zeros((0, 2), np.float32),
                np.zeros((0, BANDS), np.uint8),
                has_audio=False,
            )
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        block: list[Floats] = []
        held = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1).astype(np.float32)
                    block.append(samples)
                    held += len(samples)
                if held >= RATE * BLOCK_S:
                    builder.add(np.concatenate(block))
                    block, held = [], 0
                    if cancel is not None and cancel():
                        raise Cancelled("reading the sound was cancelled")
                    if progress is not None and duration_ms:
                        progress(min(0.99, builder.samples / RATE * 1000 / duration_ms))
            for out in resampler.resample(None):
                block.append(out.to_ndarray().reshape(-1).astype(np.float32))
        except av.error.FFmpegError as exc:
            raise MediaError(
                f"{path}: the sound track is damaged ({exc.__class__.__name__})"
            ) from exc
        if block:
            builder.add(np.concatenate(block))
    if progress is not None:
        progress(1.0)
    return builder.result(max(duration_ms, builder.samples * 1000 // RATE), has_audio=True)


# --- cache in the project -----------------------------------------------------------------


def cached_overview(project: Any, media_id: str) -> AudioOverview | None:
    row = project.db.execute(
        "SELECT * FROM audio_overview WHERE media_id = ? AND params = ?", (media_id, params_key())
    ).fetchone()
    if row is None:
        return None
    peaks = np.frombuffer(bytes(row["peaks"]), "<f4").reshape(int(row["buckets"]), 2)
    spectrogram = np.frombuffer(bytes(row["spectrogram"]), np.uint8).reshape(
        int(row["columns"]), int(row["bands"])
    )
    media = project.media(media_id)
    return AudioOverview(
        media.duration_ms, peaks.astype(np.float32), spectrogram.copy(), bool(len(peaks))
    )


def store_overview(project: Any, media_id: str, overview: AudioOverview) -> None:
    """Keep ``overview`` for ``media_id`` (replacing an older one); one transaction."""
    with project.transaction():
        project.db.execute("DELETE FROM audio_overview WHERE media_id = ?", (media_id,))
        project.db.execute(
            "INSERT INTO audio_overview (media_id, params, created_at, buckets, bands, columns, "
            "peaks, spectrogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                media_id,
                params_key(),
                datetime.now(UTC).isoformat(timespec="milliseconds"),
                len(overview.peaks),
                BANDS,
                len(overview.spectrogram),
                np.ascontiguousarray(overview.peaks, "<f4").tobytes(),
                np.ascontiguousarray(overview.spectrogram, np.uint8).tobytes(),
            ),
        )
        project.record("added", "audio_overview", media_id, None, media_id)
