"""Media identity: size + SHA-256 of the first and last MiB + duration (DESIGN §4).

Cheap on multi-GB files (reads 2 MiB), yet a different recording practically never matches,
so a moved file can be re-linked safely and a wrong file is refused.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from coder.errors import MediaError
from coder.model import Fingerprint

CHUNK = 1 << 20


def fingerprint(path: str | Path, duration_ms: int) -> Fingerprint:
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = hashlib.sha256(fh.read(CHUNK)).hexdigest()
            fh.seek(max(0, size - CHUNK))
            tail = hashlib.sha256(fh.read(CHUNK)).hexdigest()
    except OSError as exc:
        raise MediaError(
            f"{path}: cannot read the file ({exc.strerror}); check it or re-link it"
        ) from exc
    return Fingerprint(size=size, head_sha256=head, tail_sha256=tail, duration_ms=duration_ms)


def matches(path: str | Path, expected: Fingerprint) -> bool:
    """True when ``path`` is the same recording as ``expected`` (duration taken as stored)."""
    try:
        if os.path.getsize(path) != expected.size:
            return False
        return fingerprint(path, expected.duration_ms) == expected
    except (OSError, MediaError):
        return False
