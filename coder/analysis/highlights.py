"""Suggest highlight moments for video feedback from strength-valence codes.

A suggestion is a window (default 10 s) ranked by how much strength-coded behaviour it holds:
each strength point event counts 1, each strength state counts its seconds inside the window
(capped, so one long state cannot outrank a rich moment), and a strength event that starts
within ``repair_within_ms`` after a concern event ends earns a "repair" bonus. Windows never
contain a concern-coded event when they can avoid it, and neither the linked events nor the
reason ever name a concern code: suggestions are meant for parents' eyes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from coder.model import Event, Scheme, Valence, listed_order
from coder.timebase import TimeBase

STATE_CAP_S = 6.0
REPAIR_BONUS = 2.0


@dataclass(frozen=True)
class Suggestion:
    in_ms: int
    out_ms: int
    score: float
    reason: str
    event_ids: tuple[str, ...]
    theme: str


def _end(event: Event) -> int:
    if event.offset_ms is not None:
        return event.offset_ms
    return event.onset_ms + 1


def suggest_highlights(
    scheme: Scheme,
    events: list[Event],
    duration_ms: int,
    *,
    max_count: int = 4,
    length_ms: int = 10_000,
    repair_within_ms: int = 10_000,
    existing: Sequence[tuple[int, int]] = (),
    timebase: TimeBase | None = None,
) -> list[Suggestion]:
    """Rank up to ``max_count`` non-overlapping windows of strength moments, best first.

    ``existing`` (in, out) windows — the session's highlights — are never offered again nor
    overlapped; with a ``timebase`` every window starts and ends on a frame start."""
    valence = {c.id: c.valence for c in scheme.codes}
    names = {c.id: c.name for c in scheme.codes}
    strengths = [e for e in events if valence.get(e.code_id) is Valence.STRENGTH]
    concerns = [e for e in events if valence.get(e.code_id) is Valence.CONCERN]
    if not strengths or duration_ms <= 0:
        return []
    length_ms = min(length_ms, duration_ms)
    repairs = {
        s.id
        for s in strengths
        if any(0 <= s.onset_ms - _end(c) <= repair_within_ms for c in concerns)
    }
    candidates: list[Suggestion] = []
    for anchor in strengths:
        start = _place_window(anchor.onset_ms - 1000, length_ms, duration_ms, concerns)
        end = start + length_ms
        inside = [e for e in strengths if e.onset_ms < end and _end(e) > start]
        if not inside:  # sliding off a concern moved the window past every strength moment
            continue
        score = 0.0
        for e in inside:
            if e.offset_ms is None:
                score += 1.0
            else:
                overlap = min(end, e.offset_ms) - max(start, e.onset_ms)
                score += min(STATE_CAP_S, overlap / 1000.0)
            if e.id in repairs:
                score += REPAIR_BONUS
        counts = Counter(names[e.code_id] for e in inside)
        parts = [f"{name} ×{n}" if n > 1 else name for name, n in counts.most_common()]
        reason = f"{len(inside)} strength moment{'s' if len(inside) != 1 else ''}: " + ", ".join(
            parts
        )
        if any(e.id in repairs for e in inside):
            reason += "; includes a repair after a difficult moment"
        theme = counts.most_common(1)[0][0]
        ids = tuple(e.id for e in sorted(inside, key=listed_order))
        candidates.append(Suggestion(start, end, round(score, 3), reason, ids, theme))
    if timebase is not None:
        candidates = [_on_frames(c, timebase) for c in candidates]
    candidates.sort(key=lambda s: (-s.score, s.in_ms))
    taken = [(int(a), int(b)) for a, b in existing]
    chosen: list[Suggestion] = []
    for c in candidates:
        if all(c.out_ms <= a or c.in_ms >= b for a, b in taken) and all(
            c.out_ms <= s.in_ms or c.in_ms >= s.out_ms for s in chosen
        ):
            chosen.append(c)
        if len(chosen) == max_count:
            break
    return chosen


def _on_frames(s: Suggestion, timebase: TimeBase) -> Suggestion:
    """The window widened to whole frames: in at a frame start, out at the next frame start."""
    in_ms = timebase.snap(s.in_ms)
    last = timebase.frame_at(max(in_ms, s.out_ms - 1))
    out_ms = timebase.ms_of(last + 1) if last + 1 < timebase.frame_count else timebase.duration_ms
    return Suggestion(in_ms, out_ms, s.score, s.reason, s.event_ids, s.theme)


def _place_window(start: int, length: int, duration: int, concerns: list[Event]) -> int:
    """Clamp a window into the session and slide it off concern events when that is possible."""
    start = max(0, min(start, duration - length))
    for c in sorted(concerns, key=lambda e: e.onset_ms):
        c_end = _end(c)
        overlaps = c.onset_ms < start + length and c_end > start
        # A concern overlaps: start just after it if the window still fits.
        if overlaps and c_end + length <= duration and c_end - start < length:
            start = c_end
    return start
