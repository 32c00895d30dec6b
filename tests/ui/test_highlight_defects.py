"""Defect 11: suggestions skip existing highlights and sit on the frame grid; overlapping
highlights each keep a readable band; a new highlight is selected in the panel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog

from coder.analysis.highlights import suggest_highlights
from coder.commands import AddHighlight
from coder.model import Event, Highlight
from coder.schemes import load_shipped
from coder.timebase import TimeBase
from ui.main_window import MainWindow
from ui.timeline.scene import stack_rows


def strengths(times: list[int]) -> list[Event]:
    return [Event(f"e{t}", "o", "attunement", "parent", t, None, {}) for t in times]


def test_suggestions_skip_existing_and_land_on_frames() -> None:
    scheme, _ = load_shipped("attachment-core")
    tb = TimeBase([i * 33 + (i // 3) for i in range(1800)], 1800 * 33 + 600)  # ~30 fps, uneven
    events = strengths([1017, 2503, 3001, 30_011, 31_007, 45_013])
    first = suggest_highlights(scheme, events, tb.duration_ms, timebase=tb)
    assert first
    for s in first:
        assert tb.ms_of(tb.frame_at(s.in_ms)) == s.in_ms  # starts on a frame start
        assert s.out_ms == tb.duration_ms or tb.ms_of(tb.frame_at(s.out_ms)) == s.out_ms
        assert s.out_ms - s.in_ms >= 10_000
    best = first[0]
    again = suggest_highlights(
        scheme, events, tb.duration_ms, timebase=tb, existing=[(best.in_ms, best.out_ms)]
    )
    assert all(s.out_ms <= best.in_ms or s.in_ms >= best.out_ms for s in again)
    assert (best.in_ms, best.out_ms) not in [(s.in_ms, s.out_ms) for s in again]


def test_stack_rows_never_puts_overlaps_together() -> None:
    spans = [(0, 10), (5, 15), (8, 20), (12, 30), (21, 25)]
    rows = stack_rows(spans)
    assert rows == [0, 1, 2, 0, 1]
    for i, (a, b) in enumerate(spans):
        for j, (c, d) in enumerate(spans):
            if i < j and rows[i] == rows[j]:
                assert b <= c or d <= a


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    qtbot.waitUntil(lambda: w.player.displayed_index == 0, timeout=5000)
    yield w
    w.close()


def test_overlapping_bands_and_new_highlight_selected(
    qtbot, window: MainWindow, monkeypatch, no_modal_boxes
) -> None:  # type: ignore[no-untyped-def]
    w = window
    assert w.scene is not None and w.highlights is not None and w.session is not None
    assert w.player.timebase is not None and w.coding is not None
    # Suggest: the added suggestion is selected, on the frame grid, and never offered again.
    for t in (410, 1210, 2010, 2810):
        w.player.seek(t)
        w.coding.press(w.session.scheme.code("attunement"))
    messages: list[str] = []
    w.highlights.message.connect(messages.append)
    monkeypatch.setattr(
        QInputDialog, "getItem", lambda _p, _t, _l, items, *a, **k: (items[0], True)
    )
    w.highlights.suggest()
    new = w.highlights.current
    assert new is not None and w.player.timebase.snap(new.in_ms) == new.in_ms
    w.highlights.suggest()  # the only window (4 s video) is taken now
    assert len(w.session.highlights()) == 1
    assert messages and "beyond the highlights you have" in messages[-1]
    # Overlapping highlights: each band gets its own row, the newest is selected.
    push = w.history.push
    assert push(AddHighlight(Highlight("h1", "s1", 0, 3000, title="One", order=5)))
    assert push(AddHighlight(Highlight("h2", "s1", 1000, 4000, title="Two", order=6)))
    a, b = w.scene.bands["h1"].rect(), w.scene.bands["h2"].rect()
    c = w.scene.bands[new.id].rect()
    assert not a.intersects(b) and not a.intersects(c) and not b.intersects(c)
    assert min(a.height(), b.height(), c.height()) >= 5
    assert w.highlights.current is not None and w.highlights.current.id == "h2"
