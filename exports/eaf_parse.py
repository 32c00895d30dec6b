"""Read an ELAN .eaf file (EAF 2.x and 3.0) faithfully, before any mapping to Attune's model.

Everything is kept as written: tiers with all their attributes, annotations with their exact
text, linguistic types, controlled vocabularies (every language), languages, locales, media
and linked-file descriptors, properties, external references. Then each annotation gets its
media time: aligned slots as written, unaligned slots (Time Subdivision / Included In) evenly
between their aligned neighbours on the same tier, reference annotations the time of their
parent (Symbolic Association) or an even share of it in order (Symbolic Subdivision) — the
way ELAN draws them. What cannot be timed is marked with the reason, never dropped here.

A damaged file gives an ImportFormatError naming the file, the element and the fix; times
below zero or beyond a day are refused (coder.limits). Messages never quote annotation text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from coder.errors import ImportFormatError
from coder.limits import time_problem

SYMBOLIC_ASSOCIATION = "Symbolic_Association"
SYMBOLIC_SUBDIVISION = "Symbolic_Subdivision"
TIME_SUBDIVISION = "Time_Subdivision"
INCLUDED_IN = "Included_In"
CONSTRAINTS = (TIME_SUBDIVISION, SYMBOLIC_SUBDIVISION, SYMBOLIC_ASSOCIATION, INCLUDED_IN)
REFERENCE_CONSTRAINTS = (SYMBOLIC_ASSOCIATION, SYMBOLIC_SUBDIVISION)
ANNOTATION_ATTRS = ("EXT_REF", "LANG_REF", "CVE_REF", "SVG_REF")
# Attune writes its point codes on tiers of this linguistic type (one frame each, as ELAN
# annotations have a duration); reading them back makes them points again.
POINTS_PREFIX = "attune-points-"
MAX_DEPTH = 64  # tier nesting; deeper is a damaged (or hostile) file


@dataclass
class EafAnnotation:
    id: str
    tier: str
    value: str
    slot1: str | None = None  # alignable: its time slots
    slot2: str | None = None
    ref: str | None = None  # reference annotation: the parent annotation's id
    previous: str | None = None  # symbolic subdivision: the sibling before it
    attrs: dict[str, str] = field(default_factory=dict)  # EXT_REF, LANG_REF, CVE_REF, SVG_REF
    start: int | None = None  # media time (ms), once resolved
    end: int | None = None
    start_aligned: bool = True  # False: ELAN stores no time there; ours is interpolated
    end_aligned: bool = True
    order: int = 0  # position among the parent's symbolic subdivisions
    problem: str = ""  # why it cannot be imported ("" = it can)

    @property
    def is_reference(self) -> bool:
        return self.ref is not None


@dataclass
class EafTier:
    id: str
    attrs: dict[str, str]  # every attribute as written (TIER_ID included)
    annotations: list[EafAnnotation] = field(default_factory=list)
    problem: str = ""  # why the whole tier cannot be imported
    position: int = 0  # in the file (tiers are processed parents first)
    constraint: str | None = None  # from its linguistic type
    cv: str | None = None  # controlled vocabulary id, from its linguistic type

    @property
    def parent(self) -> str | None:
        return self.attrs.get("PARENT_REF") or None

    @property
    def linguistic_type(self) -> str:
        return self.attrs.get("LINGUISTIC_TYPE_REF", "")


@dataclass
class EafCvEntry:
    id: str
    values: list[tuple[str | None, str, str]]  # (LANG_REF, value, DESCRIPTION) per language
    ext_ref: str | None = None


@dataclass
class EafCv:
    id: str
    descriptions: list[tuple[str | None, str]]  # (LANG_REF, text)
    entries: list[EafCvEntry]
    ext_ref: str | None = None


@dataclass
class EafFile:
    name: str  # the file's name, for messages
    attrs: dict[str, str]
    licenses: list[tuple[str | None, str]] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    media: list[dict[str, str]] = field(default_factory=list)
    linked_files: list[dict[str, str]] = field(default_factory=list)
    properties: list[tuple[str | None, str]] = field(default_factory=list)
    tiers: list[EafTier] = field(default_factory=list)
    linguistic_types: dict[str, dict[str, str]] = field(default_factory=dict)
    locales: list[dict[str, str]] = field(default_factory=list)
    languages: list[dict[str, str]] = field(default_factory=list)
    constraints: list[dict[str, str]] = field(default_factory=list)
    cvs: dict[str, EafCv] = field(default_factory=dict)
    lexicon_refs: list[dict[str, str]] = field(default_factory=list)
    external_refs: list[dict[str, str]] = field(default_factory=list)
    ref_link_sets: int = 0  # EAF 3.0 referential links: counted and reported, not kept
    slots: dict[str, int | None] = field(default_factory=dict)
    slot_order: dict[str, int] = field(default_factory=dict)

    def tier(self, tier_id: str) -> EafTier | None:
        for t in self.tiers:
            if t.id == tier_id:
                return t
        return None

    def annotations(self) -> Iterator[EafAnnotation]:
        for t in self.tiers:
            yield from t.annotations


def _attrs(element: Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in element.attrib.items()}


def _load(path: Path) -> Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import parse

    try:
        root: Element = parse(str(path), forbid_dtd=True).getroot()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise ImportFormatError(
            f"{path.name}: line {line}: not valid XML; the file may be cut short or damaged — "
            "save it again in ELAN"
        ) from None
    except DefusedXmlException:
        raise ImportFormatError(
            f"{path.name}: contains a DTD or entity declarations, which ELAN files never have; "
            "save it again in ELAN"
        ) from None
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot be read ({exc.strerror})") from None
    except LookupError:  # an XML declaration naming an encoding that does not exist
        raise ImportFormatError(
            f"{path.name}: its XML declaration names an unknown text encoding; ELAN writes UTF-8"
        ) from None
    except (ValueError, RecursionError):
        raise ImportFormatError(f"{path.name}: not a readable XML file") from None
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ImportFormatError(
            f"{path.name}: not an ELAN file (its root element is not ANNOTATION_DOCUMENT)"
        )
    return root


def parse_eaf(path: str | Path) -> EafFile:
    path = Path(path)
    root = _load(path)
    eaf = EafFile(path.name, _attrs(root))
    _header(eaf, root)
    _time_order(eaf, root)
    for element in root:
        tag = element.tag
        if tag == "LICENSE":
            eaf.licenses.append((element.get("LICENSE_URL"), element.text or ""))
        elif tag == "TIER":
            _tier(eaf, element)
        elif tag == "LINGUISTIC_TYPE":
            lt = _attrs(element)
            lt_id = lt.get("LINGUISTIC_TYPE_ID", "")
            if lt_id and lt_id not in eaf.linguistic_types:
                eaf.linguistic_types[lt_id] = lt
        elif tag == "LOCALE":
            eaf.locales.append(_attrs(element))
        elif tag == "LANGUAGE":
            eaf.languages.append(_attrs(element))
        elif tag == "CONSTRAINT":
            eaf.constraints.append(_attrs(element))
        elif tag == "CONTROLLED_VOCABULARY":
            cv = _cv(element)
            if cv.id and cv.id not in eaf.cvs:
                eaf.cvs[cv.id] = cv
        elif tag == "LEXICON_REF":
            eaf.lexicon_refs.append(_attrs(element))
        elif tag == "EXTERNAL_REF":
            eaf.external_refs.append(_attrs(element))
        elif tag == "REF_LINK_SET":
            eaf.ref_link_sets += 1
    _link_types(eaf)
    _order_tiers(eaf)
    resolve_times(eaf)
    return eaf


def _header(eaf: EafFile, root: Element) -> None:
    header = root.find("HEADER")
    if header is None:
        raise ImportFormatError(f"{eaf.name}: has no HEADER; this is not a complete ELAN file")
    eaf.header = _attrs(header)
    units = eaf.header.get("TIME_UNITS", "milliseconds")
    if units != "milliseconds":
        raise ImportFormatError(
            f"{eaf.name}: times are in {units[:40]}, not milliseconds; open and save the file "
            "in a current ELAN version first"
        )
    for element in header:
        if element.tag == "MEDIA_DESCRIPTOR":
            eaf.media.append(_attrs(element))
        elif element.tag == "LINKED_FILE_DESCRIPTOR":
            eaf.linked_files.append(_attrs(element))
        elif element.tag == "PROPERTY":
            eaf.properties.append((element.get("NAME"), element.text or ""))


def _time_order(eaf: EafFile, root: Element) -> None:
    order = root.find("TIME_ORDER")
    if order is None:
        raise ImportFormatError(f"{eaf.name}: has no TIME_ORDER; this is not a complete ELAN file")
    for position, slot in enumerate(order.iter("TIME_SLOT")):
        slot_id = slot.get("TIME_SLOT_ID")
        if not slot_id:
            raise ImportFormatError(
                f"{eaf.name}: time slot number {position + 1} has no TIME_SLOT_ID"
            )
        if slot_id in eaf.slots:
            raise ImportFormatError(f"{eaf.name}: time slot id '{slot_id[:40]}' is used twice")
        raw = slot.get("TIME_VALUE")
        value: int | None = None
        if raw is not None:
            text = raw.strip()
            try:
                value = int(text)
            except ValueError:
                raise ImportFormatError(
                    f"{eaf.name}: time slot '{slot_id[:40]}' has the time '{text[:20]}', not a "
                    "whole number of milliseconds"
                ) from None
            problem = time_problem(value, f"time slot '{slot_id[:40]}'")
            if problem:
                raise ImportFormatError(
                    f"{eaf.name}: {problem}; ELAN times run from 0 to the media's end — fix "
                    "that time in ELAN and import again"
                )
        eaf.slots[slot_id] = value
        eaf.slot_order[slot_id] = position


def _tier(eaf: EafFile, element: Element) -> None:
    attrs = _attrs(element)
    tier_id = attrs.get("TIER_ID", "")
    tier = EafTier(tier_id, attrs, position=len(eaf.tiers))
    if not tier_id:
        tier.id = f"(tier {len(eaf.tiers) + 1} without a name)"
        tier.problem = "the tier has no TIER_ID"
    elif eaf.tier(tier_id) is not None:
        tier.id = f"{tier_id} (second tier of that name)"
        tier.problem = "another tier has the same TIER_ID"
    for wrapper in element.iter("ANNOTATION"):
        for ann in wrapper:
            if ann.tag not in ("ALIGNABLE_ANNOTATION", "REF_ANNOTATION"):
                continue
            a = EafAnnotation(
                ann.get("ANNOTATION_ID", ""),
                tier.id,
                ann.findtext("ANNOTATION_VALUE") or "",
                attrs={k: v for k in ANNOTATION_ATTRS if (v := ann.get(k)) is not None},
            )
            if ann.tag == "ALIGNABLE_ANNOTATION":
                a.slot1, a.slot2 = ann.get("TIME_SLOT_REF1"), ann.get("TIME_SLOT_REF2")
            else:
                a.ref = ann.get("ANNOTATION_REF", "")
                a.previous = ann.get("PREVIOUS_ANNOTATION")
            tier.annotations.append(a)
    eaf.tiers.append(tier)


def _cv(element: Element) -> EafCv:
    descriptions: list[tuple[str | None, str]] = [
        (d.get("LANG_REF"), d.text or "") for d in element.findall("DESCRIPTION")
    ]
    if not descriptions and element.get("DESCRIPTION"):  # EAF 2.7 and older
        descriptions.append((None, element.get("DESCRIPTION", "")))
    entries: list[EafCvEntry] = []
    for n, entry in enumerate(element):
        if entry.tag == "CV_ENTRY_ML":
            values = [
                (v.get("LANG_REF"), v.text or "", v.get("DESCRIPTION", ""))
                for v in entry.findall("CVE_VALUE")
            ]
        elif entry.tag == "CV_ENTRY":  # EAF 2.7 and older: one language
            values = [(None, entry.text or "", entry.get("DESCRIPTION", ""))]
        else:
            continue
        entries.append(EafCvEntry(entry.get("CVE_ID") or f"cve{n}", values, entry.get("EXT_REF")))
    return EafCv(element.get("CV_ID", ""), descriptions, entries, element.get("EXT_REF"))


def _link_types(eaf: EafFile) -> None:
    for tier in eaf.tiers:
        lt = eaf.linguistic_types.get(tier.linguistic_type)
        if lt is None:
            tier.problem = tier.problem or (
                f"its linguistic type '{tier.linguistic_type[:60]}' is not defined in the file"
            )
            continue
        constraint = lt.get("CONSTRAINTS") or None
        if constraint is not None and constraint not in CONSTRAINTS:
            tier.problem = tier.problem or f"its constraint '{constraint[:40]}' is not ELAN's"
        tier.constraint = constraint
        tier.cv = lt.get("CONTROLLED_VOCABULARY_REF") or None
        if tier.constraint and not tier.parent:
            tier.problem = tier.problem or f"it is a {tier.constraint} tier without a parent tier"
        if tier.parent and not tier.constraint:
            tier.constraint = INCLUDED_IN  # EAF allows it; ELAN treats it as included in


def _order_tiers(eaf: EafFile) -> None:
    """Parents before children (stable otherwise); a missing parent or a cycle is a problem."""
    by_id = {t.id: t for t in eaf.tiers if not t.problem}
    depth: dict[str, int] = {}

    def level(tier: EafTier, seen: set[str]) -> int:
        if tier.id in depth:
            return depth[tier.id]
        if tier.parent is None:
            depth[tier.id] = 0
            return 0
        parent = by_id.get(tier.parent)
        if parent is None or tier.id in seen or len(seen) > MAX_DEPTH:
            if not tier.problem:
                tier.problem = (
                    f"its parent tier '{tier.parent[:60]}' is missing or not importable"
                    if parent is None
                    else "its parent tiers form a loop"
                )
            depth[tier.id] = -1
            return -1
        up = level(parent, seen | {tier.id})
        if up < 0:
            tier.problem = tier.problem or f"its parent tier '{parent.id[:60]}' is not importable"
            depth[tier.id] = -1
            return -1
        depth[tier.id] = up + 1
        return up + 1

    for tier in eaf.tiers:
        if not tier.problem:
            level(tier, set())
    eaf.tiers.sort(key=lambda t: depth.get(t.id, -1) if not t.problem else 10**6)


# --- times --------------------------------------------------------------------------------------


def resolve_times(eaf: EafFile) -> None:
    by_id: dict[str, EafAnnotation] = {}
    for a in eaf.annotations():
        if not a.id:
            a.problem = "they have no ANNOTATION_ID"
        elif a.id in by_id:
            a.problem = "their ANNOTATION_ID is used twice"
        else:
            by_id[a.id] = a
    for tier in eaf.tiers:  # parents first (ordered above)
        if tier.problem:
            continue
        reference = tier.constraint in REFERENCE_CONSTRAINTS
        for a in tier.annotations:
            if a.problem:
                continue
            if reference != a.is_reference:
                a.problem = (
                    "a reference tier holds a time-aligned annotation"
                    if reference
                    else "a time-aligned tier holds a reference annotation"
                )
        if reference:
            _reference_times(tier, by_id)
        else:
            _aligned_times(eaf, tier)


def _aligned_times(eaf: EafFile, tier: EafTier) -> None:
    ok = [a for a in tier.annotations if not a.problem]
    for a in ok:
        if a.slot1 not in eaf.slots or a.slot2 not in eaf.slots:
            a.problem = "they point to a time slot that does not exist"
    ok = [a for a in ok if not a.problem]
    starting = {a.slot1: a for a in ok}
    ending = {a.slot2: a for a in ok}

    def walk(slot: str, step: dict[str | None, EafAnnotation], forward: bool) -> tuple[int, int]:
        """Nearest aligned time along this tier's chain of annotations, and the steps to it."""
        steps, seen = 0, {slot}
        while True:
            a = step.get(slot)
            if a is None:
                return -1, steps
            nxt = a.slot2 if forward else a.slot1
            steps += 1
            if nxt is None or nxt in seen:
                return -1, steps
            value = eaf.slots.get(nxt)
            if value is not None:
                return value, steps
            seen.add(nxt)
            slot = nxt

    def time_of(slot: str) -> int | None:
        value = eaf.slots[slot]
        if value is not None:
            return value
        before, back = walk(slot, ending, forward=False)
        after, ahead = walk(slot, starting, forward=True)
        if before < 0 or after < 0 or after < before:
            return None
        return before + (after - before) * back // (back + ahead)

    for a in ok:
        assert a.slot1 is not None and a.slot2 is not None
        a.start_aligned = eaf.slots[a.slot1] is not None
        a.end_aligned = eaf.slots[a.slot2] is not None
        a.start, a.end = time_of(a.slot1), time_of(a.slot2)
        if a.start is None or a.end is None:
            a.problem = "ELAN stores no time for them and none can be derived from their neighbours"
        elif a.end < a.start:
            a.problem = "they end before they start"


def _reference_times(tier: EafTier, by_id: dict[str, EafAnnotation]) -> None:
    children: dict[str, list[EafAnnotation]] = {}
    for a in tier.annotations:
        if a.problem:
            continue
        parent = by_id.get(a.ref or "")
        if parent is None:
            a.problem = "the annotation they refer to does not exist"
        elif parent.tier != tier.parent:
            a.problem = "the annotation they refer to is not on the parent tier"
        elif parent.problem or parent.start is None or parent.end is None:
            a.problem = "the annotation they refer to is not imported"
        else:
            children.setdefault(parent.id, []).append(a)
    for parent_id, group in children.items():
        parent = by_id[parent_id]
        assert parent.start is not None and parent.end is not None
        if tier.constraint == SYMBOLIC_ASSOCIATION:
            for extra in group[1:]:
                extra.problem = "their parent annotation has another associated annotation"
            group = group[:1]
        else:
            group = _in_sequence(group)
        n = len(group)
        span = parent.end - parent.start
        for i, a in enumerate(group):
            a.order = i
            a.start = parent.start + span * i // n
            a.end = parent.start + span * (i + 1) // n


def _in_sequence(group: list[EafAnnotation]) -> list[EafAnnotation]:
    """Symbolic subdivisions in PREVIOUS_ANNOTATION order (file order where the chain breaks)."""
    ids = {a.id for a in group}
    after: dict[str | None, list[EafAnnotation]] = {}
    for a in group:
        previous = a.previous if a.previous in ids else None
        after.setdefault(previous, []).append(a)
    ordered: list[EafAnnotation] = []
    placed: set[str] = set()
    queue = list(after.get(None, []))
    while queue:
        a = queue.pop(0)
        if a.id in placed:
            continue
        placed.add(a.id)
        ordered.append(a)
        queue[:0] = after.get(a.id, [])
    ordered += [a for a in group if a.id not in placed]  # a loop: keep file order
    return ordered


def describe_tier(tier: EafTier) -> str:
    parts = [tier.constraint.replace("_", " ") if tier.constraint else "time-aligned"]
    if tier.parent:
        parts.append(f"of '{tier.parent}'")
    if tier.cv:
        parts.append(f"with vocabulary '{tier.cv}'")
    return " ".join(parts)


def as_json(value: Any) -> Any:
    """Tuples to lists, for storing in a source document."""
    if isinstance(value, tuple | list):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    return value
