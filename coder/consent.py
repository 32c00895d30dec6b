"""Consent checks shared by the GUI, the CLI and every parent-facing or research output."""

from __future__ import annotations

from coder.errors import ConsentError
from coder.model import Session

_WHERE = "record it in the session's consent settings (Session > Consent) first"


def require_show_to_parents(session: Session, what: str) -> None:
    """Refuse ``what`` (e.g. "the parent handout") without consent to show the video to parents."""
    if not session.consent.show_to_parents:
        raise ConsentError(
            f"Session '{session.label}' has no consent to show recordings to parents, "
            f"so {what} cannot be made; if the family agreed, {_WHERE}."
        )


def require_research(session: Session, what: str = "a research export") -> None:
    """Refuse a research export of a session without research consent."""
    if not session.consent.research:
        raise ConsentError(
            f"Session '{session.label}' has no consent for research use, so it cannot go into "
            f"{what}; leave it out, or if the family agreed, {_WHERE}."
        )
