"""An encrypted, authenticated byte stream (the body of an ``.attunebundle`` file).

No home-made cryptography: the key comes from the passphrase through scrypt (memory-hard,
128 MiB by default) and every chunk is sealed with AES-256-GCM from the ``cryptography``
package. The construction is the "STREAM" online AEAD (Hoang, Reyhanitabar, Rogaway, Vizár
2015): chunk ``i`` uses the nonce ``prefix || i || last``, so chunks cannot be reordered,
dropped or cut off at the end without the check failing; the header (format, KDF settings,
salt, nonce prefix) is authenticated as associated data of every chunk and by a tag of its own,
which is also how a wrong passphrase is told apart from a damaged body. Chunks of 1 MiB keep
memory flat for a multi-gigabyte video.

Layout: MAGIC, header length (4 bytes, big-endian), header (JSON), header tag (16 bytes),
then the sealed chunks (each ``chunk`` plaintext bytes + 16, the last one shorter).
"""

from __future__ import annotations

import base64
import json
import os
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from coder.errors import BundleError, TamperedBundleError, WrongPassphraseError

MAGIC = b"ATTUNE-BUNDLE\n"
FORMAT = 1
TAG = 16
CHUNK = 1 << 20
SCRYPT_N = 1 << 17  # 128 MiB x r=8: about half a second here, very costly to guess at scale
MIN_PASSPHRASE = 8
_HEADER_TAG_COUNTER = 0xFFFFFFFF


def check_passphrase(passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BundleError(
            f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters "
            "(a few unrelated words are easy to type and hard to guess)"
        )
    return passphrase.encode("utf-8")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> AESGCM:
    key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(check_passphrase(passphrase))
    return AESGCM(key)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealingWriter:
    """File-like: ``write()`` plaintext, ``finish()`` seals the last chunk. Writes to ``out``."""

    def __init__(
        self, out: IO[bytes], passphrase: str, *, scrypt_n: int = SCRYPT_N, chunk: int = CHUNK
    ) -> None:
        salt, prefix = os.urandom(16), os.urandom(7)
        header = {
            "format": FORMAT,
            "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": _b64(salt)},
            "cipher": "AES-256-GCM",
            "chunk": chunk,
            "nonce_prefix": _b64(prefix),
        }
        body = json.dumps(header, sort_keys=True).encode("ascii")
        self._aad = MAGIC + len(body).to_bytes(4, "big") + body
        self._aead = _derive(passphrase, salt, scrypt_n, 8, 1)
        self._prefix, self._chunk, self._out = prefix, chunk, out
        self._buffer = bytearray()
        self._counter = 0
        out.write(self._aad)
        out.write(self._aead.encrypt(_nonce(prefix, _HEADER_TAG_COUNTER, True), b"", self._aad))

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buffer += data
        # keep at least one full chunk back: only finish() knows which chunk is the last
        while len(self._buffer) > self._chunk:
            self._seal(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def finish(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        if self._counter >= _HEADER_TAG_COUNTER:
            raise BundleError("the bundle is too large")
        nonce = _nonce(self._prefix, self._counter, last)
        self._out.write(self._aead.encrypt(nonce, plain, self._aad))
        self._counter += 1


class OpeningReader:
    """File-like ``read()`` of the plaintext; every byte returned has been authenticated.

    A wrong passphrase fails at once (the header tag); a changed, reordered or cut-off body
    fails at the chunk concerned, at the latest at the end of the stream.
    """

    def __init__(self, source: IO[bytes], passphrase: str, name: str) -> None:
        self._source, self._name = source, name
        magic = source.read(len(MAGIC))
        if magic != MAGIC:
            raise BundleError(f"{name}: not an Attune bundle (.attunebundle)")
        size = int.from_bytes(source.read(4), "big")
        if not 2 <= size <= 4096:
            raise TamperedBundleError(_tampered(name))
        body = source.read(size)
        header = _parse_header(body, name)
        self._aad = MAGIC + size.to_bytes(4, "big") + body
        kdf = header["kdf"]
        self._aead = _derive(passphrase, kdf["salt"], kdf["n"], kdf["r"], kdf["p"])
        self._prefix, self._chunk = header["nonce_prefix"], header["chunk"]
        try:
            self._aead.decrypt(
                _nonce(self._prefix, _HEADER_TAG_COUNTER, True), source.read(TAG), self._aad
            )
        except InvalidTag:
            raise WrongPassphraseError(
                f"{name}: wrong passphrase (or the bundle's header was changed); nothing was "
                "written"
            ) from None
        self._counter = 0
        self._pending = source.read(self._chunk + TAG)
        self._plain = b""  # the current authenticated chunk, read from ``_pos`` on
        self._pos = 0
        self._done = False

    def read(self, size: int = -1) -> bytes:
        pieces: list[bytes] = []
        wanted = size
        while wanted != 0:
            if self._pos == len(self._plain):
                if self._done:
                    break
                self._open_next()
                continue
            end = len(self._plain) if wanted < 0 else min(len(self._plain), self._pos + wanted)
            pieces.append(self._plain[self._pos : end])
            if wanted > 0:
                wanted -= end - self._pos
            self._pos = end
        return b"".join(pieces)

    def buffered(self) -> int:
        """Plaintext bytes held in memory (at most one chunk)."""
        return len(self._plain)

    def _open_next(self) -> None:
        sealed = self._pending
        following = (
            self._source.read(self._chunk + TAG) if len(sealed) == self._chunk + TAG else b""
        )
        last = following == b""
        if len(sealed) < TAG:
            raise TamperedBundleError(_tampered(self._name))
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, self._counter, last), sealed, self._aad)
        except InvalidTag:
            raise TamperedBundleError(_tampered(self._name)) from None
        self._plain, self._pos = plain, 0
        self._pending = following
        self._counter += 1
        self._done = last

    def at_end(self) -> bool:
        """True once the last chunk was authenticated and every byte read."""
        return self._done and self._pos == len(self._plain)


def _tampered(name: str) -> str:
    return (
        f"{name}: the bundle was changed or damaged after it was made (its content does not "
        "match its seal); nothing was written — ask the sender for a fresh copy"
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _parse_header(body: bytes, name: str) -> dict[str, Any]:
    """The header's values, each checked: a hostile header must not make us allocate gigabytes."""
    try:
        header = json.loads(body.decode("ascii"))
        kdf = header["kdf"]
        n, r, p = kdf["n"], kdf["r"], kdf["p"]
        salt = base64.b64decode(kdf["salt"], validate=True)
        prefix = base64.b64decode(header["nonce_prefix"], validate=True)
        chunk = header["chunk"]
        fmt, name_ok, cipher = header["format"], kdf["name"], header["cipher"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise TamperedBundleError(_tampered(name)) from None
    if fmt != FORMAT:
        raise BundleError(
            f"{name}: made by a newer Attune (bundle format {fmt}); update Attune to open it"
        )
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p, chunk))
    if not (
        ints
        and name_ok == "scrypt"
        and cipher == "AES-256-GCM"
        and 1 << 10 <= n <= 1 << 20
        and n & (n - 1) == 0
        and 1 <= r <= 16
        and 128 * n * r <= 1 << 28  # at most 256 MiB of scrypt memory, whatever the header says
        and 1 <= p <= 4
        and 1 << 12 <= chunk <= 1 << 24
        and len(salt) == 16
        and len(prefix) == 7
    ):
        raise TamperedBundleError(_tampered(name))
    return {"kdf": {"n": n, "r": r, "p": p, "salt": salt}, "nonce_prefix": prefix, "chunk": chunk}
