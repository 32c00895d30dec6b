"""Session > Consent and family: the consent flags that parent-facing and research outputs
check, and the family's goal and practice point used in the handout."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from coder.model import Consent, Session

FLAGS = [
    ("treatment", "Treatment"),
    ("supervision", "Supervision"),
    ("show_to_parents", "Show to parents"),
    ("training", "Training"),
    ("research", "Research"),
]


class SessionDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Session: {session.label}")
        self.session = session
        self.label, self.family = QLineEdit(session.label), QLineEdit(session.family)
        self.goal, self.practice = QLineEdit(session.goal), QLineEdit(session.practice_point)
        self.flags = {key: QCheckBox(text) for key, text in FLAGS}
        for key, box in self.flags.items():
            box.setChecked(bool(getattr(session.consent, key)))
        form = QFormLayout(self)
        form.addRow("Label", self.label)
        form.addRow("Family (shown to parents)", self.family)
        form.addRow("Goal / helping question", self.goal)
        form.addRow("Practice point for home", self.practice)
        for key, _ in FLAGS:
            form.addRow("Consent" if key == "treatment" else "", self.flags[key])
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def result_session(self) -> Session:
        consent = Consent(**{key: box.isChecked() for key, box in self.flags.items()})
        return replace(
            self.session,
            label=self.label.text().strip() or self.session.label,
            family=self.family.text().strip(),
            goal=self.goal.text().strip(),
            practice_point=self.practice.text().strip(),
            consent=consent,
        )
