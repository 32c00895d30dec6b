"""Atomic file writes: a temp file in the target folder, fsync, then os.replace.

A reader never sees a half-written file; on an error or a cancel the temp file is removed
and whatever was at the target before is left untouched. The target is checked (not a folder,
folder writable) before the caller renders anything; the file is owner-only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from coder.files import check_target, replacing


@contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", *, newline: str | None = None
) -> Iterator[IO[Any]]:
    """Write ``path`` through an owner-only temp file beside it (see coder.files.replacing)."""
    target = Path(path)
    check_target(target)
    with replacing(target) as tmp:
        if "b" in mode:
            fh: IO[Any] = open(tmp, mode)  # noqa: SIM115 - closed below, before the replace
        else:
            fh = open(tmp, mode, encoding="utf-8", newline=newline)  # noqa: SIM115
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
