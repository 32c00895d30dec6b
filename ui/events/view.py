"""The Events tab as one widget: filter row (subject, code, text) over a sortable table.

Emits ``seekRequested(ms)`` on double-click. The selection lives in the coding session:
choosing rows selects there, and a selection made elsewhere (the timeline) is shown here
without echoing it back.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.app.session import CodingSession, SelectionChanged, SessionMessage
from coder.model import Event
from coder.store import Change
from ui.events.table import (
    CODE,
    MODIFIERS,
    NOTE,
    ONSET,
    CodeDelegate,
    EventFilterProxy,
    EventTableModel,
)
from ui.timeline.view import format_ms


class EventTableWidget(QWidget):
    seekRequested = Signal(int)

    def __init__(self, session: CodingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = EventTableModel(session)
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
        # Onset order first (the model's own order: no sort), then let the user sort.
        self.table.horizontalHeader().setSortIndicator(ONSET, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setItemDelegateForColumn(CODE, CodeDelegate(scheme, self.table))
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # Times (with their frame numbers) always fit; modifiers and notes share the rest of
        # the width (full text in their tooltips), so nothing needs sideways scrolling.
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(40)
        self._fit_columns()
        header.setSectionResizeMode(MODIFIERS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Stretch)
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
        self._unsubscribe = session.subscribe(self._on_message)
        self.show_selection(session.selection)

    def _fit_columns(self) -> None:
        """Widths that fit every value the first five columns show: the names of the subjects
        and codes in use and the session's last time, measured once here, not row by row
        (sizing to contents asked for 25,000 cells when 100,000 events opened, and again on
        every change)."""
        pairs = self.session.pairs_in_use()
        self._fitted = ({s for s, _ in pairs}, {c for _, c in pairs})
        subjects, codes = self._fitted
        timebase = self.model.timebase
        last = f"{format_ms(timebase.duration_ms)}  (f{timebase.frame_count - 1})"
        texts = [
            [self.model.subject_name(s) for s in subjects],
            [self.model.code_name(c) for c in codes],
            [last],
            [last, "running"],
            [f"{timebase.duration_ms / 1000:.2f} s"],
        ]
        header = self.table.horizontalHeader()
        for i, column in enumerate(texts):
            widest = [self._cell_width(t) for t in column]
            header.resizeSection(i, max([header.sectionSizeHint(i), *widest]))

    def _cell_width(self, text: str) -> int:
        """The width Qt itself gives a cell showing ``text`` (the style's item size, and the
        grid line), as sizing to contents would."""
        option = QStyleOptionViewItem()
        option.initFrom(self.table)
        option.font = self.table.font()
        option.fontMetrics = self.table.fontMetrics()
        option.text = text
        option.features = QStyleOptionViewItem.ViewItemFeature.HasDisplay
        style = self.table.style()
        size = style.sizeFromContents(
            QStyle.ContentsType.CT_ItemViewItem, option, QSize(), self.table
        )
        return size.width() + (1 if self.table.showGrid() else 0)

    def _refit_for(self, message: SessionMessage) -> None:
        """A subject or code not shown before may need a wider column."""
        after = message.after if isinstance(message, Change) else None
        if isinstance(after, Event) and (
            after.subject_id not in self._fitted[0] or after.code_id not in self._fitted[1]
        ):
            self._fit_columns()

    def close_table(self) -> None:
        self._unsubscribe()
        self.model.close()

    def _on_message(self, message: SessionMessage) -> None:
        self._refit_for(message)
        # The model hears first (it subscribed first); a moved row must keep its selection.
        if isinstance(message, SelectionChanged | Change) and (
            set(self.selected_ids()) != self.session.selection
        ):
            self.show_selection(self.session.selection)

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
        if not self.model.updating:  # rows moving after an edit are not a new user choice
            self.session.select(self.selected_ids())

    def show_selection(self, ids: frozenset[str]) -> None:
        selection = QItemSelection()
        last = self.proxy.columnCount() - 1
        rows = sorted(r for r in (self.model.row_of(i) for i in ids) if r >= 0)
        for row in rows:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index.siblingAtColumn(last))
        model = self.table.selectionModel()
        model.blockSignals(True)  # showing the session's selection is not a new user choice
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        model.blockSignals(False)
        self.table.viewport().update()
        if not selection.isEmpty():
            self.table.scrollTo(selection.indexes()[0])
