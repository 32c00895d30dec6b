"""Conversions between model objects and database rows (one place, both directions).

Reading checks every value's type and range: a damaged or hand-edited project file gives a
ProjectError naming the table and column (never the value: it may be clinical text), not a
crash later in an export or a view.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from coder.errors import ProjectError
from coder.limits import MAX_FRAMES, MAX_MEDIA_MS, number_problem, time_problem
from coder.model import (
    BlurBox,
    Consent,
    Event,
    Fingerprint,
    FreezePoint,
    Highlight,
    Media,
    ModifierValue,
    Observation,
    RatingValue,
    Segment,
    Session,
    SourceDocument,
)
from coder.store.backend import Row


def damaged(table: str, column: str) -> ProjectError:
    return ProjectError(
        f"the project file is damaged (a {table} row has an unreadable '{column}'); "
        "restore it from a backup copy"
    )


def _get(r: Row, column: str, table: str) -> Any:
    try:
        return r[column]
    except (IndexError, KeyError):
        raise damaged(table, column) from None


def _text(r: Row, column: str, table: str) -> str:
    value = _get(r, column, table)
    if not isinstance(value, str):
        raise damaged(table, column)
    return value


def _opt_text(r: Row, column: str, table: str) -> str | None:
    value = _get(r, column, table)
    if value is not None and not isinstance(value, str):
        raise damaged(table, column)
    return value


def _int(r: Row, column: str, table: str, lo: int = 0, hi: int = 2**53) -> int:
    value = _get(r, column, table)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise damaged(table, column)
    return value


def row_version(r: Row, entity: str) -> int:
    """A versioned row's ``row_version``, checked like every other column."""
    return _int(r, "row_version", entity, lo=1)


def _time(r: Row, column: str, table: str, allow_none: bool = False) -> Any:
    value = _get(r, column, table)
    if time_problem(value, column, allow_none=allow_none) is not None:
        raise damaged(table, column)
    return value


def _real(r: Row, column: str, table: str) -> float:
    value = _get(r, column, table)
    if number_problem(value, column) is not None:
        raise damaged(table, column)
    return float(value)


def _flag(r: Row, column: str, table: str) -> bool:
    return bool(_int(r, column, table, 0, 1))


def _json(r: Row, column: str, table: str) -> Any:
    text = _text(r, column, table)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise damaged(table, column) from None


def _no_constant(_name: str) -> Any:
    raise ValueError("NaN and Infinity are not stored values")


def _record(cls: Any, item: Any, table: str, column: str) -> dict[str, Any]:
    """A JSON object holding exactly (a subset of) ``cls``'s fields, for ``cls(**item)``."""
    names = {f.name for f in fields(cls)}
    if not isinstance(item, dict) or not set(item) <= names:
        raise damaged(table, column)
    return item


def _fraction(value: Any, table: str, column: str) -> float:
    if number_problem(value, column) is not None or not 0.0 <= value <= 1.0:
        raise damaged(table, column)
    return float(value)


def _modifier_value(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return number_problem(value, "") is None


def modifiers_to_json(modifiers: Any) -> str:
    plain = {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(modifiers.items())}
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def modifiers_from_json(text: str) -> dict[str, ModifierValue]:
    raw = json.loads(text)
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _modifiers(r: Row, table: str) -> dict[str, ModifierValue]:
    if _get(r, "modifiers", table) == "{}":  # most events: no JSON parse (100,000 events)
        return {}
    raw = _json(r, "modifiers", table)
    if not isinstance(raw, dict) or not all(_modifier_value(v) for v in raw.values()):
        raise damaged(table, "modifiers")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


EVENT_COLUMNS = (
    "id, observation_id, code_id, subject_id, onset_ms, offset_ms, modifiers, note, "
    "text_value, parent_id, tier"
)


def event_params(e: Event) -> tuple[Any, ...]:
    return (
        e.id,
        e.observation_id,
        e.code_id,
        e.subject_id,
        e.onset_ms,
        e.offset_ms,
        modifiers_to_json(e.modifiers),
        e.note,
        e.text,
        e.parent_id,
        e.tier,
    )


def event_from_row(r: Row) -> Event:
    t = "event"
    onset = _time(r, "onset_ms", t)
    offset = _time(r, "offset_ms", t, allow_none=True)
    if offset is not None and offset < onset:
        raise damaged(t, "offset_ms")
    return Event(
        _text(r, "id", t),
        _text(r, "observation_id", t),
        _text(r, "code_id", t),
        _text(r, "subject_id", t),
        onset,
        offset,
        _modifiers(r, t),
        _text(r, "note", t),
        _opt_text(r, "text_value", t),
        _opt_text(r, "parent_id", t),
        _opt_text(r, "tier", t),
    )


def events_from_rows(rows: list[Row]) -> list[tuple[Event, int]]:
    """Events read with their ``row_version`` (selected after ``EVENT_COLUMNS``), checked as
    ``event_from_row`` checks them.

    A project holds 100,000 events and opening it must take under a second: the usual row
    (well-typed, no modifiers) is checked inline here; any other row goes through
    ``event_from_row``, which parses its modifiers or names the damaged column.
    """
    out: list[tuple[Event, int]] = []
    append, top = out.append, MAX_MEDIA_MS
    new_event, set_attr = object.__new__, object.__setattr__
    for r in rows:
        i, obs, code, subject, onset, offset, mods, note, text, parent, tier, version = r
        if (
            type(i) is str
            and type(obs) is str
            and type(code) is str
            and type(subject) is str
            and type(onset) is int
            and 0 <= onset <= top
            and (offset is None or (type(offset) is int and onset <= offset <= top))
            and mods == "{}"
            and type(note) is str
            and (text is None or type(text) is str)
            and (parent is None or type(parent) is str)
            and (tier is None or type(tier) is str)
            and type(version) is int
            and 1 <= version <= 2**53
        ):
            event = new_event(Event)  # Event(...) without the frozen per-field __setattr__:
            set_attr(  # half the cost of a row (tests/core/test_event_rows.py keeps it equal)
                event,
                "__dict__",
                {
                    "id": i,
                    "observation_id": obs,
                    "code_id": code,
                    "subject_id": subject,
                    "onset_ms": onset,
                    "offset_ms": offset,
                    "modifiers": {},
                    "note": note,
                    "text": text,
                    "parent_id": parent,
                    "tier": tier,
                },
            )
            append((event, version))
        else:
            append((event_from_row(r), row_version(r, "event")))
    return out


SOURCE_DOCUMENT_COLUMNS = "id, session_id, format, name, content, created_at"


def source_document_params(d: SourceDocument) -> tuple[Any, ...]:
    return (d.id, d.session_id, d.format, d.name, d.content, d.created_at)


def source_document_from_row(r: Row) -> SourceDocument:
    t = "source_document"
    return SourceDocument(
        _text(r, "id", t),
        _text(r, "session_id", t),
        _text(r, "format", t),
        _text(r, "name", t),
        _text(r, "content", t),
        _text(r, "created_at", t),
    )


MEDIA_COLUMNS = (
    "id, path, size, head_sha256, tail_sha256, duration_ms, fps, width, height, "
    "rotation, has_audio, frame_count, vfr"
)


def media_params(m: Media) -> tuple[Any, ...]:
    fp = m.fingerprint
    return (
        m.id,
        m.path,
        fp.size,
        fp.head_sha256,
        fp.tail_sha256,
        m.duration_ms,
        m.fps,
        m.width,
        m.height,
        m.rotation,
        int(m.has_audio),
        m.frame_count,
        int(m.variable_frame_rate),
    )


def media_from_row(r: Row) -> Media:
    t = "media"
    duration = _time(r, "duration_ms", t)
    fps = _real(r, "fps", t)
    if not 0.0 <= fps <= 1000.0:
        raise damaged(t, "fps")
    fp = Fingerprint(
        _int(r, "size", t, 0, 2**62),
        _text(r, "head_sha256", t),
        _text(r, "tail_sha256", t),
        duration,
    )
    if _get(r, "rotation", t) not in (0, 90, 180, 270):
        raise damaged(t, "rotation")
    return Media(
        _text(r, "id", t),
        _text(r, "path", t),
        fp,
        duration,
        fps,
        _int(r, "width", t, 0, 100_000),
        _int(r, "height", t, 0, 100_000),
        int(r["rotation"]),
        _flag(r, "has_audio", t),
        _int(r, "frame_count", t, 0, MAX_FRAMES),
        _flag(r, "vfr", t),
    )


def frame_times_from_blob(data: Any) -> bytes:
    """The stored frame table (int64 start times): checked for type and size."""
    if not isinstance(data, bytes) or len(data) % 8 or len(data) > 8 * MAX_FRAMES:
        raise damaged("frame table", "data")
    return data


SESSION_COLUMNS = (
    "id, label, media_id, family, recorded_on, consent, goal, practice_point, parent_name, "
    "parent_metrics"
)


def session_params(s: Session) -> tuple[Any, ...]:
    return (
        s.id,
        s.label,
        s.media_id,
        s.family,
        s.recorded_on,
        json.dumps(asdict(s.consent), sort_keys=True),
        s.goal,
        s.practice_point,
        s.parent_name,
        json.dumps(list(s.parent_metrics)),
    )


def session_from_row(r: Row) -> Session:
    t = "session"
    consent = _record(Consent, _json(r, "consent", t), t, "consent")
    if not all(isinstance(v, bool) for v in consent.values()):
        raise damaged(t, "consent")
    metrics = _json(r, "parent_metrics", t)
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise damaged(t, "parent_metrics")
    return Session(
        _text(r, "id", t),
        _text(r, "label", t),
        _opt_text(r, "media_id", t),
        _text(r, "family", t),
        _text(r, "recorded_on", t),
        Consent(**consent),
        _text(r, "goal", t),
        _text(r, "practice_point", t),
        _text(r, "parent_name", t),
        tuple(metrics),
    )


OBSERVATION_COLUMNS = "id, session_id, coder, snapshot_id, name, blind, final, created_at"


def observation_params(o: Observation) -> tuple[Any, ...]:
    return (
        o.id,
        o.session_id,
        o.coder,
        o.snapshot_id,
        o.name,
        int(o.blind),
        int(o.final),
        o.created_at,
    )


def observation_from_row(r: Row) -> Observation:
    t = "observation"
    return Observation(
        _text(r, "id", t),
        _text(r, "session_id", t),
        _text(r, "coder", t),
        _text(r, "snapshot_id", t),
        _text(r, "name", t),
        _flag(r, "blind", t),
        _flag(r, "final", t),
        _text(r, "created_at", t),
    )


SEGMENT_COLUMNS = "id, session_id, name, onset_ms, offset_ms, definition_id"


def segment_params(s: Segment) -> tuple[Any, ...]:
    return (s.id, s.session_id, s.name, s.onset_ms, s.offset_ms, s.definition_id)


def segment_from_row(r: Row) -> Segment:
    t = "segment"
    onset, offset = _time(r, "onset_ms", t), _time(r, "offset_ms", t)
    if offset < onset:
        raise damaged(t, "offset_ms")
    return Segment(
        _text(r, "id", t),
        _text(r, "session_id", t),
        _text(r, "name", t),
        onset,
        offset,
        _opt_text(r, "definition_id", t),
    )


RATING_COLUMNS = "id, observation_id, rating_id, segment_key, value"


def rating_params(v: RatingValue) -> tuple[Any, ...]:
    return (v.id, v.observation_id, v.rating_id, v.segment_id or "", v.value)


def rating_from_row(r: Row) -> RatingValue:
    t = "rating"
    return RatingValue(
        _text(r, "id", t),
        _text(r, "observation_id", t),
        _text(r, "rating_id", t),
        _real(r, "value", t),
        _text(r, "segment_key", t) or None,
    )


HIGHLIGHT_COLUMNS = (
    "id, session_id, in_ms, out_ms, title, caption, child_voice, talking_point, "
    "freeze_points, speed, theme, ord, shareable, event_ids, blur_boxes"
)


def highlight_params(h: Highlight) -> tuple[Any, ...]:
    return (
        h.id,
        h.session_id,
        h.in_ms,
        h.out_ms,
        h.title,
        h.caption,
        h.child_voice,
        h.talking_point,
        json.dumps([asdict(p) for p in h.freeze_points]),
        h.speed,
        h.theme,
        h.order,
        int(h.shareable),
        json.dumps(list(h.event_ids)),
        json.dumps([asdict(b) for b in h.blur_boxes]),
    )


def _freeze_points(r: Row, t: str) -> tuple[FreezePoint, ...]:
    raw = _json(r, "freeze_points", t)
    if not isinstance(raw, list):
        raise damaged(t, "freeze_points")
    points = []
    for item in raw:
        p = _record(FreezePoint, item, t, "freeze_points")
        hold = p.get("hold_s", 3.0)
        if (
            time_problem(p.get("at_ms"), "at_ms") is not None
            or not isinstance(p.get("caption", ""), str)
            or number_problem(hold, "hold_s") is not None
            or not 0 <= hold <= 600
        ):
            raise damaged(t, "freeze_points")
        points.append(FreezePoint(**p))
    return tuple(points)


def _blur_boxes(r: Row, t: str) -> tuple[BlurBox, ...]:
    raw = _json(r, "blur_boxes", t)
    if not isinstance(raw, list):
        raise damaged(t, "blur_boxes")
    boxes = []
    for item in raw:
        b = _record(BlurBox, item, t, "blur_boxes")
        if set(b) != {"x", "y", "w", "h"}:
            raise damaged(t, "blur_boxes")
        boxes.append(BlurBox(*(_fraction(b[k], t, "blur_boxes") for k in "xywh")))
    return tuple(boxes)


def highlight_from_row(r: Row) -> Highlight:
    t = "highlight"
    in_ms, out_ms = _time(r, "in_ms", t), _time(r, "out_ms", t)
    if out_ms < in_ms:
        raise damaged(t, "out_ms")
    speed = _real(r, "speed", t)
    if not 0.0 < speed <= 4.0:
        raise damaged(t, "speed")
    event_ids = _json(r, "event_ids", t)
    if not isinstance(event_ids, list) or not all(isinstance(e, str) for e in event_ids):
        raise damaged(t, "event_ids")
    return Highlight(
        _text(r, "id", t),
        _text(r, "session_id", t),
        in_ms,
        out_ms,
        _text(r, "title", t),
        _text(r, "caption", t),
        _text(r, "child_voice", t),
        _text(r, "talking_point", t),
        _freeze_points(r, t),
        speed,
        _text(r, "theme", t),
        _int(r, "ord", t, -(2**31), 2**31),
        _flag(r, "shareable", t),
        tuple(event_ids),
        _blur_boxes(r, t),
    )


def placeholders(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


def snapshot_fields(r: Row) -> tuple[str, str, str, str]:
    """id, scheme id, content hash and source text of a scheme snapshot row."""
    t = "scheme snapshot"
    return (
        _text(r, "id", t),
        _text(r, "scheme_id", t),
        _text(r, "content_hash", t),
        _text(r, "source_text", t),
    )
