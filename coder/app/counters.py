"""Live counters while coding: each scheme metric in the segment at the playhead, against its
target (e.g. PCIT-style mastery: ≥ 10 labelled praises in a 5-minute child-led segment).

``LiveCounters`` listens to a CodingSession and keeps its own copy of the observation's events,
updated from the change messages (an added, changed or removed event touches only the segments
its old and new times fall in); only those segments' metrics are recomputed, with the same
``compute_metric`` every report uses, so the panel and the exported summary always agree.
Without stored segments the whole session is the window.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from coder.analysis.metrics import MetricResult, compute_metric
from coder.app.session import CodingSession, SessionMessage
from coder.model import Event, MetricKind, Scheme, Segment, listed_order
from coder.store import Change

WHOLE_SESSION = ""  # the window key when no segment covers the playhead


@dataclass(frozen=True)
class CounterWindow:
    """The window the counters are for: a segment, or the whole session."""

    key: str  # segment id, or WHOLE_SESSION
    name: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class CountersChanged:
    """The counters of the current window changed (or the playhead entered another window)."""

    window: CounterWindow
    results: tuple[MetricResult, ...]


Listener = Callable[[CountersChanged], None]


def target_text(result: MetricResult) -> str:
    """The target in words: "≥ 10", "≤ 3", or "" when there is none."""
    if result.target_min is not None:
        return f"≥ {result.target_min:g}"
    if result.target_max is not None:
        return f"≤ {result.target_max:g}"
    return ""


def reason_text(result: MetricResult, scheme: Scheme) -> str:
    """Why a value is missing, with code names instead of code ids ("no Child bid events")."""
    names = {c.id: c.name for c in scheme.codes}
    if not result.reason or not names:
        return result.reason
    pattern = re.compile(
        r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b"
    )
    return pattern.sub(lambda m: names[m.group(1)], result.reason)


def value_text(result: MetricResult) -> str:
    """The value as a person reads it: counts whole, percentages with %, seconds with s."""
    value = result.value
    if value != value:  # NaN: not defined yet (e.g. no given events)
        return "–"
    if result.kind is MetricKind.COUNT:
        return f"{value:.0f}"
    if result.kind in (MetricKind.PERCENT_TIME, MetricKind.PERCENT_ANSWERED):
        return f"{value:.0f} %"
    if result.kind in (MetricKind.MEAN_DURATION, MetricKind.LATENCY):
        return f"{value:.1f} s"
    return f"{value:.2f}"


class LiveCounters:
    def __init__(self, session: CodingSession) -> None:
        self.session = session
        self.scheme = session.scheme
        self.duration_ms = session.timebase.duration_ms
        self._events: dict[str, Event] = {e.id: e for e in session.events()}
        self._segments: list[Segment] = session.segments()
        self._results: dict[str, tuple[MetricResult, ...]] = {}  # window key -> results
        self.recomputed: list[str] = []  # window keys recomputed (tests: proves incremental)
        self.position_ms = 0
        self._window = self._window_at(0)
        self._listeners: list[Listener] = []
        self._unsubscribe = session.subscribe(self._on_message)

    @property
    def active(self) -> bool:
        """Whether the scheme has metrics to count."""
        return bool(self.scheme.metrics)

    def close(self) -> None:
        self._unsubscribe()
        self._listeners.clear()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # --- what is shown ----------------------------------------------------------------------
    @property
    def window(self) -> CounterWindow:
        return self._window

    def results(self) -> tuple[MetricResult, ...]:
        """The current window's metric values (computed on first use, then kept)."""
        key = self._window.key
        if key not in self._results:
            self._results[key] = self._compute(self._window)
        return self._results[key]

    def set_position(self, ms: int) -> None:
        """The playhead moved: announce the new window's counters if it changed window."""
        self.position_ms = ms
        window = self._window_at(ms)
        if window != self._window:
            self._window = window
            self._announce()

    # --- windows ------------------------------------------------------------------------
    def _window_at(self, ms: int) -> CounterWindow:
        for seg in self._segments:
            if seg.onset_ms <= ms < seg.offset_ms:
                return CounterWindow(seg.id, seg.name, seg.onset_ms, seg.offset_ms)
        return CounterWindow(WHOLE_SESSION, "Whole session", 0, self.duration_ms)

    def _windows_touched(self, event: Event) -> set[str]:
        start = event.onset_ms
        end = event.offset_ms if event.offset_ms is not None else start
        if event.offset_ms is None and self.scheme.code(event.code_id).is_state:
            end = self.duration_ms  # a running state counts up to the window's end
        touched = {WHOLE_SESSION}
        for seg in self._segments:
            if start < seg.offset_ms and max(end, start + 1) > seg.onset_ms:
                touched.add(seg.id)
        return touched

    def _compute(self, window: CounterWindow) -> tuple[MetricResult, ...]:
        self.recomputed.append(window.key)
        segment = next((s for s in self._segments if s.id == window.key), None)
        events = sorted(self._events.values(), key=listed_order)
        if segment is not None:
            events = [e for e in events if window.key in self._windows_touched(e)]
        return tuple(
            compute_metric(self.scheme, m, events, self.duration_ms, segment)
            for m in self.scheme.metrics
        )

    # --- change messages ------------------------------------------------------------------
    def _on_message(self, message: SessionMessage) -> None:
        if not isinstance(message, Change) or not self.active:
            return
        touched: set[str] = set()
        if message.entity == "event":
            for item in (message.before, message.after):
                if isinstance(item, Event):
                    touched |= self._windows_touched(item)
            if isinstance(message.before, Event):
                self._events.pop(message.before.id, None)
            if isinstance(message.after, Event):
                self._events[message.after.id] = message.after
        elif message.entity == "segment":
            self._segments = self.session.segments()
            touched = set(self._results) | {self._window.key}
            self._window = self._window_at(self.position_ms)
        else:
            return
        for key in touched:
            self._results.pop(key, None)
        if self._window.key in touched or message.entity == "segment":
            self._announce()

    def _announce(self) -> None:
        if not self._listeners:  # nobody shows them now: compute when asked (results())
            return
        changed = CountersChanged(self._window, self.results())
        for listener in list(self._listeners):
            listener(changed)
