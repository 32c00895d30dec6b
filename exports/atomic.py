"""Atomic file writes: a temp file in the target folder, fsync, then os.replace.

A reader never sees a half-written file; on an error or a cancel the temp file is removed
and whatever was at the target before is left untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from coder.errors import ImportFormatError


@contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", *, newline: str | None = None
) -> Iterator[IO[Any]]:
    target = Path(path)
    if not target.parent.exists():
        raise ImportFormatError(
            f"{target.parent}: folder does not exist; create it or pick another"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        if "b" in mode:
            fh: IO[Any] = os.fdopen(fd, mode)
        else:
            fh = os.fdopen(fd, mode, encoding="utf-8", newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
