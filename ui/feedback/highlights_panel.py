"""Highlights panel: the session's moments for parents — order, edit, preview, suggest.

Every change is a command (undoable). Suggestions come from coder.analysis.highlights (strength
codes only) and are added only when the clinician accepts them.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coder.analysis.highlights import suggest_highlights
from coder.app.session import CodingSession, SessionMessage
from coder.commands import AddHighlight, Composite, DeleteHighlight, EditHighlight
from coder.model import FreezePoint, Highlight, new_id
from coder.store import Change
from ui.player.controller import PlayerController
from ui.timeline.view import format_ms

SPEEDS = [("Normal speed", 1.0), ("Half speed", 0.5), ("Quarter speed", 0.25)]


class HighlightsPanel(QWidget):
    message = Signal(str)  # a hint for the user (the window shows it)

    def __init__(
        self, session: CodingSession, player: PlayerController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.player = session, player
        self.session_id = session.session_id
        self.highlights: list[Highlight] = []
        self.blur_dialog: QWidget | None = None
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._load)
        self.title, self.caption, self.voice, self.talking = (
            QLineEdit(),
            QLineEdit(),
            QLineEdit(),
            QLineEdit(),
        )
        self.talking.setPlaceholderText("for you only — never shown to parents")
        self.shareable = QCheckBox("Show to parents")
        self.speed = QComboBox()
        for text, value in SPEEDS:
            self.speed.addItem(text, value)
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Caption", self.caption)
        form.addRow("Your child might be saying", self.voice)
        form.addRow("Talking point", self.talking)
        form.addRow("Playback", self.speed)
        form.addRow("", self.shareable)
        for widget in (self.title, self.caption, self.voice, self.talking):
            widget.editingFinished.connect(self._save)
        self.shareable.toggled.connect(lambda _c: self._save())
        self.speed.currentIndexChanged.connect(lambda _i: self._save())
        rows = [
            [
                ("New at playhead", self.new_at_playhead),
                ("Suggest…", self.suggest),
                ("Delete", self.delete),
            ],
            [
                ("Set in", lambda: self._edge("in")),
                ("Set out", lambda: self._edge("out")),
                ("Freeze here", self.freeze_here),
            ],
            [
                ("Move up", lambda: self._move(-1)),
                ("Move down", lambda: self._move(1)),
                ("Preview", self.preview),
            ],
        ]
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        for row in rows:
            line = QHBoxLayout()
            for text, slot in row:
                button = QPushButton(text)
                button.clicked.connect(slot)
                line.addWidget(button)
            layout.addLayout(line)
        self._loading = False
        self.refresh()
        self._unsubscribe = session.subscribe(self._on_change)

    def close_panel(self) -> None:
        self._unsubscribe()

    def _on_change(self, change: SessionMessage) -> None:
        if isinstance(change, Change) and change.entity == "highlight":
            self.refresh()

    def refresh(self) -> None:
        row = self.list.currentRow()
        before = {h.id for h in self.highlights}
        self.highlights = sorted(self.session.highlights(), key=lambda h: (h.order, h.in_ms))
        added = [i for i, h in enumerate(self.highlights) if h.id not in before]
        if (before and len(added) == 1) or (not before and len(self.highlights) == 1):
            row = added[0] if added else 0  # a new highlight is the one being worked on
        self.list.blockSignals(True)
        self.list.clear()
        for h in self.highlights:
            mark = "★ " if h.shareable else "   "
            self.list.addItem(
                f"{mark}{h.title or 'Untitled'}  {format_ms(h.in_ms)}–{format_ms(h.out_ms)}"
            )
        self.list.blockSignals(False)
        if self.highlights:
            self.list.setCurrentRow(min(max(row, 0), len(self.highlights) - 1))

    @property
    def current(self) -> Highlight | None:
        row = self.list.currentRow()
        return self.highlights[row] if 0 <= row < len(self.highlights) else None

    def _load(self, _row: int) -> None:
        h = self.current
        if h is None:
            return
        self._loading = True
        self.title.setText(h.title)
        self.caption.setText(h.caption)
        self.voice.setText(h.child_voice)
        self.talking.setText(h.talking_point)
        self.shareable.setChecked(h.shareable)
        self.speed.setCurrentIndex(max(0, self.speed.findData(h.speed)))
        self._loading = False

    def _save(self) -> None:
        h = self.current
        if h is None or self._loading:
            return
        new = replace(
            h,
            title=self.title.text(),
            caption=self.caption.text(),
            child_voice=self.voice.text(),
            talking_point=self.talking.text(),
            shareable=self.shareable.isChecked(),
            speed=float(self.speed.currentData()),
        )
        if new != h:
            self.session.apply(EditHighlight(new))

    def new_at_playhead(self) -> None:
        start = self.player.position
        duration = self.session.timebase.duration_ms
        order = max((h.order for h in self.highlights), default=-1) + 1
        self.session.apply(
            AddHighlight(
                Highlight(
                    new_id(),
                    self.session_id,
                    start,
                    min(duration, start + 10_000),
                    title="New moment",
                    order=order,
                )
            )
        )

    def suggest(self) -> None:
        duration = self.session.timebase.duration_ms
        found = suggest_highlights(
            self.session.scheme,
            self.session.events(),
            duration,
            existing=[(h.in_ms, h.out_ms) for h in self.highlights],
            timebase=self.session.timebase,
        )
        if not found:
            self.message.emit(
                "No strength-coded moments to suggest beyond the highlights you have."
                if self.highlights
                else "No strength-coded moments to suggest yet."
            )
            return
        labels = [f"{format_ms(s.in_ms)}: {s.reason}" for s in found]
        choice, ok = QInputDialog.getItem(
            self, "Suggested moments", "Add this moment:", labels, 0, False
        )
        if not ok:
            return
        s = found[labels.index(choice)]
        order = max((h.order for h in self.highlights), default=-1) + 1
        self.session.apply(
            AddHighlight(
                Highlight(
                    new_id(),
                    self.session_id,
                    s.in_ms,
                    s.out_ms,
                    title=s.theme,
                    theme=s.theme,
                    order=order,
                    event_ids=s.event_ids,
                )
            )
        )

    def from_selected_event(self) -> None:
        """A highlight around the event selected on the timeline (with a little lead-in)."""
        chosen = self.session.selected_events()
        if not chosen:
            self.message.emit("Select an event on the timeline first.")
            return
        event = chosen[0]
        end = event.offset_ms if event.offset_ms is not None else event.onset_ms + 4000
        duration = self.session.timebase.duration_ms
        start = max(0, event.onset_ms - 1000)
        order = max((h.order for h in self.highlights), default=-1) + 1
        name = self.session.scheme.code(event.code_id).name
        self.session.apply(
            AddHighlight(
                Highlight(
                    new_id(),
                    self.session_id,
                    start,
                    min(duration, max(end, start + 1000), start + 10_000),
                    title=name,
                    theme=name,
                    order=order,
                    event_ids=(event.id,),
                )
            )
        )

    def privacy_blur(self) -> None:
        from ui.feedback.blur_dialog import BlurDialog

        h = self.current
        media_id = self.session.session.media_id
        if h is None or media_id is None:
            return
        dialog = BlurDialog(h, self.session.project.media(media_id).path, self.session, self)
        dialog.show()
        self.blur_dialog = dialog

    def delete(self) -> None:
        if self.current is not None:
            self.session.apply(DeleteHighlight(self.current.id))

    def _edge(self, which: str) -> None:
        h = self.current
        if h is None:
            return
        at = self.player.position
        new = replace(h, in_ms=at) if which == "in" else replace(h, out_ms=at)
        self.session.apply(EditHighlight(new))

    def freeze_here(self) -> None:
        h = self.current
        if h is None:
            return
        caption, ok = QInputDialog.getText(self, "Freeze frame", "Caption while the picture holds:")
        if ok:
            points = tuple(
                sorted(
                    (*h.freeze_points, FreezePoint(self.player.position, caption)),
                    key=lambda p: p.at_ms,
                )
            )
            self.session.apply(EditHighlight(replace(h, freeze_points=points)))

    def _move(self, delta: int) -> None:
        row = self.list.currentRow()
        other = row + delta
        if not (0 <= row < len(self.highlights) and 0 <= other < len(self.highlights)):
            return
        a, b = self.highlights[row], self.highlights[other]
        if a.order == b.order:
            a, b = replace(a, order=row), replace(b, order=other)
        self.session.apply(
            Composite(
                "Reorder highlights",
                [
                    EditHighlight(replace(a, order=b.order)),
                    EditHighlight(replace(b, order=a.order)),
                ],
            )
        )
        self.list.setCurrentRow(other)

    def preview(self) -> None:
        h = self.current
        if h is not None:
            self.player.set_loop(h.in_ms, h.out_ms)
            self.player.seek(h.in_ms)
            self.player.set_rate(h.speed)
            self.player.play()
