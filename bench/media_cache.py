"""Generated recordings for the benchmarks, cached outside the repository.

The files are generated once (some take a minute) into $ATTUNE_BENCH_CACHE or
<tmp>/attune-bench-media, named by a hash of their encoding so a changed format regenerates.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

from coder.media.probe import probe
from coder.media.synth_recorded import FORMATS, RecordedFormat, write_recorded_video


def unshadow() -> None:
    """Take bench/ off sys.path once its helpers are imported: a script run as
    ``python bench/x.py`` has it first, where a bench named like a package (bench/exports.py
    once) hides that package from the app."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]


def cache_dir() -> Path:
    folder = Path(
        os.environ.get("ATTUNE_BENCH_CACHE")
        or Path(tempfile.gettempdir()) / "attune-bench-media"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recorded(fmt: RecordedFormat | str, *, quiet: bool = False) -> tuple[Path, list[int]]:
    """The cached file for ``fmt`` (generated on first use) and its frame start times (ms)."""
    if isinstance(fmt, str):
        fmt = FORMATS[fmt]
    key = hashlib.sha256(repr(fmt).encode()).hexdigest()[:10]
    path = cache_dir() / f"{fmt.name}-{key}.mp4"
    if not path.exists():
        if not quiet:
            print(f"  generating {fmt.name} ({fmt.seconds} s) into {path.parent} …", flush=True)
        part = path.with_name(f".{path.name}.part.mp4")
        start = time.perf_counter()
        write_recorded_video(part, fmt)
        os.replace(part, path)
        if not quiet:
            print(f"  … {time.perf_counter() - start:.0f} s", flush=True)
    return path, probe(path).frame_times_ms
