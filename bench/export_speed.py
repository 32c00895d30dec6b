"""Export speed: an events table of 100,000 events to CSV and XLSX.
(Clip cutting, reels and handouts are measured in bench/clips.py.)
Run: python bench/export_speed.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the `exports` package; keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import tempfile
import time
from pathlib import Path

from coder.model import Event, Observation, Session, new_id
from coder.schemes import load_shipped
from exports.bundle import ExportBundle
from exports.tables import export_tables


def bench_tables() -> None:
    scheme, _ = load_shipped("attachment-core")
    points = [c for c in scheme.codes if not c.is_state]
    events = [
        Event(new_id(), "o", points[i % len(points)].id, "parent", i * 40) for i in range(100_000)
    ]
    bundle = ExportBundle(
        scheme=scheme,
        session=Session("s", "bench"),
        media=None,
        observation=Observation("o", "s", "bench", "snap"),
        events=events,
        segments=[],
        rating_values=[],
        highlights=[],
        frame_times=[i * 40 for i in range(100_001)],
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "xlsx"):
            t = time.perf_counter()
            export_tables([bundle], Path(tmp) / f"events.{fmt}", fmt)
            print(f"events table, 100,000 events -> {fmt}: {time.perf_counter() - t:.2f} s")


def main() -> None:
    bench_tables()


if __name__ == "__main__":
    main()
