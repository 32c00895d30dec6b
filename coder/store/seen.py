"""What this project last showed of each row, with the row's version (``Versions._seen``).

An edit is refused when its row changed since it was shown. Opening an observation shows
100,000 events at once; remembering them one by one cost a tenth of opening it, so a whole
read is kept as one batch and spread into the mapping only when something first looks up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from coder.heap import collector_paused

Key = tuple[str, str]
Seen = tuple[int, Any]
# Writes not yet spread, in order: a batch (entity, [(object, version)]) or one (key, value).
_Pending = tuple[str | Key, Any]


class SeenRows:
    """A mapping (entity, id) -> (row version, object shown), filled by rows or by batches."""

    def __init__(self) -> None:
        self._rows: dict[Key, Seen] = {}
        self._pending: list[_Pending] = []

    def add_batch(self, entity: str, pairs: list[tuple[Any, int]]) -> None:
        """Remember (object, version) pairs of one read; later writes win, as in a dict."""
        self._pending.append((entity, pairs))

    def _settled(self) -> dict[Key, Seen]:
        if self._pending:
            pending, self._pending = self._pending, []
            rows = self._rows
            with collector_paused():
                for head, body in pending:
                    if isinstance(head, str):
                        rows.update({(head, o.id): (v, o) for o, v in body})
                    else:
                        rows[head] = body
        return self._rows

    def get(self, key: Key) -> Seen | None:
        return self._settled().get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._settled()

    def __setitem__(self, key: Key, value: Seen) -> None:
        if self._pending:  # keep the order of writes without spreading the batches now
            self._pending.append((key, value))
        else:
            self._rows[key] = value

    def __delitem__(self, key: Key) -> None:
        del self._settled()[key]

    def pop(self, key: Key, default: Seen | None = None) -> Seen | None:
        return self._settled().pop(key, default)

    def items(self) -> Iterator[tuple[Key, Seen]]:
        return iter(list(self._settled().items()))
