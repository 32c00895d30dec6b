"""Team members of a PostgreSQL project: one database login per person, one role each.

Only an admin of the team manages members. Creating a login needs the CREATEROLE right; its
password is turned into a SCRAM-SHA-256 verifier here, so the password itself never reaches
the server, its logs or any command line. Every change is written to the audit chain
(login and role only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass

from psycopg import sql

from coder.errors import PermissionDeniedError, ProjectError
from coder.store.pg_security import ALL_ROLES
from coder.store.project import Project

_LOGIN = re.compile(r"^[a-z_][a-z0-9_.\-]{0,62}$")


@dataclass(frozen=True)
class Member:
    login: str
    role: str


def scram_verifier(password: str, *, iterations: int = 4096, salt: bytes | None = None) -> str:
    """PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802/7677)."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac(
        "sha256", unicodedata.normalize("NFKC", password).encode("utf-8"), salt, iterations
    )
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}"
        f"${b64(stored_key).decode()}:{b64(server_key).decode()}"
    )


def _require_admin(project: Project) -> None:
    if not project.is_team:
        raise ProjectError(f"{project.name} is a project file; team members need a server project")
    if project.role != "admin":
        raise PermissionDeniedError(
            f"{project.name}: only a team admin manages members; your login '{project.user}' "
            f"is a {project.role}"
        )


def members(project: Project) -> list[Member]:
    """Every login with an Attune role on this server (roles are server-wide)."""
    if not project.is_team:
        raise ProjectError(f"{project.name} is a project file; it has no team members")
    rows = project.db.execute_native(
        "SELECT m.rolname, g.rolname FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
        "WHERE g.rolname LIKE 'attune\\_%' AND m.rolcanlogin ORDER BY m.rolname"
    ).fetchall()
    strongest: dict[str, str] = {}
    for login, group in rows:
        role = str(group).removeprefix("attune_")
        if role in ALL_ROLES and (
            login not in strongest or ALL_ROLES.index(role) < ALL_ROLES.index(strongest[login])
        ):
            strongest[str(login)] = role
    return [Member(login, role) for login, role in sorted(strongest.items())]


def add_member(project: Project, login: str, role: str, password: str | None = None) -> bool:
    """Give ``login`` the ``role`` (replacing any other); create the login when a password is
    given and it does not exist yet. Returns whether a login was created."""
    _require_admin(project)
    if role not in ALL_ROLES:
        raise ProjectError(f"unknown role '{role}'; choose one of {', '.join(ALL_ROLES)}")
    if not _LOGIN.match(login):
        raise ProjectError(
            f"'{login}': a login is lower-case letters, digits, '_', '.' or '-' (at most 63)"
        )
    db = project.db
    exists = db.execute_native("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
    created = False
    with project.transaction():
        if exists is None:
            if password is None:
                raise ProjectError(
                    f"{project.name}: there is no login '{login}' on this server; give a "
                    "password to create it"
                )
            statement = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(login), sql.Literal(scram_verifier(password))
            )
            db.execute_native(statement.as_string(None))
            created = True
        for other in ALL_ROLES:
            db.execute_native(
                sql.SQL("REVOKE {} FROM {}")
                .format(sql.Identifier(f"attune_{other}"), sql.Identifier(login))
                .as_string(None)
            )
        db.execute_native(
            sql.SQL("GRANT {} TO {}")
            .format(sql.Identifier(f"attune_{role}"), sql.Identifier(login))
            .as_string(None)
        )
        project.append_audit(f"member {role}", "login", login)
    return created


def remove_member(project: Project, login: str) -> None:
    """Take every Attune role from ``login`` (the login itself stays; the DBA may drop it)."""
    _require_admin(project)
    if login == project.user:
        raise ProjectError("you cannot remove your own admin role; ask another admin")
    with project.transaction():
        for role in ALL_ROLES:
            project.db.execute_native(
                sql.SQL("REVOKE {} FROM {}")
                .format(sql.Identifier(f"attune_{role}"), sql.Identifier(login))
                .as_string(None)
            )
        project.append_audit("member removed", "login", login)
