"""Test-wide setup: Qt runs offscreen, never on a real display; a shared small demo project."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 20 s demo session (video + project) built once per test run."""
    from coder.demo import build_demo

    out = tmp_path_factory.mktemp("demo")
    build_demo(out, seconds=20)
    return out


@pytest.fixture
def demo_copy(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project (same video), safe to modify."""
    target = tmp_path / "demo.attune"
    shutil.copy(demo_dir / "demo.attune", target)
    return target


# One throwaway PostgreSQL server per test run, for every test folder (tests/pgserver.py).
from tests.core.store_fixtures import pg_server  # noqa: E402, F401
