"""Global ratings: every scale of the scheme, per session or per segment, with its anchors.

Type a number (the spin boxes take keyboard entry) — each change is one SetRating command.
The panel refreshes from the coding session's change messages.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coder.app.session import CodingSession, SessionMessage
from coder.commands import SetRating
from coder.model import RatingPer, RatingScale
from coder.store import Change
from coder.timefmt import format_clock as format_ms


class RatingsPanel(QScrollArea):
    def __init__(self, session: CodingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.scheme = session.scheme
        self.boxes: dict[tuple[str, str | None], QDoubleSpinBox] = {}
        self._updating = False
        self.setWidgetResizable(True)
        self._build()
        self._unsubscribe = session.subscribe(self._on_change)

    def close_panel(self) -> None:
        self._unsubscribe()

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        segments = self.session.segments()
        if not self.scheme.ratings:
            layout.addWidget(QLabel("This scheme has no global ratings."))
        for scale in self.scheme.ratings:
            group = QGroupBox(scale.name)
            form = QFormLayout(group)
            anchors = "   ".join(f"{k}: {v}" for k, v in sorted(scale.anchors.items()))
            if anchors:
                hint = QLabel(anchors)
                hint.setWordWrap(True)
                hint.setStyleSheet("color: #666; font-size: 11px;")
                form.addRow(hint)
            targets: list[tuple[str | None, str]] = [(None, "Whole session")]
            if scale.per is RatingPer.SEGMENT and segments:
                # the time range tells apart segments of the same name
                targets = [
                    (s.id, f"{s.name} ({format_ms(s.onset_ms)}–{format_ms(s.offset_ms)})")
                    for s in segments
                ]
            for segment_id, label in targets:
                form.addRow(label, self._row(scale, segment_id))
            layout.addWidget(group)
        layout.addStretch(1)
        self.setWidget(body)
        self._refresh()

    def _row(self, scale: RatingScale, segment_id: str | None) -> QWidget:
        """The spin box between the scale's end anchors (e.g. "1 Cold ... 7 Warm")."""
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        low = scale.anchors.get(int(scale.minimum), "")
        high = scale.anchors.get(int(scale.maximum), "")
        for text, widget in (
            (f"{scale.minimum:g} {low}".strip(), None),
            ("", self._box(scale, segment_id)),
            (f"{scale.maximum:g} {high}".strip(), None),
        ):
            if widget is not None:
                line.addWidget(widget)
                continue
            end = QLabel(text)
            end.setStyleSheet("color: #666; font-size: 11px;")
            end.setWordWrap(True)
            line.addWidget(end, 1)
        return row

    def _box(self, scale: RatingScale, segment_id: str | None) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(scale.minimum - scale.step, scale.maximum)  # the lowest value means "unset"
        box.setSingleStep(scale.step)
        box.setDecimals(0 if float(scale.step).is_integer() else 1)
        box.setSpecialValueText("—")
        box.setToolTip("\n".join(f"{k} = {v}" for k, v in sorted(scale.anchors.items())))
        box.setReadOnly(self.session.read_only)
        box.valueChanged.connect(lambda v, s=scale, g=segment_id: self._changed(s, g, v))
        self.boxes[(scale.id, segment_id)] = box
        return box

    def _changed(self, scale: RatingScale, segment_id: str | None, value: float) -> None:
        if self._updating:
            return
        new = None if value < scale.minimum else value
        command = SetRating(self.session.observation_id, scale.id, segment_id, new)
        if not self.session.apply(command):
            self._refresh()

    def _refresh(self) -> None:
        self._updating = True
        values = {(v.rating_id, v.segment_id): v.value for v in self.session.rating_values()}
        for key, box in self.boxes.items():
            box.setValue(values.get(key, box.minimum()))
        self._updating = False

    def _on_change(self, change: SessionMessage) -> None:
        if not isinstance(change, Change):
            return
        if change.entity == "rating":
            self._refresh()
        elif change.entity == "segment":
            self.boxes.clear()
            self._build()
