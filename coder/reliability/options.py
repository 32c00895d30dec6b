"""The reliability methods, their defaults and the checks on what a user chose — one place,
read by the command line and the window alike, so both say and do the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from coder.errors import AttuneError

Method = Literal["timeunit", "events", "aligned", "elan", "boris", "identity"]
METHODS: tuple[Method, ...] = ("timeunit", "events", "aligned", "elan", "boris", "identity")
METHOD_LABELS: dict[Method, str] = {
    "timeunit": "Time slices: kappa per code and per code set",
    "events": "Event matching within a tolerance (per code)",
    "aligned": "Aligned event sequences (Bakeman & Quera)",
    "elan": "ELAN-style modified kappa (Holle & Rein)",
    "boris": "BORIS-compatible kappa (exact)",
    "identity": "BORIS Needleman–Wunsch identity",
}
TOLERANCE_METHODS: tuple[Method, ...] = ("timeunit", "events", "aligned")
SLICE_METHODS: tuple[Method, ...] = ("timeunit", "boris", "identity")

DEFAULT_SLICE_MS = 1000
EVENT_TOLERANCE_MS = 2000  # events and aligned: Bakeman & Quera's usual 2 s window
DEFAULT_OVERLAP_PERCENT = 60  # ELAN's default (Holle & Rein)


def default_tolerance_ms(method: str) -> int:
    """The documented default: 2 s for event methods; 0 (exact) for time slices."""
    return EVENT_TOLERANCE_MS if method in ("events", "aligned") else 0


TOLERANCE_HELP = (
    "tolerance in seconds: how far apart the two coders' codes may be and still agree "
    f"(default {EVENT_TOLERANCE_MS / 1000:g} s for events and aligned, 0 = exact for "
    "timeunit; 0 always means exact; not used by elan, boris, identity)"
)
SLICE_HELP = (
    "slice width in seconds for timeunit, boris and identity "
    f"(default {DEFAULT_SLICE_MS / 1000:g} s)"
)


def check_method(method: str) -> Method:
    if method not in METHODS:
        raise AttuneError(f"unknown method '{method}'; use one of: {', '.join(METHODS)}")
    return method


def resolve(what: str, requested: Sequence[str] | None, items: Sequence[Any]) -> list[str] | None:
    """Map names or ids the user typed to ids; refuse any unknown one, listing the valid
    names (an ignored typo would silently change kappa)."""
    if requested is None:
        return None
    by_key: dict[str, str] = {}
    for item in items:
        by_key[str(item.id)] = str(item.id)
        by_key.setdefault(str(item.name).casefold(), str(item.id))
    out: list[str] = []
    unknown: list[str] = []
    for text in requested:
        found = by_key.get(text) or by_key.get(text.casefold())
        if found is None:
            unknown.append(text)
        elif found not in out:
            out.append(found)
    if unknown:
        valid = ", ".join(f"{i.id} ({i.name})" if i.name != i.id else str(i.id) for i in items)
        raise AttuneError(
            f"unknown {what} {', '.join(repr(u) for u in unknown)}; valid {what}s: {valid}"
        )
    if not out:
        raise AttuneError(f"choose at least one {what}")
    return out


def tolerance_note(method: str, slice_ms: int, tolerance_ms: int) -> str | None:
    """Say when a time-slice tolerance is smaller than one slice (no effect) or is rounded
    down to whole slices — never let a setting silently do nothing."""
    if method != "timeunit" or tolerance_ms == 0:
        return None
    slices = tolerance_ms // slice_ms
    if slices == 0:
        return (
            f"the tolerance ({tolerance_ms} ms) is below one slice ({slice_ms} ms), so it has no "
            f"effect; use at least {slice_ms} ms or a narrower slice"
        )
    if tolerance_ms % slice_ms:
        return (
            f"time slices apply the tolerance in whole slices: {tolerance_ms} ms works as "
            f"{slices * slice_ms} ms ({slices} slice{'s' if slices > 1 else ''})"
        )
    return None
