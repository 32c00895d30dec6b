"""The open observation: what every coding view needs, in one Qt-free object.

A ``CodingSession`` holds the project, the observation, its scheme, the media's time base and
the one ``CommandStack``; the selection (event ids) lives here, not in any view, so the
timeline, the event table and the highlights panel share it without syncing each other by
hand. ``subscribe`` delivers the project's change messages already filtered to this
observation (its events and ratings, its session's segments and highlights, the observation
and the session themselves) plus ``SelectionChanged`` and ``EditRefused``; views update
incrementally from them.

Coding by key press lives here too (``press``): a point code adds a point event at the frame
shown (moved back by ``reaction_ms``); a state code starts a state, and the same code for the
same subject again ends it (at least one frame long) — the running one, or one coded earlier
that the time falls inside (``KeyCoding.code_press``, shared with the CLI, which names the
subject itself and gets a ``Pressed`` back or a CommandError). The subject is the one-shot prefix if
one was given within ``PREFIX_TIMEOUT_S`` (``prefix_subject``), else the code's only subject,
else the active subject, else the code's first. Exclusive groups are the AddEvent command's.

``push`` raises CommandError when an edit is refused (the CLI turns it into its one-line
message); ``apply`` is the same for views: a refused edit becomes an ``EditRefused`` message
(whoever shows messages — the main window — shows it) and False.
"""

from __future__ import annotations

import time
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from coder.app.coding import KeyCoding, ModifierChooser, Pressed
from coder.commands import Command, CommandStack, Composite, EndStateEvent
from coder.errors import CommandError, ProjectError
from coder.model import (
    Code,
    Event,
    Highlight,
    Observation,
    RatingValue,
    Scheme,
    Segment,
    Session,
    listed_order,
)
from coder.store import Change, Project
from coder.timebase import TimeBase


@dataclass(frozen=True)
class SelectionChanged:
    """The selected event ids changed (``ids`` is the whole new selection)."""

    ids: frozenset[str]


@dataclass(frozen=True)
class EditRefused:
    """An edit was refused (nothing changed); ``message`` says why, for the user."""

    message: str


SessionMessage = Change | SelectionChanged | EditRefused
Listener = Callable[[SessionMessage], None]
__all__ = ["CodingSession", "EditRefused", "ModifierChooser", "Pressed", "SelectionChanged"]
PREFIX_TIMEOUT_S = 2.0  # a subject prefix applies to a code pressed within this time


class CodingSession(KeyCoding):
    def __init__(
        self,
        project: Project,
        observation_id: str,
        timebase: TimeBase,
        stack: CommandStack | None = None,
    ) -> None:
        self.project = project
        self.observation_id = observation_id
        self._observation = project.observation(observation_id)
        self.session_id = self._observation.session_id
        self.scheme: Scheme = project.scheme_for_observation(observation_id)
        self.timebase = timebase
        self.stack = stack if stack is not None else CommandStack(project)
        self._selection: frozenset[str] = frozenset()
        # The table, the timeline and the counters all read the events when a window opens:
        # one read, kept until an event of this observation changes (then read again).
        self._events: list[Event] | None = None
        self._listeners: list[Listener] = []
        self.active_subject = self.scheme.subjects[0].id if self.scheme.subjects else ""
        self.reaction_ms = 0  # codes land this much before the frame shown
        self._prefix: tuple[str, float] | None = None  # (subject, when), one-shot
        self.clock: Callable[[], float] = time.monotonic
        self._unsubscribe: Callable[[], None] | None = project.subscribe(self._on_change)

    @classmethod
    def open(
        cls, project: Project, observation_id: str, stack: CommandStack | None = None
    ) -> CodingSession:
        """A session on the observation's video, with the time base stored in the project."""
        observation = project.observation(observation_id)
        session = project.session(observation.session_id)
        if session.media_id is None:
            raise ProjectError(f"session '{session.label}' has no video; add one first")
        media = project.media(session.media_id)
        timebase = TimeBase(project.frame_times(media.id), media.duration_ms)
        return cls(project, observation_id, timebase, stack)

    def close(self) -> None:
        """Stop listening to the project; listeners hear nothing more."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._listeners.clear()

    # --- what is open ----------------------------------------------------------------------
    @property
    def observation(self) -> Observation:
        """The observation as it is now (its final flag can change while open)."""
        return self._observation

    @property
    def session(self) -> Session:
        return self.project.session(self.session_id)

    @property
    def read_only(self) -> bool:
        return self.project.read_only

    def events(self) -> list[Event]:
        """The observation's events in (onset, id) order; a fresh list the caller may change."""
        if self._events is None:
            self._events = self.project.events(self.observation_id)
        return list(self._events)

    def pairs_in_use(self) -> set[tuple[str, str]]:
        """The (subject, code) pairs coded so far (the event table sizes its columns on them)."""
        return self.project.pairs_in_use(self.observation_id)

    def segments(self) -> list[Segment]:
        return self.project.segments(self.session_id)

    def highlights(self) -> list[Highlight]:
        return self.project.highlights(self.session_id)

    def rating_values(self) -> list[RatingValue]:
        return self.project.rating_values(self.observation_id)

    # --- edits -----------------------------------------------------------------------------
    def push(self, command: Command) -> None:
        """Apply ``command`` as one undo step; raises CommandError (nothing changed) if refused."""
        self.stack.push(command)

    def apply(self, command: Command) -> bool:
        """``push`` for views: True if applied; if refused, an ``EditRefused`` message."""
        try:
            self.stack.push(command)
        except CommandError as exc:
            self._emit(EditRefused(str(exc)))
            return False
        return True

    def refuse(self, message: str) -> None:
        """Tell the listeners an edit cannot be made (e.g. the project is read-only)."""
        self._emit(EditRefused(message))

    # --- coding by key press ----------------------------------------------------------------
    def set_active_subject(self, subject_id: str) -> None:
        self.active_subject = subject_id

    def prefix_subject(self, subject_id: str) -> None:
        """The next code press (within PREFIX_TIMEOUT_S) is for ``subject_id``."""
        self._prefix = (subject_id, self.clock())

    @property
    def pending_prefix(self) -> str | None:
        """The subject the next code press will use because of a prefix, if still pending."""
        if self._prefix is None or self.clock() - self._prefix[1] > PREFIX_TIMEOUT_S:
            return None
        return self._prefix[0]

    def subject_for(self, code: Code) -> str:
        """Which subject a press of ``code`` codes for (consumes a pending prefix)."""
        allowed = self.scheme.subjects_for(code)
        prefix, self._prefix = self.pending_prefix, None
        if prefix is not None and prefix in allowed:
            return prefix
        if len(allowed) == 1:
            return allowed[0]
        return self.active_subject if self.active_subject in allowed else allowed[0]

    def coding_time(self, at_ms: int) -> int:
        """The start of the frame shown at ``at_ms`` minus the reaction time."""
        return self.timebase.snap(max(0, at_ms - self.reaction_ms))

    def press(
        self, code_id: str, at_ms: int, choose_modifiers: ModifierChooser | None = None
    ) -> bool:
        """Code ``code_id`` as a key press at media time ``at_ms`` (the playhead). Modifiers
        are asked (``choose_modifiers``) only when a new event starts. True if applied; a
        refusal arrives as an ``EditRefused`` message."""
        if self.read_only:
            self.refuse("This project is open read-only; codes cannot be added.")
            return False
        try:
            code = self._code(code_id)
            self.code_press(
                code_id,
                self.coding_time(at_ms),
                subject=self.subject_for(code),
                modifiers=choose_modifiers,
            )
        except CommandError as exc:
            self._emit(EditRefused(str(exc)))
            return False
        return True

    def running_states(self) -> list[Event]:
        """The states still running (started, never ended), in onset order."""
        states = {c.id for c in self.scheme.codes if c.is_state}
        if self._events is None:
            self.events()
        assert self._events is not None
        # Asked on every event change (the pad's buttons): no copy of 100,000 events.
        return [e for e in self._events if e.offset_ms is None and e.code_id in states]

    def end_running_states(self, at_ms: int) -> Command:
        """One undo step ending every running state at ``at_ms`` (each at least one frame)."""
        ends: list[Command] = [
            EndStateEvent(e.id, max(at_ms, self.timebase.step(e.onset_ms, 1)))
            for e in self.running_states()
        ]
        return Composite("End running states", ends)

    def event_start_beside(self, at_ms: int, direction: int) -> int | None:
        """The next (direction > 0) or previous event start from ``at_ms``; None at the end."""
        starts = sorted({e.onset_ms for e in self.events()})
        if direction > 0:
            return next((t for t in starts if t > at_ms), None)
        return next((t for t in reversed(starts) if t < at_ms), None)

    # --- selection ---------------------------------------------------------------------------
    @property
    def selection(self) -> frozenset[str]:
        return self._selection

    def select(self, event_ids: Iterable[str]) -> None:
        """Make ``event_ids`` the selection (ids of other observations are ignored)."""
        wanted = frozenset(event_ids)
        if wanted and not wanted <= self._selection:
            known = {e.id for e in self.events()}
            wanted = frozenset(i for i in wanted if i in known)
        self._set_selection(wanted)

    def selected_events(self) -> list[Event]:
        """The selected events in time order."""
        return [e for e in self.events() if e.id in self._selection]

    def _set_selection(self, ids: frozenset[str]) -> None:
        if ids != self._selection:
            self._selection = ids
            self._emit(SelectionChanged(ids))

    # --- change messages ---------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, message: SessionMessage) -> None:
        for listener in list(self._listeners):
            listener(message)

    def _follow_in_cache(self, change: Change) -> None:
        """Keep the cached events in (onset, id) order through a change, without reading the
        observation again: with 100,000 events a new read took half a second a key press."""
        events = self._events
        if events is None:
            return
        if isinstance(change.before, Event):
            at = bisect_left(events, listed_order(change.before), key=listed_order)
            if at < len(events) and events[at].id == change.before.id:
                del events[at]
            else:  # not where it was listed: read the observation again when next asked
                self._events = None
                return
        if isinstance(change.after, Event):
            insort(events, change.after, key=listed_order)

    def concerns(self, change: Change) -> bool:
        """Whether ``change`` is about this observation, its session or its session's parts."""
        for item in (change.before, change.after):
            if item is None:
                continue
            if isinstance(item, Event | RatingValue):
                return item.observation_id == self.observation_id
            if isinstance(item, Segment | Highlight):
                return item.session_id == self.session_id
            if isinstance(item, Observation):
                return item.id == self.observation_id
            if isinstance(item, Session):
                return item.id == self.session_id
            return False
        return False

    def _on_change(self, change: Change) -> None:
        if not self.concerns(change):
            return
        if isinstance(change.before or change.after, Event):
            self._follow_in_cache(change)
        if isinstance(change.after, Observation):
            self._observation = change.after
        self._emit(change)
        if change.kind == "removed" and isinstance(change.before, Event):
            self._set_selection(self._selection - {change.before.id})
