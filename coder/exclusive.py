"""Exclusive groups hold for every state, running or ended: the state you code wins.

An exclusive group (``groups[].exclusive``) says that, for one subject, at most one of its
state codes is active at any time. Live coding only ever ends the running state; reviewing a
recording means coding *inside* states coded earlier, and those must not overlap either (an
overlap makes "% of session" sum past 100 % for the group). ``plan_exclusive`` works out, for
one new or changed state, what happens to the others of its group and subject, so the command
can apply it and undo it as one step:

- a state with an end ``[t, u)`` trims any state sticking into it, splits one that covers it
  (the part after ``u`` becomes a new event with the same code, subject and modifiers; the note
  stays with the first part), moves the start of one that begins inside it to ``u``, and
  removes one lying wholly inside it; a running state that started before ``t`` ends at ``t``;
- a state started by a key press (no end yet) inside an ended state of its group takes over
  from there to where that state ended; started before a later state of its group, it ends
  where that one starts; otherwise it keeps running (and any running state of the group that
  started earlier ends at ``t``). Press its key again to end it sooner.

Two states of a group starting at the same moment are refused: that is a recode, not an add.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from coder.errors import CommandError
from coder.model import Event, Scheme, new_id


@dataclass
class ExclusivePlan:
    """What one state does to the other states of its exclusive group and subject."""

    event: Event  # the state as it will be stored (a key press may have been given an end)
    changed: list[tuple[Event, Event]] = field(default_factory=list)  # (before, after)
    removed: list[Event] = field(default_factory=list)
    added: list[Event] = field(default_factory=list)  # the second parts of split states

    @property
    def touched(self) -> int:
        return len(self.changed) + len(self.removed) + len(self.added)


def group_rivals(
    scheme: Scheme, event: Event, load_events: Callable[[Sequence[str]], Sequence[Event]]
) -> list[Event] | None:
    """The other states of ``event``'s exclusive group and subject, or None if it has none
    (then no events are loaded: most codes are in no such group). ``load_events(codes)``
    gives the observation's events of the subject and these codes (at least)."""
    code = scheme.code(event.code_id)
    group = scheme.group_of(code.id)
    if not code.is_state or group is None or not group.exclusive:
        return None
    codes = set(group.codes)
    return [
        e
        for e in load_events(sorted(codes))
        if e.id != event.id
        and e.subject_id == event.subject_id
        and e.code_id in codes
        and scheme.code(e.code_id).is_state
    ]


def plan_exclusive(
    scheme: Scheme,
    event: Event,
    rivals: Sequence[Event],
    make_id: Callable[[], str] = new_id,
) -> ExclusivePlan:
    """The edits that keep ``event``'s exclusive group free of overlaps (see the module doc)."""
    t = event.onset_ms
    for other in rivals:
        if other.onset_ms == t:
            raise CommandError(
                f"a {scheme.code(other.code_id).name} state of the same group starts at this "
                "moment; move the playhead, or change that state's code instead"
            )
    end = event.offset_ms
    if end is None:
        containing = [o for o in rivals if o.offset_ms is not None and o.onset_ms < t < o.offset_ms]
        later = [o.onset_ms for o in rivals if o.onset_ms > t]
        if containing:
            end = containing[0].offset_ms
        elif later:
            end = min(later)
    plan = ExclusivePlan(event if end == event.offset_ms else replace(event, offset_ms=end))
    for other in rivals:
        _resolve(plan, other, t, end, make_id)
    return plan


def _resolve(
    plan: ExclusivePlan, other: Event, t: int, end: int | None, make_id: Callable[[], str]
) -> None:
    a, b = other.onset_ms, other.offset_ms
    if b is None:  # a running state
        if a < t:
            plan.changed.append((other, replace(other, offset_ms=t)))
        elif end is not None and a < end:
            plan.changed.append((other, replace(other, onset_ms=end)))
        return
    if end is None:  # the new state runs on: only states it starts inside matter (none here)
        return
    if b <= t or a >= end:
        return
    if a < t and b > end:
        plan.changed.append((other, replace(other, offset_ms=t)))
        plan.added.append(replace(other, id=make_id(), onset_ms=end, note=""))
    elif a < t:
        plan.changed.append((other, replace(other, offset_ms=t)))
    elif b > end:
        plan.changed.append((other, replace(other, onset_ms=end)))
    else:
        plan.removed.append(other)
