"""Append-only, hash-chained audit log: who changed what and when (never clinical text).

Each row's hash covers the previous row's hash and its own fields, so an edited or deleted
row breaks the chain from there on; ``verify_chain`` finds the first break.
"""

from __future__ import annotations

import hashlib
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
    row = db.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return str(row[0]) if row else GENESIS


def append(
    db: Any,
    prev: str,
    user: str,
    action: str,
    entity: str,
    entity_id: str,
    summary: str = "",
) -> tuple[str, int]:
    """Append one row after ``prev``; returns its hash and sequence number.

    ``db`` is a store Backend (or a sqlite3.Connection); the caller holds the chain lock.
    """
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    digest = _digest(prev, at, user, action, entity, entity_id, summary)
    row = db.execute(
        'INSERT INTO audit_log (at, "user", action, entity, entity_id, summary, prev_hash, hash) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        (at, user, action, entity, entity_id, summary, prev, digest),
    ).fetchone()
    return digest, int(row[0])


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
