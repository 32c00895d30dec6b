"""One undo stack: the Undo/Redo actions reflect the core CommandStack, and an undo or redo
that fails leaves the data, the views and the menu as they were, with a message."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from coder.commands import Command
from coder.errors import CommandError
from coder.model import Event
from coder.store import Project
from ui.main_window import MainWindow


class FlakyAdd(Command):
    """Adds an event; its undo (or its second do) deletes it and then fails half-way."""

    def __init__(self, event: Event, fail_undo: bool = True, error: type = CommandError) -> None:
        self.event, self.fail_undo, self.error = event, fail_undo, error
        self.text = "Risky edit"
        self.done_once = False

    def do(self, project: Project) -> None:
        project.insert_event(self.event)
        if self.done_once and not self.fail_undo:
            raise self.error("the second do fails")
        self.done_once = True

    def undo(self, project: Project) -> None:
        project.delete_event(self.event.id)  # a real change inside the transaction...
        if self.fail_undo:
            raise self.error("the disk said no")  # ...that must be rolled back


def menu_state(w: MainWindow) -> tuple[str, bool, str, bool]:
    undo, redo = w.menu_actions.undo, w.menu_actions.redo
    return undo.text(), undo.isEnabled(), redo.text(), redo.isEnabled()


def test_actions_follow_the_core_stack(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert menu_state(window) == ("&Undo", False, "&Redo", False)
    QTest.keyClick(window, Qt.Key.Key_A)  # attunement at 0 ms
    assert menu_state(window) == ("&Undo Add Attunement", True, "&Redo", False)
    window.menu_actions.undo.trigger()
    assert window.project is not None and window.project.events("o1") == []
    assert menu_state(window) == ("&Undo", False, "&Redo Add Attunement", True)
    window.menu_actions.redo.trigger()
    assert len(window.project.events("o1")) == 1
    assert window.status_saved.text() == "✓ Saved"
    # Edit menu holds the very same actions (no second, mirrored stack).
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert window.menu_actions.undo in edit.actions() and window.menu_actions.redo in edit.actions()


@pytest.mark.parametrize("error", [CommandError, RuntimeError])
def test_failing_undo_keeps_data_views_and_menu_consistent(
    qtbot, window: MainWindow, no_modal_boxes: list[str], error: type
) -> None:  # type: ignore[no-untyped-def]
    project = window.project
    assert project is not None and window.scene is not None and window.table_model is not None
    assert window.history.push(
        FlakyAdd(Event("risky", "o1", "attunement", "parent", 400), error=error)
    )
    before = menu_state(window)
    assert before == ("&Undo Risky edit", True, "&Redo", False)
    window.menu_actions.undo.trigger()
    # The data: the half-done undo was rolled back.
    assert [e.id for e in project.events("o1")] == ["risky"]
    # The views never heard of the rolled-back delete.
    assert list(window.scene.items_by_id) == ["risky"]
    assert [e.id for e in window.table_model.events] == ["risky"]
    # The menu still offers the same undo; nothing moved to Redo.
    assert menu_state(window) == before
    assert window.history.stack is not None and window.history.stack.index == 1
    # The user was told, in words.
    assert no_modal_boxes and no_modal_boxes[-1].startswith("Undo Risky edit failed")
    assert "Nothing was changed" in no_modal_boxes[-1]


def test_failing_redo_keeps_data_and_menu_consistent(
    qtbot, window: MainWindow, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    project = window.project
    assert project is not None
    window.history.push(
        FlakyAdd(Event("risky", "o1", "attunement", "parent", 400), fail_undo=False)
    )
    window.menu_actions.undo.trigger()
    assert project.events("o1") == []
    before = menu_state(window)
    assert before == ("&Undo", False, "&Redo Risky edit", True)
    window.menu_actions.redo.trigger()
    assert project.events("o1") == []
    assert window.table_model is not None and window.table_model.events == []
    assert menu_state(window) == before
    assert no_modal_boxes[-1].startswith("Redo Risky edit failed")


def test_refused_edit_is_reported_and_not_undoable(
    qtbot, window: MainWindow, no_modal_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    bad = Event("bad", "o1", "no_such_code", "parent", 400)
    from coder.commands import AddEvent

    assert not window.history.push(AddEvent(bad))
    assert no_modal_boxes and "no_such_code" in no_modal_boxes[-1]
    assert menu_state(window) == ("&Undo", False, "&Redo", False)


def test_no_project_means_nothing_to_undo(qtbot, prefs, no_modal_boxes: list[str]) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert not w.history.undo() and not w.history.redo()
    assert not w.history.push(Command())
    assert no_modal_boxes == ["Open a project first."]
    assert menu_state(w) == ("&Undo", False, "&Redo", False)
