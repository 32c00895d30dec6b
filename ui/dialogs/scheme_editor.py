"""Scheme editor for clinicians: a form (codes with name, key, colour, kind, subjects and
valence; groups; ratings with anchors; segments; metrics) and, as a second tab, the YAML it
writes. Both are checked live by the one scheme loader; key clashes are warned about; save to
the user's scheme folder, and adopt the new version into the open project explicitly (old
codings keep their snapshot). The form's rules are coder.scheme_draft's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coder.errors import AttuneError, SchemeError
from coder.model import Scheme
from coder.scheme_draft import SECTIONS, Column, SchemeDraft
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
        self.draft: SchemeDraft | None = None
        self._filling = False  # the form is being refilled: its cell signals are not edits
        self.tables: dict[str, QTableWidget] = {}
        self.form = QTabWidget()
        for section, columns in SECTIONS.items():
            self.form.addTab(self._section_page(section, columns), section.capitalize())
        self.codes = self.tables["codes"]
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
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form, "Form")
        self.tabs.addTab(self.editor, "YAML")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tabs)
        split.addWidget(self.problems)
        split.setSizes([560, 120])
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

    # --- the form ---------------------------------------------------------------------------
    def _section_page(self, section: str, columns: tuple[Column, ...]) -> QWidget:
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels([c.title for c in columns])
        for i, column in enumerate(columns):
            header = table.horizontalHeaderItem(i)
            if header is not None and column.choices:
                header.setToolTip("One of: " + ", ".join(column.choices))
            elif header is not None and column.kind == "anchors":
                header.setToolTip("value=words; e.g. 1=Cold; 7=Warm")
            elif header is not None and column.kind == "list":
                header.setToolTip("Separate several with commas")
        table.horizontalHeader().setStretchLastSection(True)
        table.itemChanged.connect(lambda item, s=section: self._cell_edited(s, item))
        self.tables[section] = table
        add = QPushButton(f"Add to {section}")
        add.clicked.connect(lambda _=False, s=section: self.add_row(s))
        remove = QPushButton("Remove selected")
        remove.clicked.connect(lambda _=False, s=section: self.remove_row(s))
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(table, 1)
        layout.addLayout(row)
        return page

    def _fill_codes(self) -> None:
        """Refill the form from the YAML (when it can be read as a mapping)."""
        try:
            self.draft = SchemeDraft.from_text(self.editor.toPlainText())
        except SchemeError:
            return  # unreadable YAML: the form keeps its last state, problems say why
        self._filling = True
        try:
            for section, table in self.tables.items():
                cells = self.draft.table(section)
                table.setRowCount(len(cells))
                for r, values in enumerate(cells):
                    for c, value in enumerate(values):
                        item = QTableWidgetItem(value)
                        if SECTIONS[section][c].field == "color" and QColor.isValidColorName(value):
                            item.setBackground(QColor(value))
                        table.setItem(r, c, item)
                table.resizeColumnsToContents()
        finally:
            self._filling = False

    def _cell_edited(self, section: str, item: QTableWidgetItem) -> None:
        if self._filling or self.draft is None:
            return
        try:
            self.draft.set_cell(section, item.row(), item.column(), item.text())
        except ValueError as exc:
            self.status.setText(str(exc))
            self._fill_codes()  # back to what the scheme says
            return
        self._write_yaml()

    def _write_yaml(self) -> None:
        """The form changed: the YAML tab shows (and validation checks) what it now says."""
        assert self.draft is not None
        self.editor.setPlainText(self.draft.to_yaml())
        self._timer.stop()
        self.validate()

    def add_row(self, section: str, name: str = "") -> None:
        if self.draft is None:
            self.status.setText("Fix the YAML first: the form cannot read it")
            return
        self.draft.add_row(section, name or f"New {section.rstrip('s')}")
        self._write_yaml()

    def remove_row(self, section: str) -> None:
        table = self.tables[section]
        if self.draft is None or table.currentRow() < 0:
            return
        self.draft.remove_row(section, table.currentRow())
        self._write_yaml()

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
