"""Row versions: detect that someone else changed a row since this project showed it.

Every versioned row carries ``row_version`` (schema v3). When a read outside a transaction
shows a row (a view loading, a change arriving from another writer), its version is
remembered. An update or delete then requires the database row to still have that version
(``UPDATE ... WHERE id = ? AND row_version = ?``, which also holds across concurrent
transactions on PostgreSQL). If it does not, nothing is written: ConcurrentEditError names
who changed it and when, carries the current value, and the open views are told the current
value once the transaction has rolled back. Reads inside a transaction (a command preparing
its edit) do not move the remembered version, so they cannot hide a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from coder.errors import ConcurrentEditError
from coder.model import Event, Highlight, Media, Observation, RatingValue, Segment, Session
from coder.store import rows as R
from coder.store.backend import Backend, Row
from coder.store.camera_rows import camera_from_row
from coder.store.seen import SeenRows

if TYPE_CHECKING:
    from coder.store.project import Change, ChangeKind

# entity name (as in Change.entity and the audit log) -> table and row reader
TABLES: dict[str, tuple[str, Callable[[Row], Any]]] = {
    "event": ("events", R.event_from_row),
    "segment": ("segments", R.segment_from_row),
    "rating": ("rating_values", R.rating_from_row),
    "highlight": ("highlights", R.highlight_from_row),
    "session": ("sessions", R.session_from_row),
    "observation": ("observations", R.observation_from_row),
    "media": ("media", R.media_from_row),
    "camera": ("session_media", camera_from_row),
}

Key = tuple[str, str]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


class Versions:
    db: Backend

    def __init__(self) -> None:
        self._depth = 0  # transaction nesting, kept by Project.transaction()
        self._seen = SeenRows()  # what this project last showed
        self._seen_pending: dict[Key, tuple[int, Any]] = {}  # own writes, until commit
        self._refresh: list[Change] = []  # current values to show after a refused edit

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

    def transaction(self) -> Any:
        raise NotImplementedError

    def _change(self, kind: ChangeKind, entity: str, before: object, after: object) -> Change:
        raise NotImplementedError

    # --- remembering what was shown --------------------------------------------------------------
    def _shown(self, entity: str, obj: T, row: Row) -> T:
        if self._depth == 0:
            self._seen[(entity, obj.id)] = (R.row_version(row, entity), obj)
        return obj

    def _shown_events(self, pairs: list[tuple[Event, int]]) -> list[Event]:
        """``_shown`` for many events read with their versions (``rows.events_from_rows``)."""
        if self._depth == 0:
            self._seen.add_batch("event", pairs)
        return [e for e, _ in pairs]

    def _wrote(self, entity: str, entity_id: str, version: int, obj: Any) -> None:
        self._seen_pending[(entity, entity_id)] = (version, obj)

    def _commit_versions(self) -> None:
        for key, (version, obj) in self._seen_pending.items():
            if obj is None:
                self._seen.pop(key, None)
            else:
                self._seen[key] = (version, obj)
        self._seen_pending = {}

    def _take_refresh(self) -> list[Change]:
        changes, self._refresh = self._refresh, []
        return changes

    # --- versioned reads and writes --------------------------------------------------------------
    def _load(self, entity: str, entity_id: str) -> tuple[Any, int] | None:
        """The row as it is now, with its version (never remembered as shown)."""
        table, reader = TABLES[entity]
        row = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", (entity_id,)).fetchone()
        return None if row is None else (reader(row), R.row_version(row, entity))

    def _expected(self, key: Key, current: int) -> int:
        pending = self._seen_pending.get(key)
        if pending is not None:
            return pending[0]
        seen = self._seen.get(key)
        return current if seen is None else seen[0]

    def _update_row(
        self,
        entity: str,
        entity_id: str,
        current: int,
        assignments: str,
        params: Sequence[Any],
        after: Any,
    ) -> None:
        expected = self._expected((entity, entity_id), current)
        if expected != current:
            self._conflict(entity, entity_id)
        cursor = self.db.execute(
            f"UPDATE {TABLES[entity][0]} SET {assignments}, row_version = ? "
            "WHERE id = ? AND row_version = ?",
            (*params, expected + 1, entity_id, expected),
        )
        if cursor.rowcount != 1:
            self._conflict(entity, entity_id)
        self._wrote(entity, entity_id, expected + 1, after)

    def _delete_row(self, entity: str, entity_id: str, current: int) -> None:
        expected = self._expected((entity, entity_id), current)
        if expected != current:
            self._conflict(entity, entity_id)
        cursor = self.db.execute(
            f"DELETE FROM {TABLES[entity][0]} WHERE id = ? AND row_version = ?",
            (entity_id, expected),
        )
        if cursor.rowcount != 1:
            self._conflict(entity, entity_id)
        self._wrote(entity, entity_id, expected + 1, None)

    def _conflict(self, entity: str, entity_id: str) -> None:
        """Refuse the edit: say who changed the row, and show everyone the current value."""
        key = (entity, entity_id)
        now = self._load(entity, entity_id)
        seen = self._seen.get(key)
        last = self.db.execute(
            'SELECT "user", at FROM audit_log WHERE entity = ? AND entity_id = ? '
            "ORDER BY seq DESC LIMIT 1",
            (entity, entity_id),
        ).fetchone()
        who = f" by {last[0]} at {str(last[1])[11:19]} UTC" if last is not None else ""
        what = entity if entity != "media" else "video record"
        if now is None:
            self._seen.pop(key, None)
            if seen is not None:
                self._refresh.append(self._change("removed", entity, seen[1], None))
            message = f"this {what} was removed{who} since you loaded it; your edit was not saved"
            raise ConcurrentEditError(message, entity, entity_id, None)
        current, version = now
        self._seen[key] = (version, current)  # the views now show it, so a retry is deliberate
        self._refresh.append(self._change("changed", entity, seen[1] if seen else None, current))
        message = (
            f"this {what} was changed{who} since you loaded it; your edit was not saved. "
            f"It now shows their version{describe(current)}; make your change again if it "
            "still applies"
        )
        raise ConcurrentEditError(message, entity, entity_id, current)

    def seen_items(self) -> Iterator[tuple[Key, tuple[int, Any]]]:
        return self._seen.items()


def _ms(ms: int | None) -> str:
    if ms is None:
        return "…"
    return f"{ms // 60000:d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def describe(obj: object) -> str:
    """The current value in words, without clinical text (no notes, labels or captions)."""
    if isinstance(obj, Event):
        return (
            f" ({obj.code_id}, {obj.subject_id}, {_ms(obj.onset_ms)}"
            f"{'–' + _ms(obj.offset_ms) if obj.offset_ms is not None else ''})"
        )
    if isinstance(obj, Segment):
        return f" ({_ms(obj.onset_ms)}–{_ms(obj.offset_ms)})"
    if isinstance(obj, Highlight):
        return f" ({_ms(obj.in_ms)}–{_ms(obj.out_ms)})"
    if isinstance(obj, RatingValue):
        return f" ({obj.rating_id} = {obj.value:g})"
    if isinstance(obj, Observation):
        return f" ({'final' if obj.final else 'not final'})"
    if isinstance(obj, Media | Session):
        return ""
    return ""
