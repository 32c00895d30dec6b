"""The Qt undo stack is only a view of coder.commands.CommandStack (which does the work).

A command is pushed to the core stack first (it validates and writes in one transaction);
only if that succeeds is a QUndoCommand added, whose undo/redo call the core stack. So Edit >
Undo, the undo view and the core stay in step, and a refused edit never reaches Qt.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from coder.commands import Command, CommandStack
from coder.errors import CommandError


class _Mirror(QUndoCommand):
    def __init__(self, core: CommandStack, command: Command) -> None:
        super().__init__(command.text)
        self.core = core
        self.first = True

    def redo(self) -> None:
        if self.first:  # already applied by CommandStack.push
            self.first = False
            return
        self.core.redo()

    def undo(self) -> None:
        self.core.undo()


class UndoBridge:
    def __init__(self, core: CommandStack, parent: QWidget | None = None) -> None:
        self.core = core
        self.qt = QUndoStack(parent)
        self.on_error = lambda message: None  # set by the window to show the message

    def push(self, command: Command) -> bool:
        """Apply ``command``; on refusal report the message and return False."""
        try:
            self.core.push(command)
        except CommandError as exc:
            self.on_error(str(exc))
            return False
        self.qt.push(_Mirror(self.core, command))
        return True
