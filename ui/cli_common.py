"""What every CLI command shares: who is asking (``--as``), opening the project as them,
progress on stderr. Qt-free.

Blind coding holds in the CLI because every command opens the project as the current user
(``--as NAME``, else ATTUNE_USER, else the OS login): the store then hides other coders' work
on sessions that user codes blind (coder/app/visibility.py).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from coder.app.user import current_user
from coder.store import Project

AS_HELP = "who you are (default: $ATTUNE_USER, else your login); blind coding hides others' work"


def add_as_option(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and every sub-command under it the ``--as NAME`` option."""
    stack = [parser]
    while stack:
        p = stack.pop()
        subparsers = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subparsers:
            if not any("--as" in a.option_strings for a in p._actions):
                p.add_argument("--as", dest="as_user", metavar="NAME", default=None, help=AS_HELP)
            continue
        for action in subparsers:
            stack.extend(action.choices.values())


def user_of(args: argparse.Namespace) -> str:
    return current_user(getattr(args, "as_user", None))


def open_project(args: argparse.Namespace, *, read_only: bool = False, file: Any = None) -> Project:
    """The project named on the command line, opened as the user asking."""
    location = file if file is not None else args.file
    return Project.open(location, read_only=read_only, user=user_of(args))


def print_progress(fraction: float) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)
