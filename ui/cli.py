"""The `attune` command line.

No subcommand, or `attune open FILE`, starts the GUI; everything else is headless and never
imports Qt (the GUI path imports ui.app lazily). Errors are printed as one clear message
naming the file and the fix, with exit status 1 (2 for usage errors) — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from coder import __version__
from coder.errors import AttuneError
from ui.cli_common import add_as_option

Handler = Callable[[argparse.Namespace], int]


def _gui(args: argparse.Namespace) -> int:
    from ui.app import run_gui  # Qt is imported only here

    return run_gui(getattr(args, "file", None))


def build_parser() -> argparse.ArgumentParser:
    from ui import (
        cli_analysis,
        cli_exports,
        cli_feedback,
        cli_project,
        cli_sequential,
        cli_sharing,
        cli_team,
    )

    parser = argparse.ArgumentParser(
        prog="attune",
        description="Attune: code parent-child interaction videos, check reliability, "
        "and prepare feedback for parents.",
    )
    parser.add_argument("--version", action="version", version=f"attune {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_open = sub.add_parser("open", help="open a project in the app")
    p_open.add_argument("file", help="project file (*.attune)")
    p_open.set_defaults(handler=_gui)

    cli_project.register(sub)
    cli_team.register(sub)  # push/pull under `project`, and `team`
    cli_exports.register(sub)
    cli_feedback.register(sub)
    cli_analysis.register(sub)
    cli_sequential.register(sub)
    cli_sharing.register(sub)
    add_as_option(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        return _gui(args)
    try:
        return handler(args)
    except AttuneError as exc:
        print(f"attune: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("attune: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: say where, never what (a message can quote clinical text)
        if os.environ.get("ATTUNE_DEBUG"):
            raise
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(
            f"attune: internal error ({type(exc).__name__} at {os.path.basename(frame.filename)}:"
            f"{frame.lineno}); please report it (set ATTUNE_DEBUG=1 for the details, which may "
            "contain clinical text)",
            file=sys.stderr,
        )
        return 70


def gui_main() -> int:
    """Entry point of the `attune-gui` launcher: always the GUI."""
    argv = sys.argv[1:]
    return _gui(argparse.Namespace(file=argv[0] if argv else None))


if __name__ == "__main__":
    sys.exit(main())
