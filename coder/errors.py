"""Error types shared across the core. Every user-facing failure is one of these.

Messages name the file, the place and the fix; they never contain clinical text.
"""

from __future__ import annotations


class AttuneError(Exception):
    """Base class for errors shown to users as a message, never as a traceback."""


class SchemeError(AttuneError):
    """A coding scheme file is invalid. ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = problems if problems is not None else [message]


class ProjectError(AttuneError):
    """A project file cannot be opened, migrated or written."""


class DiskFullError(ProjectError):
    """A write failed because the disk is full; the transaction was rolled back."""


class ProjectLockedError(ProjectError):
    """Another Attune instance holds the project; it can only be opened read-only."""


class ReadOnlyError(ProjectError):
    """A write was attempted on a project opened read-only."""


class MediaError(AttuneError):
    """A media file is missing, unreadable or cannot be decoded."""


class CommandError(AttuneError):
    """A command cannot be applied (unknown code, bad time, running state, ...)."""


class ImportFormatError(AttuneError):
    """An imported or exported file is malformed; the message names file and place."""


class OutputPathError(AttuneError):
    """An output cannot be written where asked (a folder, a missing or read-only folder)."""


class BundleError(AttuneError):
    """An encrypted project bundle cannot be made or opened."""


class WrongPassphraseError(BundleError):
    """The passphrase does not open this bundle (or its header was changed)."""


class TamperedBundleError(BundleError):
    """A bundle's content does not match its seal: changed, damaged or cut short."""


class Cancelled(AttuneError):
    """A long job was cancelled by the user; nothing was written."""


class ConsentError(AttuneError):
    """The session's recorded consent does not allow this use (e.g. showing to parents)."""


class ConcurrentEditError(CommandError):
    """Someone else changed or removed this row since it was loaded; nothing was saved.

    ``current`` is the row as it is now (None when it was removed), so the caller can show it.
    """

    def __init__(self, message: str, entity: str, entity_id: str, current: object | None) -> None:
        super().__init__(message)
        self.entity, self.entity_id, self.current = entity, entity_id, current


class PermissionDeniedError(ProjectError):
    """The database server refused this change for the login's role (team projects)."""


class BlindCodingError(ProjectError):
    """Another coder's work is hidden from a coder who codes the same session blind."""
