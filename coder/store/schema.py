"""Project schema and ordered migrations (DESIGN §4, §11).

To change the schema, append to MIGRATIONS; never edit one that has shipped. Each runs inside
one transaction (after a backup copy of a project file). The same migration runs on SQLite
and on PostgreSQL: write portable SQL (``coder.store.dialect`` lists the few translations),
either as a ``Migration`` or as a function ``def _vN(db: SchemaConnection) -> None`` that
calls ``db.execute(sql)``. Engine-specific extras (triggers) go in ``Migration.sqlite`` /
``Migration.postgresql`` and run as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

APPLICATION_ID = 0x41545455  # "ATTU": marks a SQLite file as an Attune project


class SchemaConnection(Protocol):
    """What a migration may use: a sqlite3.Connection or a store Backend both fit."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


def dialect_of(db: SchemaConnection) -> str:
    return str(getattr(db, "dialect", "sqlite"))  # a bare sqlite3.Connection has none


def run_native(db: SchemaConnection, sql: str) -> None:
    native = getattr(db, "execute_native", None)
    (native or db.execute)(sql)


@dataclass(frozen=True)
class Migration:
    portable: Sequence[str]  # statements run on every engine (translated where needed)
    sqlite: Sequence[str] = ()  # extras run as written on SQLite
    postgresql: Sequence[str] = ()  # extras run as written on PostgreSQL

    def __call__(self, db: SchemaConnection) -> None:
        for statement in self.portable:
            db.execute(statement)
        for statement in self.sqlite if dialect_of(db) == "sqlite" else self.postgresql:
            run_native(db, statement)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]


_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scheme_snapshots (
    id TEXT PRIMARY KEY, scheme_id TEXT NOT NULL, version TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE, source_text TEXT NOT NULL, adopted_at TEXT NOT NULL);
CREATE TABLE media (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, head_sha256 TEXT NOT NULL,
    tail_sha256 TEXT NOT NULL, duration_ms INTEGER NOT NULL, fps REAL NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL, rotation INTEGER NOT NULL,
    has_audio INTEGER NOT NULL, frame_count INTEGER NOT NULL, vfr INTEGER NOT NULL);
CREATE TABLE frame_times (
    media_id TEXT PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE, data BLOB NOT NULL);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, media_id TEXT REFERENCES media(id),
    family TEXT NOT NULL, recorded_on TEXT NOT NULL, consent TEXT NOT NULL,
    goal TEXT NOT NULL, practice_point TEXT NOT NULL);
CREATE TABLE observations (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    coder TEXT NOT NULL, snapshot_id TEXT NOT NULL REFERENCES scheme_snapshots(id),
    name TEXT NOT NULL, blind INTEGER NOT NULL, final INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    observation_id TEXT NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    code_id TEXT NOT NULL, subject_id TEXT NOT NULL, onset_ms INTEGER NOT NULL,
    offset_ms INTEGER, modifiers TEXT NOT NULL, note TEXT NOT NULL);
CREATE INDEX events_by_observation ON events(observation_id, onset_ms);
CREATE TABLE segments (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL, onset_ms INTEGER NOT NULL, offset_ms INTEGER NOT NULL,
    definition_id TEXT);
CREATE TABLE rating_values (
    id TEXT PRIMARY KEY,
    observation_id TEXT NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    rating_id TEXT NOT NULL, segment_key TEXT NOT NULL, value REAL NOT NULL,
    UNIQUE (observation_id, rating_id, segment_key));
CREATE TABLE highlights (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    in_ms INTEGER NOT NULL, out_ms INTEGER NOT NULL, title TEXT NOT NULL, caption TEXT NOT NULL,
    child_voice TEXT NOT NULL, talking_point TEXT NOT NULL, freeze_points TEXT NOT NULL,
    speed REAL NOT NULL, theme TEXT NOT NULL, ord INTEGER NOT NULL, shareable INTEGER NOT NULL,
    event_ids TEXT NOT NULL);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "user" TEXT NOT NULL,
    action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, summary TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
"""

_v1 = Migration(
    _statements(_V1),
    sqlite=(
        "CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    postgresql=(
        "CREATE FUNCTION attune_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION attune_append_only()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION attune_append_only()",
    ),
)


def _v2(db: SchemaConnection) -> None:
    # Privacy blur boxes per highlight (JSON list of {x, y, w, h} fractions of the frame).
    db.execute("ALTER TABLE highlights ADD COLUMN blur_boxes TEXT NOT NULL DEFAULT '[]'")


def _v3(db: SchemaConnection) -> None:
    # Motion energy per video, cached for synchrony analysis (issue 13): raw per-frame values
    # of each region; ``params`` (JSON) names the regions and settings they depend on.
    # times: int64 little-endian ms per frame; energy: float32 little-endian, frames x regions.
    db.execute(
        "CREATE TABLE motion_energy ("
        " id TEXT PRIMARY KEY,"
        " media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,"
        " params TEXT NOT NULL, created_at TEXT NOT NULL,"
        " frames INTEGER NOT NULL, regions INTEGER NOT NULL,"
        " times BLOB NOT NULL, energy BLOB NOT NULL,"
        " UNIQUE (media_id, params))"
    )


# Concurrent-edit detection (team projects): every update checks and bumps the row's version.
_VERSIONED = (
    "sessions",
    "media",
    "observations",
    "events",
    "segments",
    "rating_values",
    "highlights",
)
_v4 = Migration(
    [f"ALTER TABLE {t} ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1" for t in _VERSIONED]
)

# What parents may see of a session beyond strength codes (issue 10): a name for charts, and
# the metrics (JSON list of ids) the clinician opted in although they count other codes.
_v5 = Migration(
    [
        "ALTER TABLE sessions ADD COLUMN parent_name TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN parent_metrics TEXT NOT NULL DEFAULT '[]'",
    ]
)

# Several cameras per session and the audio lane (issue 14). ``session_media`` holds the extra
# cameras (the primary video stays sessions.media_id): camera time = primary time + offset_ms.
# ``audio_overview`` caches a video's waveform peaks and spectrogram (JSON params say how they
# were computed; peaks: float32 little-endian (buckets, 2); spectrogram: uint8 (columns, bands)).
_v6 = Migration(
    [
        "CREATE TABLE session_media ("
        " id TEXT PRIMARY KEY,"
        " session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
        " media_id TEXT NOT NULL REFERENCES media(id),"
        " position INTEGER NOT NULL, label TEXT NOT NULL, offset_ms INTEGER NOT NULL,"
        " row_version INTEGER NOT NULL DEFAULT 1,"
        " UNIQUE (session_id, position))",
        "CREATE TABLE audio_overview ("
        " media_id TEXT PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,"
        " params TEXT NOT NULL, created_at TEXT NOT NULL,"
        " buckets INTEGER NOT NULL, bands INTEGER NOT NULL, columns INTEGER NOT NULL,"
        " peaks BLOB NOT NULL, spectrogram BLOB NOT NULL)",
    ]
)

# Reliability plans (issue 12): which sessions were drawn for double coding, with the seed
# that drew them. One row per drawn session, the plan's settings repeated on each row, so the
# table follows its session for team roles (supervisors write it); rows are never updated.
_v7 = Migration(
    [
        "CREATE TABLE reliability_plan_sessions ("
        " plan_id TEXT NOT NULL,"
        " session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
        " draw_order INTEGER NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,"
        " seed INTEGER NOT NULL, share_percent REAL NOT NULL, sessions_total INTEGER NOT NULL,"
        " PRIMARY KEY (plan_id, session_id))"
    ]
)

# Interchange without loss (issue 11): an event's exact text, the event it annotates and the
# tier it came from (ELAN reference tiers, free-text tiers); and per session the imported
# file's structure (tiers, vocabularies, media descriptors) for writing it back.
_v8 = Migration(
    [
        "ALTER TABLE events ADD COLUMN text_value TEXT",
        "ALTER TABLE events ADD COLUMN parent_id TEXT",
        "ALTER TABLE events ADD COLUMN tier TEXT",
        "CREATE TABLE source_documents ("
        " id TEXT PRIMARY KEY,"
        " session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
        " format TEXT NOT NULL, name TEXT NOT NULL, content TEXT NOT NULL,"
        " created_at TEXT NOT NULL)",
        "CREATE INDEX source_documents_by_session ON source_documents(session_id)",
    ]
)

# Speed (issue 16): a state key press finds the other states of its exclusive group and
# subject through this index, not by reading every event of the observation.
_v9 = Migration(
    [
        "CREATE INDEX events_by_subject_code "
        "ON events(observation_id, subject_id, code_id, onset_ms)",
    ]
)

MIGRATIONS: list[Callable[[SchemaConnection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9]


def current_version() -> int:
    return len(MIGRATIONS)
