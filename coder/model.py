"""Domain model of Attune: plain, immutable dataclasses with stable string ids.

Times are integer milliseconds of media time (DESIGN §3). A state event covers
``[onset_ms, offset_ms)``; a point event has ``offset_ms is None``. Edits never mutate
objects in place: commands build new ones with ``dataclasses.replace``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


def new_id() -> str:
    """A fresh stable id (uuid4 hex)."""
    return uuid.uuid4().hex


class CodeKind(StrEnum):
    POINT = "point"
    STATE = "state"


class Valence(StrEnum):
    STRENGTH = "strength"
    CONCERN = "concern"
    NEUTRAL = "neutral"


class ModifierKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    NUMERIC = "numeric"


class RatingPer(StrEnum):
    SESSION = "session"
    SEGMENT = "segment"


class MetricKind(StrEnum):
    COUNT = "count"
    RATE_PER_MIN = "rate_per_min"
    PERCENT_TIME = "percent_time"
    MEAN_DURATION = "mean_duration"
    RATIO = "ratio"
    LATENCY = "latency"
    PERCENT_ANSWERED = "percent_answered"  # % of given events followed by a target in time


# A modifier value: one choice, several choices, or a number.
ModifierValue = str | float | tuple[str, ...]


# ---------------------------------------------------------------------------
# Coding scheme
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    id: str
    name: str
    key: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Modifier:
    id: str
    name: str
    kind: ModifierKind = ModifierKind.SINGLE
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def accepts(self, value: ModifierValue) -> bool:
        """True when ``value`` is a legal value of this modifier."""
        if self.kind is ModifierKind.SINGLE:
            return isinstance(value, str) and value in self.values
        if self.kind is ModifierKind.MULTIPLE:
            return isinstance(value, tuple) and all(v in self.values for v in value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        lo = self.minimum if self.minimum is not None else float("-inf")
        hi = self.maximum if self.maximum is not None else float("inf")
        return lo <= float(value) <= hi


@dataclass(frozen=True)
class Code:
    id: str
    name: str
    kind: CodeKind
    subjects: tuple[str, ...] = ()
    key: str | None = None
    color: str = "#808080"
    category: str = ""
    valence: Valence = Valence.NEUTRAL
    description: str = ""
    modifiers: tuple[str, ...] = ()
    group: str | None = None

    @property
    def is_state(self) -> bool:
        return self.kind is CodeKind.STATE


@dataclass(frozen=True)
class Group:
    id: str
    codes: tuple[str, ...]
    name: str = ""
    exclusive: bool = False
    exhaustive: bool = False


@dataclass(frozen=True)
class RatingScale:
    id: str
    name: str
    minimum: float
    maximum: float
    step: float = 1.0
    anchors: Mapping[int, str] = field(default_factory=dict)
    subject: str | None = None
    per: RatingPer = RatingPer.SESSION
    description: str = ""

    def accepts(self, value: float) -> bool:
        if not (self.minimum <= value <= self.maximum):
            return False
        steps = (value - self.minimum) / self.step
        return abs(steps - round(steps)) < 1e-9


@dataclass(frozen=True)
class SegmentDef:
    """A named part of a session (e.g. child-led play), optionally with a nominal length."""

    id: str
    name: str
    duration_s: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    kind: MetricKind
    codes: tuple[str, ...] = ()
    subject: str | None = None
    within_s: float | None = None
    target_min: float | None = None
    target_max: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    version: str
    description: str = ""
    licence_note: str = ""
    subjects: tuple[Subject, ...] = ()
    codes: tuple[Code, ...] = ()
    groups: tuple[Group, ...] = ()
    modifiers: tuple[Modifier, ...] = ()
    ratings: tuple[RatingScale, ...] = ()
    segments: tuple[SegmentDef, ...] = ()
    metrics: tuple[Metric, ...] = ()

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def subject(self, subject_id: str) -> Subject:
        for s in self.subjects:
            if s.id == subject_id:
                return s
        raise KeyError(subject_id)

    def modifier(self, modifier_id: str) -> Modifier:
        for m in self.modifiers:
            if m.id == modifier_id:
                return m
        raise KeyError(modifier_id)

    def rating(self, rating_id: str) -> RatingScale:
        for r in self.ratings:
            if r.id == rating_id:
                return r
        raise KeyError(rating_id)

    def group_of(self, code_id: str) -> Group | None:
        for g in self.groups:
            if code_id in g.codes:
                return g
        return None

    def subjects_for(self, code: Code) -> tuple[str, ...]:
        """The subjects a code may be scored for (all subjects when unrestricted)."""
        return code.subjects or tuple(s.id for s in self.subjects)


# ---------------------------------------------------------------------------
# Project content
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """Identity of a media file: size, SHA-256 of first and last MiB, duration."""

    size: int
    head_sha256: str
    tail_sha256: str
    duration_ms: int

    def as_text(self) -> str:
        return f"{self.size}:{self.head_sha256}:{self.tail_sha256}:{self.duration_ms}"


@dataclass(frozen=True)
class Media:
    id: str
    path: str
    fingerprint: Fingerprint
    duration_ms: int
    fps: float
    width: int = 0
    height: int = 0
    rotation: int = 0
    has_audio: bool = False
    frame_count: int = 0
    variable_frame_rate: bool = False


@dataclass(frozen=True)
class Consent:
    treatment: bool = True
    supervision: bool = False
    show_to_parents: bool = False
    training: bool = False
    research: bool = False


@dataclass(frozen=True)
class Session:
    id: str
    label: str
    media_id: str | None = None
    family: str = ""
    recorded_on: str = ""
    consent: Consent = field(default_factory=Consent)
    goal: str = ""
    practice_point: str = ""
    parent_name: str = ""  # the session's name on parent-facing charts ("" = no name shown)
    parent_metrics: tuple[str, ...] = ()  # metric ids shown to parents though not strength-only


@dataclass(frozen=True)
class SchemeSnapshot:
    """An immutable copy of a scheme as adopted into a project."""

    id: str
    scheme: Scheme
    content_hash: str
    source_text: str


@dataclass(frozen=True)
class Observation:
    """One coder's coding of one session with one scheme snapshot."""

    id: str
    session_id: str
    coder: str
    snapshot_id: str
    name: str = ""
    blind: bool = False
    final: bool = False
    created_at: str = ""


@dataclass(frozen=True)
class Event:
    id: str
    observation_id: str
    code_id: str
    subject_id: str
    onset_ms: int
    offset_ms: int | None = None
    modifiers: Mapping[str, ModifierValue] = field(default_factory=dict)
    note: str = ""
    # Interchange (ELAN): the annotation's exact text when it is more than the code (free-text
    # tiers, values outside the vocabulary; "" is an empty annotation, kept); the event this one
    # annotates (reference tiers); and the tier it came from, so an export writes it back there.
    text: str | None = None
    parent_id: str | None = None
    tier: str | None = None

    @property
    def is_point(self) -> bool:
        return self.offset_ms is None

    @property
    def duration_ms(self) -> int:
        return 0 if self.offset_ms is None else self.offset_ms - self.onset_ms


def listed_order(event: Event) -> tuple[int, str]:
    """The order events are listed in everywhere (store, views, exports): onset, then id."""
    return (event.onset_ms, event.id)


@dataclass(frozen=True)
class SourceDocument:
    """What an imported file held beyond events (ELAN tiers, vocabularies, media descriptors;
    BORIS observation settings), kept with the session so an export can write it back.

    ``content`` is JSON owned by the format's reader and writer (``exports/``); the core only
    stores it. It may name files and hold vocabulary text, never annotation values.
    """

    id: str
    session_id: str
    format: str  # "eaf", "boris"
    name: str  # the imported file's name
    content: str
    created_at: str = ""


@dataclass(frozen=True)
class Segment:
    id: str
    session_id: str
    name: str
    onset_ms: int
    offset_ms: int
    definition_id: str | None = None


@dataclass(frozen=True)
class RatingValue:
    id: str
    observation_id: str
    rating_id: str
    value: float
    segment_id: str | None = None


@dataclass(frozen=True)
class FreezePoint:
    at_ms: int
    caption: str = ""
    hold_s: float = 3.0


@dataclass(frozen=True)
class BlurBox:
    """A region to blur in parent-facing output, as fractions (0..1) of the frame."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Highlight:
    id: str
    session_id: str
    in_ms: int
    out_ms: int
    title: str = ""
    caption: str = ""
    child_voice: str = ""
    talking_point: str = ""  # for the clinician only, never shown to parents
    freeze_points: tuple[FreezePoint, ...] = ()
    speed: float = 1.0
    theme: str = ""
    order: int = 0
    shareable: bool = False
    event_ids: tuple[str, ...] = ()
    blur_boxes: tuple[BlurBox, ...] = ()
