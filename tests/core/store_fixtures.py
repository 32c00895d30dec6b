"""Projects on every store backend, for the parametrised store suite.

``backend_name`` runs each test once per backend: "sqlite" (a file in tmp_path) and
"postgresql" (a fresh database on the session's throwaway server, see tests/pgserver.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.model import Consent, Fingerprint, Media, Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from tests.pgserver import SUPERUSER, PgServer, find_binaries, throwaway_server

BACKENDS = ["sqlite", "postgresql"]


def fill(p: Project, video: str) -> None:
    """The attachment-core scheme, one session with a (fake) video, one observation."""
    scheme, text = load_shipped("attachment-core")
    snap = p.adopt_scheme(scheme, text, scheme_content_hash(text))
    media = Media("m1", video, Fingerprint(10, "a" * 64, "b" * 64, 60_000), 60_000, 25.0, 160, 120)
    with p.transaction():
        p.add_media(media, [i * 40 for i in range(1500)])
        p.add_session(Session("s1", "Week 1", "m1", family="Rivera", consent=Consent()))
    p.add_observation(Observation("o1", "s1", "Therapist A", snap.id, name="Week 1/Therapist A"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the whole run (skipped where it is not installed)."""
    if find_binaries() is None:
        pytest.skip(
            "PostgreSQL is not installed (Debian: apt-get install postgresql); "
            "the team-store tests need initdb and pg_ctl"
        )
    with throwaway_server() as server:
        yield server


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_location(backend_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a new, empty project can be created on this backend."""
    if backend_name == "sqlite":
        return str(tmp_path / "p.attune")
    server = request.getfixturevalue("pg_server")
    return str(server.new_database_url())


@pytest.fixture
def store(new_location: str, tmp_path: Path) -> Iterator[Project]:
    """A filled project on each backend (the PostgreSQL one opened by its admin login)."""
    p = Project.create(new_location, user="tester")
    fill(p, str(tmp_path / "video.mp4"))
    yield p
    p.close()


def as_login(server: PgServer, location: str, login: str, role: str) -> str:
    """The same project's URL for another person's login with an Attune role (made once)."""
    if login not in server.logins:
        server.add_login(login)
        server.sql(f"GRANT attune_{role} TO {login}")
    return location.replace(f"//{SUPERUSER}@", f"//{login}@")
