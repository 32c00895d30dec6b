"""Undo and Redo over the one core CommandStack (coder.commands); nothing is mirrored.

The core stack does the work and is the only record of what can be undone. The Undo/Redo
actions only reflect it (enabled state, "Undo Add Warmth") by listening to it. Every push,
undo and redo from the GUI goes through ``History`` so a refused edit or a failing undo/redo
reaches the user as a message: the core stack rolls the transaction back and keeps its place,
and the actions are re-read from it, so data, stack and menu always agree.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from coder.commands import Command, CommandStack
from coder.errors import CommandError

Report = Callable[[str], None]


def _failure(step: str, exc: Exception) -> str:
    if isinstance(exc, CommandError):
        return f"{step} failed: {exc}. Nothing was changed."
    # A bug must still reach the user (and leave the data as it was), never a silent drift.
    return f"{step} failed unexpectedly ({exc.__class__.__name__}). Nothing was changed."


class History(QObject):
    """Undo/Redo actions bound to the open project's CommandStack (or to none)."""

    changed = Signal()  # after every successful push, undo or redo

    def __init__(self, report: Report, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.stack: CommandStack | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        self.redo_action.triggered.connect(self.redo)
        self.refresh()

    def bind(self, stack: CommandStack | None) -> None:
        """Follow ``stack`` (the open project's), or nothing when no project is open."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.stack = stack
        if stack is not None:
            self._unsubscribe = stack.on_change(self._stack_changed)
        self.refresh()

    def _stack_changed(self) -> None:
        self.refresh()
        self.changed.emit()

    def refresh(self) -> None:
        """Re-read enabled state and labels from the core stack."""
        stack = self.stack
        can_undo = stack is not None and stack.can_undo
        can_redo = stack is not None and stack.can_redo
        self.undo_action.setEnabled(can_undo)
        self.redo_action.setEnabled(can_redo)
        self.undo_action.setText(f"&Undo {stack.undo_text}" if stack and can_undo else "&Undo")
        self.redo_action.setText(f"&Redo {stack.redo_text}" if stack and can_redo else "&Redo")

    def push(self, command: Command) -> bool:
        """Apply ``command`` as one undo step; on refusal show why and return False."""
        if self.stack is None:
            self.report("Open a project first.")
            return False
        try:
            self.stack.push(command)
        except CommandError as exc:
            self.report(str(exc))
            return False
        except Exception as exc:
            self.report(_failure(command.text, exc))
            return False
        return True

    def undo(self) -> bool:
        return self._step("Undo")

    def redo(self) -> bool:
        return self._step("Redo")

    def _step(self, which: str) -> bool:
        stack = self.stack
        if stack is None or not (stack.can_undo if which == "Undo" else stack.can_redo):
            return False
        text = stack.undo_text if which == "Undo" else stack.redo_text
        try:
            stack.undo() if which == "Undo" else stack.redo()
        except Exception as exc:
            self.refresh()
            self.report(_failure(f"{which} {text}", exc))
            return False
        return True
