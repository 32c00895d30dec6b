"""The project store: SQLite files and PostgreSQL team projects (DESIGN §4, §11)."""

from coder.store.changes import Change
from coder.store.project import Project

__all__ = ["Change", "Project"]
