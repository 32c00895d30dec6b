"""Run mutated inputs through a reader and tally what happened.

Outcomes: accepted, refused (a clean AttuneError), traceback (any other exception, grouped by
the innermost line of Attune's own code), hang (over the time limit), and violations (a
leftover file, clinical text in a message...). Cases are reproducible: case ``i`` of reader
``r`` with base seed ``s`` always gets the same input.

    ATTUNE_FUZZ_N=10000 .venv/bin/python -m tests.fuzz          # the long run, every reader
    .venv/bin/python -m tests.fuzz --reader json --n 500 --save /tmp/fuzz-failures
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.targets import READERS, Violation

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_N = 40
TIME_LIMIT_S = float(os.environ.get("ATTUNE_FUZZ_TIME_LIMIT", "10"))


class Hang(BaseException):
    """Raised by the timer inside a case that ran past the time limit."""


@dataclass
class Tally:
    reader: str
    cases: int = 0
    accepted: int = 0
    refused: int = 0
    tracebacks: Counter[str] = field(default_factory=Counter)
    hangs: list[int] = field(default_factory=list)
    violations: Counter[str] = field(default_factory=Counter)
    failing_cases: list[int] = field(default_factory=list)
    seconds: float = 0.0
    slowest_s: float = 0.0

    @property
    def traceback_count(self) -> int:
        return sum(self.tracebacks.values())

    @property
    def violation_count(self) -> int:
        return sum(self.violations.values())

    @property
    def clean(self) -> bool:
        return not (self.traceback_count or self.hangs or self.violation_count)

    def summary(self) -> str:
        lines = [
            f"{self.reader}: {self.cases} inputs in {self.seconds:.0f} s (slowest "
            f"{self.slowest_s:.2f} s): {self.accepted} accepted, {self.refused} refused with a "
            f"message, {self.traceback_count} tracebacks at {len(self.tracebacks)} sites, "
            f"{len(self.hangs)} hangs, {self.violation_count} violations"
        ]
        lines += [f"    traceback x{n}: {site}" for site, n in self.tracebacks.most_common(12)]
        lines += [f"    violation x{n}: {kind}" for kind, n in self.violations.most_common()]
        if self.hangs:
            lines.append(f"    hangs in cases {self.hangs[:12]}")
        return "\n".join(lines)


def fuzz_n() -> int:
    return int(os.environ.get("ATTUNE_FUZZ_N", DEFAULT_N))


def case_input(reader: str, index: int, base_seed: int, scratch: Path) -> bytes:
    spec = READERS[reader]
    rng = random.Random(f"{reader}:{base_seed}:{index}")
    seed_list = spec.seeds()
    return spec.mutate(seed_list[index % len(seed_list)], rng, scratch)


def _site(exc: BaseException) -> str:
    """The innermost line of Attune's own code (not tests) in the traceback, and the type."""
    where = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            rel = Path(frame.filename).resolve().relative_to(ROOT)
        except ValueError:
            continue
        if rel.parts[0] in ("coder", "exports", "ui"):
            where = f"{rel.as_posix()}:{frame.lineno}"
    return f"{where} {type(exc).__name__}"


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "setitimer"):  # Windows: no hang detection
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise Hang()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_reader(
    reader: str,
    n: int,
    *,
    base_seed: int = 0,
    save: Path | None = None,
    start: int = 0,
) -> Tally:
    from coder.errors import AttuneError

    spec = READERS[reader]
    tally = Tally(reader)
    began = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix=f"attune-fuzz-{reader}-"))
    try:
        for index in range(start, start + n):
            work = root / f"case{index}"
            work.mkdir()
            data = case_input(reader, index, base_seed, work)
            for leftover in work.iterdir():
                leftover.unlink()
            t0 = time.monotonic()
            failed = False
            try:
                with _time_limit(TIME_LIMIT_S):
                    spec.run(data, work)
                tally.accepted += 1
            except Hang:
                tally.hangs.append(index)
                failed = True
            except Violation as exc:
                tally.violations[exc.kind] += 1
                failed = True
            except AttuneError:
                tally.refused += 1
            except Exception as exc:  # the thing we are looking for
                tally.tracebacks[_site(exc)] += 1
                failed = True
            tally.slowest_s = max(tally.slowest_s, time.monotonic() - t0)
            tally.cases += 1
            if failed:
                tally.failing_cases.append(index)
                if save is not None:
                    save.mkdir(parents=True, exist_ok=True)
                    (save / f"{reader}-{base_seed}-{index}.bin").write_bytes(data)
            shutil.rmtree(work, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        tally.seconds = time.monotonic() - began
    return tally


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("--reader", action="append", choices=sorted(READERS), default=None)
    parser.add_argument("--n", type=int, default=fuzz_n(), help="inputs per reader")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("ATTUNE_FUZZ_SEED", "0")))
    parser.add_argument("--start", type=int, default=0, help="first case index")
    parser.add_argument("--save", type=Path, default=None, help="keep failing inputs here")
    args = parser.parse_args(argv)
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource  # a runaway allocation fails as MemoryError instead of swapping

        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, resource.RLIM_INFINITY))
    clean = True
    for reader in args.reader or list(READERS):
        tally = run_reader(reader, args.n, base_seed=args.seed, save=args.save, start=args.start)
        print(tally.summary(), flush=True)
        clean = clean and tally.clean
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
