"""A small keyboard-first popup to choose an event's modifiers (Esc skips)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from coder.model import Modifier, ModifierKind, ModifierValue


class ModifierPopup(QDialog):
    """Choose one modifier's value: digits pick a choice, Enter confirms, Esc skips."""

    def __init__(self, code_name: str, modifier: Modifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.modifier = modifier
        self.setWindowTitle(f"{code_name}: {modifier.name}")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(f"<b>{modifier.name}</b> — press a number, Enter to confirm, Esc to skip")
        )
        self.list: QListWidget | None = None
        self.spin: QDoubleSpinBox | None = None
        if modifier.kind is ModifierKind.NUMERIC:
            self.spin = QDoubleSpinBox(self)
            self.spin.setRange(
                modifier.minimum if modifier.minimum is not None else -1e9,
                modifier.maximum if modifier.maximum is not None else 1e9,
            )
            layout.addWidget(self.spin)
        else:
            self.list = QListWidget(self)
            for i, value in enumerate(modifier.values, start=1):
                self.list.addItem(f"{i}  {value}")
            multiple = modifier.kind is ModifierKind.MULTIPLE
            self.list.setSelectionMode(
                QAbstractItemView.SelectionMode.MultiSelection
                if multiple
                else QAbstractItemView.SelectionMode.SingleSelection
            )
            self.list.setCurrentRow(0)
            if multiple:
                self.list.clearSelection()  # nothing chosen until a number is pressed
            layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if self.list is not None and text.isdigit() and 1 <= int(text) <= self.list.count():
            item = self.list.item(int(text) - 1)
            if self.modifier.kind is ModifierKind.MULTIPLE:
                item.setSelected(not item.isSelected())
            else:
                self.list.setCurrentItem(item)
                self.accept()
            return
        super().keyPressEvent(event)

    def value(self) -> ModifierValue | None:
        if self.spin is not None:
            return float(self.spin.value())
        assert self.list is not None
        chosen = [self.modifier.values[self.list.row(i)] for i in self.list.selectedItems()]
        if self.modifier.kind is ModifierKind.MULTIPLE:
            return tuple(v for v in self.modifier.values if v in chosen)
        row = self.list.currentRow()
        return self.modifier.values[row] if row >= 0 else None


def ask_modifiers(
    code_name: str, modifiers: list[Modifier], parent: QWidget | None = None
) -> dict[str, ModifierValue]:
    values: dict[str, ModifierValue] = {}
    for modifier in modifiers:
        popup = ModifierPopup(code_name, modifier, parent)
        popup.setWindowModality(Qt.WindowModality.ApplicationModal)
        if popup.exec() != QDialog.DialogCode.Accepted:
            break  # Esc: skip the remaining modifiers too
        value = popup.value()
        if value is not None and value != ():
            values[modifier.id] = value
    return values
