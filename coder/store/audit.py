"""Append-only, hash-chained audit log: who changed what and when (never clinical text).

Each row's hash covers the previous row's hash and its own fields, so an edited or deleted
row breaks the chain from there on; ``verify_chain`` finds the first break.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    user: str
    action: str
    entity: str
    entity_id: str
    summary: str
    prev_hash: str
    hash: str


def _digest(
    prev: str, at: str, user: str, action: str, entity: str, entity_id: str, summary: str
) -> str:
    payload = "\x1f".join((prev, at, user, action, entity, entity_id, summary))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def last_hash(db: Any) -> str:
    return head(db)[0]


def head(db: Any) -> tuple[str, int]:
    """The chain's last hash and sequence number (GENESIS, 0 when empty)."""
    row = db.execute("SELECT hash, seq FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (str(row[0]), int(row[1])) if row else (GENESIS, 0)


def append_rows(
    db: Any, head: tuple[str, int], user: str, items: Sequence[tuple[str, str, str]]
) -> tuple[str, int]:
    """Append (action, entity, entity_id) rows after ``head`` (hash, seq), numbered on from
    it; returns the new head. The caller holds the chain (``Backend.audit_head`` took it)."""
    at = stamp()
    prev, seq = head
    rows = []
    for action, entity, entity_id in items:
        seq += 1
        digest = _digest(prev, at, user, action, entity, entity_id, "")
        rows.append((seq, at, user, action, entity, entity_id, "", prev, digest))
        prev = digest
    db.insert_at_commit(
        'INSERT INTO audit_log (seq, at, "user", action, entity, entity_id, summary, '
        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return prev, seq


def stamp() -> str:
    """An audit row's time: UTC, milliseconds, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def entries(db: Any) -> list[AuditEntry]:
    rows = db.execute(
        'SELECT seq, at, "user", action, entity, entity_id, summary, prev_hash, hash '
        "FROM audit_log ORDER BY seq"
    ).fetchall()
    return [AuditEntry(*tuple(r)) for r in rows]


def verify_chain(db: Any) -> list[str]:
    """Problems found in the chain (empty when intact)."""
    prev = GENESIS
    for e in entries(db):
        texts = (e.at, e.user, e.action, e.entity, e.entity_id, e.summary, e.prev_hash, e.hash)
        if not all(isinstance(t, str) for t in texts):  # a damaged file: say so, never crash
            return [f"audit row {e.seq}: damaged (a value is not text)"]
        if e.prev_hash != prev:
            return [
                f"audit row {e.seq}: does not follow the previous row (rows removed or reordered)"
            ]
        expected = _digest(prev, e.at, e.user, e.action, e.entity, e.entity_id, e.summary)
        if expected != e.hash:
            return [f"audit row {e.seq}: its content was changed after it was written"]
        prev = e.hash
    return []
