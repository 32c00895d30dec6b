"""The SQLite project store (DESIGN §4)."""

from coder.store.project import Change, Project

__all__ = ["Change", "Project"]
