"""Checks an edit against the scheme before it reaches the store (clear, fixable messages)."""

from __future__ import annotations

from coder.errors import CommandError
from coder.model import Code, Event, Scheme


def validate_event(scheme: Scheme, e: Event) -> Code:
    try:
        code = scheme.code(e.code_id)
    except KeyError:
        raise CommandError(
            f"'{e.code_id}' is not a code of the scheme '{scheme.name}'; pick one of its codes"
        ) from None
    allowed = scheme.subjects_for(code)
    if e.subject_id not in allowed:
        raise CommandError(
            f"{code.name} cannot be coded for '{e.subject_id}'; choose {', '.join(allowed)}"
        )
    if e.onset_ms < 0:
        raise CommandError(f"{code.name}: the time {e.onset_ms} ms is before the video starts")
    if code.is_state:
        if e.offset_ms is not None and e.offset_ms <= e.onset_ms:
            raise CommandError(
                f"{code.name}: a state must end after it starts ({e.onset_ms}-{e.offset_ms} ms)"
            )
    elif e.offset_ms is not None:
        raise CommandError(f"{code.name} is a point code; it has no end time")
    for key, value in e.modifiers.items():
        if key not in code.modifiers:
            raise CommandError(f"{code.name} has no modifier '{key}'")
        modifier = scheme.modifier(key)
        if not modifier.accepts(value):
            choices = ", ".join(modifier.values) or (
                f"a number from {modifier.minimum:g} to {modifier.maximum:g}"
                if modifier.minimum is not None and modifier.maximum is not None
                else "a number"
            )
            raise CommandError(
                f"{code.name}: '{value}' is not a valid {modifier.name}; use {choices}"
            )
    return code


def validate_rating(scheme: Scheme, rating_id: str, value: float) -> None:
    try:
        scale = scheme.rating(rating_id)
    except KeyError:
        raise CommandError(f"'{rating_id}' is not a rating of the scheme '{scheme.name}'") from None
    if not scale.accepts(value):
        raise CommandError(
            f"{scale.name}: {value:g} is not on the scale {scale.minimum:g}-{scale.maximum:g} "
            f"in steps of {scale.step:g}"
        )
