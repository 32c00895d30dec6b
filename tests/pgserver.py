"""A throwaway PostgreSQL server for tests and benchmarks: initdb into a temp folder, a free
port on 127.0.0.1, torn down (immediate stop + folder removed) afterwards.

Uses Debian's ``postgresql`` package (``/usr/lib/postgresql/<version>/bin``) or any
``initdb``/``pg_ctl`` on PATH. PostgreSQL refuses to run as root, so under root (CI) the
server runs as the ``postgres`` system user the package creates. Logins authenticate with
SCRAM passwords kept in a private passfile (``PGPASSFILE``), the same way a clinic's
``~/.pgpass`` would: no password ever appears in a URL or on a command line.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from itertools import count
from pathlib import Path

SUPERUSER = "attune_root"


def find_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None when PostgreSQL is absent."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for folder in [*reversed(candidates), *(os.environ.get("PATH", "").split(os.pathsep))]:
        if all(os.access(os.path.join(folder, b), os.X_OK) for b in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self, bin_dir: Path, *, fsync: bool = False) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="attune-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.passfile = self.root / "pgpass"
        self._passwords: dict[str, str] = {}
        self._numbers = count(1)
        self._run_as: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            self._run_as = pwd.getpwnam("postgres")
            os.chown(self.root, self._run_as.pw_uid, self._run_as.pw_gid)
        secret = self.root / "superuser-password"
        self._passwords[SUPERUSER] = os.urandom(12).hex()
        secret.write_text(self._passwords[SUPERUSER])
        if self._run_as is not None:
            os.chown(secret, self._run_as.pw_uid, self._run_as.pw_gid)
        self._pg(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(secret),
            "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8",
            "--locale=C", "--no-instructions",
        )  # fmt: skip
        secret.unlink()
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            f"-c fsync={'on' if fsync else 'off'} -c max_connections=60 "
            "-c shared_buffers=16MB"
        )
        self._pg(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self._write_passfile()

    def _pg(self, program: str, *args: str) -> None:
        kwargs: dict[str, object] = {}
        if self._run_as is not None:
            kwargs = {
                "user": self._run_as.pw_uid,
                "group": self._run_as.pw_gid,
                "extra_groups": [],
            }
        result = subprocess.run(
            [str(self.bin_dir / program), *args],
            capture_output=True,
            text=True,
            cwd=self.root,
            check=False,
            **kwargs,  # type: ignore[arg-type]
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stderr.strip() or result.stdout}")

    def _write_passfile(self) -> None:
        lines = [f"127.0.0.1:{self.port}:*:{u}:{p}" for u, p in self._passwords.items()]
        fd = os.open(self.passfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")

    # --- URLs and logins ------------------------------------------------------------------
    @property
    def logins(self) -> set[str]:
        return set(self._passwords)

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def new_database_url(self, user: str = SUPERUSER) -> str:
        """A name for a database that does not exist yet (Project.create makes it)."""
        return self.url(f"t{next(self._numbers)}", user)

    def add_login(self, name: str, *, createdb: bool = False, createrole: bool = False) -> None:
        """A person's own login (no Attune role yet), its password in the passfile."""
        import psycopg
        from psycopg import sql

        password = os.urandom(12).hex()
        extras = (" CREATEDB" if createdb else "") + (" CREATEROLE" if createrole else "")
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}" + extras).format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
        self._passwords[name] = password
        self._write_passfile()

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Run one statement as the superuser (test set-up only)."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(statement.encode())
            return list(cur.fetchall()) if cur.description else []

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_server(*, fsync: bool = False) -> Iterator[PgServer]:
    """A running server with PGPASSFILE pointing at its passfile, for the duration."""
    bin_dir = find_binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    server = PgServer(bin_dir, fsync=fsync)
    saved = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.passfile)
    try:
        yield server
    finally:
        if saved is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = saved
        server.stop()
