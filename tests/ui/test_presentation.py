"""Presentation mode: parent-facing text only, through the privacy gate; every highlight, the
first included, shows exactly its own frames (decoded from what is painted)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QLabel

from coder.errors import ConsentError
from coder.media.synth import read_frame_index
from coder.model import FreezePoint, Highlight
from coder.store import Project
from ui.feedback.presentation import PresentationWindow, plan_presentation

SECRET = "SECRET-7f3a"


def _index(image: QImage) -> int:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = rgb.width(), rgb.height()
    data = np.frombuffer(rgb.constBits(), np.uint8).reshape(height, rgb.bytesPerLine())
    return read_frame_index(data[:, : width * 3].reshape(height, width, 3))


def _put(project_path: Path, *highlights: Highlight, **session_changes: object) -> None:
    with Project.open(project_path) as p:
        with p.transaction():
            for h in highlights:
                p.put_highlight(h, existed=False)
        if session_changes:
            p.update_session(replace(p.session("s1"), **session_changes))  # type: ignore[arg-type]


def _secret_highlights() -> tuple[Highlight, Highlight]:
    shared = Highlight(
        id="h1",
        session_id="s1",
        in_ms=1000,
        out_ms=3000,
        title="You followed her lead",
        caption="She showed you the tower",
        child_voice="Look what I made!",
        talking_point=f"talking point {SECRET}",
        freeze_points=(FreezePoint(2000, "Her face lights up"),),
        speed=0.5,
        theme=f"theme {SECRET}",
        order=1,
        shareable=True,
        event_ids=(f"event-{SECRET}",),
    )
    hidden = Highlight("h2", "s1", 0, 900, title=f"draft {SECRET}", caption=SECRET, order=0)
    return shared, hidden


def test_refuses_without_consent(index_project: Path) -> None:
    from coder.model import Consent

    _put(index_project, *_secret_highlights(), consent=Consent(show_to_parents=False))
    with (
        Project.open(index_project, read_only=True) as p,
        pytest.raises(ConsentError, match="presentation mode"),
    ):
        plan_presentation(p, "s1")


def test_only_shareable_parent_facing_text_is_visible(qtbot, index_project: Path) -> None:  # type: ignore[no-untyped-def]
    _put(index_project, *_secret_highlights(), label=f"label {SECRET}", goal=f"goal {SECRET}")
    with Project.open(index_project, read_only=True) as p:
        plan = plan_presentation(p, "s1")
    assert [h.title for h in plan.highlights] == ["You followed her lead"]
    assert SECRET not in repr(plan)
    window = PresentationWindow(plan, audio=False)
    qtbot.addWidget(window)
    window.show()
    texts = window.visible_texts()
    texts += [w.text() for w in window.findChildren(QLabel)]
    texts += [w.text() for w in window.findChildren(QAbstractButton)]
    assert "You followed her lead" in texts
    assert "1 of 1" in texts  # where the family is in the moments
    assert any("Look what I made!" in t for t in texts)
    assert "0.5× slow motion" in texts  # the highlight's own speed is applied
    assert all(SECRET not in t for t in texts), texts
    # Keyboard: S cycles the speed, Esc closes.
    qtbot.keyClick(window, Qt.Key.Key_S)
    assert "Slow motion: 0.25×" in window.visible_texts()
    with qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)


def _watch(qtbot, window: PresentationWindow) -> list[int]:  # type: ignore[no-untyped-def]
    """Frame indices of every picture painted, in order, until playback stops."""
    painted: list[int] = []
    original = window.screen_widget.update

    def update() -> None:
        image = window.screen_widget.image
        if not image.isNull():
            index = _index(image)
            if not painted or painted[-1] != index:
                painted.append(index)
        original()

    window.screen_widget.update = update  # type: ignore[method-assign]
    return painted


def test_every_highlight_starts_at_its_first_frame_and_stops_at_its_last(
    qtbot, index_project: Path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtMultimedia import QMediaPlayer

    first = Highlight("a", "s1", 1210, 1990, title="A", shareable=True, order=0)
    second = Highlight("b", "s1", 2400, 3000, title="B", shareable=True, order=1)
    _put(index_project, first, second)
    with Project.open(index_project, read_only=True) as p:
        plan = plan_presentation(p, "s1")
    assert [(h.in_ms, h.out_ms) for h in plan.highlights] == [(1200, 2000), (2400, 3000)]
    window = PresentationWindow(plan, audio=False)
    qtbot.addWidget(window)
    painted = _watch(qtbot, window)
    window.show()
    window.toggle()  # Play at once, before the media has even loaded
    qtbot.waitUntil(lambda: window._at_end, timeout=15000)
    qtbot.waitUntil(
        lambda: window.player.playbackState() != QMediaPlayer.PlaybackState.PlayingState,
        timeout=5000,
    )
    assert painted[0] == 30 and min(painted) == 30  # 1200 ms is frame 30 (25 fps)
    assert max(painted) == 49  # the frame starting at 1960 ms ends at the out point
    assert painted == sorted(painted)
    painted.clear()
    window.next()
    window.toggle()
    qtbot.waitUntil(lambda: window._at_end, timeout=15000)
    assert painted[0] == 60 and min(painted) == 60 and max(painted) == 74
    painted.clear()
    window.previous()  # back to the first: from a later position, no stray frames
    window.toggle()
    qtbot.waitUntil(lambda: window._at_end, timeout=15000)
    assert painted[0] == 30 and min(painted) == 30 and max(painted) == 49
    window.close()


def test_playback_stops_at_freeze_point_with_its_caption(qtbot, index_project: Path) -> None:  # type: ignore[no-untyped-def]
    h = Highlight(
        "h",
        "s1",
        0,
        2500,
        title="T",
        caption="C",
        shareable=True,
        freeze_points=(FreezePoint(800, "Her face", hold_s=1.0),),
    )
    _put(index_project, h)
    with Project.open(index_project, read_only=True) as p:
        window = PresentationWindow(plan_presentation(p, "s1"), audio=False)
    qtbot.addWidget(window)
    painted = _watch(qtbot, window)
    during_hold: list[int] = []  # frames on screen at each repaint while the hold lasts
    watched = window.screen_widget.update

    def update() -> None:
        watched()
        if window.hold_timer.isActive() and painted:
            during_hold.append(painted[-1])

    window.screen_widget.update = update  # type: ignore[method-assign]
    window.show()
    window.toggle()  # play
    qtbot.waitUntil(lambda: window.hold_timer.isActive(), timeout=10000)
    assert window.screen_widget.bottom_lines == ["Her face"]
    # No wall-clock race: judge what was painted, whenever the hold ends on a loaded machine.
    qtbot.waitUntil(lambda: not window.hold_timer.isActive(), timeout=15000)
    assert window.screen_widget.bottom_lines == ["C"]  # the highlight's caption is back
    qtbot.waitUntil(lambda: painted[-1] > 21, timeout=15000)  # and playback goes on
    assert 20 in painted  # held at 800 ms (frame 20)
    assert max(painted[: painted.index(20)], default=0) < 20  # nothing past it before the hold
    assert during_hold and set(during_hold) == {20}  # and nothing else while holding
    assert painted == sorted(painted)
    window.close()
