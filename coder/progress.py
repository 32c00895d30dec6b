"""Progress and cancellation of long jobs: one definition for the core, exports and the GUI.

A job takes ``progress`` (called with the fraction done, 0..1) and ``cancel`` (returns True
once the user asked to stop); both may be None. Jobs call ``check_cancel(cancel, what)``
between steps and report sub-steps through ``part(progress, start, end)``.
"""

from __future__ import annotations

from collections.abc import Callable

from coder.errors import Cancelled

Progress = Callable[[float], None]  # fraction done, 0..1
Cancel = Callable[[], bool]  # True once the user pressed Cancel


def report(progress: Progress | None, fraction: float) -> None:
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)))


def check_cancel(cancel: Cancel | None, what: str = "the job") -> None:
    """Raise Cancelled if the user asked to stop."""
    if cancel is not None and cancel():
        raise Cancelled(f"{what} cancelled; nothing was written")


def part(progress: Progress | None, start: float, end: float) -> Progress | None:
    """A progress callback for a sub-step covering ``start``..``end`` of the whole."""
    if progress is None:
        return None
    whole = progress
    return lambda fraction: report(whole, start + (end - start) * fraction)
