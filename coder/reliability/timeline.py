"""Time-unit agreement between two codings of the same media.

The session is cut into slices (default 1 s). A state code is "on" in a slice when it is
active at the slice's middle; a point code is "on" when it has an event inside the slice.
- per code: a 2x2 table (on/off for A and B);
- per code set (mutually exclusive codes + "none"): a (K+1)x(K+1) table, the category of a
  slice being the code active at its middle (the first listed wins if several are).
Tolerance T: a slice where A and B differ counts as agreement on x when the other coder has x
somewhere within t ± T. Everything is vectorised over slices with numpy.
A still-running state (no offset) ends at the media's end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coder.model import CodeKind, Event
from coder.reliability.tables import TableSummary, summarize

Mask = np.ndarray[Any, np.dtype[np.bool_]]
NONE = "(none)"


@dataclass(frozen=True)
class CodeAgreement:
    code: str
    table: list[list[int]]  # [[both on, A only], [B only, both off]]
    summary: TableSummary


@dataclass(frozen=True)
class SetAgreement:
    categories: list[str]
    table: list[list[int]]
    summary: TableSummary


@dataclass(frozen=True)
class TimeUnitResult:
    slice_ms: int
    tolerance_ms: int
    n_slices: int
    per_code: list[CodeAgreement]
    code_set: SetAgreement | None


def code_mask(
    events: Sequence[Event],
    code: str,
    kind: CodeKind,
    n: int,
    slice_ms: int,
    duration_ms: int,
    subject: str | None = None,
) -> Mask:
    """Which slices have ``code`` on (vectorised over events and slices)."""
    on, off = _bucket(events, [code], duration_ms, subject)[code]
    return _mask(on, off, kind, n, slice_ms)


def _mask(on: list[int], off: list[int], kind: CodeKind, n: int, slice_ms: int) -> Mask:
    mask = np.zeros(n, dtype=bool)
    if not on:
        return mask
    onsets = np.array(on, dtype=np.int64)
    if kind is CodeKind.POINT:
        idx = onsets // slice_ms
        mask[idx[(idx >= 0) & (idx < n)]] = True
        return mask
    offsets = np.array(off, dtype=np.int64)
    # Slice i's middle is i*w + w/2: on when onset <= mid < offset, i.e. i in [first, last).
    # ceil((t - w/2) / w) in integers: -((w - 2t) // 2w)
    first = np.clip(-((slice_ms - 2 * onsets) // (2 * slice_ms)), 0, n)
    last = np.clip(-((slice_ms - 2 * offsets) // (2 * slice_ms)), 0, n)
    diff = np.bincount(first, minlength=n + 1) - np.bincount(last, minlength=n + 1)
    return np.cumsum(diff[:-1]) > 0


def _bucket(
    events: Sequence[Event], codes: Sequence[str], duration_ms: int, subject: str | None
) -> dict[str, tuple[list[int], list[int]]]:
    """Onsets and offsets per code in one pass (a running state ends at the session end)."""
    out: dict[str, tuple[list[int], list[int]]] = {c: ([], []) for c in codes}
    for e in events:
        lists = out.get(e.code_id)
        if lists is None or (subject is not None and e.subject_id != subject):
            continue
        lists[0].append(e.onset_ms)
        lists[1].append(duration_ms if e.offset_ms is None else e.offset_ms)
    return out


def dilate(mask: Mask, radius: int) -> Mask:
    """True where ``mask`` is true within ``radius`` slices (for the tolerance window)."""
    if radius <= 0:
        return mask
    c = np.concatenate([[0], np.cumsum(mask.astype(np.int64))])
    n = len(mask)
    idx = np.arange(n)
    lo = np.clip(idx - radius, 0, n)
    hi = np.clip(idx + radius + 1, 0, n)
    out: Mask = (c[hi] - c[lo]) > 0
    return out


def time_unit_agreement(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    codes: Sequence[str],
    kinds: Mapping[str, CodeKind],
    duration_ms: int,
    slice_ms: int = 1000,
    tolerance_ms: int = 0,
    subject: str | None = None,
    exclusive_set: Sequence[str] | None = None,
) -> TimeUnitResult:
    """Time-unit agreement: a slice is "on" for a code when its midpoint lies in a state
    [onset, offset) (running states end at ``duration_ms``) or holds a point event.

    Per code a 2x2 table, and for ``exclusive_set`` a (K+1)-square table with "none", each
    with every table statistic. Tolerance: a disagreement counts as agreement when the other
    coder used the same code within +/- tolerance_ms // slice_ms slices."""
    if slice_ms <= 0:
        raise ValueError("the slice width must be above 0 ms")
    n = max(1, -(-duration_ms // slice_ms))
    radius = tolerance_ms // slice_ms
    # One pass over each coder's events, not one per code.
    by_a = _bucket(events_a, codes, duration_ms, subject)
    by_b = _bucket(events_b, codes, duration_ms, subject)
    masks = {
        c: (
            _mask(*by_a[c], kinds[c], n, slice_ms),
            _mask(*by_b[c], kinds[c], n, slice_ms),
        )
        for c in codes
    }
    per_code = []
    for c in codes:
        a, b = masks[c]
        if radius:
            a_near, b_near = dilate(a, radius), dilate(b, radius)
            a_t = a | (b & a_near)  # B's "on" matched by A nearby counts as A on
            b_t = b | (a & b_near)
            a, b = a_t, b_t
        # One pass: cell = 2*A + B, so counts are [off/off, B only, A only, both].
        off_off, b_only, a_only, both = np.bincount(
            a.view(np.uint8) * 2 + b.view(np.uint8), minlength=4
        )
        table = [[int(both), int(a_only)], [int(b_only), int(off_off)]]
        per_code.append(CodeAgreement(c, table, summarize(table)))
    code_set = None
    if exclusive_set:
        code_set = _set_agreement(exclusive_set, masks, n, radius)
    return TimeUnitResult(slice_ms, tolerance_ms, n, per_code, code_set)


def _categories(
    order: Sequence[str], masks: Mapping[str, tuple[Mask, Mask]], which: int, n: int
) -> np.ndarray[Any, np.dtype[np.int64]]:
    cat = np.full(n, len(order), dtype=np.int64)  # "none"
    for i in reversed(range(len(order))):  # the first listed code wins overlaps
        cat[masks[order[i]][which]] = i
    return cat


def _set_agreement(
    order: Sequence[str], masks: Mapping[str, tuple[Mask, Mask]], n: int, radius: int
) -> SetAgreement:
    k = len(order) + 1
    ca, cb = _categories(order, masks, 0, n), _categories(order, masks, 1, n)
    if radius:
        onehot_a = np.stack([ca == i for i in range(k)])
        onehot_b = np.stack([cb == i for i in range(k)])
        near_a = np.stack([dilate(m, radius) for m in onehot_a])
        near_b = np.stack([dilate(m, radius) for m in onehot_b])
        idx = np.arange(n)
        differ = ca != cb
        b_has_a = near_b[ca, idx] & differ
        cb = np.where(b_has_a, ca, cb)
        a_has_b = near_a[cb, idx] & (ca != cb)
        ca = np.where(a_has_b, cb, ca)
    table = np.zeros((k, k), dtype=np.int64)
    np.add.at(table, (ca, cb), 1)
    return SetAgreement([*order, NONE], table.tolist(), summarize(table))
