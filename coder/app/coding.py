"""What a code key press means, once, for the GUI and the CLI alike (mixed into CodingSession).

- The time coded is the start of the frame on screen, moved back by the reaction-time setting,
  and always on the video's frame grid; a time outside the video is refused with its range.
- The subject: given explicitly (CLI), else ``subject_for`` (CodingSession: the code's only
  subject, a one-shot prefix, or the active subject).
- A point code adds a point. A state code starts a state; the same code for the same subject
  again ends it — the running one, or, when reviewing, the one coded earlier that the time falls
  inside. Exclusive groups are kept free of overlaps by the commands (coder/exclusive.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from coder.commands import AddEvent, CommandStack, EndStateEvent
from coder.errors import CommandError
from coder.model import Code, Event, ModifierValue, Scheme, new_id
from coder.timefmt import format_clock

if TYPE_CHECKING:
    from coder.store import Project
    from coder.timebase import TimeBase


ModifierChooser = Callable[[Code], Mapping[str, ModifierValue]]


@dataclass(frozen=True)
class Pressed:
    """What a code key press did."""

    action: Literal["point", "started", "ended"]
    event_id: str
    at_ms: int
    subject_id: str


class KeyCoding:
    """Key-press semantics; CodingSession provides the attributes declared here."""

    project: Project
    observation_id: str
    scheme: Scheme
    timebase: TimeBase
    stack: CommandStack

    def subject_for(self, code: Code) -> str:
        raise NotImplementedError

    def check_time(self, ms: int, what: str = "time") -> int:
        """``ms`` snapped to the frame grid; refused (CommandError) outside the video."""
        end = self.timebase.duration_ms
        if ms < 0 or ms > end:
            raise CommandError(
                f"the {what} {format_clock(ms)} ({ms} ms) is outside the video; use a time from "
                f"{format_clock(0)} to {format_clock(end)} (0 to {end} ms)"
            )
        return ms if ms == end else self.timebase.snap(ms)

    # --- presses ------------------------------------------------------------------------------
    def code_press(
        self,
        code_id: str,
        at_ms: int,
        *,
        subject: str | None = None,
        modifiers: Mapping[str, ModifierValue] | ModifierChooser | None = None,
    ) -> Pressed:
        """A code key pressed with the frame at ``at_ms`` on screen (already reaction-shifted).

        ``modifiers`` are a mapping or a chooser asked only when a new event starts. Pushes
        one command on the stack (raises CommandError, nothing changed, if refused).
        """
        code = self._code(code_id)
        at = self.check_time(at_ms)
        who = subject if subject is not None else self.subject_for(code)
        if code.is_state:
            ending = self._state_to_end(code, who, at)
            if ending is not None:
                end = at if at > ending.onset_ms else self.timebase.step(ending.onset_ms, 1)
                if end <= ending.onset_ms:  # the state starts on the last frame
                    end = self.timebase.duration_ms
                self.stack.push(EndStateEvent(ending.id, end))
                return Pressed("ended", ending.id, end, who)
        if callable(modifiers):
            chosen = dict(modifiers(code)) if code.modifiers else {}
        else:
            chosen = dict(modifiers or {})
        event = Event(new_id(), self.observation_id, code.id, who, at, None, chosen)
        self.stack.push(AddEvent(event))
        return Pressed("started" if code.is_state else "point", event.id, at, who)

    def add_event(
        self,
        code_id: str,
        subject_id: str,
        onset_ms: int,
        offset_ms: int | None = None,
        *,
        modifiers: Mapping[str, ModifierValue] | None = None,
        note: str = "",
    ) -> Event:
        """An event with times given (CLI, paste): snapped to frames, refused outside the video."""
        code = self._code(code_id)
        onset = self.check_time(onset_ms, "start")
        offset = None if offset_ms is None else self.check_time(offset_ms, "end")
        event = Event(
            new_id(),
            self.observation_id,
            code.id,
            subject_id,
            onset,
            offset,
            dict(modifiers or {}),
            note,
        )
        command = AddEvent(event)
        self.stack.push(command)
        return command.stored or event

    def _code(self, code_id: str) -> Code:
        try:
            return self.scheme.code(code_id)
        except KeyError:
            known = ", ".join(c.id for c in self.scheme.codes)
            raise CommandError(
                f"'{code_id}' is not a code of this scheme (codes: {known})"
            ) from None

    def _state_to_end(self, code: Code, subject: str, at: int) -> Event | None:
        """The state a second press of ``code`` ends: running, or one ``at`` falls inside."""
        same = self.project.subject_events(self.observation_id, subject, [code.id])
        running = [e for e in same if e.offset_ms is None]
        if running:
            return running[-1]
        inside = [e for e in same if e.offset_ms is not None and e.onset_ms < at < e.offset_ms]
        return inside[-1] if inside else None
