"""Where file dialogs start and what they propose: the project's folder, and a name made of
the session, what the file is and the date (never "export.csv" in the program's folder)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(text: str) -> str:
    """``text`` usable as a file name on Windows, macOS and Linux (no separators/controls)."""
    cleaned = _UNSAFE.sub("-", text).strip(" .-")
    return re.sub(r"\s+", " ", cleaned)[:80] or "attune"


def project_folder(location: str | Path | None) -> Path:
    """The folder holding the project file; the home folder for none or a server project."""
    if location is None or "://" in str(location):
        return Path.home()
    return Path(location).resolve().parent


def suggested_path(
    location: str | Path | None,
    session_label: str,
    what: str,
    extension: str,
    today: date | None = None,
) -> Path:
    """e.g. <project folder>/Week 3 - handout - 2026-11-24.pdf"""
    day = (today or date.today()).isoformat()
    parts = [safe_name(p) for p in (session_label, what) if p.strip()]
    return project_folder(location) / f"{' - '.join([*parts, day])}.{extension.lstrip('.')}"
