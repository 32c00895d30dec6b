"""`attune project new/push/pull` with a server address, and `attune team list/add/remove`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import psycopg
import pytest

from coder.store.pg_team import scram_verifier
from tests.pgserver import PgServer
from ui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_project_on_a_server_and_team_members(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_server.new_database_url()
    assert run(capsys, "project", "new", url, "--scheme", "attachment-core")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    code, out, _ = run(
        capsys, "team", "add", url, "dora", "--role", "coder", "--new-login", "--password-stdin"
    )
    assert (code, out) == (0, "created dora: coder\n")
    # The new login works with its password (kept here only by the test itself).
    dora = url.replace("//attune_root@", "//dora@")
    with psycopg.connect(dora, password="correct horse battery") as conn:
        assert conn.execute("SELECT session_user").fetchone() == ("dora",)
    assert (
        run(capsys, "team", "add", url, "dora", "--role", "supervisor")[1] == "dora: supervisor\n"
    )
    code, out, _ = run(capsys, "team", "list", url)
    assert code == 0 and "dora\tsupervisor" in out.splitlines()
    assert run(capsys, "team", "remove", url, "dora")[0] == 0
    assert "dora" not in run(capsys, "team", "list", url)[1]
    code, _, err = run(capsys, "team", "add", url, "nobody", "--role", "coder")
    assert code == 1 and "no login 'nobody'" in err


def test_push_and_pull_commands(
    pg_server: PgServer, demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.new_database_url()
    code, out, _ = run(capsys, "project", "push", str(demo_copy), url)
    assert code == 0 and out.startswith(f"pushed {demo_copy} to {url}: 1 sessions, 2 observations")
    back = tmp_path / "back.attune"
    assert run(capsys, "project", "pull", url, str(back))[0] == 0
    # Every other command takes the server address as well as a file.
    listed = [run(capsys, "events", "list", where, "--json")[1] for where in (url, str(back))]
    assert json.loads(listed[0]) == json.loads(listed[1]) != []


def test_passwords_never_in_the_address(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "project", "pull", "postgresql://ann:hunter2@db.example/clinic", str(tmp_path / "x")
    )
    assert code == 1 and "holds a password" in err and "hunter2" not in err


def test_scram_verifier_matches_rfc7677_example() -> None:
    # RFC 7677 section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==.
    import base64

    verifier = scram_verifier("pencil", salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
    assert verifier.startswith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$")
    # ServerSignature in the RFC is HMAC(ServerKey, AuthMessage); check ServerKey that way.
    import hashlib
    import hmac

    server_key = base64.b64decode(verifier.rsplit(":", 1)[1])
    auth = (
        b"n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    )
    signature = hmac.new(server_key, auth, hashlib.sha256).digest()
    assert base64.b64encode(signature) == b"6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
