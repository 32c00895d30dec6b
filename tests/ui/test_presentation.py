"""Presentation mode shows parent-facing text only, and refuses without consent."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel

from coder.errors import ConsentError
from coder.model import Consent, FreezePoint, Highlight, Session
from ui.feedback.presentation import PresentationWindow, plan_presentation

SECRET = "SECRET-7f3a"


def _highlights() -> list[Highlight]:
    shared = Highlight(
        id="h1",
        session_id="s",
        in_ms=1000,
        out_ms=5000,
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
    hidden = Highlight("h2", "s", 0, 900, title=f"draft {SECRET}", caption=SECRET, order=0)
    return [shared, hidden]


def _session(show: bool) -> Session:
    return Session(
        "s",
        f"label {SECRET}",
        family="Rivera",
        consent=Consent(show_to_parents=show),
        goal=f"goal {SECRET}",
    )


def test_refuses_without_consent() -> None:
    with pytest.raises(ConsentError, match="presentation mode"):
        plan_presentation(_session(False), "/nowhere.mp4", _highlights())


def test_only_shareable_parent_facing_text_is_visible(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    media = tmp_path / f"{SECRET}.mp4"  # even the file path must not show
    plan = plan_presentation(_session(True), str(media), _highlights())
    assert [h.title for h in plan.highlights] == ["You followed her lead"]
    window = PresentationWindow(plan, audio=False)
    qtbot.addWidget(window)
    window.show()
    texts = window.visible_texts()
    texts += [w.text() for w in window.findChildren(QLabel)]
    texts += [w.text() for w in window.findChildren(QAbstractButton)]
    assert "You followed her lead" in texts
    assert any("Look what I made!" in t for t in texts)
    assert "0.5× slow motion" in texts  # the highlight's own speed is applied
    assert all(SECRET not in t for t in texts), texts
    # Keyboard: S cycles the speed, Esc closes.
    qtbot.keyClick(window, Qt.Key.Key_S)
    assert "Slow motion: 0.25×" in window.visible_texts()
    with qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)


def test_playback_stops_at_freeze_point_with_its_caption(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from coder.media.synth import write_index_video

    video = tmp_path / "clip.mp4"
    write_index_video(video, frames=75)
    h = Highlight(
        "h",
        "s",
        0,
        2500,
        title="T",
        caption="C",
        shareable=True,
        freeze_points=(FreezePoint(800, "Her face", hold_s=0.5),),
    )
    window = PresentationWindow(plan_presentation(_session(True), str(video), [h]), audio=False)
    qtbot.addWidget(window)
    window.show()
    window.toggle()  # play
    qtbot.waitUntil(lambda: window.hold_timer.isActive(), timeout=10000)
    assert window.screen_widget.bottom_lines == ["Her face"]
    qtbot.waitUntil(lambda: not window.hold_timer.isActive(), timeout=5000)
    assert window.screen_widget.bottom_lines == ["C"]  # the highlight's caption is back
    window.close()
