"""Team projects on PostgreSQL (DESIGN §11): a project is one database on a clinic's server.

The location is a URL ``postgresql://LOGIN@HOST:PORT/DATABASE``. The password never goes in
the URL, on a command line or in the project: libpq reads it from ``PGPASSWORD`` or the
login's ``~/.pgpass`` (``PGPASSFILE``). Each person has their own login; the server's roles
and row-level security (``coder.store.pg_security``) decide what that login may read and
write, so the rules hold even for someone typing SQL by hand.

The connection runs in autocommit mode, so a read outside ``Project.transaction()`` never
leaves a transaction open; a write transaction is an explicit BEGIN ... COMMIT. Changes are
announced with NOTIFY (carrying nothing: listeners read the audit log through their own
connection, under their own row-level security).
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import psycopg
from psycopg import errors as pgerr
from psycopg import sql

from coder.errors import AttuneError, PermissionDeniedError, ProjectError, ReadOnlyError
from coder.store import pg_security, schema
from coder.store.audit import GENESIS, append_rows, stamp
from coder.store.dialect import to_postgresql

CHANNEL = "attune_changes"
AUDIT_LOCK = 0x41545455  # pg_advisory_xact_lock key that serialises audit-chain appends
_APPEND_SIGNATURE = "attune_audit_append(bigint,text,text,text[],text[],text[])"
ROLES = ("admin", "supervisor", "coder", "clinician", "auditor")  # strongest first
_ALLOWED_PARAMS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"}


@dataclass(frozen=True)
class ServerLocation:
    url: str  # as given, minus nothing (it holds no password)
    user: str
    host: str
    port: int
    database: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return f"{self.database} on {self.host}:{self.port}"

    def conninfo(self, database: str | None = None) -> str:
        parts = {
            "host": self.host,
            "port": str(self.port),
            "dbname": database or self.database,
            "user": self.user,
            "application_name": "attune",
            **dict(self.params),
        }
        return psycopg.conninfo.make_conninfo(**parts)


def parse_location(url: str) -> ServerLocation:
    """Check a ``postgresql://`` URL; refuse one that carries a password."""
    parts = urlsplit(url)
    if parts.password is not None:
        raise ProjectError(
            "the server address holds a password; remove it from the address and put it in "
            "PGPASSWORD or ~/.pgpass instead (a password in an address ends up in shell "
            "history and recent-file lists)"
        )
    database = parts.path.lstrip("/")
    if not database or "/" in database:
        raise ProjectError(
            f"{url}: name the project's database at the end, e.g. "
            "postgresql://you@server:5432/clinic"
        )
    params = tuple(parse_qsl(parts.query))
    unknown = sorted({k for k, _ in params} - _ALLOWED_PARAMS)
    if unknown:
        raise ProjectError(
            f"{url}: unknown setting {', '.join(unknown)} in the address (allowed: "
            f"{', '.join(sorted(_ALLOWED_PARAMS))})"
        )
    try:
        port = parts.port or 5432
    except ValueError:
        raise ProjectError(f"{url}: the port must be a number") from None
    return ServerLocation(
        url, parts.username or _os_login(), parts.hostname or "localhost", port, database, params
    )


def _os_login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "postgres"


# --- rows -----------------------------------------------------------------------------------
class PgRow(tuple[Any, ...]):
    """A result row readable by position and by column name, like sqlite3.Row."""

    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[PgRow]:
    return type("PgRow", (PgRow,), {"_index": {n: i for i, n in enumerate(names)}})


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], PgRow]:
    names = tuple(d.name for d in cursor.description or ())
    return _row_class(names)


# --- the backend ------------------------------------------------------------------------------
class PostgresBackend:
    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any], where: ServerLocation, login: str) -> None:
        self.conn = conn
        self.where = where
        self.login = login
        self.location = where.url
        self.name = where.name
        self._listener: psycopg.Connection[Any] | None = None
        self._announce = False
        # Round trips are most of a command's cost on a server: BEGIN goes out with the
        # first statement, and the audit rows and NOTIFY with the COMMIT.
        self._begin_pending = False
        self._at_commit: list[tuple[str, list[tuple[Any, ...]]]] = []
        self._audit_call: tuple[str, str, list[tuple[str, str, str]]] | None = None
        self.appended = range(0)
        # Projects made before attune_audit_append existed extend the chain from here.
        self._server_chain = bool(
            _one(conn, "SELECT to_regprocedure(%s) IS NOT NULL", (_APPEND_SIGNATURE,))
        )

    def execute(self, sql_text: str, params: Sequence[Any] = ()) -> Any:
        return self._run(to_postgresql(sql_text, has_params=bool(params)), params)

    def execute_native(self, sql_text: str, params: Sequence[Any] = ()) -> Any:
        return self._run(sql_text, params)

    def executemany(self, sql_text: str, rows: Sequence[Sequence[Any]]) -> None:
        query = to_postgresql(sql_text, has_params=True)
        try:
            with self.conn.cursor() as cursor:
                cursor.executemany(query, [tuple(r) for r in rows])
        except psycopg.Error as exc:
            raise explain(exc, self.name, self.login) from exc

    def after_bulk_copy(self) -> None:
        identities = self.execute_native(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND is_identity = 'YES'"
        ).fetchall()
        for table, column in identities:
            self.execute_native(
                f'SELECT setval(pg_get_serial_sequence(%s, %s), max("{column}")) '
                f'FROM {table} HAVING max("{column}") IS NOT NULL',
                (table, column),
            )

    def _run(self, query: str, params: Sequence[Any]) -> Any:
        values = tuple(params) if params else None
        try:
            if not self._begin_pending:
                return self.conn.execute(query, values)
            self._begin_pending = False
            with self.conn.pipeline():  # one round trip for both
                self.conn.execute("BEGIN")
                cursor = self.conn.execute(query, values)
            return cursor
        except psycopg.Error as exc:
            raise explain(exc, self.name, self.login) from exc

    def begin(self) -> None:
        self._begin_pending, self._at_commit, self._audit_call = True, [], None
        self.appended = range(0)

    def insert_at_commit(self, sql_text: str, rows: Sequence[Sequence[Any]]) -> None:
        query = to_postgresql(sql_text, has_params=True)
        self._at_commit.append((query, [tuple(r) for r in rows]))

    def commit(self) -> None:
        announce, self._announce = self._announce, False
        tail, self._at_commit = self._at_commit, []
        call, self._audit_call = self._audit_call, None
        begin, self._begin_pending = self._begin_pending, False
        if begin and not tail and call is None:
            return  # nothing was sent: nothing to commit
        chain = None
        try:
            with self.conn.pipeline():  # one round trip for all of it
                if begin:
                    self.conn.execute("BEGIN")
                for query, rows in tail:
                    with self.conn.cursor() as cursor:
                        cursor.executemany(query, rows)
                if call is not None:
                    at, who, items = call
                    actions, entities, ids = (list(column) for column in zip(*items, strict=True))
                    chain = self.conn.execute(
                        "SELECT first_seq, last_seq "
                        "FROM attune_audit_append(%s, %s, %s, %s, %s, %s)",
                        (AUDIT_LOCK, at, who, actions, entities, ids),
                    )
                if announce:
                    self.conn.execute(f"NOTIFY {CHANNEL}")
                self.conn.execute("COMMIT")
            if chain is not None:
                numbers = chain.fetchone()
                assert numbers is not None  # the function always returns one row
                self.appended = range(int(numbers[0]), int(numbers[1]) + 1)
        except psycopg.Error as exc:
            raise explain(exc, self.name, self.login) from exc

    def rollback(self) -> None:
        self._announce, self._begin_pending, self._at_commit = False, False, []
        self._audit_call = None
        if self.conn.closed:
            return
        if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self.execute_native("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        idle = self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        return self._begin_pending or not idle

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.conn.close()

    def append_audit(self, user: str, items: Sequence[tuple[str, str, str]]) -> None:
        if not items:
            return
        if self._server_chain:
            self._audit_call = (stamp(), user, list(items))  # sent with the COMMIT
            return
        head = self.audit_head()
        _, last = append_rows(self, head, user, items)
        self.appended = range(head[1] + 1, last + 1)

    def audit_head(self) -> tuple[str, int]:
        # One round trip: the lock (held until COMMIT/ROLLBACK, so the chain grows in commit
        # order) and then a fresh read of the head (attune_audit_head in pg_security).
        row = self.execute_native("SELECT * FROM attune_audit_head(%s)", (AUDIT_LOCK,)).fetchone()
        return (str(row[0]), int(row[1])) if row is not None and row[0] else (GENESIS, 0)

    def announce_changes(self) -> None:
        self._announce = True  # NOTIFY goes with the COMMIT (delivered only if it commits)

    def changed_elsewhere(self, timeout: float) -> bool:
        if self._listener is None:
            try:
                self._listener = psycopg.connect(self.where.conninfo(), autocommit=True)
                self._listener.execute(f"LISTEN {CHANNEL}")
            except psycopg.Error as exc:
                raise explain(exc, self.name, self.login) from exc
            return True  # catch up with anything committed before we listened
        try:
            return bool(list(self._listener.notifies(timeout=timeout, stop_after=1)))
        except psycopg.Error as exc:
            raise explain(exc, self.name, self.login) from exc

    def integrity_check(self) -> list[str]:
        # The server checks its own storage; this confirms the schema is there and readable.
        row = self.execute_native("SELECT count(*) FROM attune_schema").fetchone()
        return ["ok"] if row is not None and row[0] == 1 else ["the project schema is missing"]


def explain(exc: psycopg.Error, name: str, login: str) -> AttuneError:
    """A user-facing error for a server failure; never the server's own text, which can quote
    the values of a row (clinical text)."""
    if isinstance(exc, pgerr.InsufficientPrivilege):
        table = _table_of(exc)
        return PermissionDeniedError(
            f"{name}: your login '{login}' may not make this change"
            f"{f' (to {table})' if table else ''}; your team role does not allow it — ask a "
            "supervisor or an admin"
        )
    if isinstance(exc, pgerr.ReadOnlySqlTransaction):
        return ReadOnlyError(f"{name} is open read-only; changes cannot be saved")
    if isinstance(exc, pgerr.UniqueViolation):
        return ProjectError(
            f"{name}: this item already exists (someone may have added it just now); reload "
            "and try again"
        )
    if isinstance(exc, pgerr.ForeignKeyViolation):
        return ProjectError(
            f"{name}: this refers to something that is no longer there (removed by someone "
            "else?); reload and try again"
        )
    if isinstance(exc, pgerr.RaiseException):  # our own triggers' messages
        return ProjectError(f"{name}: {exc.diag.message_primary}")
    if isinstance(exc, pgerr.DataError):
        return ProjectError(
            f"{name}: a value cannot be stored on the server ({type(exc).__name__}, e.g. a NUL "
            "character in a text); nothing was saved"
        )
    if isinstance(exc, psycopg.OperationalError):
        return ProjectError(
            f"{name}: lost the connection to the server ({type(exc).__name__}); the last "
            "change was not saved; check the network, then open the project again"
        )
    return ProjectError(
        f"{name}: the server refused the request ({exc.sqlstate or type(exc).__name__}); "
        "nothing was saved"
    )


def _table_of(exc: psycopg.Error) -> str:
    table = exc.diag.table_name
    if table:
        return str(table)
    found = re.search(r'(?:for table|relation) "?(\w+)"?', exc.diag.message_primary or "")
    return found.group(1) if found else ""


# --- connecting, creating, opening ------------------------------------------------------------
def _connect(where: ServerLocation, database: str | None = None) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(where.conninfo(database), autocommit=True, row_factory=_row_factory)
    except psycopg.OperationalError as exc:
        raise _connect_error(exc, where, database) from None


def _connect_error(
    exc: psycopg.OperationalError, where: ServerLocation, database: str | None
) -> ProjectError:
    text = str(exc)
    db = database or where.database
    if "does not exist" in text and "database" in text:
        return _MissingDatabase(
            f"{where.name}: there is no database '{db}' on this server; create the project "
            f"with `attune project new {where.url} --scheme ID`, or check the name"
        )
    if "password authentication failed" in text or "no password supplied" in text:
        return ProjectError(
            f"{where.name}: the server did not accept the login '{where.user}'; put its "
            "password in PGPASSWORD or ~/.pgpass (never in the address), or check the login name"
        )
    if "role" in text and "does not exist" in text:
        return ProjectError(
            f"{where.name}: the server has no login '{where.user}'; ask the team's admin to "
            "add you (attune team add)"
        )
    if "Connection refused" in text or "could not connect" in text or "timeout" in text:
        return ProjectError(
            f"{where.name}: cannot reach the server; check that it is running, the host name "
            "and the port, and your network"
        )
    return ProjectError(f"{where.name}: cannot connect ({type(exc).__name__}); check the address")


class _MissingDatabase(ProjectError):
    pass


def _one(conn: psycopg.Connection[Any], query: str, params: Sequence[Any] = ()) -> Any:
    row = conn.execute(query, tuple(params) or None).fetchone()
    return None if row is None else row[0]


def create_server_project(url: str) -> None:
    """Make an empty database into a fully migrated Attune project with its roles and rules.

    The database is created when absent (that needs the CREATEDB right). The first project
    on a server also creates the group roles (attune_admin ... attune_auditor; that needs
    CREATEROLE). Everything happens in one transaction: it is a project, or nothing changed.
    """
    where = parse_location(url)
    try:
        conn = _connect(where)
    except _MissingDatabase:
        _create_database(where)
        conn = _connect(where)
    try:
        _refuse_non_empty(conn, where)
        encoding = _one(conn, "SHOW server_encoding")
        if str(encoding).upper() not in ("UTF8", "UTF-8"):
            raise ProjectError(
                f"{where.name}: the database uses the {encoding} encoding; Attune needs UTF8 "
                "(createdb -E UTF8 -T template0)"
            )
        backend = PostgresBackend(conn, where, str(_one(conn, "SELECT session_user")))
        backend.begin()
        try:
            pg_security.ensure_roles(backend)
            backend.execute_native("SET LOCAL ROLE attune_admin")  # the team's admins own it
            backend.execute_native(
                "CREATE TABLE attune_schema (id INTEGER PRIMARY KEY CHECK (id = 1), "
                "application TEXT NOT NULL, version INTEGER NOT NULL)"
            )
            backend.execute_native(
                "INSERT INTO attune_schema (id, application, version) VALUES (1, 'attune', 0)"
            )
            _migrate(backend, 0)
            backend.commit()
        except BaseException:
            backend.rollback()
            raise
    finally:
        conn.close()


def _create_database(where: ServerLocation) -> None:
    conn = _connect(where, "postgres")
    try:
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
            ).format(sql.Identifier(where.database))
        )
    except pgerr.InsufficientPrivilege:
        raise ProjectError(
            f"{where.name}: there is no database '{where.database}' and your login may not "
            f"create one; ask the server's administrator to run: createdb -E UTF8 -O "
            f"{where.user} {where.database}"
        ) from None
    except psycopg.Error as exc:
        raise explain(exc, where.name, where.user) from exc
    finally:
        conn.close()


def _refuse_non_empty(conn: psycopg.Connection[Any], where: ServerLocation) -> None:
    if _one(conn, "SELECT to_regclass('public.attune_schema')") is not None:
        raise ProjectError(
            f"{where.name}: already holds an Attune project; open it instead of creating it"
        )
    tables = _one(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    if tables:
        raise ProjectError(
            f"{where.name}: the database already holds {tables} other table(s); create the "
            "project in a new, empty database"
        )


def _migrate(backend: PostgresBackend, from_version: int) -> None:
    """Run the migrations (inside the caller's transaction) as the attune_admin role, so the
    tables belong to the team's admins, then (re)apply grants and row-level security."""
    backend.execute_native("SET LOCAL ROLE attune_admin")
    for version in range(from_version, schema.current_version()):
        schema.MIGRATIONS[version](backend)
    backend.execute_native("UPDATE attune_schema SET version = %s", (schema.current_version(),))
    pg_security.apply(backend)
    backend.execute_native("RESET ROLE")


def open_server_project(url: str, *, read_only: bool) -> tuple[PostgresBackend, str, str]:
    """Connect, check (and if needed upgrade) the project; returns backend, login and role."""
    where = parse_location(url)
    conn = _connect(where)
    try:
        login = str(_one(conn, "SELECT session_user"))
        backend = PostgresBackend(conn, where, login)
        if _one(conn, "SELECT to_regclass('public.attune_schema')") is None:
            raise ProjectError(
                f"{where.name}: is a PostgreSQL database but not an Attune project; create one "
                "with `attune project new URL`, or check the database name"
            )
        role = team_role(backend)
        if role is None:
            raise PermissionDeniedError(
                f"{where.name}: your login '{login}' has no role in Attune team projects on "
                "this server; ask the team's admin to add you (attune team add)"
            )
        version = int(_one(conn, "SELECT version FROM attune_schema"))
        if version > schema.current_version():
            raise ProjectError(
                f"{where.name}: was written by a newer Attune (format {version}; this version "
                f"reads up to {schema.current_version()}); update Attune to open it"
            )
        if version < schema.current_version():
            if read_only or role != "admin":
                raise ProjectError(
                    f"{where.name}: uses an older format ({version}) that must be upgraded "
                    "first; ask an admin of the team to open it once"
                )
            backend.begin()
            try:
                _one(conn, "SELECT version FROM attune_schema FOR UPDATE")  # one upgrader
                if int(_one(conn, "SELECT version FROM attune_schema")) == version:
                    _migrate(backend, version)
                backend.commit()
            except BaseException:
                backend.rollback()
                raise
        if read_only:
            conn.execute("SET default_transaction_read_only = on")
        return backend, login, role
    except BaseException:
        conn.close()
        raise


def team_role(backend: PostgresBackend) -> str | None:
    """The login's strongest Attune role (superusers count as admin), or None."""
    for role in ROLES:
        row = backend.execute_native(
            "SELECT pg_has_role(session_user, %s, 'MEMBER')", (f"attune_{role}",)
        ).fetchone()
        if row is not None and row[0]:
            return role
    return None
