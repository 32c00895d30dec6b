"""`attune bundle` / `attune unbundle`: send a project (and its videos) encrypted.

The passphrase comes from a file (``--passphrase-file``) or, at a terminal, a hidden prompt;
it is never taken on the command line, where other users could read it in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from coder.errors import BundleError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "bundle", help="write an encrypted, authenticated bundle of a project (to send it)"
    )
    p.add_argument("file", help="project file (*.attune)")
    p.add_argument("--out", required=True, help="PATH.attunebundle")
    p.add_argument("--with-media", action="store_true", help="include the session videos")
    p.add_argument("--passphrase-file", default=None, help="file holding the passphrase")
    p.set_defaults(handler=_bundle)

    u = sub.add_parser("unbundle", help="open an encrypted bundle into a new folder")
    u.add_argument("bundle", help="PATH.attunebundle")
    u.add_argument("--out", required=True, help="a new (or empty) folder")
    u.add_argument("--passphrase-file", default=None, help="file holding the passphrase")
    u.set_defaults(handler=_unbundle)


def _passphrase(args: argparse.Namespace, *, twice: bool) -> str:
    from coder.sharing.bundle import read_passphrase_file
    from coder.sharing.sealed import check_passphrase

    if args.passphrase_file:
        return read_passphrase_file(args.passphrase_file)
    if not sys.stdin.isatty():
        raise BundleError("give the passphrase with --passphrase-file FILE")
    first = getpass.getpass("Passphrase: ")
    check_passphrase(first)
    if twice and getpass.getpass("Passphrase again: ") != first:
        raise BundleError("the two passphrases differ; nothing was written")
    return first


def _progress(fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)


def _bundle(args: argparse.Namespace) -> int:
    from coder.sharing.bundle import EXTENSION, make_bundle

    out = Path(args.out)
    if out.suffix != EXTENSION:
        raise BundleError(f"{out}: name the bundle PATH{EXTENSION}")
    passphrase = _passphrase(args, twice=True)
    report = make_bundle(args.file, out, passphrase, with_media=args.with_media, progress=_progress)
    print(f"{report.path}: {report.project}, {report.media} video(s)")
    if report.missing_media:
        print(
            f"attune: note: {len(report.missing_media)} video(s) not found and not included "
            "(re-link them, then bundle again)",
            file=sys.stderr,
        )
    return 0


def _unbundle(args: argparse.Namespace) -> int:
    from coder.sharing.bundle import open_bundle

    passphrase = _passphrase(args, twice=False)
    report = open_bundle(args.bundle, args.out, passphrase, progress=_progress)
    print(f"{report.project}: {report.media} video(s), {report.relinked} re-linked")
    return 0
