"""Keyboard coding: one QAction per scheme key, turning presses into commands.

A point key adds a point event at the frame on screen (minus the reaction-time setting); a
state key starts a state and the same key (same subject) ends it. A subject key (Shift+letter
of the subject's key) picks the subject for the next code press; otherwise the code's only
subject, or the active subject, is used. Exclusive groups are handled by the AddEvent command.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from coder.app.session import CodingSession
from coder.commands import AddEvent, EndStateEvent
from coder.model import Code, Event, ModifierValue, Scheme, new_id
from ui.player.controller import PlayerController

PREFIX_TIMEOUT_S = 2.0
Chooser = Callable[[Code], dict[str, ModifierValue]]


class CodingController(QObject):
    coded = Signal(str)  # event id added or ended
    subjectChanged = Signal(str)

    def __init__(self, session: CodingSession, player: PlayerController, host: QWidget) -> None:
        super().__init__(host)
        self.session, self.player, self.host = session, player, host
        self.project, self.observation_id = session.project, session.observation_id
        self.scheme: Scheme = session.scheme
        self.active_subject = self.scheme.subjects[0].id if self.scheme.subjects else ""
        self.reaction_ms = 0
        self.choose_modifiers: Chooser | None = None  # set by the window (popup) or tests
        self._prefix: tuple[str, float] | None = None
        self.actions: list[QAction] = []
        self._build_actions()

    def _build_actions(self) -> None:
        for code in self.scheme.codes:
            if not code.key:
                continue
            action = QAction(f"{code.name}", self.host)
            action.setShortcut(QKeySequence(code.key.lower()))
            action.setToolTip(f"{code.name} ({code.kind.value}) — key {code.key}")
            action.triggered.connect(lambda _=False, c=code: self.press(c))
            self.host.addAction(action)
            self.actions.append(action)
        for subject in self.scheme.subjects:
            if not subject.key:
                continue
            action = QAction(f"Subject: {subject.name}", self.host)
            action.setShortcut(QKeySequence(f"Shift+{subject.key.upper()}"))
            action.triggered.connect(lambda _=False, s=subject.id: self.prefix(s))
            self.host.addAction(action)
            self.actions.append(action)

    def remove_actions(self) -> None:
        for action in self.actions:
            self.host.removeAction(action)
        self.actions.clear()

    def set_active_subject(self, subject_id: str) -> None:
        self.active_subject = subject_id
        self.subjectChanged.emit(subject_id)

    def prefix(self, subject_id: str) -> None:
        self._prefix = (subject_id, time.monotonic())

    def _subject_for(self, code: Code) -> str:
        allowed = self.scheme.subjects_for(code)
        if self._prefix is not None:
            subject, at = self._prefix
            self._prefix = None
            if subject in allowed and time.monotonic() - at <= PREFIX_TIMEOUT_S:
                return subject
        if len(allowed) == 1:
            return allowed[0]
        return self.active_subject if self.active_subject in allowed else allowed[0]

    def coding_time(self) -> int:
        """The start of the frame on screen, moved back by the reaction time if set."""
        tb = self.player.timebase
        position = self.player.position - self.reaction_ms
        return tb.snap(max(0, position)) if tb is not None else max(0, position)

    def press(self, code: Code) -> None:
        if self.project.read_only:
            self.session.refuse("This project is open read-only; codes cannot be added.")
            return
        subject = self._subject_for(code)
        at = self.coding_time()
        if code.is_state:
            running = self.project.running_events(self.observation_id, subject, [code.id])
            if running:
                event = running[-1]
                end = at
                if end <= event.onset_ms and self.player.timebase is not None:
                    end = self.player.timebase.step(event.onset_ms, 1)  # at least one frame
                if self.session.apply(EndStateEvent(event.id, end)):
                    self.coded.emit(event.id)
                return
        modifiers: dict[str, ModifierValue] = {}
        if code.modifiers and self.choose_modifiers is not None:
            modifiers = self.choose_modifiers(code)
        event = Event(new_id(), self.observation_id, code.id, subject, at, None, modifiers)
        if self.session.apply(AddEvent(event)):
            self.coded.emit(event.id)
