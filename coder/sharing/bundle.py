"""Make and open ``.attunebundle`` files: a project (and optionally its videos), encrypted.

Inside the sealed stream (coder/sharing/sealed.py) is a tar archive: ``manifest.json`` first
(what follows, with sizes and media ids), then ``project/<name>.attune`` (a consistent snapshot
taken with SQLite's backup API, so an open project can be bundled) and, with media,
``media/<media id>/<file name>``. Nothing outside those names is ever extracted.

Both directions are all-or-nothing: the bundle is written through an owner-only ``.part`` file;
opening extracts into an owner-only temporary folder beside the target and renames it only
once every byte has been authenticated and the manifest is complete, so a wrong passphrase,
a changed byte or a cut-off file leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from coder.errors import AttuneError, BundleError, Cancelled, TamperedBundleError
from coder.files import (
    FILE_MODE,
    check_target,
    create_private,
    make_private,
    new_part,
    part_path,
    private_folder,
    replacing,
    sweep_stale_parts,
)
from coder.progress import Cancel, Progress
from coder.sharing.sealed import CHUNK, SCRYPT_N, OpeningReader, SealingWriter, check_passphrase

EXTENSION = ".attunebundle"
_COPY = 1 << 20
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()+-]{0,199}$")
_MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class BundleEntry:
    name: str  # path inside the bundle
    size: int
    media_id: str = ""


@dataclass(frozen=True)
class BundleReport:
    path: Path
    project: str  # the project's name inside the bundle
    media: int  # videos included
    missing_media: tuple[str, ...]  # media ids whose file was not found (not included)
    bytes_in: int


@dataclass(frozen=True)
class UnbundleReport:
    folder: Path
    project: Path
    media: int
    relinked: int


def _safe(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._ ()+-]", "_", name).lstrip("._ -")[:150]
    return cleaned if _SAFE_NAME.match(cleaned) else fallback


def read_passphrase_file(path: str | os.PathLike[str]) -> str:
    """The passphrase in ``path`` (one trailing newline dropped), never echoed in errors."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise BundleError(f"{path}: cannot read the passphrase file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(f"{path}: the passphrase file is not UTF-8 text") from None
    text = text.removesuffix("\n").removesuffix("\r")
    check_passphrase(text)
    return text


# --- making a bundle ---------------------------------------------------------------------------


def make_bundle(
    project_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    passphrase: str,
    *,
    with_media: bool = False,
    scrypt_n: int = SCRYPT_N,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> BundleReport:
    from coder.store import Project
    from coder.store.backend import is_server_location

    if is_server_location(str(project_path)):
        raise BundleError(
            "a team project lives on its server: pull it into a project file first "
            "(attune pull), then bundle that file"
        )
    source, target = Path(project_path), Path(out)
    check_passphrase(passphrase)
    check_target(target)
    if not source.is_file():
        raise BundleError(f"{source}: no such project file")
    project_name = _safe(source.name, "project.attune")
    if not project_name.endswith(".attune"):
        project_name += ".attune"
    snapshot = new_part(target.with_name(target.name + ".snapshot"))
    try:
        with Project.open(source, read_only=True) as project:
            media = project.media_list()
            backup = sqlite3.connect(snapshot)
            try:
                project.db.backup(backup)  # type: ignore[attr-defined]
            finally:
                backup.close()
        entries = [BundleEntry(f"project/{project_name}", snapshot.stat().st_size)]
        files = [snapshot]
        missing: list[str] = []
        if with_media:
            for m in media:
                path = Path(m.path)
                if not path.is_file():
                    missing.append(m.id)
                    continue
                name = _safe(path.name, "video")
                entries.append(
                    BundleEntry(f"media/{_safe(m.id, 'media')}/{name}", path.stat().st_size, m.id)
                )
                files.append(path)
        total = sum(e.size for e in entries) or 1
        with replacing(target) as tmp, open(tmp, "wb") as fh:
            sealed = SealingWriter(fh, passphrase, scrypt_n=scrypt_n, chunk=chunk)
            with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                manifest = {
                    "format": 1,
                    "project": project_name,
                    "files": [e.__dict__ for e in entries],
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
                done = 0
                for entry, path in zip(entries, files, strict=True):
                    done = _add_file(tar, entry, path, done, total, progress, cancel)
            sealed.finish()
    finally:
        with contextlib.suppress(OSError):
            snapshot.unlink()
    if progress is not None:
        progress(1.0)
    included = sum(1 for e in entries if e.media_id)
    return BundleReport(target, project_name, included, tuple(missing), total)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), FILE_MODE
    tar.addfile(info, io.BytesIO(data))


class _Counted(io.RawIOBase):
    """A source file read by tarfile, reporting progress and honouring cancel."""

    def __init__(self, fh: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._fh, self._on_read = fh, on_read

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._on_read(len(data))
        return data


def _add_file(
    tar: tarfile.TarFile,
    entry: BundleEntry,
    path: Path,
    done: int,
    total: int,
    progress: Progress | None,
    cancel: Cancel | None,
) -> int:
    info = tarfile.TarInfo(entry.name)
    info.size, info.mode = entry.size, FILE_MODE
    count = [done]

    def on_read(n: int) -> None:
        if cancel is not None and cancel():
            raise Cancelled("making the bundle was cancelled; nothing was written")
        count[0] += n
        if progress is not None:
            progress(min(0.99, count[0] / total))

    try:
        with open(path, "rb") as fh:
            tar.addfile(info, _Counted(fh, on_read))
    except OSError as exc:
        raise BundleError(
            f"{path}: could not be read into the bundle ({exc.strerror or 'it changed size'})"
        ) from None
    return count[0]


# --- opening a bundle --------------------------------------------------------------------------


def open_bundle(
    bundle: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    passphrase: str,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> UnbundleReport:
    source, target = Path(bundle), Path(out_dir)
    name = source.name
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BundleError(f"{target}: already exists and is not empty; choose a new folder")
    check_target(target if not target.exists() else target / "x")
    try:
        fh = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise BundleError(f"{source}: cannot be read ({exc.strerror})") from None
    total = max(1, source.stat().st_size)
    sweep_stale_parts(target.parent)  # folders left by a killed unbundle hold clinical files
    work = part_path(target)
    private_folder(work)
    try:
        with fh:
            reader = OpeningReader(fh, passphrase, name)
            manifest = _extract(reader, work, name, lambda: fh.tell() / total, progress, cancel)
            # after the archive's end only its zero padding may follow (up to one tar record)
            rest = reader.read(2 * tarfile.RECORDSIZE + 1)
            if rest.strip(b"\0") or len(rest) > 2 * tarfile.RECORDSIZE or not reader.at_end():
                raise TamperedBundleError(
                    f"{name}: the bundle has data after its end; nothing was written"
                )
        project_path = work / "project" / manifest["project"]
        relinked = _relink(project_path, work, target.resolve(), manifest)
        if target.exists():
            target.rmdir()  # empty, checked above
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if progress is not None:
        progress(1.0)
    media = sum(1 for f in manifest["files"] if f.get("media_id"))
    return UnbundleReport(target, target / "project" / manifest["project"], media, relinked)


def _extract(
    reader: OpeningReader,
    work: Path,
    name: str,
    fraction: Callable[[], float],
    progress: Progress | None,
    cancel: Cancel | None,
) -> dict[str, Any]:
    manifest: dict[str, Any] | None = None
    expected: dict[str, int] = {}
    seen: set[str] = set()
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
            for count, member in enumerate(tar):
                if count > _MAX_MEMBERS or not member.isreg():
                    raise TamperedBundleError(_odd(name))
                if manifest is None:
                    manifest = _read_manifest(tar, member, name)
                    expected = {f["name"]: f["size"] for f in manifest["files"]}
                    continue
                if member.name not in expected or member.name in seen:
                    raise TamperedBundleError(_odd(name))
                if member.size != expected[member.name]:
                    raise TamperedBundleError(_odd(name))
                seen.add(member.name)
                _write_member(tar, member, work, cancel)
                if progress is not None:
                    progress(min(0.99, fraction()))
    except tarfile.TarError:
        raise TamperedBundleError(_odd(name)) from None
    if manifest is None or seen != set(expected):
        raise TamperedBundleError(_odd(name))
    return manifest


def _odd(name: str) -> str:
    return f"{name}: the bundle's content is not what Attune writes; nothing was written"


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> dict[str, Any]:
    if member.name != "manifest.json" or member.size > 1 << 20:
        raise TamperedBundleError(_odd(name))
    data = tar.extractfile(member)
    try:
        manifest = json.loads(data.read() if data is not None else b"")
        files = manifest["files"]
        project = manifest["project"]
        ok = (
            isinstance(files, list)
            and 0 < len(files) <= _MAX_MEMBERS
            and isinstance(project, str)
            and _SAFE_NAME.match(project) is not None
            and project.endswith(".attune")
        )
        for f in files if ok else []:
            ok = ok and _valid_entry(f)
        ok = ok and f"project/{project}" in {f["name"] for f in files}
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise TamperedBundleError(_odd(name))
    return dict(manifest)


def _valid_entry(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    name, size, media_id = entry.get("name"), entry.get("size"), entry.get("media_id", "")
    if not isinstance(name, str) or not isinstance(size, int) or not isinstance(media_id, str):
        return False
    parts = name.split("/")
    shape = (len(parts) == 2 and parts[0] == "project") or (
        len(parts) == 3 and parts[0] == "media" and bool(media_id)
    )
    return shape and size >= 0 and all(_SAFE_NAME.match(p) for p in parts[1:])


def _write_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, work: Path, cancel: Cancel | None
) -> None:
    path = work.joinpath(*member.name.split("/"))  # names checked against the manifest
    private_folder(path.parent)
    create_private(path)
    data = tar.extractfile(member)
    if data is None:
        raise TamperedBundleError("the bundle's content is not what Attune writes")
    with open(path, "wb") as out:
        while chunk := data.read(_COPY):
            if cancel is not None and cancel():
                raise Cancelled("opening the bundle was cancelled; nothing was written")
            out.write(chunk)


def _relink(project_path: Path, work: Path, final: Path, manifest: dict[str, Any]) -> int:
    """Point the project's media at the videos that came with it (same recording only), at the
    place they will have once ``work`` is renamed to ``final``."""
    from coder.media.fingerprint import fingerprint
    from coder.store import Project

    videos = {f["media_id"]: f["name"] for f in manifest["files"] if f.get("media_id")}
    relinked = 0
    try:
        with Project.open(project_path) as project:
            for m in project.media_list():
                video = videos.get(m.id)
                if video is None:
                    continue
                found = fingerprint(work / video, m.duration_ms)
                project.relink_media(m.id, str(final / video), found)
                relinked += 1
    except AttuneError as exc:
        raise BundleError(f"the project inside the bundle cannot be opened: {exc}") from None
    for leftover in project_path.parent.iterdir():  # the lock file of the relinking session
        if leftover != project_path:
            with contextlib.suppress(OSError):
                leftover.unlink()
    make_private(project_path)
    return relinked
