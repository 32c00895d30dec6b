"""Motion energy on generated videos with exactly known motion, windowed cross-lagged
correlation recovering a known lag, the surrogate baseline, and the project cache."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from coder.analysis.motion import MotionSeries, Region, default_regions, motion_energy, smooth
from coder.analysis.motion_cache import cached_motion, latest_motion, session_motion
from coder.analysis.synchrony import (
    SynchronySettings,
    correlate_series,
    windowed_cross_lagged,
)
from coder.errors import AttuneError, Cancelled, MediaError
from coder.media.probe import media_from_probe, probe
from coder.media.synth_dyad import write_dyad_video
from coder.model import Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project, schema


def _square_video(path: Path) -> None:
    """A white 12x12 square moving 3 px right per frame on black, losslessly encoded."""
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.options = {"qp": "0", "preset": "ultrafast"}
        for i in range(10):
            image = np.zeros((96, 160, 3), np.uint8)
            image[40:52, 20 + 3 * i : 32 + 3 * i] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def test_motion_energy_counts_exactly_the_pixels_that_changed(tmp_path: Path) -> None:
    video = tmp_path / "square.mp4"
    _square_video(video)
    regions = [
        Region("all", 0, 0, 1, 1),
        Region("left", 0, 0, 0.5, 1),
        Region("right", 0.5, 0, 0.5, 1),
    ]
    series = motion_energy(video, regions)
    # Each step uncovers a 3x12 strip and covers another: 72 changed pixels of 160 x 96.
    assert series.times_ms.tolist() == [i * 100 for i in range(10)]
    assert series.energy[0].tolist() == [0, 0, 0]
    assert np.allclose(series.region("all")[1:] * 160 * 96, 72)
    assert np.allclose(series.region("left")[1:] * 80 * 96, 72)
    assert np.all(series.region("right") == 0)
    assert series.frame_period_ms == 100


def test_motion_progress_cancel_and_errors(tmp_path: Path) -> None:
    video = tmp_path / "d.mp4"
    write_dyad_video(video, seconds=12, fps=10)
    seen: list[float] = []
    motion_energy(video, default_regions(), progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        motion_energy(video, default_regions(), cancel=lambda: True)
    with pytest.raises(MediaError, match="cannot read"):
        motion_energy(tmp_path / "missing.mp4", default_regions())
    with pytest.raises(AttuneError, match="inside the picture"):
        motion_energy(video, [Region("x", 0.8, 0, 0.5, 1)])
    with pytest.raises(AttuneError, match="must differ"):
        motion_energy(video, [Region("a", 0, 0, 0.5, 1), Region("a", 0.5, 0, 0.5, 1)])
    assert Region.parse("parent=0,0,0.5,1") == Region("parent", 0, 0, 0.5, 1)
    with pytest.raises(AttuneError, match="NAME=X,Y,W,H"):
        Region.parse("parent=left")


@pytest.fixture(scope="module")
def dyad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """70 s at 10 fps; the right figure repeats the left one's path 7 frames (0.7 s) later."""
    path = tmp_path_factory.mktemp("dyad") / "dyad.mp4"
    truth = write_dyad_video(path, seconds=70, fps=10, lag_frames=7, seed=3)
    return path, truth.lag_ms


def test_wclc_recovers_the_known_lag_from_video(dyad: tuple[Path, int]) -> None:
    path, lag_ms = dyad
    series = motion_energy(path, default_regions(("parent", "child")))
    result = windowed_cross_lagged(series, "parent", "child")
    step = series.frame_period_ms  # one frame: 100 ms
    # Windows of 30 s every 10 s, leaving 5 s of lag room at both ends of 70 s: 5, 15, 25, 35 s.
    assert [w.start_ms for w in result.windows] == [5000, 15_000, 25_000, 35_000]
    for w in result.windows:
        assert abs(w.peak_lag_ms - lag_ms) <= step
        assert w.peak_r > 0.9 and w.peak_r > result.threshold
    assert result.mean_peak > result.mean_surrogate_peak + 0.3
    assert result.p_overall <= 0.05
    (candidate,) = result.candidates
    assert (candidate.kind, candidate.leader, candidate.follower) == ("leading", "parent", "child")
    assert abs(candidate.lag_ms - lag_ms) <= step
    assert (candidate.start_ms, candidate.end_ms) == (5000, 65_000)
    assert "candidate" in candidate.label and "parent leads" in candidate.label
    # Swapping the two people flips the sign of the lag.
    swapped = windowed_cross_lagged(series, "child", "parent")
    assert all(abs(w.peak_lag_ms + lag_ms) <= step for w in swapped.windows)


def test_unrelated_movers_give_no_candidates(tmp_path: Path) -> None:
    path = tmp_path / "apart.mp4"
    write_dyad_video(path, seconds=70, fps=10, independent=True, seed=3)
    series = motion_energy(path, default_regions(("parent", "child")))
    result = windowed_cross_lagged(series, "parent", "child")
    assert result.candidates == ()
    assert result.p_overall > 0.05
    assert result.mean_peak < 0.6


def test_wclc_on_series_with_settable_windows_and_lags() -> None:
    rng = np.random.default_rng(5)
    x = smooth(rng.random(1200), 3).astype(float)
    y = np.concatenate([np.zeros(12), x[:-12]])  # y follows x by 12 samples (1.2 s at 100 ms)
    settings = SynchronySettings(window_s=20, step_s=5, max_lag_s=3, surrogate_rounds=10)
    result = correlate_series(x, y, 100, "a", "b", settings)
    assert result.lags_ms[0] == -3000 and result.lags_ms[-1] == 3000 and len(result.lags_ms) == 61
    assert [w.start_ms for w in result.windows][:3] == [3000, 8000, 13_000]
    assert all(w.peak_lag_ms == 1200 for w in result.windows)
    assert len(result.surrogate_peaks) == 10 * len(result.windows)
    # A window in which one person never moves has no correlation, not a fake one.
    still = y.copy()
    still[:400] = 0.5
    quiet = correlate_series(x, still, 100, "a", "b", settings)
    assert np.isnan(quiet.windows[0].peak_r) and quiet.candidates[0].start_ms > 0
    with pytest.raises(AttuneError, match="shorter than one window"):
        correlate_series(x[:100], y[:100], 100, "a", "b", settings)
    with pytest.raises(AttuneError, match="shorter than the window"):
        correlate_series(x, y, 100, "a", "b", SynchronySettings(window_s=5, max_lag_s=5))
    with pytest.raises(AttuneError, match="two different regions"):
        windowed_cross_lagged(
            MotionSeries(np.arange(3), np.zeros((3, 1), np.float32), (Region("a", 0, 0, 1, 1),)),
            "a",
            "a",
        )


@pytest.fixture
def dyad_project(tmp_path: Path, dyad: tuple[Path, int]) -> Iterator[tuple[Project, str]]:
    path, _ = dyad
    project = Project.create(tmp_path / "p.attune", user="tester")
    scheme, text = load_shipped("attachment-core")
    snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    result = probe(path)
    media = media_from_probe(path, result)
    with project.transaction():
        project.add_media(media, result.frame_times_ms)
        project.add_session(Session("s1", "Dyad", media.id))
    project.add_observation(Observation("o1", "s1", "A", snap.id))
    yield project, media.id
    project.close()


def test_motion_is_cached_in_the_project(dyad_project: tuple[Project, str]) -> None:
    project, media_id = dyad_project
    first, computed = session_motion(project, "s1")
    assert computed and [r.name for r in first.regions] == ["parent", "child"]  # scheme subjects
    again, computed_again = session_motion(project, "s1")
    assert not computed_again
    assert np.array_equal(again.times_ms, first.times_ms)
    assert np.array_equal(again.energy, first.energy)
    latest = latest_motion(project, media_id)
    assert latest is not None and latest.regions == first.regions
    other = (Region("parent", 0, 0, 0.4, 1), Region("child", 0.6, 0, 0.4, 1))
    assert cached_motion(project, media_id, other, first.settings) is None
    assert [e.entity for e in project.audit_log()][-1] == "motion"
    path = project.path
    project.close()
    with Project.open(path, read_only=True) as read_only:
        _, computed = session_motion(read_only, "s1", other)  # computed, not saved
        assert computed
        assert cached_motion(read_only, media_id, other, first.settings) is None


def test_v2_project_gains_the_motion_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.attune"
    with monkeypatch.context() as old:
        old.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])  # a file written before v3
        Project.create(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert not db.execute("SELECT name FROM sqlite_master WHERE name = 'motion_energy'").fetchall()
    db.close()
    with Project.open(path) as project:
        assert project.db.execute("PRAGMA user_version").fetchone()[0] == schema.current_version()
        assert project.db.execute("SELECT COUNT(*) FROM motion_energy").fetchone()[0] == 0
