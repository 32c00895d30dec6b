"""Privacy blur for one highlight: detected faces are proposed; the clinician ticks the ones
to blur (e.g. a sibling), may add a box by hand, and saves them on the highlight. The reel
and the handout stills then blur those regions, following them through the clip.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coder.app.session import CodingSession
from coder.commands import EditHighlight
from coder.media.decode import FrameDecoder
from coder.media.faces import Box, blur_boxes, detect_faces
from coder.model import BlurBox, Highlight


class BlurDialog(QDialog):
    def __init__(
        self,
        highlight: Highlight,
        media_path: str,
        session: CodingSession,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Blur faces in this moment")
        self.highlight, self.session = highlight, session
        self._loading = False  # True while the spin boxes show a box (not a user edit)
        decoder = FrameDecoder(media_path)
        self.frame = decoder.frame_at_ms(highlight.in_ms).image
        decoder.close()
        found = detect_faces(self.frame)
        saved = [Box(b.x, b.y, b.w, b.h) for b in highlight.blur_boxes]
        self.boxes = saved + [b for b in found if b not in saved]
        self.list = QListWidget()
        for i, box in enumerate(self.boxes):
            item = QListWidgetItem(f"Face {i + 1}  ({box.x:.2f}, {box.y:.2f})")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if box in saved else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemChanged.connect(lambda _i: self._preview())
        self.list.currentRowChanged.connect(self._load_box)
        # Adjust the selected box: position and size as % of the picture.
        self.spins: list[QDoubleSpinBox] = []
        adjust = QHBoxLayout()
        for label in ("Left %", "Top %", "Width %", "Height %"):
            spin = QDoubleSpinBox(minimum=0, maximum=100, singleStep=1, decimals=1)
            spin.valueChanged.connect(self._box_edited)
            adjust.addWidget(QLabel(label))
            adjust.addWidget(spin)
            self.spins.append(spin)
        self.picture = QLabel()
        add = QPushButton("Add a box in the middle")
        add.clicked.connect(self.add_box)
        save = QPushButton("Save")
        save.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(
            QLabel(
                "Tick the faces to blur in the reel and the handout:"
                if self.boxes
                else "No faces found; add a box by hand if needed."
            )
        )
        layout.addWidget(self.list)
        layout.addLayout(adjust)
        layout.addLayout(buttons)
        self._preview()

    def _load_box(self, row: int) -> None:
        if not 0 <= row < len(self.boxes):
            return
        box = self.boxes[row]
        self._loading = True
        for spin, value in zip(self.spins, (box.x, box.y, box.w, box.h), strict=True):
            spin.setValue(value * 100)
        self._loading = False

    def _box_edited(self, _value: float) -> None:
        row = self.list.currentRow()
        if self._loading or not 0 <= row < len(self.boxes):
            return
        x, y, w, h = (spin.value() / 100 for spin in self.spins)
        self.boxes[row] = Box(x, y, max(0.01, w), max(0.01, h))
        self._preview()

    def chosen(self) -> list[Box]:
        return [
            b
            for i, b in enumerate(self.boxes)
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def add_box(self) -> None:
        self.boxes.append(Box(0.4, 0.3, 0.2, 0.3))
        item = QListWidgetItem(f"Box {len(self.boxes)} (by hand)")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        self.list.addItem(item)

    def _preview(self) -> None:
        rgb = blur_boxes(self.frame, self.chosen())
        h, w = rgb.shape[:2]
        image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        painter = QPainter(image)
        painter.setPen(QPen(QColor("#ffcc00"), 2))
        for box in self.boxes:
            painter.drawRect(QRectF(box.x * w, box.y * h, box.w * w, box.h * h))
        painter.end()
        self.picture.setPixmap(QPixmap.fromImage(image).scaledToWidth(min(720, w)))

    def save(self) -> None:
        boxes = tuple(BlurBox(b.x, b.y, b.w, b.h) for b in self.chosen())
        if self.session.apply(EditHighlight(replace(self.highlight, blur_boxes=boxes))):
            self.accept()
