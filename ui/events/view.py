"""The Events tab as one widget: filter row (subject, code, text) over a sortable table.

Emits ``seekRequested(ms)`` on double-click and ``selectionChanged(ids)`` when rows are
chosen; ``select_events(ids)`` mirrors a selection made elsewhere (e.g. the timeline) without
echoing it back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.commands import Command
from coder.store import Project
from coder.timebase import TimeBase
from ui.events.table import CODE, ONSET, CodeDelegate, EventFilterProxy, EventTableModel


class EventTableWidget(QWidget):
    seekRequested = Signal(int)
    selectionChanged = Signal(list)

    def __init__(
        self,
        project: Project,
        observation_id: str,
        timebase: TimeBase,
        push: Callable[[Command], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = EventTableModel(project, observation_id, timebase, push)
        self.proxy = EventFilterProxy()
        self.proxy.setSourceModel(self.model)
        scheme = self.model.scheme
        self.subject_box = QComboBox()
        self.subject_box.addItem("All subjects", "")
        for s in scheme.subjects:
            self.subject_box.addItem(s.name, s.id)
        self.code_box = QComboBox()
        self.code_box.addItem("All codes", "")
        for c in scheme.codes:
            self.code_box.addItem(c.name, c.id)
        self.text_box = QLineEdit()
        self.text_box.setPlaceholderText("Filter text…")
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ONSET, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setItemDelegateForColumn(CODE, CodeDelegate(scheme, self.table))
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        row = QHBoxLayout()
        for w in (self.subject_box, self.code_box, self.text_box):
            row.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table)
        self.subject_box.currentIndexChanged.connect(self._filter)
        self.code_box.currentIndexChanged.connect(self._filter)
        self.text_box.textChanged.connect(self._filter)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._selected)

    def close_table(self) -> None:
        self.model.close()

    def _filter(self) -> None:
        self.proxy.set_filter(
            str(self.subject_box.currentData()),
            str(self.code_box.currentData()),
            self.text_box.text(),
        )

    def _double_clicked(self, index: QModelIndex) -> None:
        # Editable cells open an editor on double-click; the onset column and the rest seek.
        source = self.proxy.mapToSource(index)
        self.seekRequested.emit(self.model.events[source.row()].onset_ms)

    def selected_ids(self) -> list[str]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.events[r].id for r in sorted(rows)]

    def _selected(self) -> None:
        self.selectionChanged.emit(self.selected_ids())

    def select_events(self, ids: list[str]) -> None:
        selection = QItemSelection()
        last = self.proxy.columnCount() - 1
        for event_id in ids:
            row = self.model.row_of(event_id)
            if row < 0:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index.siblingAtColumn(last))
        model = self.table.selectionModel()
        model.blockSignals(True)  # a mirrored selection is not a new user choice
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        model.blockSignals(False)
        self.table.viewport().update()
        if not selection.isEmpty():
            self.table.scrollTo(selection.indexes()[0])
