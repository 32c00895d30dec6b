"""Audio ranges as numpy arrays (PyAV): read, slow down with pitch kept, pad to a length.

Everything is float32 planar stereo at 48 kHz, shaped (2, samples), so pieces can be
concatenated freely when building a reel.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from coder.errors import MediaError

RATE = 48_000
Samples = np.ndarray[Any, np.dtype[np.float32]]


def silence(ms: float) -> Samples:
    return np.zeros((2, round(ms * RATE / 1000)), np.float32)


def read_audio(path: str | Path, start_ms: int, end_ms: int) -> Samples:
    """The source's first audio track between ``start_ms`` and ``end_ms`` (silence if none)."""
    want = round((end_ms - start_ms) * RATE / 1000)
    try:
        container = av.open(str(path))
    except (OSError, av.error.FFmpegError) as exc:
        raise MediaError(
            f"{path}: cannot read the audio ({exc}); check or re-link the file"
        ) from exc
    with container:
        if not container.streams.audio:
            return np.zeros((2, want), np.float32)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
        container.seek(max(0, start_ms - 500) * 1000, any_frame=False)  # microseconds
        chunks: list[Samples] = []
        first_sample: int | None = None
        for frame in container.decode(stream):
            if frame.pts is None or frame.time_base is None:
                continue
            t_ms = float(frame.pts * frame.time_base) * 1000
            if t_ms >= end_ms:
                break
            for out in resampler.resample(frame):
                if first_sample is None:
                    first_sample = round(t_ms * RATE / 1000)
                chunks.append(out.to_ndarray().astype(np.float32))
        if first_sample is None:
            return np.zeros((2, want), np.float32)
        data = np.concatenate(chunks, axis=1)
        offset = round(start_ms * RATE / 1000) - first_sample
        if offset >= 0:
            data = data[:, offset:]
        else:
            data = np.concatenate([np.zeros((2, -offset), np.float32), data], axis=1)
        return fit(data, want)


def fit(samples: Samples, length: int) -> Samples:
    """Trim or pad with silence to exactly ``length`` samples (keeps A/V in step)."""
    if samples.shape[1] >= length:
        return samples[:, :length]
    return np.concatenate([samples, np.zeros((2, length - samples.shape[1]), np.float32)], axis=1)


def slow_down(samples: Samples, factor: int) -> Samples:
    """Stretch by an integer ``factor`` (2 = half speed) with FFmpeg's pitch-keeping atempo."""
    if factor <= 1 or samples.shape[1] == 0:
        return samples
    graph = av.filter.Graph()
    src = graph.add_abuffer(
        format="fltp", sample_rate=RATE, layout="stereo", time_base=Fraction(1, RATE)
    )
    chain = [src]
    remaining = factor
    while remaining > 1:  # atempo takes 0.5..2 per stage: chain halvings
        chain.append(graph.add("atempo", "0.5"))
        remaining //= 2
    chain.append(
        graph.add("aformat", f"sample_fmts=fltp:sample_rates={RATE}:channel_layouts=stereo")
    )
    chain.append(graph.add("abuffersink"))
    for a, b in itertools.pairwise(chain):
        a.link_to(b)
    graph.configure()
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples), format="fltp", layout="stereo"
    )
    frame.sample_rate = RATE
    frame.pts = 0
    frame.time_base = Fraction(1, RATE)
    graph.push(frame)
    graph.push(None)
    out: list[Samples] = []
    while True:
        try:
            pulled = graph.pull()
        except (av.error.EOFError, av.error.BlockingIOError):
            break
        out.append(pulled.to_ndarray().astype(np.float32))
    stretched = np.concatenate(out, axis=1) if out else np.zeros((2, 0), np.float32)
    return fit(stretched, samples.shape[1] * factor)
