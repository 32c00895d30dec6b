"""Who is coding? Asked each time a project is opened (several clinicians may share one
machine); the last answer on this machine is offered first, else the OS user.

The name decides what a blind coder may see: their own observations only, until every
observation of the session is marked final. It is also the name in the project's audit log.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


def default_user() -> str:
    """Offered when nobody has coded on this machine yet: ATTUNE_USER, else the OS login
    (coder.app.user, the one definition the CLI uses too)."""
    from coder.app.user import current_user

    name = current_user()
    return "" if name == "unknown" else name


class CoderDialog(QDialog):
    def __init__(self, project_name: str, default: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Open {project_name}")
        self.name = QLineEdit(default)
        self.name.selectAll()
        hint = QLabel(
            "Your name is recorded with every change. If you code blind, you see only your "
            "own observations until every coder of that session has marked theirs final."
        )
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Who is coding?</b>"))
        layout.addWidget(self.name)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self._check()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name.text().strip()))

    def chosen(self) -> str:
        return self.name.text().strip()


def ask_coder(project_name: str, default: str, parent: QWidget | None = None) -> str | None:
    """The coder's name, or None when the user cancelled (then nothing is opened).
    ``default`` is offered first; when empty, the OS user."""
    dialog = CoderDialog(project_name, default or default_user(), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.chosen():
        return None
    return dialog.chosen()
