"""Session > Consent and family: the consent flags that parent-facing and research outputs
check, the family's goal and practice point used in the handout, the session's name on
parent-facing charts, and the skills over non-strength codes the clinician chose to show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from coder.model import Consent, Metric, Session

FLAGS = [
    ("treatment", "Treatment"),
    ("supervision", "Supervision"),
    ("show_to_parents", "Show to parents"),
    ("training", "Training"),
    ("research", "Research"),
]


class SessionDialog(QDialog):
    def __init__(
        self, session: Session, parent: QWidget | None = None, opt_in: Sequence[Metric] = ()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Session: {session.label}")
        self.session = session
        self.label, self.family = QLineEdit(session.label), QLineEdit(session.family)
        self.goal, self.practice = QLineEdit(session.goal), QLineEdit(session.practice_point)
        self.parent_name = QLineEdit(session.parent_name)
        self.parent_name.setPlaceholderText("none: charts for parents show no session names")
        self.opt_in = {m.id: QCheckBox(m.name) for m in opt_in}
        for metric_id, box in self.opt_in.items():
            box.setChecked(metric_id in session.parent_metrics)
        self.flags = {key: QCheckBox(text) for key, text in FLAGS}
        for key, box in self.flags.items():
            box.setChecked(bool(getattr(session.consent, key)))
        form = QFormLayout(self)
        form.addRow("Label", self.label)
        form.addRow("Family (shown to parents)", self.family)
        form.addRow("Goal / helping question", self.goal)
        form.addRow("Practice point for home", self.practice)
        form.addRow("Name shown to parents", self.parent_name)
        for n, box in enumerate(self.opt_in.values()):
            form.addRow("Also show parents" if n == 0 else "", box)
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
            parent_name=self.parent_name.text().strip(),
            parent_metrics=tuple(
                [m for m in self.session.parent_metrics if m not in self.opt_in]
                + [m for m, box in self.opt_in.items() if box.isChecked()]
            ),
        )
