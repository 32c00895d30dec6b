"""Finding a project's videos on this machine, by fingerprint, in the team's video folders.

A team keeps its recordings on a shared folder (a network drive, a synced folder), mounted
at a different place on each computer. The project stores one path and the fingerprint
(size + SHA-256 of the first and last MiB); on each machine the video is whichever file in
that machine's team folders has the same fingerprint. The project itself is not changed, so
one machine's mount point never becomes another's.

The folders come from ``ATTUNE_MEDIA_FOLDERS`` (separated like PATH) and from the caller
(the GUI's preference). Files are compared by size first; only files of the exact size are
hashed, so a large folder costs a directory walk, not reading videos.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from coder.media.fingerprint import matches
from coder.model import Media

ENV = "ATTUNE_MEDIA_FOLDERS"
MAX_DEPTH = 4  # how deep below a team folder to look (year/family/session/...)


def folders_from_env() -> list[Path]:
    raw = os.environ.get(ENV, "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


def locate(media: Media, folders: Sequence[Path]) -> Path | None:
    """This machine's copy of ``media``: the stored path if it is the same recording, else a
    file of the same fingerprint in ``folders`` (same name first). None if nowhere."""
    if media.fingerprint.size == 0:  # an imported placeholder: nothing to compare with
        return None
    stored = Path(media.path)
    if _is_file(stored) and matches(stored, media.fingerprint):
        return stored
    for folder in folders:
        same_name = folder / stored.name
        if _is_file(same_name) and matches(same_name, media.fingerprint):
            return same_name
    for folder in folders:
        for candidate in _files_of_size(folder, media.fingerprint.size):
            if matches(candidate, media.fingerprint):
                return candidate
    return None


def _files_of_size(folder: Path, size: int) -> Iterable[Path]:
    base = len(folder.parts)
    for root, dirs, files in os.walk(folder, onerror=lambda _e: None):
        if len(Path(root).parts) - base >= MAX_DEPTH:
            dirs[:] = []
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(root, name)
            try:
                if path.stat().st_size == size:
                    yield path
            except OSError:
                continue


class MediaFinder:
    """Remembers where each video was found, so a view asking again costs a dict lookup."""

    def __init__(self, folders: Sequence[Path] | None = None) -> None:
        self._folders = list(folders) if folders is not None else folders_from_env()
        self._found: dict[str, Path | None] = {}

    @property
    def folders(self) -> list[Path]:
        return list(self._folders)

    def set_folders(self, folders: Sequence[Path]) -> None:
        self._folders = [*folders, *(f for f in folders_from_env() if f not in folders)]
        self._found.clear()

    def forget(self, media_id: str) -> None:
        self._found.pop(media_id, None)

    def local_path(self, media: Media) -> str:
        """Where to open ``media`` on this machine (the stored path when found nowhere).

        Looked up once per video (found or not) until the folders change or it is re-linked.
        """
        if media.id not in self._found:
            stored = Path(media.path)
            self._found[media.id] = stored if _is_file(stored) else locate(media, self._folders)
        found = self._found[media.id]
        return str(found) if found is not None else media.path


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; an unusable stored path (too long, not a name this system
    accepts — e.g. from an imported project) is simply not found."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
