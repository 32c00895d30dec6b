"""Windowed cross-lagged correlation of two motion-energy series (Boker et al. 2002) with a
shuffled-window surrogate baseline (Ramseyer & Tschacher 2010), and the candidate moments
shown on the timeline.

Both series are put on one regular time grid (the video's frame period by default), smoothed,
and cut into windows (default 30 s every 10 s), which start max_lag in from the beginning and
stop max_lag before the end so that every lag fits in every window. In each window we
correlate A's window with B's window shifted by every lag in +-max_lag (default 5 s):
r(lag) = corr(A[t], B[t + lag]).
A positive lag therefore means B does what A did ``lag`` earlier: A leads, B follows.
Each window's peak is its largest r and that r's lag.

Surrogates (segment shuffling): B's series is cut into segments longer than twice the
largest lag and put back in a random order in which no segment keeps its place; the same
windows and lags are then computed against A. Each segment lands more than 2 x max_lag away
from where it was, so no lag can line the real partners up again: the surrogate peaks show
how high a peak gets from each person's own rhythm alone. A window is a candidate when its
peak r exceeds the chosen percentile of the surrogate peaks (and ``min_r``). Candidates are
only suggestions; nothing is coded until a person accepts one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from coder.analysis.motion import MotionSeries, smooth
from coder.errors import AttuneError

Array = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class SynchronySettings:
    window_s: float = 30.0
    step_s: float = 10.0
    max_lag_s: float = 5.0
    smooth_s: float = 0.5  # moving average applied to the motion energy first
    surrogate_rounds: int = 20  # shuffles of B's segments; each gives one peak per window
    segment_s: float | None = None  # shuffled segment; None: 2 x max_lag + 1 s
    percentile: float = 95.0  # of the surrogate peaks: above it, a window is a candidate
    min_r: float = 0.3  # and never below this correlation
    together_s: float = 0.5  # |lag| up to this counts as moving together, beyond as leading
    sample_ms: float | None = None  # the time grid; None: the video's frame period
    seed: int = 0

    def check(self) -> None:
        problems = []
        if self.window_s <= 0 or self.step_s <= 0:
            problems.append("window and step must be longer than 0 s")
        if self.max_lag_s < 0 or self.max_lag_s >= self.window_s:
            problems.append("the largest lag must be 0 s or more and shorter than the window")
        if self.surrogate_rounds < 0 or self.surrogate_rounds > 10_000:
            problems.append("surrogate rounds must be 0-10000")
        if not 0 < self.percentile < 100:
            problems.append("the percentile must be between 0 and 100")
        if self.smooth_s < 0 or self.together_s < 0:
            problems.append("smoothing and the together-lag cannot be negative")
        if self.segment_s is not None and self.segment_s <= 2 * self.max_lag_s:
            problems.append("shuffled segments must be longer than twice the largest lag")
        if self.sample_ms is not None and self.sample_ms <= 0:
            problems.append("the sample period must be longer than 0 ms")
        if problems:
            raise AttuneError("synchrony settings: " + "; ".join(problems))


@dataclass(frozen=True)
class WindowPeak:
    start_ms: int
    end_ms: int
    peak_r: float
    peak_lag_ms: int
    r_at_zero: float
    p_value: float  # share of surrogate peaks at or above this peak (NaN without surrogates)


@dataclass(frozen=True)
class Candidate:
    """A stretch whose windows all beat the surrogate baseline with the same kind of peak."""

    start_ms: int
    end_ms: int
    kind: str  # "together", or "leading" (``leader`` moves first, ``follower`` after lag_ms)
    leader: str
    follower: str
    lag_ms: int  # mean peak lag (always >= 0: the leader's lead)
    peak_r: float
    peak_ms: int = 0  # the middle of the strongest window (where to look first)

    def moment(self, length_ms: int = 10_000) -> tuple[int, int]:
        """A short stretch around the strongest window's middle, inside the candidate."""
        half = length_ms // 2
        start = max(self.start_ms, self.peak_ms - half)
        end = min(self.end_ms, start + length_ms)
        return max(self.start_ms, end - length_ms), end

    @property
    def label(self) -> str:
        if self.kind == "together":
            return f"candidate: moving together (r = {self.peak_r:.2f})"
        return (
            f"candidate: {self.leader} leads, {self.follower} follows "
            f"{self.lag_ms / 1000:.1f} s later (r = {self.peak_r:.2f})"
        )


@dataclass(frozen=True)
class SynchronyResult:
    a: str
    b: str
    settings: SynchronySettings
    sample_ms: float
    lags_ms: tuple[int, ...]
    r: Array  # windows x lags (NaN where a window does not move at all)
    windows: tuple[WindowPeak, ...]
    surrogate_peaks: Array
    threshold: float
    candidates: tuple[Candidate, ...]

    @property
    def mean_peak(self) -> float:
        peaks = [w.peak_r for w in self.windows if not math.isnan(w.peak_r)]
        return float(np.mean(peaks)) if peaks else math.nan

    @property
    def mean_surrogate_peak(self) -> float:
        s = self.surrogate_peaks
        return float(np.mean(s)) if len(s) else math.nan

    @property
    def p_overall(self) -> float:
        """How often a shuffled round's mean peak reaches the real mean peak (+1 smoothed)."""
        rounds = self.settings.surrogate_rounds
        n = len(self.windows)
        if not rounds or not n or len(self.surrogate_peaks) != rounds * n:
            return math.nan
        means = np.nanmean(self.surrogate_peaks.reshape(rounds, n), axis=1)
        return float((1 + np.sum(means >= self.mean_peak)) / (1 + rounds))

    def as_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | None:
            return None if math.isnan(v) else v

        return {
            "a": self.a,
            "b": self.b,
            "lag_convention": f"positive lag: {self.b} follows {self.a}",
            "window_s": self.settings.window_s,
            "step_s": self.settings.step_s,
            "max_lag_s": self.settings.max_lag_s,
            "smooth_s": self.settings.smooth_s,
            "sample_ms": self.sample_ms,
            "surrogate_rounds": self.settings.surrogate_rounds,
            "mean_peak_r": num(self.mean_peak),
            "mean_surrogate_peak_r": num(self.mean_surrogate_peak),
            "p_overall": num(self.p_overall),
            "threshold_r": num(self.threshold),
            "windows": [
                {
                    "start_s": w.start_ms / 1000,
                    "end_s": w.end_ms / 1000,
                    "peak_r": num(w.peak_r),
                    "peak_lag_s": w.peak_lag_ms / 1000,
                    "r_at_zero": num(w.r_at_zero),
                    "p_value": num(w.p_value),
                }
                for w in self.windows
            ],
            "candidates": [
                {
                    "start_s": c.start_ms / 1000,
                    "end_s": c.end_ms / 1000,
                    "kind": c.kind,
                    "leader": c.leader,
                    "follower": c.follower,
                    "lag_s": c.lag_ms / 1000,
                    "peak_r": c.peak_r,
                    "label": c.label,
                }
                for c in self.candidates
            ],
        }


def on_grid(times_ms: np.ndarray[Any, Any], values: np.ndarray[Any, Any], step_ms: float) -> Array:
    """Values at 0, step, 2*step, ... (linear interpolation; VFR-safe)."""
    end = float(times_ms[-1]) if len(times_ms) else 0.0
    grid = np.arange(0, end + step_ms / 2, step_ms)
    result: Array = np.interp(grid, times_ms.astype(float), values.astype(float))
    return result


def _standardise(windows: Array) -> Array:
    """Each row minus its mean, divided by its norm (rows with no variation become NaN)."""
    centred = windows - windows.mean(axis=1, keepdims=True)
    norm = np.sqrt((centred**2).sum(axis=1, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        result: Array = np.where(norm > 1e-12, centred / norm, np.nan)
    return result


def cross_lagged(
    x: Array,
    y: Array,
    starts: np.ndarray[Any, Any],
    width: int,
    lags: np.ndarray[Any, Any],
) -> Array:
    """r[k, j] = corr(x[starts[k] : +width], y[starts[k] + lags[j] : +width]); NaN where
    a window does not vary or a lag runs off the series."""
    xs = _standardise(sliding_window_view(x, width)[starts])
    ys_all = sliding_window_view(y, width)
    r = np.full((len(starts), len(lags)), np.nan)
    last = len(y) - width
    for j, lag in enumerate(lags):
        at = starts + lag
        ok = (at >= 0) & (at <= last)
        if not ok.any():
            continue
        ys = _standardise(ys_all[at[ok]])
        r[ok, j] = np.einsum("ij,ij->i", xs[ok], ys)
    return r


def _peaks(r: Array) -> tuple[Array, np.ndarray[Any, Any]]:
    """Largest r per row and its column (NaN, -1 for rows with no defined r)."""
    has = ~np.all(np.isnan(r), axis=1)
    peak = np.full(len(r), np.nan)
    where = np.full(len(r), -1)
    if has.any():
        where[has] = np.nanargmax(r[has], axis=1)
        peak[has] = r[has, where[has]]
    return peak, where


def _derangement(n: int, rng: np.random.Generator) -> np.ndarray[Any, Any]:
    """A random order of 0..n-1 in which nothing keeps its own place (n >= 2)."""
    while True:
        order = rng.permutation(n)
        if not np.any(order == np.arange(n)):
            return order


def segment_shuffled(y: Array, segment: int, rng: np.random.Generator) -> Array | None:
    """``y`` with its segments (each at least ``segment`` long) in a deranged order; None
    when there are fewer than two segments."""
    count = len(y) // segment
    if count < 2:
        return None
    pieces = np.array_split(y, count)
    result: Array = np.concatenate([pieces[i] for i in _derangement(count, rng)])
    return result


def windowed_cross_lagged(
    series: MotionSeries,
    a: str,
    b: str,
    settings: SynchronySettings | None = None,
) -> SynchronyResult:
    """WCLC of regions ``a`` and ``b`` of ``series``, with surrogates and candidates."""
    settings = settings or SynchronySettings()
    settings.check()
    if a == b:
        raise AttuneError("choose two different regions (one per person)")
    step = settings.sample_ms or series.frame_period_ms
    smooth_n = max(1, round(settings.smooth_s * 1000 / step))
    x = on_grid(series.times_ms, smooth(series.region(a), smooth_n), step)
    y = on_grid(series.times_ms, smooth(series.region(b), smooth_n), step)
    return correlate_series(x, y, step, a, b, settings)


def correlate_series(
    x: Array, y: Array, step_ms: float, a: str, b: str, settings: SynchronySettings
) -> SynchronyResult:
    """The analysis on two series already on one grid of ``step_ms``."""
    settings.check()
    width = round(settings.window_s * 1000 / step_ms)
    hop = max(1, round(settings.step_s * 1000 / step_ms))
    max_lag = round(settings.max_lag_s * 1000 / step_ms)
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    if n < width + 2 * max_lag:
        raise AttuneError(
            f"the video ({n * step_ms / 1000:.0f} s) is shorter than one window plus the lags "
            f"on both sides ({settings.window_s + 2 * settings.max_lag_s:g} s); "
            "choose a shorter window or smaller lags"
        )
    # Every window leaves room for every lag on both sides, so all peaks compare like
    # with like (a window near the end must not lose its positive lags).
    starts = np.arange(max_lag, n - width - max_lag + 1, hop)
    lags = np.arange(-max_lag, max_lag + 1)
    r = cross_lagged(x, y, starts, width, lags)
    peak, where = _peaks(r)
    rng = np.random.default_rng(settings.seed)
    surrogate = np.zeros(0)
    segment_s = settings.segment_s or 2 * settings.max_lag_s + 1
    segment = max(2 * max_lag + 1, round(segment_s * 1000 / step_ms))
    rounds = []
    for _ in range(settings.surrogate_rounds):
        shuffled = segment_shuffled(y, segment, rng)
        if shuffled is None:
            break
        rounds.append(_peaks(cross_lagged(x, shuffled, starts, width, lags))[0])
    if rounds:
        surrogate = np.concatenate(rounds)
    finite = surrogate[~np.isnan(surrogate)]
    threshold = float(np.percentile(finite, settings.percentile)) if len(finite) else math.nan
    zero = int(np.where(lags == 0)[0][0])
    windows = []
    for k, s in enumerate(starts):
        p = (1 + np.sum(finite >= peak[k])) / (1 + len(finite)) if len(finite) else math.nan
        windows.append(
            WindowPeak(
                start_ms=round(s * step_ms),
                end_ms=round((s + width) * step_ms),
                peak_r=float(peak[k]),
                peak_lag_ms=round(lags[where[k]] * step_ms) if where[k] >= 0 else 0,
                r_at_zero=float(r[k, zero]),
                p_value=float(p) if not math.isnan(peak[k]) else math.nan,
            )
        )
    return SynchronyResult(
        a,
        b,
        settings,
        step_ms,
        tuple(round(v * step_ms) for v in lags),
        r,
        tuple(windows),
        surrogate,
        threshold,
        tuple(find_candidates(windows, threshold, a, b, settings)),
    )


def find_candidates(
    windows: Sequence[WindowPeak],
    threshold: float,
    a: str,
    b: str,
    settings: SynchronySettings,
) -> list[Candidate]:
    """Windows above the baseline, merged while they overlap and agree on who leads."""
    candidates: list[Candidate] = []
    open_: list[WindowPeak] = []
    open_kind: tuple[str, str, str] | None = None

    def close() -> None:
        if not open_ or open_kind is None:
            return
        kind, leader, follower = open_kind
        lag = round(float(np.mean([abs(w.peak_lag_ms) for w in open_])))
        best = max(open_, key=lambda w: w.peak_r)
        candidates.append(
            Candidate(
                open_[0].start_ms,
                open_[-1].end_ms,
                kind,
                leader,
                follower,
                0 if kind == "together" else lag,
                best.peak_r,
                (best.start_ms + best.end_ms) // 2,
            )
        )

    for w in windows:
        strong = (
            not math.isnan(w.peak_r)
            and w.peak_r >= settings.min_r
            and (math.isnan(threshold) or w.peak_r > threshold)
        )
        if not strong:
            close()
            open_, open_kind = [], None
            continue
        if abs(w.peak_lag_ms) <= settings.together_s * 1000:
            kind = ("together", a, b)
        elif w.peak_lag_ms > 0:
            kind = ("leading", a, b)
        else:
            kind = ("leading", b, a)
        if open_ and (kind != open_kind or w.start_ms > open_[-1].end_ms):
            close()
            open_ = []
        open_.append(w)
        open_kind = kind
    close()
    return candidates
