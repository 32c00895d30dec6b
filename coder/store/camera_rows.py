"""Rows of ``session_media`` (a session's extra cameras) <-> ``Camera``, checked on reading."""

from __future__ import annotations

from typing import Any

from coder.cameras import MAX_OFFSET_MS, MAX_VIDEOS, Camera
from coder.store import rows as R
from coder.store.backend import Row

CAMERA_COLUMNS = "id, session_id, media_id, position, label, offset_ms"


def camera_params(c: Camera) -> tuple[Any, ...]:
    return (c.id, c.session_id, c.media_id, c.position, c.label, c.offset_ms)


def camera_from_row(r: Row) -> Camera:
    t = "session_media"
    return Camera(
        R._text(r, "id", t),
        R._text(r, "session_id", t),
        R._text(r, "media_id", t),
        R._int(r, "position", t, 1, MAX_VIDEOS - 1),
        R._text(r, "label", t),
        R._int(r, "offset_ms", t, -MAX_OFFSET_MS, MAX_OFFSET_MS),
    )
