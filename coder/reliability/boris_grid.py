"""The time grid BORIS samples two observations on, and the category of every grid unit.

Our own reading of BORIS's ``irr.py`` (GPL, v9; behaviour only, no code taken), used by
``boris_mode``. BORIS walks a grid ``first, first + slice, ...`` while the grid time is
``<= last`` (``first`` = earliest start, ``last`` = latest stop of the selected events of both
observations; a point's stop is its start). At each grid time and for each selected subject
it asks which selected events are on:

- a state when ``start <= t <= stop`` (both ends included);
- a point when ``abs(start - t) <= slice / 2``, computed in binary floating point on seconds.

The answer is the *list* of [subject, code] pairs, repeats kept, which is a category. Grid
times are exact decimals while the stored times are binary doubles, which gives two edge
effects reproduced here on purpose (see ``boris_mode`` for the list of quirks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from coder.model import CodeKind, Event, Scheme

IntArray = np.ndarray[Any, np.dtype[np.int64]]
Label = tuple[tuple[str, ...], ...]  # ((subject name, code name[, modifiers]), ...)


@dataclass(frozen=True)
class GridEffects:
    """How often BORIS's float and list semantics changed a unit (for the report)."""

    repeated_code_units: int  # units whose category holds the same code twice (cause 2)
    points_lost_to_rounding: int  # point-in-window tests that exact arithmetic would pass
    last_point_dropped: bool  # the grid point equal to `last` failed BORIS's comparison


@dataclass(frozen=True)
class BorisGrid:
    times_ms: IntArray  # grid times, exact integer milliseconds
    subjects: list[str]  # subject ids, one unit per (time, subject)
    cat_a: IntArray  # category id per (time, subject), shape (times, subjects)
    cat_b: IntArray
    labels: list[Label]  # category id -> BORIS's category as names
    effects: GridEffects


@dataclass(frozen=True)
class _Key:
    code: str
    modifiers: str  # "" unless modifiers are part of the category
    is_state: bool


def modifier_text(event: Event, scheme: Scheme) -> str:
    """The event's modifier values in the code's modifier order, joined with '|' as BORIS
    stores them ("m1|n2"); only its equality matters here."""
    try:
        order = scheme.code(event.code_id).modifiers
    except KeyError:
        order = ()
    parts = []
    for mid in order or tuple(sorted(event.modifiers)):
        value = event.modifiers.get(mid, "")
        parts.append("+".join(value) if isinstance(value, tuple) else str(value))
    return "|".join(parts)


def grid_times(first_ms: int, last_ms: int, slice_ms: int) -> tuple[IntArray, bool]:
    """BORIS's grid: exact decimal steps from ``first`` while ``t <= float(last)``.

    The comparison is between an exact decimal and the binary double nearest ``last``
    seconds, so when a grid point falls exactly on ``last`` and that double is below the
    true value, the point is dropped. Returns the times and whether that happened."""
    steps = (last_ms - first_ms) // slice_ms
    dropped = False
    if first_ms + steps * slice_ms == last_ms and Fraction(last_ms, 1000) > Fraction(
        last_ms / 1000
    ):
        steps -= 1
        dropped = True
    times: IntArray = first_ms + slice_ms * np.arange(steps + 1, dtype=np.int64)
    return times, dropped


def _state_counts(onsets: IntArray, offsets: IntArray, times: IntArray) -> IntArray:
    """Per grid time, how many [onset, offset] intervals (ends included) contain it.

    Stored and grid times are both rounded to the nearest double from whole milliseconds,
    which keeps their order, so integer comparison gives BORIS's answer exactly."""
    n = len(times)
    lo = np.searchsorted(times, onsets, side="left")
    hi = np.searchsorted(times, offsets, side="right")
    diff = np.bincount(lo, minlength=n + 1) - np.bincount(hi, minlength=n + 1)
    out: IntArray = np.cumsum(diff[:-1])
    return out


def _point_counts(onsets: IntArray, times: IntArray, slice_ms: int) -> tuple[IntArray, int]:
    """Per grid time, how many points pass BORIS's float test ``abs(s - t) <= slice/2``
    (in seconds, IEEE doubles); and how many passes exact arithmetic would add."""
    n = len(times)
    counts = np.zeros(n, dtype=np.int64)
    if n == 0 or len(onsets) == 0:
        return counts, 0
    half = slice_ms / 2000  # float(Decimal(slice) / 2): the nearest double, as BORIS has it
    centre = np.rint((onsets - times[0]) / slice_ms).astype(np.int64)
    lost = 0
    for shift in (-1, 0, 1):  # a window of one slice holds at most two grid points
        idx = centre + shift
        ok = (idx >= 0) & (idx < n)
        i, on = idx[ok], onsets[ok]
        t = times[i]
        in_float = np.abs(on / 1000 - t / 1000) <= half
        in_exact = 2 * np.abs(on - t) <= slice_ms
        np.add.at(counts, i[in_float], 1)
        lost += int(np.count_nonzero(in_exact & ~in_float))
    return counts, lost


def _counts(
    events: Sequence[Event],
    keys: list[_Key],
    key_of: Any,
    subject: str,
    times: IntArray,
    slice_ms: int,
) -> tuple[IntArray, int]:
    """(times x keys) occurrence counts of one observation and subject."""
    out = np.zeros((len(times), len(keys)), dtype=np.int64)
    lost = 0
    for k, key in enumerate(keys):
        mine = [e for e in events if e.subject_id == subject and key_of(e) == key]
        if not mine:
            continue
        onsets = np.array([e.onset_ms for e in mine], dtype=np.int64)
        if key.is_state:
            offsets = np.array([e.offset_ms for e in mine], dtype=np.int64)
            out[:, k] = _state_counts(onsets, offsets, times)
        else:
            out[:, k], lost_here = _point_counts(onsets, times, slice_ms)
            lost += lost_here
    return out, lost


def build_grid(
    events_a: Sequence[Event],
    events_b: Sequence[Event],
    *,
    scheme: Scheme,
    codes: Sequence[str],
    subjects: Sequence[str],
    slice_ms: int,
    include_modifiers: bool = False,
    end_at_last_start: bool = False,
) -> BorisGrid:
    """Sample both observations on BORIS's grid. Events must already be filtered to the
    chosen codes and subjects, states must have an end, and at least one event must exist.
    ``end_at_last_start``: end the grid at the latest start instead of the latest stop, as
    BORIS's identity did before version 8.11.3 (February 2023)."""
    kinds: Mapping[str, CodeKind] = {c.id: c.kind for c in scheme.codes}
    both = [*events_a, *events_b]
    first = min(e.onset_ms for e in both)
    last = max(
        e.onset_ms
        if end_at_last_start or kinds[e.code_id] is not CodeKind.STATE
        else (e.offset_ms if e.offset_ms is not None else e.onset_ms)
        for e in both
    )
    times, dropped = grid_times(first, last, slice_ms)
    code_rank = {c: i for i, c in enumerate(codes)}

    def key_of(e: Event) -> _Key:
        mods = modifier_text(e, scheme) if include_modifiers else ""
        return _Key(e.code_id, mods, kinds[e.code_id] is CodeKind.STATE)

    # BORIS lists states before points, each in the order codes were chosen (then modifiers).
    keys = sorted(
        {key_of(e) for e in both}, key=lambda k: (not k.is_state, code_rank[k.code], k.modifiers)
    )
    rows = []
    lost = 0
    for s_index, subject in enumerate(subjects):
        for events in (events_a, events_b):
            counts, lost_here = _counts(events, keys, key_of, subject, times, slice_ms)
            lost += lost_here
            owner = np.where(counts.any(axis=1), s_index + 1, 0)[:, None]
            rows.append(np.hstack([owner, counts]))
    stacked = np.vstack(rows) if rows else np.zeros((0, len(keys) + 1), dtype=np.int64)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    n = len(times)
    cat = inverse.reshape(len(subjects), 2, n)  # (subject, observation, time)
    labels = [_label(row, keys, subjects, scheme) for row in unique]
    repeated = int(np.count_nonzero((stacked[:, 1:] > 1).any(axis=1)))
    return BorisGrid(
        times,
        list(subjects),
        np.ascontiguousarray(cat[:, 0, :].T),
        np.ascontiguousarray(cat[:, 1, :].T),
        labels,
        GridEffects(repeated, lost, dropped),
    )


def _label(row: IntArray, keys: list[_Key], subjects: Sequence[str], scheme: Scheme) -> Label:
    if row[0] == 0:
        return ()
    subject_id = subjects[int(row[0]) - 1]
    subject = _name(scheme.subjects, subject_id)
    parts: list[tuple[str, ...]] = []
    for key, count in zip(keys, row[1:], strict=True):
        code = _name(scheme.codes, key.code)
        item = (subject, code, key.modifiers) if key.modifiers else (subject, code)
        parts += [item] * int(count)
    return tuple(parts)


def _name(items: Sequence[Any], item_id: str) -> str:
    return next((str(x.name) for x in items if x.id == item_id), item_id)


def label_text(label: Label) -> str:
    """A category as people read it: "(nothing)" or "child: warmth + child: warmth"."""
    if not label:
        return "(nothing)"
    return " + ".join(f"{p[0]}: {p[1]}" + (f" [{p[2]}]" if len(p) > 2 else "") for p in label)
