"""One writer per project: an OS file lock on a sidecar file (released by the OS if the
holder dies, so a crash never leaves a stale lock behind).

The lock belongs to the file, not to the name it was opened by: the sidecar sits beside the
real file (symlinks resolved), and a file with several names (hard links) is refused for
writing, since SQLite would keep a separate journal per name and two writers could corrupt it.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import IO, Any

from coder.errors import ProjectError, ProjectLockedError
from coder.files import FILE_MODE


def real_path(project: Path) -> Path:
    """The file itself, whatever symlinks lead to it."""
    return project.resolve()


def lock_path(project: Path) -> Path:
    real = real_path(project)
    return real.with_name(real.name + ".lock")


def refuse_other_names(project: Path) -> None:
    """A project reachable under several names (hard links) cannot be written safely."""
    try:
        links = os.stat(project).st_nlink
    except OSError:
        return
    if links > 1:
        raise ProjectError(
            f"{project.name}: this project file has {links} names on disk (hard links), so two "
            "Attune windows could write it at once and damage it; make a separate copy "
            "(copy, not link) and open that, or open it read-only"
        )


def folder_problem(project: Path) -> str | None:
    """Why Attune cannot write beside the project (a read-only folder), or None."""
    folder = real_path(project).parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"{project.name} is in a read-only folder ({folder}); Attune keeps its journal "
            "beside the project, so copy the project to a folder you can write to, or open it "
            "read-only"
        )
    return None


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
        problem = folder_problem(project)
        if problem is not None:
            raise ProjectError(problem)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise ProjectError(
                f"{project.name}: cannot create its lock file ({exc.strerror}); copy the project "
                "to a folder you can write to, or open it read-only"
            ) from None
        self._fh: IO[Any] | None = open(fd, "r+", encoding="utf-8")  # noqa: SIM115
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
    from coder.app.user import current_user  # the one definition of who is using Attune

    return current_user()


def _describe(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return (
            f" (by {info.get('user', '?')} on {info.get('host', '?')}, process {info.get('pid')})"
        )
    except (OSError, ValueError):
        return ""
