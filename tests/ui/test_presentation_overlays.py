"""Defect 12: in presentation mode the title, the "2 of 3" position and the slow-motion label
each sit on a dark panel, readable on a white picture, and never overlap."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from ui.feedback.presentation import _Screen


def luminance(c: QColor) -> float:
    return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()


def test_text_sits_on_dark_panels_over_a_white_picture(qtbot) -> None:  # type: ignore[no-untyped-def]
    screen = _Screen()
    qtbot.addWidget(screen)
    screen.resize(960, 540)
    white = QImage(320, 180, QImage.Format.Format_RGB888)
    white.fill(QColor(255, 255, 255))
    screen.image = white
    screen.top_text = "You followed her lead"
    screen.counter = "2 of 3"
    screen.banner = "0.5× slow motion"
    picture = screen.grab().toImage()
    assert len(screen.backdrops) == 3  # title, position, speed
    for panel in screen.backdrops:
        # the panel's corners (inside the rounding) are dark on the white picture
        for x, y in (
            (panel.left() + 10, panel.top() + 3),
            (panel.right() - 10, panel.bottom() - 3),
        ):
            assert luminance(picture.pixelColor(x, y)) < 90
        # and the text on it is bright: white or yellow pixels inside the panel
        bright = sum(
            luminance(picture.pixelColor(x, panel.center().y())) > 180
            for x in range(panel.left() + 12, panel.right() - 12)
        )
        assert bright > 3
    title, counter, banner = screen.backdrops
    assert not title.intersects(counter) and not title.intersects(banner)
    assert not counter.intersects(banner)
