"""Change messages: what views hear after a commit — their own edits and everyone else's.

Own edits are announced when their transaction commits. Edits committed by another
connection (another coder on the team server, or the writer of a file this window has open
read-only) are found through the audit log, which names every changed row by entity and id
in commit order: ``poll`` reads the rows added since the last look, re-reads each changed
row through this project's own connection (so the server's row-level security decides what
this login may see) and announces it with the same ``Change`` messages, ``remote=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["added", "changed", "removed"]


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    entity: str  # event, segment, rating, highlight, session, observation, media, snapshot
    before: object | None
    after: object | None
    remote: bool = False  # made by another connection (not on this window's undo stack)


Listener = Callable[[Change], None]
