"""The audio lane's data: peaks and spectrogram of a known sound, pooled at any zoom, cached."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from coder.media import waveform
from coder.media.probe import media_from_probe, probe
from coder.media.synth import write_index_video
from coder.media.waveform import (
    BUCKET_MS,
    AudioOverview,
    band_edges,
    cached_overview,
    compute_overview,
    store_overview,
)
from coder.model import Session
from coder.store import Project

RATE = 16_000


def signal() -> np.ndarray:
    """3 s: silence, then 1 s of 440 Hz at 0.5, then 1 s of 2500 Hz at 0.25."""
    t = np.arange(RATE) / RATE
    return np.concatenate(
        [
            np.zeros(RATE),
            0.5 * np.sin(2 * math.pi * 440 * t),
            0.25 * np.sin(2 * math.pi * 2500 * t),
        ]
    ).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray) -> None:
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream("pcm_f32le", rate=RATE)
        stream.layout = "mono"
        for i in range(0, len(samples), 4000):
            frame = av.AudioFrame.from_ndarray(
                samples[i : i + 4000].reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate = RATE
            frame.pts = i
            frame.time_base = Fraction(1, RATE)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.fixture
def sound(tmp_path: Path) -> Path:
    path = tmp_path / "sound.wav"
    write_wav(path, signal())
    return path


def test_peaks_match_the_signal_and_pool_at_any_zoom(sound: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(waveform, "BLOCK_S", 1)  # several blocks: the streaming joins must hold
    overview = compute_overview(sound)
    samples = signal()
    bucket = RATE * BUCKET_MS // 1000
    expected_max = samples[: len(samples) // bucket * bucket].reshape(-1, bucket).max(axis=1)
    assert overview.peaks.shape[0] == len(samples) // bucket
    np.testing.assert_allclose(overview.peaks[:, 1], expected_max, atol=1e-4)
    # Whole session in 3 pixels: one per second.
    whole = overview.peaks_for(0, 3000, 3)
    np.testing.assert_allclose(whole[:, 1], [0.0, 0.5, 0.25], atol=2e-3)
    np.testing.assert_allclose(whole[:, 0], [0.0, -0.5, -0.25], atol=2e-3)
    # Zoomed to one frame (40 ms) across 400 pixels: finer than a bucket, still the right level.
    close = overview.peaks_for(1500, 1540, 400)
    assert close.shape == (400, 2) and float(close[:, 1].max()) <= 0.5 + 1e-4
    assert float(close[:, 1].min()) > 0.1
    # Outside the recording: nothing.
    assert not overview.peaks_for(5000, 6000, 10).any()


def test_spectrogram_shows_each_tone_in_its_band(sound: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(waveform, "BLOCK_S", 1)
    streamed = compute_overview(sound)
    monkeypatch.setattr(waveform, "BLOCK_S", 60)
    whole = compute_overview(sound)
    np.testing.assert_array_equal(streamed.spectrogram, whole.spectrogram)  # blocks join exactly
    assert len(whole.spectrogram) == 300  # one column per 10 ms
    # Each tone lands in the band holding the FFT bin nearest to it (bins are 31.25 Hz apart).
    edges = band_edges()
    bin_hz = RATE / waveform.WINDOW
    band_440 = int(np.searchsorted(edges, round(440 / bin_hz) * bin_hz, side="right") - 1)
    band_2500 = int(np.searchsorted(edges, round(2500 / bin_hz) * bin_hz, side="right") - 1)
    # Silence, up to the last window that reaches the tone (16 ms before it starts).
    assert int(whole.spectrogram_for(0, 980, 1).max()) == 0
    low = whole.spectrogram_for(1100, 1900, 1)[0]
    high = whole.spectrogram_for(2100, 2900, 1)[0]
    assert int(np.argmax(low)) == band_440 and int(low[band_440]) == 255  # the loudest of all
    assert int(np.argmax(high)) == band_2500
    assert int(high[band_440]) < 100 and int(low[band_2500]) < 100  # each tone stays in its band


def test_video_without_sound_and_cache_round_trip(tmp_path: Path) -> None:
    silent = tmp_path / "silent.mp4"
    write_index_video(silent, frames=20, size=(32, 24))
    overview = compute_overview(silent)
    assert not overview.has_audio and overview.peaks_for(0, 800, 5).shape == (5, 2)

    video = tmp_path / "voiced.mp4"
    write_index_video(video, frames=50, size=(32, 24), audio=True)
    result = probe(video)
    media = media_from_probe(video, result)
    with Project.create(tmp_path / "a.attune", user="t") as project:
        with project.transaction():
            project.add_media(media, result.frame_times_ms)
            project.add_session(Session("s1", "S", media.id))
        assert cached_overview(project, media.id) is None
        computed = compute_overview(video)
        assert computed.has_audio and float(computed.peaks[:, 1].max()) > 0.1
        store_overview(project, media.id, computed)
        again = cached_overview(project, media.id)
        assert isinstance(again, AudioOverview)
        np.testing.assert_array_equal(again.peaks, computed.peaks)
        np.testing.assert_array_equal(again.spectrogram, computed.spectrogram)
