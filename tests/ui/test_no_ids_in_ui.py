"""Defect 6: what the coder reads uses names, not ids — no code id (``following_lead``) in the
workspace's texts, scheme names in the new-project chooser, statistics explained, and the
timeline picture's ratings placed per segment by name with its last time label inside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QListWidget, QPushButton

from coder.app.glossary import STATISTICS
from coder.commands import AddSegment, SetRating
from coder.model import Segment
from exports.bundle import bundles_from_project
from exports.timeline_image import layout, svg
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def texts(w: MainWindow) -> list[str]:
    found: list[str] = [w.side.tabText(i) for i in range(w.side.count())]
    for label in w.findChildren(QLabel):
        found.append(label.text())
    for button in w.findChildren(QPushButton):
        found.append(button.text())
    for box in w.findChildren(QComboBox):
        found += [box.itemText(i) for i in range(box.count())]
    for lst in w.findChildren(QListWidget):
        found += [lst.item(i).text() for i in range(lst.count())]
    for view in w.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(model.index(r, c), role)
                    if value:
                        found.append(str(value))
    assert w.scene is not None
    found += [w.scene.lane_label(i) for i in range(len(w.scene.lanes))]
    for item in w.scene.items():
        found.append(item.toolTip())
    return found


def test_workspace_shows_names_not_ids(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.session is not None
    for t, key in ((400, Qt.Key.Key_F), (800, Qt.Key.Key_A), (1200, Qt.Key.Key_F)):
        w.player.seek(t)
        QTest.keyClick(w, key)
    ids = {c.id for c in w.session.scheme.codes if "_" in c.id}
    assert ids, "the scheme has snake_case ids to look for"
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, ids)) + r")\b")
    leaks = [t for t in texts(w) if pattern.search(t)]
    assert leaks == [], sorted(set(leaks))


def test_statistics_are_explained() -> None:
    for word in ("Kappa", "PABAK", "AC1", "ICC"):
        assert len(STATISTICS[word]) > 40


def test_timeline_picture_ratings_by_segment_and_last_label_inside(index_project: Path) -> None:
    from coder.commands import CommandStack
    from coder.store import Project

    with Project.open(index_project) as p:
        stack = CommandStack(p)
        scheme = p.scheme_for_observation("o1")
        per_segment = [r for r in scheme.ratings if r.per.value == "segment"]
        stack.push(AddSegment(Segment("g1", "s1", "Child-led play", 0, 2000, None)))
        stack.push(AddSegment(Segment("g2", "s1", "Parent-led play", 2000, 4000, None)))
        for r in per_segment:
            stack.push(SetRating("o1", r.id, "g1", r.maximum))
            stack.push(SetRating("o1", r.id, "g2", r.minimum))
        bundles = bundles_from_project(p)
        lay = layout(bundles)
        picture = svg(bundles)
    rating_boxes = [b for b in lay.boxes if not b.color and b.label]
    assert len(rating_boxes) == 2  # one per segment, not one run-on line
    first, second = sorted(rating_boxes, key=lambda b: b.x)
    assert first.label.startswith(per_segment[0].name)  # names, not ids
    assert all(r.id not in picture for r in per_segment if "_" in r.id)
    assert second.x > first.x
    # The last tick label ends inside the picture.
    last = max(x for x, _ in lay.ticks)
    assert f'x="{last - 2:.1f}"' in picture and 'text-anchor="end"' in picture


def test_reliability_headers_explain_the_statistics(qtbot, index_project: Path) -> None:  # type: ignore[no-untyped-def]
    from coder.store import Project
    from ui.reliability.window import ReliabilityWindow

    with Project.open(index_project, read_only=True) as project:
        window = ReliabilityWindow(project)
        qtbot.addWidget(window)
        tips = {
            window.codes.horizontalHeaderItem(c).text(): window.codes.horizontalHeaderItem(
                c
            ).toolTip()
            for c in range(window.codes.columnCount())
        }
        for word in ("Kappa", "PABAK", "AC1"):
            assert tips[word] == STATISTICS[word]
        assert window.ratings.toolTip() == STATISTICS["ICC"]
