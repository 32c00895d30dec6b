"""Checks on an Attune JSON file before anything from it is imported.

Every value gets the type and range the store and every export expect (coder.limits bounds
times, frame rates and frame tables), so a file that imports can also be exported; a file
that does not gives one message naming the file, the entry and the field. Messages never
repeat a value (it may be clinical text), only where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coder.errors import ImportFormatError
from coder.limits import (
    MAX_FRAMES,
    MAX_TEXT,
    fps_problem,
    number_problem,
    time_problem,
)

Check = Callable[[Any], str | None]


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    return "is too long" if len(value) > MAX_TEXT else None


def _opt_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _id(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return "must be a non-empty id of at most 200 characters"
    return None


def _opt_id(value: Any) -> str | None:
    return None if value is None else _id(value)


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _int(lo: int, hi: int) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            return f"must be a whole number from {lo} to {hi}"
        return None

    return check


def _time(value: Any) -> str | None:
    return time_problem(value, "the time")


def _opt_time(value: Any) -> str | None:
    return time_problem(value, "the time", allow_none=True)


def _number(value: Any) -> str | None:
    return number_problem(value, "the value")


def _fraction(value: Any) -> str | None:
    problem = number_problem(value, "the value")
    return problem or (None if 0 <= value <= 1 else "must be between 0 and 1")


def _list_of(check: Check, limit: int = 100_000) -> Check:
    def checked(value: Any) -> str | None:
        if not isinstance(value, list):
            return "must be a list"
        if len(value) > limit:
            return f"has more than {limit:,} entries"
        for i, item in enumerate(value):
            problem = check(item)
            if problem:
                return f"entry {i} {problem}"
        return None

    return checked


def _record(fields: dict[str, Check], optional: frozenset[str] = frozenset()) -> Check:
    def checked(value: Any) -> str | None:
        if not isinstance(value, dict):
            return "must be an object"
        unknown = sorted(str(k)[:40] for k in value if k not in fields)
        if unknown:
            return f"has unknown field(s) {', '.join(unknown)}"
        for name, check in fields.items():
            if name not in value:
                if name in optional:
                    continue
                return f"has no '{name}'"
            problem = check(value[name])
            if problem:
                return f"'{name}' {problem}"
        return None

    return checked


def _modifier_values(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        return "must be an object of modifier values"
    for v in value.values():
        ok = (
            isinstance(v, str)
            or (isinstance(v, list) and all(isinstance(x, str) for x in v))
            or number_problem(v, "") is None
        )
        if not ok:
            return "holds a value that is not text, a list of text or a finite number"
    return None


def _rotation(value: Any) -> str | None:
    return None if value in (0, 90, 180, 270) and not isinstance(value, bool) else "must be 0-270"


def _fps(value: Any) -> str | None:
    if value == 0 and not isinstance(value, bool):  # a placeholder for a video not yet linked
        return None
    return fps_problem(value)


def _speed(value: Any) -> str | None:
    problem = number_problem(value, "the speed")
    return problem or (None if 0 < value <= 4 else "must be above 0 and at most 4")


def _hold(value: Any) -> str | None:
    problem = number_problem(value, "the hold")
    return problem or (None if 0 <= value <= 600 else "must be from 0 to 600 seconds")


_CONSENT = _record(
    {k: _flag for k in ("treatment", "supervision", "show_to_parents", "training", "research")},
    frozenset(("treatment", "supervision", "show_to_parents", "training", "research")),
)

SHAPES: dict[str, Check] = {
    "schemes": _record(
        {
            "id": _id,
            "scheme_id": _text,
            "version": _text,
            "content_hash": _text,
            "source_text": _text,
        }
    ),
    "media": _record(
        {
            "id": _id,
            "path": _text,
            "fingerprint": _record(
                {
                    "size": _int(0, 2**62),
                    "head_sha256": _text,
                    "tail_sha256": _text,
                    "duration_ms": _time,
                }
            ),
            "duration_ms": _time,
            "fps": _fps,
            "width": _int(0, 100_000),
            "height": _int(0, 100_000),
            "rotation": _rotation,
            "has_audio": _flag,
            "frame_count": _int(0, MAX_FRAMES),
            "variable_frame_rate": _flag,
            "frame_times_ms": _list_of(_time, MAX_FRAMES),
        },
        frozenset(
            (
                "width",
                "height",
                "rotation",
                "has_audio",
                "frame_count",
                "variable_frame_rate",
                "frame_times_ms",
            )
        ),
    ),
    "sessions": _record(
        {
            "id": _id,
            "label": _text,
            "media_id": _opt_id,
            "family": _text,
            "recorded_on": _text,
            "consent": _CONSENT,
            "goal": _text,
            "practice_point": _text,
            "parent_name": _text,
            "parent_metrics": _list_of(_id, 1000),
        },
        frozenset(
            (
                "family",
                "recorded_on",
                "consent",
                "goal",
                "practice_point",
                "parent_name",
                "parent_metrics",
            )
        ),
    ),
    "observations": _record(
        {
            "id": _id,
            "session_id": _id,
            "coder": _text,
            "snapshot_id": _id,
            "name": _text,
            "blind": _flag,
            "final": _flag,
            "created_at": _text,
        },
        frozenset(("name", "blind", "final", "created_at")),
    ),
    "events": _record(
        {
            "id": _id,
            "observation_id": _id,
            "code_id": _id,
            "subject_id": _id,
            "onset_ms": _time,
            "offset_ms": _opt_time,
            "modifiers": _modifier_values,
            "note": _text,
            "text": _opt_text,
            "parent_id": _opt_id,
            "tier": _opt_text,
        },
        frozenset(("offset_ms", "modifiers", "note", "text", "parent_id", "tier")),
    ),
    # What an imported ELAN/BORIS file held beyond events (tiers, vocabularies, media), kept
    # so an export can write it back; absent in files written before it existed.
    "sources": _record(
        {
            "id": _id,
            "session_id": _id,
            "format": _text,
            "name": _text,
            "content": _text,
            "created_at": _text,
        },
        frozenset(("created_at",)),
    ),
    "segments": _record(
        {
            "id": _id,
            "session_id": _id,
            "name": _text,
            "onset_ms": _time,
            "offset_ms": _time,
            "definition_id": _opt_id,
        },
        frozenset(("definition_id",)),
    ),
    "ratings": _record(
        {
            "id": _id,
            "observation_id": _id,
            "rating_id": _id,
            "value": _number,
            "segment_id": _opt_id,
        },
        frozenset(("segment_id",)),
    ),
    "highlights": _record(
        {
            "id": _id,
            "session_id": _id,
            "in_ms": _time,
            "out_ms": _time,
            "title": _text,
            "caption": _text,
            "child_voice": _text,
            "talking_point": _text,
            "freeze_points": _list_of(
                _record(
                    {"at_ms": _time, "caption": _text, "hold_s": _hold},
                    frozenset(("caption", "hold_s")),
                ),
                1000,
            ),
            "speed": _speed,
            "theme": _text,
            "order": _int(-(2**31), 2**31),
            "shareable": _flag,
            "event_ids": _list_of(_id, 100_000),
            "blur_boxes": _list_of(
                _record({"x": _fraction, "y": _fraction, "w": _fraction, "h": _fraction}), 100
            ),
        },
        frozenset(
            (
                "title",
                "caption",
                "child_voice",
                "talking_point",
                "freeze_points",
                "speed",
                "theme",
                "order",
                "shareable",
                "event_ids",
                "blur_boxes",
            )
        ),
    ),
}


OPTIONAL_KINDS = frozenset(("sources",))


def _order_problem(kind: str, item: dict[str, Any]) -> str | None:
    """Ends after starts (the shapes alone cannot say that)."""
    pairs = {
        "events": ("onset_ms", "offset_ms"),
        "segments": ("onset_ms", "offset_ms"),
        "highlights": ("in_ms", "out_ms"),
    }
    if kind not in pairs:
        return None
    start, end = pairs[kind]
    if item.get(end) is not None and item[end] < item[start]:
        return f"'{end}' is before '{start}'"
    return None


def check_document(data: dict[str, Any], name: str) -> None:
    """Raise ImportFormatError naming the first entry whose shape or values are wrong."""
    for kind, shape in SHAPES.items():
        items = data.get(kind)
        if kind in OPTIONAL_KINDS and kind not in data:
            continue
        if not isinstance(items, list):
            raise ImportFormatError(f"{name}: '{kind}' must be a list; is this an Attune export?")
        for i, item in enumerate(items):
            problem = shape(item) or _order_problem(kind, item)
            if problem:
                raise ImportFormatError(f"{name}: {kind}[{i}] {problem}; nothing was imported")
