"""Needleman–Wunsch global alignment with BORIS's scores and its traceback order.

Scores: +1 for equal elements, -1 for a mismatch, -1 for a gap (BORIS ``irr.py``). Among
alignments with the best score, the one reported is the one BORIS's traceback walks: from
the bottom-right cell it prefers the diagonal, then a gap in the second sequence, then a gap
in the first. That choice matters: equal-score alignments can differ in length and in the
number of identical positions, so identity (% identical positions of the alignment) follows
it. The score table is filled a row at a time with numpy (the left-to-right dependency of a
row is a running maximum), and only the traceback directions are kept, one byte per cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

IntArray = np.ndarray[Any, np.dtype[np.int64]]
MAX_CELLS = 60_000_000  # ~60 MB of traceback bytes: a 2 h session at 1 s slices fits

_DIAG, _GAP_IN_B, _GAP_IN_A = 1, 2, 4


@dataclass(frozen=True)
class Alignment:
    pairs: list[tuple[int | None, int | None]]  # (index in a or None, index in b or None)
    score: int
    identical: int  # positions where both hold equal elements

    @property
    def identity_percent(self) -> float:
        # BORIS: float(identity) / len(alignment) * 100, in that order.
        return float(self.identical) / len(self.pairs) * 100 if self.pairs else float("nan")


def align(a: IntArray, b: IntArray) -> Alignment:
    """Align two sequences of element ids (equal ids = equal elements)."""
    m, n = len(a), len(b)
    if (m + 1) * (n + 1) > MAX_CELLS:
        raise ValueError(f"an alignment of {m} x {n} elements is too large")
    moves = np.zeros((m + 1, n + 1), dtype=np.uint8)
    prev = -np.arange(n + 1, dtype=np.int64)  # row 0: all gaps
    cols = np.arange(n + 1, dtype=np.int64)
    for i in range(1, m + 1):
        match = np.where(b == a[i - 1], 1, -1)
        diag = prev[:-1] + match
        up = prev[1:] - 1  # gap in b: a[i-1] against nothing
        best = np.maximum(diag, up)
        row = np.empty(n + 1, dtype=np.int64)
        row[0] = -i
        row[1:] = best
        # A gap in a: row[j] = max(best[j], row[j-1] - 1) = max over k <= j of row[k] - (j - k).
        row = np.maximum.accumulate(row + cols) - cols
        flags = np.zeros(n + 1, dtype=np.uint8)
        flags[1:] |= np.where(row[1:] == diag, _DIAG, 0).astype(np.uint8)
        flags[1:] |= np.where(row[1:] == up, _GAP_IN_B, 0).astype(np.uint8)
        flags[1:] |= np.where(row[1:] == row[:-1] - 1, _GAP_IN_A, 0).astype(np.uint8)
        moves[i] = flags
        prev = row
    score = int(prev[n])
    pairs: list[tuple[int | None, int | None]] = []
    identical = 0
    i, j = m, n
    while i > 0 and j > 0:
        f = moves[i, j]
        if f & _DIAG:
            i, j = i - 1, j - 1
            pairs.append((i, j))
            identical += int(a[i] == b[j])
        elif f & _GAP_IN_B:
            i -= 1
            pairs.append((i, None))
        else:
            j -= 1
            pairs.append((None, j))
    pairs += [(k, None) for k in range(i - 1, -1, -1)]
    pairs += [(None, k) for k in range(j - 1, -1, -1)]
    pairs.reverse()
    return Alignment(pairs, score, identical)
