"""What the window shows with no project open: open the demo, start a new project, open one,
or pick a recent one — never a blank window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class Welcome(QWidget):
    demoRequested = Signal()
    newRequested = Signal()
    openRequested = Signal()
    recentChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h2>Attune</h2>Code parent–child play sessions frame by frame.")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo = QPushButton("Open the demo session")
        self.demo.setToolTip("A generated 60-second session with codes, to try things out")
        self.new = QPushButton("New project…")
        self.open = QPushButton("Open project…")
        for button, signal in (
            (self.demo, self.demoRequested),
            (self.new, self.newRequested),
            (self.open, self.openRequested),
        ):
            button.setMinimumHeight(40)
            button.clicked.connect(signal.emit)
        buttons = QHBoxLayout()
        for b in (self.demo, self.new, self.open):
            buttons.addWidget(b)
        self.recent_label = QLabel("Recent projects (double-click to open):")
        self.recent = QListWidget()
        self.recent.itemActivated.connect(lambda item: self.recentChosen.emit(item.data(256)))
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addSpacing(16)
        column.addLayout(buttons)
        column.addSpacing(16)
        column.addWidget(self.recent_label)
        column.addWidget(self.recent, 2)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 3)
        outer.addStretch(1)

    def show_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}   —   {Path(path).parent}")
            item.setData(256, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        has = bool(paths)
        self.recent_label.setVisible(has)
        self.recent.setVisible(has)
