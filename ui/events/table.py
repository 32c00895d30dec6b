"""The event table: a Qt model over the coding session's events, updated row by row from its
change messages (never reset after an edit); edits go through commands.

Onset/offset accept hh:mm:ss.mmm, mm:ss.mmm or plain milliseconds; the code column offers the
scheme's codes. A proxy sorts and filters by subject, code or text.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from coder.app.session import CodingSession, SessionMessage
from coder.commands import EditEvent
from coder.model import Event, ModifierValue, Scheme, listed_order
from coder.store import Change
from coder.timefmt import parse_clock
from ui.timeline.view import format_ms

COLUMNS = ("Subject", "Code", "Onset", "Offset", "Duration", "Modifiers", "Note")
ONSET, OFFSET, NOTE, CODE = 2, 3, 6, 1
MODIFIERS = 5
Index = QModelIndex | QPersistentModelIndex


parse_time = parse_clock  # the same rules everywhere


class EventTableModel(QAbstractTableModel):
    def __init__(self, session: CodingSession) -> None:
        super().__init__()
        self.session = session
        self.timebase = session.timebase
        self.scheme: Scheme = session.scheme
        self._names = {c.id: c.name for c in self.scheme.codes}
        self._subjects = {s.id: s.name for s in self.scheme.subjects}
        self.events: list[Event] = session.events()  # sorted by (onset, id)
        self.updating = False  # True while rows follow a change message (not a user action)
        self._unsubscribe = session.subscribe(self.on_change)

    def close(self) -> None:
        self._unsubscribe()

    def subject_name(self, subject_id: str) -> str:
        return self._subjects.get(subject_id, subject_id)

    def code_name(self, code_id: str) -> str:
        return self._names.get(code_id, code_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def row_of(self, event_id: str) -> int:
        return next((i for i, e in enumerate(self.events) if e.id == event_id), -1)

    def _row_of_event(self, event: Event) -> int:
        """The row of ``event`` (as it was when listed), by its sort key: no scan of 100,000."""
        row = bisect_left(self.events, self._key(event), key=self._key)
        if row < len(self.events) and self.events[row].id == event.id:
            return row
        return self.row_of(event.id)  # its key changed meanwhile: look it up

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.events[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.UserRole:  # sort keys
            return (
                e.subject_id,
                self._names.get(e.code_id, e.code_id),
                e.onset_ms,
                e.offset_ms if e.offset_ms is not None else -1,
                e.duration_ms,
                "",
                e.note,
            )[col]
        if role == Qt.ItemDataRole.EditRole:
            return (
                e.subject_id,
                e.code_id,
                format_ms(e.onset_ms),
                "" if e.offset_ms is None else format_ms(e.offset_ms),
                "",
                "",
                e.note,
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole and col in (MODIFIERS, NOTE):
            # the whole text, whatever the column's width (no sideways scrolling to read it)
            return (
                self._modifier_text(e.modifiers, names=True) if col == MODIFIERS else e.note or None
            )
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return self._subjects.get(e.subject_id, e.subject_id)
        if col == CODE:
            return self._names.get(e.code_id, e.code_id)
        if col == ONSET:
            return f"{format_ms(e.onset_ms)}  (f{self.timebase.frame_at(e.onset_ms)})"
        if col == OFFSET:
            if e.offset_ms is None:
                return "running" if self.scheme.code(e.code_id).is_state else ""
            return f"{format_ms(e.offset_ms)}  (f{self.timebase.frame_at(e.offset_ms)})"
        if col == 4:
            return f"{e.duration_ms / 1000:.2f} s" if e.offset_ms is not None else ""
        if col == 5:
            return self._modifier_text(e.modifiers, names=False)
        return " ".join(e.note.split())  # one line in the table; the tooltip keeps the rest

    def _modifier_text(self, modifiers: Mapping[str, ModifierValue], names: bool) -> str:
        """Values only in the cell ("high, direct"); "Intensity: high" lines as tooltip."""
        parts = []
        for key, value in sorted(modifiers.items()):
            shown = (
                " + ".join(map(str, value))
                if isinstance(value, tuple)
                else f"{value:g}"
                if isinstance(value, float)
                else str(value)
            )
            shown = shown.replace("_", " ")
            if names:
                try:
                    label = self.scheme.modifier(key).name
                except KeyError:
                    label = key
                parts.append(f"{label}: {shown}")
            else:
                parts.append(shown)
        return ("\n" if names else ", ").join(parts)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.column() in (CODE, ONSET, OFFSET, NOTE) and not self.session.read_only:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        e = self.events[index.row()]
        col = index.column()
        try:
            if col == ONSET:
                command = EditEvent(e.id, onset_ms=self.timebase.snap(parse_time(str(value))))
            elif col == OFFSET:
                command = EditEvent(e.id, offset_ms=self.timebase.snap(parse_time(str(value))))
            elif col == CODE:
                command = EditEvent(e.id, code_id=str(value))
            elif col == NOTE:
                command = EditEvent(e.id, note=str(value))
            else:
                return False
        except ValueError:
            return False
        return self.session.apply(command)

    # --- incremental updates ---------------------------------------------------------------
    def _key(self, e: Event) -> tuple[int, str]:
        return listed_order(e)

    def _insert(self, e: Event) -> None:
        row = bisect_left(self.events, self._key(e), key=self._key)
        self.beginInsertRows(QModelIndex(), row, row)
        self.events.insert(row, e)
        self.endInsertRows()

    def _remove(self, event: Event) -> None:
        row = self._row_of_event(event)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.events[row]
            self.endRemoveRows()

    def on_change(self, change: SessionMessage) -> None:
        if not isinstance(change, Change) or change.entity != "event":
            return
        self.updating = True
        try:
            self._follow(change)
        finally:
            self.updating = False

    def _follow(self, change: Change) -> None:
        if change.kind == "added" and isinstance(change.after, Event):
            self._insert(change.after)
        elif change.kind == "removed" and isinstance(change.before, Event):
            self._remove(change.before)
        elif change.kind == "changed" and isinstance(change.after, Event):
            before = change.before if isinstance(change.before, Event) else change.after
            row = self._row_of_event(before)
            if row >= 0 and self._key(self.events[row]) == self._key(change.after):
                self.events[row] = change.after
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            else:  # its sort position moved: one remove and one insert
                self._remove(before)
                self._insert(change.after)


class EventFilterProxy(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(Qt.ItemDataRole.UserRole)
        self.subject = ""
        self.code = ""
        self.text = ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The model keeps its rows in onset order, so that sort is the source order: no
        # comparisons (a Python sort key per comparison took minutes for 100,000 events).
        if column == ONSET and order == Qt.SortOrder.AscendingOrder:
            super().sort(-1, order)
        else:
            super().sort(column, order)

    def set_filter(self, subject: str = "", code: str = "", text: str = "") -> None:
        self.beginFilterChange()
        self.subject, self.code, self.text = subject, code, text.lower()
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        if not (self.subject or self.code or self.text):
            return True  # asked once per row when the table opens: 100,000 times
        model = self.sourceModel()
        assert isinstance(model, EventTableModel)
        e = model.events[row]
        if self.subject and e.subject_id != self.subject:
            return False
        if self.code and e.code_id != self.code:
            return False
        if self.text:
            haystack = " ".join(str(model.data(model.index(row, c))) for c in range(len(COLUMNS)))
            return self.text in haystack.lower()
        return True


class CodeDelegate(QStyledItemDelegate):
    """A combo box of the scheme's codes for the Code column."""

    def __init__(self, scheme: Scheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scheme = scheme

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        for code in self.scheme.codes:
            combo.addItem(code.name, code.id)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
