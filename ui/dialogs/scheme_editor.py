"""Scheme editor: edit a coding scheme's YAML with live validation, a table of its codes
(keys, colours, kinds), key-clash warnings, save to the user's scheme folder, and adopt the
new version into the open project explicitly (old codings keep their snapshot).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.errors import AttuneError, SchemeError
from coder.model import Scheme
from coder.schemes import load_scheme_text, scheme_content_hash
from coder.store import Project

RESERVED = {" ", "[", "]", "\\"}  # transport keys of the main window
NEW_CODE = """  - id: new_code
    name: New code
    kind: point
    key: "?"
    color: "#888888"
    valence: neutral
    description: What a coder should see to press this key.
"""


def user_scheme_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(base or Path.home() / ".attune") / "schemes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class SchemeEditor(QDialog):
    def __init__(
        self, text: str, project: Project | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Coding scheme")
        self.project = project
        self.scheme: Scheme | None = None
        self.editor = QPlainTextEdit(text)
        self.editor.setFont(QFont("Monospace", 10))
        self.problems = QListWidget()
        self.codes = QTableWidget(0, 6)
        self.codes.setHorizontalHeaderLabels(
            ["Key", "Code", "Kind", "Valence", "Subjects", "Colour"]
        )
        self.status = QLabel("")
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.validate)
        self.editor.textChanged.connect(self._timer.start)
        self.add_button = QPushButton("Add code")
        self.add_button.clicked.connect(self.add_code)
        self.save_button = QPushButton("Save to my schemes")
        self.save_button.clicked.connect(self.save)
        self.adopt_button = QPushButton("Adopt into project")
        self.adopt_button.clicked.connect(self.adopt)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.save_button, self.adopt_button, self.close_button):
            buttons.addWidget(button)
        right = QSplitter()
        right.setOrientation(right.orientation().Vertical)
        right.addWidget(self.codes)
        right.addWidget(self.problems)
        split = QSplitter()
        split.addWidget(self.editor)
        split.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(1100, 700)
        self.validate()

    def validate(self) -> list[str]:
        """Validate the text now; returns the problems (also listed in the dialog)."""
        self.problems.clear()
        try:
            self.scheme = load_scheme_text(self.editor.toPlainText(), "scheme")
            problems: list[str] = []
        except SchemeError as exc:
            self.scheme = None
            problems = exc.problems
        warnings = self._warnings()
        for text in problems:
            self.problems.addItem(text)
            self.problems.item(self.problems.count() - 1).setForeground(QColor("#b00020"))
        for text in warnings:
            self.problems.addItem(text)
            self.problems.item(self.problems.count() - 1).setForeground(QColor("#8a6d00"))
        self._fill_codes()
        ok = self.scheme is not None
        self.status.setText(
            "Valid"
            if ok and not warnings
            else "Valid, with warnings"
            if ok
            else f"{len(problems)} problem(s) — the scheme cannot be used yet"
        )
        self.save_button.setEnabled(ok)
        self.adopt_button.setEnabled(ok and self.project is not None)
        return problems

    def _warnings(self) -> list[str]:
        if self.scheme is None:
            return []
        out = []
        for code in self.scheme.codes:
            if code.key and code.key in RESERVED:
                out.append(f"key '{code.key}' of {code.name} is used by playback; choose a letter")
            if code.key and code.key.isupper():
                out.append(
                    f"key '{code.key}' of {code.name}: capitals are subject keys (Shift); "
                    "use a lower-case letter"
                )
            if not code.key:
                out.append(f"{code.name} has no key; it can only be added from the timeline")
        return out

    def _fill_codes(self) -> None:
        codes = self.scheme.codes if self.scheme else ()
        self.codes.setRowCount(len(codes))
        for r, c in enumerate(codes):
            values = [
                c.key or "",
                c.name,
                c.kind.value,
                c.valence.value,
                ", ".join(c.subjects) or "all",
                c.color,
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 5:
                    item.setBackground(QColor(c.color))
                self.codes.setItem(r, col, item)
        self.codes.resizeColumnsToContents()

    def add_code(self) -> None:
        text = self.editor.toPlainText()
        marker = "\ncodes:\n"
        if marker in text:
            i = text.index(marker) + len(marker)
            text = text[:i] + NEW_CODE + text[i:]
        else:
            text = text.rstrip("\n") + "\ncodes:\n" + NEW_CODE
        self.editor.setPlainText(text)

    def save(self) -> Path | None:
        if self.scheme is None:
            return None
        from exports.atomic import atomic_write

        path = user_scheme_folder() / f"{self.scheme.id}-{self.scheme.version}.yaml"
        with atomic_write(path, "w") as fh:
            fh.write(self.editor.toPlainText())
        self.status.setText(f"Saved {path}")
        return path

    def adopt(self) -> None:
        if self.scheme is None or self.project is None:
            return
        text = self.editor.toPlainText()
        try:
            snap = self.project.adopt_scheme(self.scheme, text, scheme_content_hash(text))
        except AttuneError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(
            f"Adopted {self.scheme.name} v{self.scheme.version} (snapshot {snap.id[:8]}); "
            "new observations use it, existing codings keep theirs."
        )
