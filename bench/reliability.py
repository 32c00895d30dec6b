"""Reliability speed: time-unit kappa (2 coders x 2 h x 0.1 s slices x 30 codes) and event
alignment (5,000 events per coder), each against a plain vectorised numpy baseline of the
same work in the same run.  Goals: <= 0.2 s and <= 2x the baseline.  Run: python bench/reliability.py
"""

from __future__ import annotations

import random
import time

import numpy as np

from coder.model import CodeKind, Event
from coder.reliability.alignment import align_events
from coder.reliability.timeline import time_unit_agreement

HOURS_MS = 2 * 3600 * 1000
SLICE = 100
CODES = [f"c{i}" for i in range(30)]


def coding(rng: random.Random, jitter: int) -> list[Event]:
    events = []
    for code in CODES:
        t = rng.randrange(0, 20_000)
        while t < HOURS_MS - 10_000:
            length = rng.randrange(1_000, 30_000)
            events.append(
                Event(
                    f"{code}-{t}-{jitter}",
                    "o",
                    code,
                    "p",
                    t + rng.randrange(0, jitter + 1),
                    t + length,
                )
            )
            t += length + rng.randrange(1_000, 60_000)
    return events


def to_arrays(events: list[Event]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for code in CODES:
        chosen = [e for e in events if e.code_id == code]
        out[code] = (
            np.array([e.onset_ms for e in chosen]),
            np.array([e.offset_ms for e in chosen]),
        )
    return out


def baseline_tables(
    a: dict[str, tuple[np.ndarray, np.ndarray]], b: dict[str, tuple[np.ndarray, np.ndarray]]
) -> None:
    """The same 2x2 tables from ready-made numpy arrays: difference arrays + cumsum + bincount."""
    n = HOURS_MS // SLICE
    for code in CODES:
        masks = []
        for arrays in (a, b):
            on, off = arrays[code]
            diff = np.zeros(n + 1, np.int64)
            np.add.at(diff, np.clip((on + SLICE // 2) // SLICE, 0, n), 1)
            np.add.at(diff, np.clip((off + SLICE // 2) // SLICE, 0, n), -1)
            masks.append(np.cumsum(diff[:-1]) > 0)
        np.bincount(masks[0] * 2 + masks[1], minlength=4)


def timed(fn, *args, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    rng = random.Random(7)
    a, b = coding(rng, 0), coding(rng, 400)
    kinds = {c: CodeKind.STATE for c in CODES}
    ours = timed(
        lambda: time_unit_agreement(
            a, b, codes=CODES, kinds=kinds, duration_ms=HOURS_MS, slice_ms=SLICE
        )
    )
    base = timed(baseline_tables, to_arrays(a), to_arrays(b))  # array building not timed
    print(
        f"time-unit kappa, {len(a)}+{len(b)} events, {HOURS_MS // SLICE} slices x {len(CODES)} codes: "
        f"{ours:.3f} s (goal <= 0.2 s); vectorised numpy baseline {base:.3f} s; ratio {ours / base:.2f}x (goal <= 2x)"
    )
    pa = [Event(f"a{i}", "o", CODES[i % 30], "p", i * 1400) for i in range(5000)]
    pb = [
        Event(f"b{i}", "o", CODES[i % 30], "p", i * 1400 + rng.randrange(-300, 300))
        for i in range(5000)
    ]
    ours_align = timed(lambda: align_events(pa, pb, tolerance_ms=500))

    def baseline_align() -> None:  # nearest-onset lookup per code: no optimality, the floor
        for code in CODES:
            x = np.array([e.onset_ms for e in pa if e.code_id == code])
            y = np.sort(np.array([e.onset_ms for e in pb if e.code_id == code]))
            idx = np.clip(np.searchsorted(y, x), 1, len(y) - 1)
            _ = np.minimum(np.abs(y[idx] - x), np.abs(y[idx - 1] - x)) <= 500

    base_align = timed(baseline_align)
    print(
        f"event alignment, 5000 events per coder: {ours_align:.3f} s (goal <= 0.2 s); nearest-onset "
        f"numpy baseline {base_align:.4f} s; ratio {ours_align / base_align:.1f}x"
    )


if __name__ == "__main__":
    main()
