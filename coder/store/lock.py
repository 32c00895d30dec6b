"""One writer per project: an OS file lock on a sidecar file (released by the OS if the
holder dies, so a crash never leaves a stale lock behind)."""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from pathlib import Path
from typing import IO, Any

from coder.errors import ProjectLockedError


def lock_path(project: Path) -> Path:
    return project.with_name(project.name + ".lock")


def _try_lock(fh: IO[Any]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class ProjectLock:
    """Held while a project is open for writing; ``release()`` or process exit frees it."""

    def __init__(self, project: Path, user: str) -> None:
        self.path = lock_path(project)
        self._fh: IO[Any] | None = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115
        if not _try_lock(self._fh):
            holder = _describe(self.path)
            self._fh.close()
            self._fh = None
            raise ProjectLockedError(
                f"{project.name} is open in another Attune window{holder}. You can open it "
                "read-only, or close it there first."
            )
        self._fh.seek(0)
        self._fh.truncate()
        info = {"pid": os.getpid(), "host": socket.gethostname(), "user": user or _login()}
        self._fh.write(json.dumps(info))
        self._fh.flush()

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()  # closing the descriptor drops the OS lock
            self._fh = None


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _describe(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return (
            f" (by {info.get('user', '?')} on {info.get('host', '?')}, process {info.get('pid')})"
        )
    except (OSError, ValueError):
        return ""
