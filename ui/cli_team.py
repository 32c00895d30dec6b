"""Team projects on a server: ``attune project push|pull`` and ``attune team list|add|remove``.

Qt-free. Passwords are never command-line arguments: the server login's own password comes
from PGPASSWORD or ~/.pgpass, and a new member's password is typed at a prompt (twice) or
read from standard input with --password-stdin.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from coder.errors import ProjectError

ROLES = ("admin", "supervisor", "coder", "clinician", "auditor")


def register(sub: Any) -> None:
    project = _subcommands(sub.choices["project"])
    p_push = project.add_parser(
        "push", help="copy a project file into a new team project on a PostgreSQL server"
    )
    p_push.add_argument("file", help="the project file (*.attune)")
    p_push.add_argument("url", help="postgresql://LOGIN@HOST:PORT/DATABASE (no password)")
    p_push.set_defaults(handler=_push)
    p_pull = project.add_parser("pull", help="copy a team project into a new project file")
    p_pull.add_argument("url", help="postgresql://LOGIN@HOST:PORT/DATABASE (no password)")
    p_pull.add_argument("file", help="the new project file (*.attune)")
    p_pull.set_defaults(handler=_pull)

    p_team = sub.add_parser("team", help="team members of a project on a server (admins)")
    team = p_team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    p_list = team.add_parser("list", help="logins and their roles")
    p_list.add_argument("url")
    p_list.set_defaults(handler=_list)
    p_add = team.add_parser("add", help="give a login a role (creating the login if asked)")
    p_add.add_argument("url")
    p_add.add_argument("login")
    p_add.add_argument("--role", required=True, choices=ROLES)
    p_add.add_argument(
        "--new-login", action="store_true", help="create the login (asks for its password)"
    )
    p_add.add_argument(
        "--password-stdin", action="store_true", help="read the new login's password from stdin"
    )
    p_add.set_defaults(handler=_add)
    p_remove = team.add_parser("remove", help="take a login's role away")
    p_remove.add_argument("url")
    p_remove.add_argument("login")
    p_remove.set_defaults(handler=_remove)


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    """The existing ``attune project`` parser's sub-command list (defined in cli_project)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("attune project has no sub-commands")  # a programming error


def _progress(what: str) -> Any:
    last = [-1]

    def report(fraction: float) -> None:
        step = int(fraction * 10)
        if step != last[0] and sys.stderr.isatty():
            last[0] = step
            print(f"\r{what}: {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    return report


def _push(args: argparse.Namespace) -> int:
    from coder.store.copying import push

    report = push(args.file, args.url, progress=_progress("push"))
    print(f"pushed {args.file} to {args.url}: {report.summary()}")
    return 0


def _pull(args: argparse.Namespace) -> int:
    from coder.store.copying import pull

    report = pull(args.url, args.file, progress=_progress("pull"))
    print(f"pulled {args.url} into {args.file}: {report.summary()}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from coder.store import Project
    from coder.store.pg_team import members

    with Project.open(args.url, read_only=True) as project:
        for member in members(project):
            print(f"{member.login}\t{member.role}")
    return 0


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password for the new login: ")
        if getpass.getpass("Again: ") != password:
            raise ProjectError("the two passwords differ; nothing was changed")
    if len(password) < 8:
        raise ProjectError("the password is shorter than 8 characters; nothing was changed")
    return password


def _add(args: argparse.Namespace) -> int:
    from coder.store import Project
    from coder.store.pg_team import add_member

    password = _new_password(args.password_stdin) if args.new_login else None
    with Project.open(args.url) as project:
        created = add_member(project, args.login, args.role, password)
    print(f"{'created ' if created else ''}{args.login}: {args.role}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from coder.store import Project
    from coder.store.pg_team import remove_member

    with Project.open(args.url) as project:
        remove_member(project, args.login)
    print(f"{args.login}: no role")
    return 0
