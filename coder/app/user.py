"""Who is using Attune: one definition for the GUI, the CLI, the lock file and the audit log."""

from __future__ import annotations

import getpass
import os


def current_user(explicit: str | None = None) -> str:
    """The coder's name: ``explicit`` (``--as``), else ATTUNE_USER, else the OS login.

    ``getpass.getuser`` reads LOGNAME, USER, LNAME and USERNAME (Windows sets USERNAME) before
    asking the password database, which Windows does not have; any failure gives "unknown".
    """
    for candidate in (explicit, os.environ.get("ATTUNE_USER")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        name = getpass.getuser()
    except Exception:  # no login name anywhere (a bare container, a service account)
        return "unknown"
    return name.strip() or "unknown"
