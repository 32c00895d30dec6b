"""The main window on a team project: opened by its server address, others' edits appear live."""

from __future__ import annotations

import time
from pathlib import Path

from coder.commands import AddEvent, CommandStack, EditEvent
from coder.model import Event
from coder.store import Project
from coder.store.copying import push
from tests.pgserver import PgServer
from ui.main_window import MainWindow


def test_window_shows_a_colleagues_edits_within_a_second(  # type: ignore[no-untyped-def]
    qtbot, prefs, index_project: Path, pg_server: PgServer
) -> None:
    url = pg_server.new_database_url()
    push(index_project, url)
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(url)  # no coder prompt: the login is the coder
    assert w.project is not None and w.project.is_team and w.user == "attune_root"
    assert "t" in w.windowTitle() and "(admin)" in w.windowTitle()
    qtbot.waitUntil(lambda: w.scene is not None, timeout=5000)
    assert w.scene is not None and not w.scene.items_by_id
    with Project.open(url) as colleague:  # another computer
        stack = CommandStack(colleague)
        stack.push(AddEvent(Event("live1", "o1", "warmth", "parent", 1200)))
        start = time.monotonic()
        qtbot.waitUntil(lambda: "live1" in w.scene.items_by_id, timeout=1000)
        assert time.monotonic() - start < 1.0
        stack.push(EditEvent("live1", onset_ms=2000))
        qtbot.waitUntil(lambda: w.scene.items_by_id["live1"].event.onset_ms == 2000, timeout=1000)
    assert url in prefs.recent()  # the address is remembered as typed, never resolved as a path
    w.close()
