"""Rename or retype a segment: its name and which of the scheme's segment definitions it is
(which decides the metrics' targets and the rating rows it gets)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from coder.model import Scheme, Segment
from coder.timefmt import format_clock


class SegmentDialog(QDialog):
    def __init__(self, segment: Segment, scheme: Scheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.segment = segment
        self.setWindowTitle("Segment")
        self.name = QLineEdit(segment.name)
        self.kind = QComboBox()
        self.kind.addItem("(none of the scheme's)", None)
        for definition in scheme.segments:
            self.kind.addItem(definition.name, definition.id)
        self.kind.setCurrentIndex(max(0, self.kind.findData(segment.definition_id)))
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        form = QFormLayout(self)
        form.addRow(
            "Time",
            QLineEdit(
                f"{format_clock(segment.onset_ms)} – {format_clock(segment.offset_ms)}",
                readOnly=True,
            ),
        )
        form.addRow("Name", self.name)
        form.addRow("Type", self.kind)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._names = {d.id: d.name for d in scheme.segments}

    def _kind_chosen(self, _index: int) -> None:
        """Retyping renames too, unless the name was already changed by hand."""
        if self.name.text().strip() in (self.segment.name, *self._names.values()):
            chosen = self.kind.currentData()
            if chosen is not None:
                self.name.setText(self._names[chosen])

    def result_segment(self) -> Segment:
        definition = self.kind.currentData()
        return replace(
            self.segment,
            name=self.name.text().strip() or self.segment.name,
            definition_id=None if definition is None else str(definition),
        )
