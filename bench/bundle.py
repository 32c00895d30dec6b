"""Encrypted bundles: throughput against a plain copy of the same bytes, and memory.

Seals a large file the way ``attune bundle --with-media`` does (tar stream -> 1 MiB AES-256-GCM
chunks) and opens it again, then compares with shutil.copyfile of the same file in the same
run. Memory: the peak resident size must grow by far less than the file (the video is never
held in RAM). Run: python bench/bundle.py [MiB]   (default 512)
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from coder.sharing.sealed import SCRYPT_N, OpeningReader, SealingWriter
from coder.sharing.sealed import _derive as derive

WORDS = "benchmark passphrase words"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 512
    with tempfile.TemporaryDirectory(dir=".") as folder:
        src = Path(folder) / "video.bin"
        with src.open("wb") as fh:
            for _ in range(mib):
                fh.write(os.urandom(1 << 20))
        start = time.perf_counter()
        shutil.copyfile(src, Path(folder) / "copy.bin")
        copy_s = time.perf_counter() - start
        os.unlink(Path(folder) / "copy.bin")

        before = peak_mib()
        sealed = Path(folder) / "b.attunebundle"
        start = time.perf_counter()
        with sealed.open("wb") as out:
            writer = SealingWriter(out, WORDS, scrypt_n=1 << 12)
            with tarfile.open(fileobj=writer, mode="w|") as tar:  # type: ignore[call-overload]
                tar.add(src, "media/m/video.bin")
            writer.finish()
        seal_s = time.perf_counter() - start
        start = time.perf_counter()
        with sealed.open("rb") as fh:
            reader = OpeningReader(fh, WORDS, sealed.name)
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    data = tar.extractfile(member)
                    assert data is not None
                    with open(Path(folder) / "out.bin", "wb") as out:
                        shutil.copyfileobj(data, out, 1 << 20)
        open_s = time.perf_counter() - start
        grew = peak_mib() - before
        assert (Path(folder) / "out.bin").stat().st_size == mib << 20
        start = time.perf_counter()
        derive(WORDS, b"0" * 16, SCRYPT_N, 8, 1)
        kdf_s = time.perf_counter() - start

    print(f"file {mib} MiB; plain copy {copy_s:.2f} s ({mib / copy_s:.0f} MiB/s)")
    print(f"scrypt key derivation (N=2^17, r=8): {kdf_s:.2f} s")
    print(f"seal {seal_s:.2f} s ({mib / seal_s:.0f} MiB/s, {seal_s / copy_s:.1f}x the copy)")
    print(f"open {open_s:.2f} s ({mib / open_s:.0f} MiB/s, {open_s / copy_s:.1f}x the copy)")
    print(f"peak memory grew by {grew:.0f} MiB for a {mib} MiB file (limit: 64 MiB)")


if __name__ == "__main__":
    main()
