"""Keyboard coding: one QAction per scheme key; the rules are the coding session's.

A code key calls ``CodingSession.press`` at the playhead (point, state start, or the same key
again ends the state); Shift+a subject's key is a one-shot subject prefix. This module only
turns key presses into those calls and asks for modifiers with the window's popup.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget

from coder.app.session import PREFIX_TIMEOUT_S, CodingSession, ModifierChooser
from coder.model import Code, Scheme
from ui.player.controller import PlayerController


class CodingController(QObject):
    # What the toolbar shows about a subject prefix: "" when none is pending.
    prefixChanged = Signal(str)
    prefixExpired = Signal(str)  # subject name: the prefix ran out before a code key

    def __init__(self, session: CodingSession, player: PlayerController, host: QWidget) -> None:
        super().__init__(host)
        self._armed_at = 0.0
        self._armed: str | None = None  # subject of the prefix shown, until used or expired
        self._prefix_timer = QTimer(self)
        self._prefix_timer.setInterval(100)
        self._prefix_timer.timeout.connect(self._tick)
        self.session, self.player, self.host = session, player, host
        self.scheme: Scheme = session.scheme
        self.choose_modifiers: ModifierChooser | None = None  # the window's popup, or tests'
        self.actions: list[QAction] = []
        self._by_key: dict[str, Code] = {}
        self.hold_states = False  # press-and-hold: releasing a state's key ends the state
        self._held: dict[str, Code] = {}  # key -> state started by holding it
        self._build_actions()
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def reaction_ms(self) -> int:
        return self.session.reaction_ms

    @reaction_ms.setter
    def reaction_ms(self, ms: int) -> None:
        self.session.reaction_ms = ms

    def _build_actions(self) -> None:
        for code in self.scheme.codes:
            if not code.key:
                continue
            action = QAction(f"{code.name}", self.host)
            action.setShortcut(QKeySequence(code.key.lower()))
            action.setAutoRepeat(False)  # a held key is one press (and, holding, one state)
            action.setToolTip(f"{code.name} ({code.kind.value}) — key {code.key}")
            action.triggered.connect(lambda _=False, c=code: self.press(c))
            self._by_key[code.key.lower()] = code
            self.host.addAction(action)
            self.actions.append(action)
        for subject in self.scheme.subjects:
            if not subject.key:
                continue
            action = QAction(
                f"{subject.name} for the next code only (within {PREFIX_TIMEOUT_S:g} s; "
                "the Subject box sets it for all codes)",
                self.host,
            )
            action.setShortcut(QKeySequence(f"Shift+{subject.key.upper()}"))
            action.triggered.connect(lambda _=False, s=subject.id: self.prefix_subject(s))
            self.host.addAction(action)
            self.actions.append(action)

    def remove_actions(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for action in self.actions:
            self.host.removeAction(action)
        self.actions.clear()

    def set_active_subject(self, subject_id: str) -> None:
        self.session.set_active_subject(subject_id)

    def press(self, code: Code) -> bool:
        """A code key at the frame on screen (the player's position is our time base's)."""
        done = self.session.press(code.id, self.player.position, self.choose_modifiers)
        if done and self.hold_states and code.is_state and code.key:
            started = any(
                e.code_id == code.id and e.offset_ms is None for e in self.session.events()
            )
            if started:
                self._held[code.key.lower()] = code  # its key's release ends it
        self._armed = None  # the prefix, if any, was used by this press
        self._show_prefix()
        return done

    # --- press-and-hold --------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self._held
            and event.type() == QEvent.Type.KeyRelease
            and isinstance(event, QKeyEvent)
            and not event.isAutoRepeat()
        ):
            code = self._held.pop(event.text().lower(), None)
            if code is not None:
                self.session.press(code.id, self.player.position)  # same key again: it ends
        return False

    # --- the one-shot subject prefix, made visible ------------------------------------------
    def prefix_subject(self, subject_id: str) -> None:
        self.session.prefix_subject(subject_id)
        self._armed_at = self.session.clock()
        self._armed = subject_id
        self._prefix_timer.start()
        self._show_prefix()

    def prefix_text(self) -> str:
        subject = self.session.pending_prefix
        if subject is None:
            return ""
        left = max(0.0, PREFIX_TIMEOUT_S - (self.session.clock() - self._armed_at))
        return f"Next code: {self.scheme.subject(subject).name} ({left:.1f} s)"

    def _tick(self) -> None:
        if not self.prefix_text() and self._armed is not None:
            self.prefixExpired.emit(self.scheme.subject(self._armed).name)
            self._armed = None
        self._show_prefix()

    def _show_prefix(self) -> None:
        text = self.prefix_text()
        if not text:
            self._prefix_timer.stop()
        self.prefixChanged.emit(text)
