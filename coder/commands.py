"""Every user edit is a Command with do/undo; CommandStack runs each in one transaction.

Qt-free: the GUI's History (ui/history.py) only reflects this one stack. A command validates against
the observation's scheme snapshot and raises CommandError with a clear message; on any error
the transaction is rolled back and nothing changes.

A running (not yet ended) state event is stored as a state code with ``offset_ms = None``;
EndStateEvent gives it an offset. Analyses treat a still-running state as ending at the end of
the media. Exclusive groups hold for ended states too: adding, ending or editing a state trims,
splits or removes the overlapping states of its group and subject in the same command (one undo
step; the rule is in coder/exclusive.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from coder.commands_validate import validate_event, validate_rating
from coder.errors import AttuneError, CommandError
from coder.exclusive import ExclusivePlan, group_rivals, plan_exclusive
from coder.model import Event, Highlight, RatingValue, Segment, new_id
from coder.store import Project


class Command:
    text = "Edit"

    def do(self, project: Project) -> None:
        raise NotImplementedError

    def undo(self, project: Project) -> None:
        raise NotImplementedError


class _EventEdit(Command):
    """Stores one event and keeps its exclusive group free of overlaps (coder/exclusive.py).

    Subclasses say what the event becomes; this applies it together with the trims, splits and
    removals of other states of the same exclusive group and subject, as one undo step.
    """

    def __init__(self) -> None:
        self.plan: ExclusivePlan | None = None
        self.before: Event | None = None  # the stored event before the edit (None: an add)

    def _after(self, project: Project) -> Event:
        raise NotImplementedError

    def _label(self, name: str) -> str:
        raise NotImplementedError

    def do(self, project: Project) -> None:
        after = self._after(project)
        scheme = project.scheme_for_observation(after.observation_id)
        code = validate_event(scheme, after)
        rivals = group_rivals(
            scheme,
            after,
            lambda codes: project.subject_events(after.observation_id, after.subject_id, codes),
        )
        plan = plan_exclusive(scheme, after, rivals) if rivals is not None else None
        if plan is not None:
            after = plan.event
            validate_event(scheme, after)
            for _, trimmed in plan.changed:
                project.update_event(trimmed)
            for gone in plan.removed:
                project.delete_event(gone.id)
            for part in plan.added:
                project.insert_event(part)
        if self.before is None:
            project.insert_event(after)
        else:
            project.update_event(after)
        self.plan = plan
        self.text = self._label(code.name)
        if plan is not None and plan.touched:
            n = len(plan.changed) + len(plan.removed)
            self.text += f" (adjusts {n} state{'s' if n != 1 else ''} of its group)"

    def undo(self, project: Project) -> None:
        plan = self.plan
        if self.before is None:
            project.delete_event(plan.event.id if plan else self._after(project).id)
        else:
            project.update_event(self.before)
        if plan is not None:
            for part in plan.added:
                project.delete_event(part.id)
            for gone in plan.removed:
                project.insert_event(gone)
            for original, _ in plan.changed:
                project.update_event(original)

    @property
    def stored(self) -> Event | None:
        """The event as the last ``do`` stored it (a key press may have been given an end)."""
        return self.plan.event if self.plan is not None else None


class AddEvent(_EventEdit):
    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event
        self.text = "Add event"

    def _after(self, project: Project) -> Event:
        return self.event

    def _label(self, name: str) -> str:
        return f"Add {name}"


class EndStateEvent(_EventEdit):
    def __init__(self, event_id: str, offset_ms: int) -> None:
        super().__init__()
        self.event_id, self.offset_ms = event_id, offset_ms
        self.text = "End state"

    def _after(self, project: Project) -> Event:
        self.before = project.event(self.event_id)
        return replace(self.before, offset_ms=self.offset_ms)

    def _label(self, name: str) -> str:
        return f"End {name}"


class EditEvent(_EventEdit):
    """Move, resize, recode, change subject, modifiers or note of one event."""

    FIELDS = ("onset_ms", "offset_ms", "code_id", "subject_id", "modifiers", "note")

    def __init__(self, event_id: str, **changes: Any) -> None:
        super().__init__()
        unknown = set(changes) - set(self.FIELDS)
        if unknown:
            raise CommandError(f"cannot edit {', '.join(sorted(unknown))} of an event")
        self.event_id, self.changes = event_id, changes
        self.text = "Edit event" if set(changes) != {"note"} else "Edit note"

    def _after(self, project: Project) -> Event:
        self.before = project.event(self.event_id)
        return replace(self.before, **self.changes)

    def _label(self, name: str) -> str:
        return "Edit note" if set(self.changes) == {"note"} else f"Edit {name}"


class DeleteEvents(Command):
    def __init__(self, event_ids: Sequence[str]) -> None:
        self.event_ids = list(event_ids)
        self.deleted: list[Event] = []
        n = len(self.event_ids)
        self.text = "Delete event" if n == 1 else f"Delete {n} events"

    def do(self, project: Project) -> None:
        self.deleted = [project.delete_event(i) for i in self.event_ids]

    def undo(self, project: Project) -> None:
        for e in reversed(self.deleted):
            project.insert_event(e)


class SetRating(Command):
    def __init__(
        self, observation_id: str, rating_id: str, segment_id: str | None, value: float | None
    ) -> None:
        self.observation_id, self.rating_id = observation_id, rating_id
        self.segment_id, self.value = segment_id, value
        self.before: RatingValue | None = None
        self.after: RatingValue | None = None
        self.text = "Set rating" if value is not None else "Clear rating"

    def do(self, project: Project) -> None:
        scheme = project.scheme_for_observation(self.observation_id)
        self.before = project.rating_value(self.observation_id, self.rating_id, self.segment_id)
        if self.value is None:
            if self.before is not None:
                project.delete_rating(self.before)
            return
        validate_rating(scheme, self.rating_id, self.value)
        self.after = RatingValue(
            self.before.id if self.before else new_id(),
            self.observation_id,
            self.rating_id,
            float(self.value),
            self.segment_id,
        )
        project.put_rating(self.after)

    def undo(self, project: Project) -> None:
        current = project.rating_value(self.observation_id, self.rating_id, self.segment_id)
        if current is not None:
            project.delete_rating(current)
        if self.before is not None:
            project.put_rating(self.before)


class _Put(Command):
    """Add or replace one segment/highlight; undo restores what was there."""

    kind = ""

    def __init__(self, item: Any, adding: bool) -> None:
        self.item, self.adding = item, adding
        self.before: Any = None
        self.text = f"{'Add' if adding else 'Edit'} {self.kind}"

    def _check(self, item: Any) -> None:
        start, end = (
            (item.onset_ms, item.offset_ms) if self.kind == "segment" else (item.in_ms, item.out_ms)
        )
        if start < 0 or end <= start:
            raise CommandError(f"a {self.kind} must end after it starts (got {start}-{end} ms)")

    def do(self, project: Project) -> None:
        self._check(self.item)
        getter = project.segment if self.kind == "segment" else project.highlight
        putter = project.put_segment if self.kind == "segment" else project.put_highlight
        self.before = None if self.adding else getter(self.item.id)
        putter(self.item, not self.adding)

    def undo(self, project: Project) -> None:
        if self.before is None:
            (project.delete_segment if self.kind == "segment" else project.delete_highlight)(
                self.item.id
            )
        else:
            (project.put_segment if self.kind == "segment" else project.put_highlight)(
                self.before, True
            )


class AddSegment(_Put):
    kind = "segment"

    def __init__(self, segment: Segment) -> None:
        super().__init__(segment, adding=True)


class EditSegment(_Put):
    kind = "segment"

    def __init__(self, segment: Segment) -> None:
        super().__init__(segment, adding=False)


class AddHighlight(_Put):
    kind = "highlight"

    def __init__(self, highlight: Highlight) -> None:
        super().__init__(highlight, adding=True)


class EditHighlight(_Put):
    kind = "highlight"

    def __init__(self, highlight: Highlight) -> None:
        super().__init__(highlight, adding=False)


class _Delete(Command):
    kind = ""

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        self.before: Any = None
        self.text = f"Delete {self.kind}"

    def do(self, project: Project) -> None:
        remove = project.delete_segment if self.kind == "segment" else project.delete_highlight
        self.before = remove(self.item_id)

    def undo(self, project: Project) -> None:
        (project.put_segment if self.kind == "segment" else project.put_highlight)(
            self.before, False
        )


class DeleteSegment(_Delete):
    kind = "segment"


class DeleteHighlight(_Delete):
    kind = "highlight"


class SetObservationFinal(Command):
    """Mark an observation final (its coder is done) or not; undoable and audited. Blind
    coders see each other's work only once every observation of the session is final."""

    def __init__(self, observation_id: str, final: bool) -> None:
        self.observation_id, self.final = observation_id, final
        self.before: bool | None = None
        self.text = "Mark final" if final else "Mark not final"

    def do(self, project: Project) -> None:
        self.before = project.observation(self.observation_id).final
        project.set_observation_final(self.observation_id, self.final)

    def undo(self, project: Project) -> None:
        assert self.before is not None
        project.set_observation_final(self.observation_id, self.before)


class Composite(Command):
    """Several commands as one undo step (multi-selection edits, imports)."""

    def __init__(self, text: str, commands: Sequence[Command]) -> None:
        self.text, self.commands = text, list(commands)

    def do(self, project: Project) -> None:
        for c in self.commands:
            c.do(project)

    def undo(self, project: Project) -> None:
        for c in reversed(self.commands):
            c.undo(project)


class CommandStack:
    """Unlimited undo/redo over a project; each do/undo/redo is one durable transaction."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self._clean_index: int | None = 0
        self._listeners: list[Callable[[], None]] = []

    def _run(self, step: Callable[[Project], None], command: Command) -> None:
        try:
            with self.project.transaction():
                step(self.project)
        except CommandError:
            raise
        except AttuneError as exc:
            raise CommandError(f"{command.text}: {exc}") from exc
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{command.text}: cannot be applied ({exc})") from exc

    def push(self, command: Command) -> None:
        self._run(command.do, command)
        self._done.append(command)
        if self._clean_index is not None and self._clean_index > len(self._done) - 1:
            self._clean_index = None  # the clean state was in the discarded redo branch
        self._undone.clear()
        self._changed()

    def undo(self) -> None:
        if not self._done:
            return
        command = self._done[-1]
        self._run(command.undo, command)
        self._undone.append(self._done.pop())
        self._changed()

    def redo(self) -> None:
        if not self._undone:
            return
        command = self._undone[-1]
        self._run(command.do, command)
        self._done.append(self._undone.pop())
        self._changed()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    @property
    def index(self) -> int:
        return len(self._done)

    def set_clean(self) -> None:
        self._clean_index = len(self._done)
        self._changed()

    @property
    def is_clean(self) -> bool:
        return self._clean_index == len(self._done)

    def on_change(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    def _changed(self) -> None:
        for callback in list(self._listeners):
            callback()
