"""Clinical files are private: created owner-only (0600, folders 0700) whatever the umask.

Temporary ``.part`` files carry the writer's process id, so one left behind by a killed export
is recognised (its process is gone) and removed the next time anything is written there.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700

_PART = re.compile(
    r"^\..+\.attune-(?P<host>[^.]*)-(?P<pid>\d+)-[0-9a-f]+\.part(-wal|-shm|-journal|\.lock)?$"
)


def check_target(target: Path) -> None:
    """Refuse, before any rendering, an output path that could not be written at the end."""
    from coder.errors import OutputPathError

    try:
        is_folder = target.is_dir()
    except OSError as exc:  # e.g. a name too long for the file system (it may be a label)
        raise OutputPathError(
            f"{target.parent}: a file name there is not allowed ({exc.strerror}); choose a "
            "shorter or simpler name"
        ) from None
    if is_folder:
        raise OutputPathError(
            f"{target}: is a folder; give a file name inside it (e.g. {target / 'name'}.ext)"
        )
    folder = target.parent
    if not folder.is_dir():
        raise OutputPathError(f"{folder}: folder does not exist; create it or pick another")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"{folder}: the folder is read-only; pick another folder or make it writable"
        )


def check_folder_target(folder: Path) -> None:
    """Refuse, before any rendering, an output folder that could not be written into."""
    from coder.errors import OutputPathError

    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{folder}: is a file, not a folder; pick a folder name")
    existing = next((f for f in (folder, *folder.parents) if f.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"{existing}: the folder is read-only; pick another folder or make it writable"
        )


def create_private(path: Path) -> None:
    """Create ``path`` empty and owner-only; it must not exist yet."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.close(fd)


def make_private(path: Path) -> None:
    """Make an existing file owner-only (best effort: some file systems have no modes)."""
    with contextlib.suppress(OSError):
        os.chmod(path, FILE_MODE)


def private_folder(path: Path) -> None:
    """Create ``path`` (and missing parents) owner-only; an existing folder is left as it is."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, FOLDER_MODE)
        with contextlib.suppress(OSError):
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    if not path.is_dir():
        raise NotADirectoryError(path)


def part_path(target: Path) -> Path:
    """A hidden temporary name beside ``target`` that records who is writing it."""
    host = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40]
    return target.with_name(
        f".{target.name}.attune-{host}-{os.getpid()}-{secrets.token_hex(4)}.part"
    )


def new_part(target: Path) -> Path:
    """Create an owner-only temporary file beside ``target`` (after sweeping stale ones)."""
    sweep_stale_parts(target.parent)
    tmp = part_path(target)
    create_private(tmp)
    return tmp


def _alive(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":  # Windows' kill() would end it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process, or a platform without kill(0)
    return True


def sweep_stale_parts(folder: Path) -> list[Path]:
    """Remove ``.part`` files (and folders) left by writers on this machine that no longer run."""
    removed: list[Path] = []
    host = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40]
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _PART.match(name)
        if match is None or match["host"] != host or _alive(int(match["pid"])):
            continue
        stale = folder / name
        with contextlib.suppress(OSError):
            if stale.is_dir() and not stale.is_symlink():  # a killed unbundle's folder
                shutil.rmtree(stale)
            else:
                stale.unlink()
            removed.append(stale)
    return removed


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Write ``target`` through an owner-only ``.part`` file beside it, then os.replace.

    Yields the temporary path (already created, empty, 0600: a writer that reopens it keeps
    the mode). On any error, or a cancel, the temporary file is removed and ``target`` is left
    as it was; a writer killed outright leaves a ``.part`` that the next write there sweeps.
    """
    tmp = new_part(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
