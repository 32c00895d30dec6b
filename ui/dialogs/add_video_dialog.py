"""Adding a session video asks what the session is called and who codes it first (both
prefilled: the file's name and the person coding now)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget


class AddVideoDialog(QDialog):
    def __init__(self, file_name: str, label: str, coder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add session video")
        self.label = QLineEdit(label)
        self.label.setMinimumWidth(360)
        self.coder = QLineEdit(coder)
        form = QFormLayout(self)
        form.addRow("Video", QLabel(file_name))
        form.addRow("Session name", self.label)
        form.addRow("Coded by", self.coder)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.label.textChanged.connect(self._check)
        self.coder.textChanged.connect(self._check)

    def _check(self) -> None:
        ok = bool(self.label.text().strip() and self.coder.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def values(self) -> tuple[str, str]:
        return self.label.text().strip(), self.coder.text().strip()
