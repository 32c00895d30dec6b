"""Reads and the low-level writes of the project store.

Writes here are primitives for commands and importers: each must run inside
``Project.transaction()`` and records an audit row and a change notification.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from coder.errors import ProjectError
from coder.model import (
    Event,
    Fingerprint,
    Highlight,
    Media,
    Observation,
    RatingValue,
    Segment,
    Session,
)
from coder.store import audit
from coder.store import rows as R

if TYPE_CHECKING:
    from coder.store.project import ChangeKind


class Queries:
    db: sqlite3.Connection

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # Provided by Project.
    def record(
        self,
        kind: ChangeKind,
        entity: str,
        entity_id: str,
        before: object | None,
        after: object | None,
    ) -> None:
        raise NotImplementedError

    def _require(self, found: Any, what: str, key: str) -> Any:
        raise NotImplementedError

    def _one(self, sql: str, key: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(sql, (key,)).fetchone()
        return row

    # --- media and sessions ----------------------------------------------------------------
    def media(self, media_id: str) -> Media:
        row = self._one("SELECT * FROM media WHERE id = ?", media_id)
        return R.media_from_row(self._require(row, "media", media_id))

    def media_list(self) -> list[Media]:
        return [R.media_from_row(r) for r in self.db.execute("SELECT * FROM media ORDER BY rowid")]

    def frame_times(self, media_id: str) -> list[int]:
        row = self._one("SELECT data FROM frame_times WHERE media_id = ?", media_id)
        if row is None:
            return []
        table = array("q")
        table.frombytes(R.frame_times_from_blob(row["data"]))
        return table.tolist()

    def add_media(self, media: Media, frame_times: Sequence[int]) -> None:
        with self.transaction():
            self.db.execute(
                f"INSERT INTO media ({R.MEDIA_COLUMNS}) VALUES ({R.placeholders(R.MEDIA_COLUMNS)})",
                R.media_params(media),
            )
            self.db.execute(
                "INSERT INTO frame_times VALUES (?, ?)",
                (media.id, array("q", frame_times).tobytes()),
            )
            self.record("added", "media", media.id, None, media)

    def relink_media(self, media_id: str, new_path: str, fingerprint: Fingerprint) -> Media:
        """Point a media record at a moved file; refused unless it is the same recording."""
        before = self.media(media_id)
        placeholder = before.fingerprint.size == 0  # imported (BORIS/ELAN): only a name was known
        if placeholder and abs(fingerprint.duration_ms - before.duration_ms) > 1000:
            raise ProjectError(
                f"{new_path}: its length ({fingerprint.duration_ms / 1000:.1f} s) differs from the "
                f"coded video's ({before.duration_ms / 1000:.1f} s); choose the original file"
            )
        if not placeholder and fingerprint != before.fingerprint:
            raise ProjectError(
                f"{new_path}: is not the same recording as the session's video (size or content "
                "differs); choose the original file"
            )
        from dataclasses import replace

        after = replace(before, path=new_path, fingerprint=fingerprint)
        with self.transaction():
            fp = fingerprint
            self.db.execute(
                "UPDATE media SET path = ?, size = ?, head_sha256 = ?, tail_sha256 = ? "
                "WHERE id = ?",
                (new_path, fp.size, fp.head_sha256, fp.tail_sha256, media_id),
            )
            self.record("changed", "media", media_id, before, after)
        return after

    def sessions(self) -> list[Session]:
        return [
            R.session_from_row(r) for r in self.db.execute("SELECT * FROM sessions ORDER BY rowid")
        ]

    def session(self, session_id: str) -> Session:
        row = self._one("SELECT * FROM sessions WHERE id = ?", session_id)
        return R.session_from_row(self._require(row, "session", session_id))

    def add_session(self, session: Session) -> None:
        with self.transaction():
            self.db.execute(
                f"INSERT INTO sessions ({R.SESSION_COLUMNS}) VALUES "
                f"({R.placeholders(R.SESSION_COLUMNS)})",
                R.session_params(session),
            )
            self.record("added", "session", session.id, None, session)

    def update_session(self, session: Session) -> None:
        before = self.session(session.id)
        with self.transaction():
            self.db.execute(
                "UPDATE sessions SET label=?, media_id=?, family=?, recorded_on=?, consent=?, "
                "goal=?, practice_point=? WHERE id=?",
                (*R.session_params(session)[1:], session.id),
            )
            self.record("changed", "session", session.id, before, session)

    # --- observations ------------------------------------------------------------------------
    def observations(self, session_id: str | None = None) -> list[Observation]:
        if session_id is None:
            cur = self.db.execute("SELECT * FROM observations ORDER BY rowid")
        else:
            cur = self.db.execute(
                "SELECT * FROM observations WHERE session_id = ? ORDER BY rowid", (session_id,)
            )
        return [R.observation_from_row(r) for r in cur]

    def observation(self, observation_id: str) -> Observation:
        row = self._one("SELECT * FROM observations WHERE id = ?", observation_id)
        return R.observation_from_row(self._require(row, "observation", observation_id))

    def find_observation(self, key: str) -> Observation:
        """By id, by name, or as "session label/coder"."""
        everything = self.observations()
        for field in ("id", "name"):
            found = [o for o in everything if getattr(o, field) == key]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ProjectError(f"several observations are called '{key}'; use the id")
        labels = {s.id: s.label for s in self.sessions()}
        found = [o for o in everything if f"{labels.get(o.session_id)}/{o.coder}" == key]
        if len(found) == 1:
            return found[0]
        names = ", ".join(repr(o.name or o.id) for o in everything) or "none"
        raise ProjectError(f"no observation '{key}' (observations: {names})")

    def add_observation(self, obs: Observation) -> None:
        if not obs.created_at:
            from dataclasses import replace
            from datetime import UTC, datetime

            obs = replace(obs, created_at=datetime.now(UTC).isoformat(timespec="seconds"))
        with self.transaction():
            self.db.execute(
                f"INSERT INTO observations ({R.OBSERVATION_COLUMNS}) VALUES "
                f"({R.placeholders(R.OBSERVATION_COLUMNS)})",
                R.observation_params(obs),
            )
            self.record("added", "observation", obs.id, None, obs)

    def set_observation_final(self, observation_id: str, final: bool) -> None:
        from dataclasses import replace

        before = self.observation(observation_id)
        with self.transaction():
            self.db.execute(
                "UPDATE observations SET final = ? WHERE id = ?", (int(final), observation_id)
            )
            self.record(
                "changed", "observation", observation_id, before, replace(before, final=final)
            )

    # --- events --------------------------------------------------------------------------------
    def events(self, observation_id: str) -> list[Event]:
        cur = self.db.execute(
            f"SELECT {R.EVENT_COLUMNS} FROM events WHERE observation_id = ? ORDER BY onset_ms, id",
            (observation_id,),
        )
        return [R.event_from_row(r) for r in cur]

    def event(self, event_id: str) -> Event:
        row = self._one(f"SELECT {R.EVENT_COLUMNS} FROM events WHERE id = ?", event_id)
        return R.event_from_row(self._require(row, "event", event_id))

    def running_events(
        self, observation_id: str, subject_id: str, code_ids: Sequence[str]
    ) -> list[Event]:
        """Events without an end (running states, or points) of these codes for a subject."""
        marks = ", ".join("?" for _ in code_ids)
        cur = self.db.execute(
            f"SELECT {R.EVENT_COLUMNS} FROM events WHERE observation_id = ? AND subject_id = ? "
            f"AND offset_ms IS NULL AND code_id IN ({marks}) ORDER BY onset_ms, id",
            (observation_id, subject_id, *code_ids),
        )
        return [R.event_from_row(r) for r in cur]

    def find_event(self, event_id: str) -> Event | None:
        row = self._one(f"SELECT {R.EVENT_COLUMNS} FROM events WHERE id = ?", event_id)
        return None if row is None else R.event_from_row(row)

    def insert_event(self, e: Event) -> None:
        self.db.execute(
            f"INSERT INTO events ({R.EVENT_COLUMNS}) VALUES ({R.placeholders(R.EVENT_COLUMNS)})",
            R.event_params(e),
        )
        self.record("added", "event", e.id, None, e)

    def update_event(self, e: Event) -> Event:
        before = self.event(e.id)
        self.db.execute(
            "UPDATE events SET observation_id=?, code_id=?, subject_id=?, onset_ms=?, offset_ms=?, "
            "modifiers=?, note=? WHERE id=?",
            (*R.event_params(e)[1:], e.id),
        )
        self.record("changed", "event", e.id, before, e)
        return before

    def delete_event(self, event_id: str) -> Event:
        before = self.event(event_id)
        self.db.execute("DELETE FROM events WHERE id = ?", (event_id,))
        self.record("removed", "event", event_id, before, None)
        return before

    # --- segments, ratings, highlights ----------------------------------------------------------
    def segments(self, session_id: str) -> list[Segment]:
        cur = self.db.execute(
            "SELECT * FROM segments WHERE session_id = ? ORDER BY onset_ms, id", (session_id,)
        )
        return [R.segment_from_row(r) for r in cur]

    def segment(self, segment_id: str) -> Segment:
        row = self._one("SELECT * FROM segments WHERE id = ?", segment_id)
        return R.segment_from_row(self._require(row, "segment", segment_id))

    def put_segment(self, s: Segment, existed: bool) -> None:
        before = self.segment(s.id) if existed else None
        self.db.execute(
            f"INSERT OR REPLACE INTO segments ({R.SEGMENT_COLUMNS}) VALUES "
            f"({R.placeholders(R.SEGMENT_COLUMNS)})",
            R.segment_params(s),
        )
        self.record("changed" if existed else "added", "segment", s.id, before, s)

    def delete_segment(self, segment_id: str) -> Segment:
        before = self.segment(segment_id)
        self.db.execute("DELETE FROM segments WHERE id = ?", (segment_id,))
        self.record("removed", "segment", segment_id, before, None)
        return before

    def rating_values(self, observation_id: str) -> list[RatingValue]:
        cur = self.db.execute(
            "SELECT * FROM rating_values WHERE observation_id = ? ORDER BY rowid", (observation_id,)
        )
        return [R.rating_from_row(r) for r in cur]

    def rating_value(
        self, observation_id: str, rating_id: str, segment_id: str | None
    ) -> RatingValue | None:
        row = self.db.execute(
            "SELECT * FROM rating_values WHERE observation_id=? AND rating_id=? AND segment_key=?",
            (observation_id, rating_id, segment_id or ""),
        ).fetchone()
        return None if row is None else R.rating_from_row(row)

    def put_rating(self, v: RatingValue) -> None:
        before = self.rating_value(v.observation_id, v.rating_id, v.segment_id)
        if before is not None:
            self.db.execute("DELETE FROM rating_values WHERE id = ?", (before.id,))
        self.db.execute(
            f"INSERT INTO rating_values ({R.RATING_COLUMNS}) VALUES "
            f"({R.placeholders(R.RATING_COLUMNS)})",
            R.rating_params(v),
        )
        self.record("changed" if before else "added", "rating", v.id, before, v)

    def delete_rating(self, v: RatingValue) -> None:
        self.db.execute("DELETE FROM rating_values WHERE id = ?", (v.id,))
        self.record("removed", "rating", v.id, v, None)

    def highlights(self, session_id: str) -> list[Highlight]:
        cur = self.db.execute(
            "SELECT * FROM highlights WHERE session_id = ? ORDER BY ord, in_ms", (session_id,)
        )
        return [R.highlight_from_row(r) for r in cur]

    def highlight(self, highlight_id: str) -> Highlight:
        row = self._one("SELECT * FROM highlights WHERE id = ?", highlight_id)
        return R.highlight_from_row(self._require(row, "highlight", highlight_id))

    def put_highlight(self, h: Highlight, existed: bool) -> None:
        before = self.highlight(h.id) if existed else None
        self.db.execute(
            f"INSERT OR REPLACE INTO highlights ({R.HIGHLIGHT_COLUMNS}) VALUES "
            f"({R.placeholders(R.HIGHLIGHT_COLUMNS)})",
            R.highlight_params(h),
        )
        self.record("changed" if existed else "added", "highlight", h.id, before, h)

    def delete_highlight(self, highlight_id: str) -> Highlight:
        before = self.highlight(highlight_id)
        self.db.execute("DELETE FROM highlights WHERE id = ?", (highlight_id,))
        self.record("removed", "highlight", highlight_id, before, None)
        return before

    # --- audit ----------------------------------------------------------------------------------
    def audit_log(self) -> list[audit.AuditEntry]:
        return audit.entries(self.db)

    def verify_audit_chain(self) -> list[str]:
        return audit.verify_chain(self.db)

    def integrity_check(self) -> list[str]:
        return [r[0] for r in self.db.execute("PRAGMA integrity_check")]

    def transaction(self) -> Any:  # provided by Project
        raise NotImplementedError
