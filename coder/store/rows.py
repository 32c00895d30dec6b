"""Conversions between model objects and database rows (one place, both directions)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

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
)

Row = sqlite3.Row


def modifiers_to_json(modifiers: Any) -> str:
    plain = {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(modifiers.items())}
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def modifiers_from_json(text: str) -> dict[str, ModifierValue]:
    raw = json.loads(text)
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


EVENT_COLUMNS = "id, observation_id, code_id, subject_id, onset_ms, offset_ms, modifiers, note"


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
    )


def event_from_row(r: Row) -> Event:
    return Event(
        r["id"],
        r["observation_id"],
        r["code_id"],
        r["subject_id"],
        r["onset_ms"],
        r["offset_ms"],
        modifiers_from_json(r["modifiers"]),
        r["note"],
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
    fp = Fingerprint(r["size"], r["head_sha256"], r["tail_sha256"], r["duration_ms"])
    return Media(
        r["id"],
        r["path"],
        fp,
        r["duration_ms"],
        r["fps"],
        r["width"],
        r["height"],
        r["rotation"],
        bool(r["has_audio"]),
        r["frame_count"],
        bool(r["vfr"]),
    )


SESSION_COLUMNS = "id, label, media_id, family, recorded_on, consent, goal, practice_point"


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
    )


def session_from_row(r: Row) -> Session:
    return Session(
        r["id"],
        r["label"],
        r["media_id"],
        r["family"],
        r["recorded_on"],
        Consent(**json.loads(r["consent"])),
        r["goal"],
        r["practice_point"],
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
    return Observation(
        r["id"],
        r["session_id"],
        r["coder"],
        r["snapshot_id"],
        r["name"],
        bool(r["blind"]),
        bool(r["final"]),
        r["created_at"],
    )


SEGMENT_COLUMNS = "id, session_id, name, onset_ms, offset_ms, definition_id"


def segment_params(s: Segment) -> tuple[Any, ...]:
    return (s.id, s.session_id, s.name, s.onset_ms, s.offset_ms, s.definition_id)


def segment_from_row(r: Row) -> Segment:
    return Segment(
        r["id"], r["session_id"], r["name"], r["onset_ms"], r["offset_ms"], r["definition_id"]
    )


RATING_COLUMNS = "id, observation_id, rating_id, segment_key, value"


def rating_params(v: RatingValue) -> tuple[Any, ...]:
    return (v.id, v.observation_id, v.rating_id, v.segment_id or "", v.value)


def rating_from_row(r: Row) -> RatingValue:
    return RatingValue(
        r["id"], r["observation_id"], r["rating_id"], r["value"], r["segment_key"] or None
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


def highlight_from_row(r: Row) -> Highlight:
    return Highlight(
        r["id"],
        r["session_id"],
        r["in_ms"],
        r["out_ms"],
        r["title"],
        r["caption"],
        r["child_voice"],
        r["talking_point"],
        tuple(FreezePoint(**p) for p in json.loads(r["freeze_points"])),
        r["speed"],
        r["theme"],
        r["ord"],
        bool(r["shareable"]),
        tuple(json.loads(r["event_ids"])),
        tuple(BlurBox(**b) for b in json.loads(r["blur_boxes"])),
    )


def placeholders(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))
