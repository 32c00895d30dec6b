"""Encrypted bundles: a project (and its video) goes out sealed and comes back identical;
a wrong passphrase, a changed byte, a cut-off file or a hostile archive writes nothing."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.commands import CommandStack, EditEvent
from coder.errors import BundleError, Cancelled, TamperedBundleError, WrongPassphraseError
from coder.files import part_path
from coder.sharing.bundle import make_bundle, open_bundle
from coder.sharing.sealed import MAGIC, OpeningReader, SealingWriter
from coder.store import Project
from ui.cli import main as cli

SECRET = "SECRET-bundle-note-77"
WORDS = "violet harbour seven kites"
FAST = 1 << 12  # scrypt cost for tests; the CLI uses the full 2^17
CHUNK = 1 << 16  # small chunks in tests so a small video spans several


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def noted(demo_copy: Path) -> Path:
    with Project.open(demo_copy) as p:
        first = p.events(p.observations()[0].id)[0]
        CommandStack(p).push(EditEvent(first.id, note=SECRET))
    return demo_copy


def _bundle(noted: Path, tmp_path: Path, **kw: object) -> Path:
    out = tmp_path / "send.attunebundle"
    make_bundle(noted, out, WORDS, with_media=True, scrypt_n=FAST, chunk=CHUNK, **kw)  # type: ignore[arg-type]
    return out


def _body_start(raw: bytes) -> int:
    """Where the sealed chunks begin: after the magic, header length, header and its tag."""
    size = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "big")
    return len(MAGIC) + 4 + size + 16


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_round_trip_with_media_is_identical_private_and_relinked(
    noted: Path, tmp_path: Path, umask_022: None
) -> None:
    out = _bundle(noted, tmp_path)
    raw = out.read_bytes()
    assert _mode(out) == 0o600
    assert raw.startswith(MAGIC)
    for plain in (SECRET.encode(), b"SQLite format 3", b"manifest.json", b"ftyp"):
        assert plain not in raw  # nothing readable without the passphrase
    with Project.open(noted, read_only=True) as original:
        media = original.media_list()[0]
        events = original.events(original.observations()[0].id)
        video_bytes = Path(media.path).read_bytes()

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    killed = part_path(tmp_path / "received")  # as an unbundle killed midway leaves it
    killed = killed.with_name(killed.name.replace(f"-{os.getpid()}-", f"-{int(dead.stdout)}-"))
    (killed / "project").mkdir(parents=True)
    (killed / "project" / "demo.attune").write_text("clinical")
    report = open_bundle(out, tmp_path / "received", WORDS)
    assert not killed.exists()
    assert report.media == 1 and report.relinked == 1
    with Project.open(report.project, read_only=True) as received:
        assert received.events(received.observations()[0].id) == events
        moved = received.media_list()[0]
        assert Path(moved.path).parent.parent.parent == (tmp_path / "received").resolve()
        assert Path(moved.path).read_bytes() == video_bytes
        assert moved.fingerprint == media.fingerprint
    files = [p for p in (tmp_path / "received").rglob("*")]
    assert {_mode(p) for p in files if p.is_file()} == {0o600}
    assert {_mode(p) for p in files if p.is_dir()} | {_mode(tmp_path / "received")} == {0o700}
    assert sorted(p.name for p in files if p.is_file()) == sorted(
        [report.project.name, Path(moved.path).name]
    )
    assert _leftovers(tmp_path, {"demo.attune.lock"}) == sorted(
        ["demo.attune", "received", "send.attunebundle"]
    )


def test_wrong_passphrase_and_every_kind_of_tampering_write_nothing(
    noted: Path, tmp_path: Path
) -> None:
    out = _bundle(noted, tmp_path)
    raw = out.read_bytes()
    body = _body_start(raw)
    damaged = {
        "wrong": (raw, "violet harbour seven kitez", WrongPassphraseError, "wrong passphrase"),
        "header": (
            raw.replace(b'"chunk": 65536', b'"chunk": 65537'),
            WORDS,
            WrongPassphraseError,
            "wrong passphrase",
        ),
        "flip": (
            raw[: body + 5000] + bytes([raw[body + 5000] ^ 1]) + raw[body + 5001 :],
            WORDS,
            TamperedBundleError,
            "changed or damaged",
        ),
        "cut at a chunk": (raw[: body + CHUNK + 16], WORDS, TamperedBundleError, "changed"),
        "cut short": (raw[:-1], WORDS, TamperedBundleError, "changed or damaged"),
        "appended": (raw + b"x" * 17, WORDS, TamperedBundleError, "changed or damaged"),
        "not a bundle": (b"PK\x03\x04" + raw[4:], WORDS, BundleError, "not an Attune bundle"),
    }
    assert len(raw) > body + 2 * (CHUNK + 16)  # at least three chunks: the cuts are real
    for label, (data, words, error, message) in damaged.items():
        bad = tmp_path / "bad.attunebundle"
        bad.write_bytes(data)
        with pytest.raises(error, match=message) as caught:
            open_bundle(bad, tmp_path / "received", words)
        assert SECRET not in str(caught.value) and words not in str(caught.value), label
        assert _leftovers(tmp_path, {"demo.attune.lock"}) == sorted(
            ["bad.attunebundle", "demo.attune", "send.attunebundle"]
        ), label


def _hostile_bundle(path: Path, members: dict[str, bytes], manifest: object) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with path.open("wb") as fh:
        sealed = SealingWriter(fh, WORDS, scrypt_n=FAST)
        sealed.write(buffer.getvalue())
        sealed.finish()


def test_a_sealed_but_hostile_archive_cannot_write_outside_or_add_files(tmp_path: Path) -> None:
    cases = [
        (
            {"../evil.attune": b"x"},
            {"project": "evil.attune", "files": [{"name": "../evil.attune", "size": 1}]},
        ),
        (
            {"project/p.attune": b"x", "extra": b"y"},
            {"project": "p.attune", "files": [{"name": "project/p.attune", "size": 1}]},
        ),
        (
            {"project/p.attune": b"xx"},
            {"project": "p.attune", "files": [{"name": "project/p.attune", "size": 1}]},
        ),
        ({}, {"project": "p.attune", "files": [{"name": "project/p.attune", "size": 1}]}),
        ({"project/p.attune": b"x"}, {"project": "p.attune", "files": "all"}),
    ]
    for members, manifest in cases:
        bad = tmp_path / "hostile.attunebundle"
        _hostile_bundle(bad, members, manifest)
        with pytest.raises(TamperedBundleError, match="not what Attune writes"):
            open_bundle(bad, tmp_path / "received", WORDS)
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["hostile.attunebundle"]


def test_the_stream_is_chunked_ordered_and_memory_flat() -> None:
    out = io.BytesIO()
    sealed = SealingWriter(out, WORDS, scrypt_n=FAST, chunk=4096)
    data = os.urandom(4096 * 5)  # an exact multiple: the fifth chunk is sealed as the last
    for i in range(0, len(data), 1000):
        sealed.write(data[i : i + 1000])
    sealed.finish()
    raw = out.getvalue()
    start = _body_start(raw)
    chunks = [raw[start + i * 4112 : start + (i + 1) * 4112] for i in range(5)]
    assert len(raw) == start + 5 * 4112
    reader = OpeningReader(io.BytesIO(raw), WORDS, "x")
    assert reader.read(10) == data[:10] and reader.buffered() <= 4096  # one chunk at a time
    assert reader.read() == data[10:] and reader.at_end()
    swapped = raw[:start] + chunks[1] + chunks[0] + b"".join(chunks[2:])
    with pytest.raises(TamperedBundleError):
        OpeningReader(io.BytesIO(swapped), WORDS, "x").read()
    dropped = raw[:start] + b"".join(chunks[:2] + chunks[3:])
    with pytest.raises(TamperedBundleError):
        OpeningReader(io.BytesIO(dropped), WORDS, "x").read()


def test_cancel_and_bad_targets_leave_nothing(noted: Path, tmp_path: Path) -> None:
    out = tmp_path / "send.attunebundle"
    with pytest.raises(Cancelled):
        make_bundle(noted, out, WORDS, with_media=True, scrypt_n=FAST, cancel=lambda: True)
    assert _leftovers(tmp_path, {"demo.attune.lock"}) == ["demo.attune"]
    with pytest.raises(BundleError, match="too short"):
        make_bundle(noted, out, "short", scrypt_n=FAST)
    good = _bundle(noted, tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep")
    with pytest.raises(BundleError, match="not empty"):
        open_bundle(good, tmp_path / "full", WORDS)
    with pytest.raises(Cancelled):
        open_bundle(good, tmp_path / "received", WORDS, cancel=lambda: True)
    assert _leftovers(tmp_path, {"demo.attune.lock"}) == [
        "demo.attune",
        "full",
        "send.attunebundle",
    ]
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["mine.txt"]


def test_cli_bundle_and_unbundle(
    noted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words = tmp_path / "words.txt"
    words.write_text(WORDS + "\n")
    out = tmp_path / "send.attunebundle"
    assert cli(["bundle", str(noted), "--out", str(out), "--passphrase-file", str(words)]) == 0
    assert "0 video(s)" in capsys.readouterr().out
    received = tmp_path / "received"
    args = ["unbundle", str(out), "--out", str(received), "--passphrase-file", str(words)]
    assert cli(args) == 0
    with Project.open(received / "project" / "demo.attune", read_only=True) as p:
        assert any(e.note == SECRET for e in p.events(p.observations()[0].id))
    words.write_text("another passphrase")
    assert cli([*args[:3], str(tmp_path / "again"), *args[4:]]) == 1
    err = capsys.readouterr().err
    assert "wrong passphrase" in err and "Traceback" not in err and "another" not in err
    assert not (tmp_path / "again").exists()


def test_the_archive_padding_after_its_end_is_read_and_accepted(tmp_path: Path) -> None:
    from tests.fuzz.seeds import BUNDLE_WORDS, bundle_plain, seal

    # Whether tar's own padding follows its end depends on the project file's size (a new
    # table can make the archive end on a record boundary): add a record of zero padding so
    # the reader always meets some.
    data = bundle_plain() + bytes(tarfile.RECORDSIZE)
    plain = io.BytesIO(data)
    with tarfile.open(fileobj=plain, mode="r|") as tar:
        for member in tar:
            tar.extractfile(member).read()  # type: ignore[union-attr]
    assert plain.tell() < len(plain.getvalue())  # tar stops before the zero padding
    (tmp_path / "b.attunebundle").write_bytes(seal(data))
    report = open_bundle(tmp_path / "b.attunebundle", tmp_path / "out", BUNDLE_WORDS)
    with Project.open(report.project, read_only=True) as p:
        assert p.sessions()
