"""The coding pad: one button per code, for touch screens and for people who do not know the
keys yet. A click is exactly a key press (CodingController.press: same subject rules, same
reaction shift); a state's button stays down while that state runs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QPushButton, QScrollArea, QVBoxLayout, QWidget

from coder.app.session import SessionMessage
from coder.model import Code
from coder.store import Change
from ui.coding import CodingController

COLUMNS = 2


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on the code's colour."""
    h = hex_colour.lstrip("#")
    try:
        r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "black"
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "white"


class CodingPad(QScrollArea):
    def __init__(self, coding: CodingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.coding = coding
        self.buttons: dict[str, QPushButton] = {}
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        groups: dict[str, list[Code]] = {}
        for code in coding.scheme.codes:
            groups.setdefault(code.category or "Codes", []).append(code)
        for name, codes in groups.items():
            box = QGroupBox(name.replace("_", " ").capitalize())
            grid = QGridLayout(box)
            for i, code in enumerate(codes):
                grid.addWidget(self._button(code), i // COLUMNS, i % COLUMNS)
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)
        self._unsubscribe: Callable[[], None] = coding.session.subscribe(self._on_message)
        self._show_running()

    def _button(self, code: Code) -> QPushButton:
        key = f"  [{code.key}]" if code.key else ""
        button = QPushButton(f"{code.name}{key}")
        button.setToolTip(code.description or code.name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the video
        button.setMinimumHeight(36)
        button.setCheckable(code.is_state)
        colour = code.color or "#dddddd"
        button.setStyleSheet(
            f"QPushButton {{ background: {colour}; color: {_text_colour(colour)}; "
            "border: 1px solid #555; border-radius: 4px; padding: 4px; }"
            "QPushButton:checked { border: 3px solid #d01010; font-weight: bold; }"
        )
        button.clicked.connect(lambda _=False, c=code: self._clicked(c))
        self.buttons[code.id] = button
        return button

    def _clicked(self, code: Code) -> None:
        self.coding.press(code)
        self._show_running()

    def close_pad(self) -> None:
        self._unsubscribe()

    def _on_message(self, message: SessionMessage) -> None:
        if isinstance(message, Change) and message.entity == "event":
            self._show_running()

    def _show_running(self) -> None:
        running = {e.code_id for e in self.coding.session.running_states()}
        for code_id, button in self.buttons.items():
            if button.isCheckable():
                button.setChecked(code_id in running)
