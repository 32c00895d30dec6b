"""Map a parsed ELAN file onto Attune: a scheme, events per coder, and what to keep for export.

- Codes come from controlled vocabularies (one code per entry, every language kept), or from
  the values of tiers the user names (``code_tiers``: each distinct exact value its own code).
  A free-text tier (transcription, translation, comments) is not a vocabulary: its events
  carry one code per linguistic type and keep each annotation's exact text. Distinct values
  never merge; text in any script survives; empty annotations are kept (text "").
- Subjects: the tier's PARTICIPANT, or the user's ``tier_subjects`` mapping, or the parent
  tier's subject (a reference tier describes its parent's speaker), or the tier's name.
- Observations: one per coder, the ANNOTATOR of the tier tree's root (or ``coder``); a child
  tier stays with its parent's observation, so reference links stay inside one observation.
- Times exactly as ELAN has them: a 1-frame annotation stays 1 frame; a zero-length one stays
  zero-length (a point when its code is only ever zero-length).
- Everything that is not an event (tiers with their attributes and order, linguistic types,
  vocabularies, languages, locales, media and linked files, properties, per-annotation
  references and unaligned boundaries) goes into the source document, for the export.

The report has one line per tier: how many annotations, imported as what, and why any were not.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from coder.model import Code, CodeKind, Event, Scheme, Subject, new_id
from exports.eaf_parse import (
    POINTS_PREFIX,
    EafAnnotation,
    EafFile,
    EafTier,
    as_json,
    describe_tier,
)
from exports.import_report import ImportReport, plural

DOCUMENT_VERSION = 1
PALETTE = ("#3a7bd5", "#e26d5a", "#2e8b57", "#f4b400", "#7b5ea7", "#20b2aa", "#c77d2e", "#b22222")
ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text.strip()).strip("_").lower()[:48]


class Ids:
    """Unique scheme ids from names; never merges two names into one id."""

    def __init__(self, fallback: str) -> None:
        self.taken: set[str] = set()
        self.fallback = fallback

    def make(self, *candidates: str) -> str:
        for candidate in candidates:
            if candidate and ID_OK.match(candidate) and candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        base = next((c for c in candidates if c and ID_OK.match(c)), self.fallback)
        n = 2
        while f"{base}_{n}" in self.taken:
            n += 1
        self.taken.add(f"{base}_{n}")
        return f"{base}_{n}"


def _scoped(scope: str, name: str) -> str:
    inner = slug(name)
    return f"{slug(scope) or 'cv'}.{inner}" if inner else ""


def display_name(text: str, empty: str = "(empty)") -> str:
    """A scheme name: names are stored stripped, one line; an empty one gets a placeholder."""
    name = " ".join(text.split())
    return name[:200] or empty


@dataclass
class EafPlan:
    scheme: Scheme
    events: dict[str, list[Event]]  # coder -> events (observation ids filled in later)
    document: dict[str, Any]  # source document content; tiers carry "coder" until stored
    media_name: str | None
    media_descriptor: int | None
    last_ms: int
    report: ImportReport = field(default_factory=ImportReport)


@dataclass
class _Vocabulary:
    """Codes for one controlled vocabulary or one code-mapped tier."""

    category: str
    by_entry: dict[str, str] = field(default_factory=dict)  # CVE_ID -> code id
    by_value: dict[str, str] = field(default_factory=dict)  # exact value -> code id


class _Builder:
    def __init__(
        self,
        eaf: EafFile,
        tier_subjects: dict[str, str],
        code_tiers: Iterable[str],
        coder: str,
        scheme_id: str,
        scheme_name: str,
    ) -> None:
        self.eaf = eaf
        self.tier_subjects = tier_subjects
        self.code_tiers = set(code_tiers)
        self.coder = coder
        self.scheme_id, self.scheme_name = scheme_id, scheme_name
        self.code_ids, self.subject_ids = Ids("code"), Ids("subject")
        self.codes: dict[str, Code] = {}
        self.code_entries: dict[str, tuple[str, str]] = {}  # code -> (CV_ID, CVE_ID)
        self.uses: dict[str, set[bool]] = {}  # code -> {zero-length?}
        self.subjects: dict[str, Subject] = {}  # name -> subject
        self.vocabularies: dict[str, _Vocabulary] = {}
        self.free_text: dict[str, str] = {}  # linguistic type -> code id
        self.tier_subject: dict[str, str] = {}  # tier -> subject id
        self.tier_coder: dict[str, str] = {}
        self.event_of: dict[str, Event] = {}  # annotation id -> event
        self.events_by_id: dict[str, Event] = {}
        self.by_tier: dict[str, list[tuple[int, int, str]]] = {}  # parent lookups
        self.extras: dict[str, dict[str, Any]] = {}
        self.report = ImportReport()

    # --- scheme parts ------------------------------------------------------------------------
    def _code(self, name: str, category: str, description: str = "", *ids: str) -> str:
        code_id = self.code_ids.make(*ids, slug(name), slug(category), "code")
        colour = PALETTE[len(self.codes) % len(PALETTE)]
        self.codes[code_id] = Code(
            code_id,
            display_name(name),
            CodeKind.STATE,
            color=colour,
            category=display_name(category, ""),
            description=display_name(description, ""),
        )
        return code_id

    def _subject(self, name: str) -> str:
        name = display_name(name, "(unnamed)")
        if name not in self.subjects:
            sid = self.subject_ids.make(slug(name))
            self.subjects[name] = Subject(sid, name)
        return self.subjects[name].id

    def _vocabulary(self, tier: EafTier) -> _Vocabulary | None:
        if tier.cv is not None:
            key = f"cv:{tier.cv}"
            if key not in self.vocabularies:
                vocabulary = _Vocabulary(tier.cv)
                cv = self.eaf.cvs.get(tier.cv)
                # Attune's own export names the vocabulary attune-<scheme> and each entry by
                # its code id: keep those ids; other vocabularies' entry ids (often cveid0,
                # repeated across vocabularies) are namespaced by the vocabulary instead.
                ours = tier.cv.startswith("attune-")
                for entry in cv.entries if cv else []:
                    first = entry.values[0] if entry.values else (None, "", "")
                    code_id = self._code(
                        first[1] or entry.id,
                        tier.cv,
                        first[2],
                        *((entry.id,) if ours else ()),
                        _scoped(tier.cv, first[1] or entry.id),
                    )
                    vocabulary.by_entry[entry.id] = code_id
                    self.code_entries[code_id] = (tier.cv, entry.id)
                    for _lang, value, _desc in entry.values:
                        vocabulary.by_value.setdefault(value, code_id)
                self.vocabularies[key] = vocabulary
            return self.vocabularies[key]
        if tier.id in self.code_tiers:
            return self.vocabularies.setdefault(f"tier:{tier.id}", _Vocabulary(tier.id))
        return None

    # --- tiers ---------------------------------------------------------------------------------
    def tier_subject_of(self, tier: EafTier) -> str:
        name = self.tier_subjects.get(tier.id) or tier.attrs.get("PARTICIPANT", "").strip()
        if name:
            return self._subject(name)
        if tier.parent and tier.parent in self.tier_subject:
            return self.tier_subject[tier.parent]
        return self._subject(re.sub(r"\s*\(.*\)$", "", tier.id) or tier.id)

    def tier_coder_of(self, tier: EafTier) -> str:
        if tier.parent and tier.parent in self.tier_coder:
            return self.tier_coder[tier.parent]
        return display_name(tier.attrs.get("ANNOTATOR", ""), "") or self.coder

    def add_tier(self, tier: EafTier) -> None:
        line = self.report.line(f"tier '{tier.id}'")
        if tier.problem:
            for _ in tier.annotations:
                line.add(False, tier.problem)
            if not tier.annotations:
                line.note(f"empty tier not kept because {tier.problem}")
            return
        subject = self.tier_subject_of(tier)
        coder = self.tier_coder_of(tier)
        self.tier_subject[tier.id], self.tier_coder[tier.id] = subject, coder
        vocabulary = self._vocabulary(tier)
        subject_name = next(s.name for s in self.subjects.values() if s.id == subject)
        kind = describe_tier(tier)
        if vocabulary is None:
            lt = tier.linguistic_type
            if lt not in self.free_text:
                self.free_text[lt] = self._code(lt or "text", "ELAN text", "free text")
            line.how = (
                f"exact text of code '{self.codes[self.free_text[lt]].name}' for subject "
                f"'{subject_name}' ({kind}; coder '{coder}')"
            )
        else:
            source = f"vocabulary '{tier.cv}'" if tier.cv else "its values"
            line.how = f"codes from {source} for subject '{subject_name}' ({kind}; coder '{coder}')"
        for a in tier.annotations:
            if a.problem:
                line.add(False, a.problem, f"annotation {a.id[:40]}" if a.id else "")
                continue
            self._event(tier, a, subject, coder, vocabulary, line)
            line.add(True)

    def _event(
        self,
        tier: EafTier,
        a: EafAnnotation,
        subject: str,
        coder: str,
        vocabulary: _Vocabulary | None,
        line: Any,
    ) -> None:
        assert a.start is not None and a.end is not None
        text: str | None = a.value
        if vocabulary is None:
            code_id = self.free_text[tier.linguistic_type]
        else:
            cve = a.attrs.get("CVE_REF")
            found = vocabulary.by_entry.get(cve) if cve and tier.cv else None
            found = found or vocabulary.by_value.get(a.value)
            if found is not None:
                code_id = found
            else:
                what = f"vocabulary '{tier.cv}'" if tier.cv else "this tier"
                code_id = self._code(
                    a.value,
                    vocabulary.category,
                    f"value on {what}",
                    _scoped(vocabulary.category, a.value),
                )
                vocabulary.by_value[a.value] = code_id
                if tier.cv:
                    line.note(f"value outside vocabulary '{tier.cv}', kept as an extra code")
            if a.value == self.codes[code_id].name:
                text = None  # the code says it all
        if not a.value:
            line.note("empty, kept with empty text")
        points = tier.linguistic_type.startswith(POINTS_PREFIX)  # Attune's own point codes
        zero = a.end == a.start or points
        if points:
            line.note("Attune point events (written as one frame), read back as points")
        elif zero:
            line.note("zero-length, kept at their exact time")
        self.uses.setdefault(code_id, set()).add(zero)
        parent = self.event_of.get(a.ref) if a.ref else None
        if parent is None and tier.parent and not a.is_reference:
            parent = self._containing(tier.parent, a.start, a.end)
        event = Event(
            new_id(),
            coder,  # observation id comes later; the coder stands in for it until then
            code_id,
            subject,
            a.start,
            a.end,
            text=text,
            parent_id=parent.id if parent else None,
            tier=tier.id,
        )
        self.event_of[a.id] = event
        self.events_by_id[event.id] = event
        extra: dict[str, Any] = {}
        if a.attrs:
            extra["attrs"] = dict(a.attrs)
        if not a.start_aligned:
            extra["start"] = a.start
        if not a.end_aligned:
            extra["end"] = a.end
        if tier.constraint == "Symbolic_Subdivision":
            extra["order"] = a.order
        if extra:
            self.extras[event.id] = extra

    def _containing(self, tier_id: str, start: int, end: int) -> Event | None:
        """The parent tier's annotation holding [start, end] (annotations of a tier do not
        overlap in ELAN, so the last one starting at or before ``start`` is the candidate)."""
        if tier_id not in self.by_tier:
            spans = sorted(
                (e.onset_ms, e.offset_ms or e.onset_ms, e.id)
                for e in self.event_of.values()
                if e.tier == tier_id
            )
            self.by_tier[tier_id] = spans
        spans = self.by_tier[tier_id]
        i = bisect_right(spans, (start, 2**62, "")) - 1
        while i >= 0 and spans[i][0] <= start:
            onset, offset, event_id = spans[i]
            if end <= offset:
                return self.events_by_id[event_id]
            i -= 1
            if start - onset > 24 * 3600 * 1000:
                break
        return None

    # --- result --------------------------------------------------------------------------------
    def scheme(self) -> Scheme:
        codes = []
        for code in self.codes.values():
            uses = self.uses.get(code.id, set())
            kind = CodeKind.POINT if uses == {True} else CodeKind.STATE
            codes.append(replace(code, kind=kind))
        return Scheme(
            self.scheme_id,
            self.scheme_name,
            "1",
            f"Imported from the ELAN file {self.eaf.name}",
            "",
            tuple(self.subjects.values()),
            tuple(codes),
        )

    def events(self, scheme: Scheme) -> dict[str, list[Event]]:
        points = {c.id for c in scheme.codes if not c.is_state}
        out: dict[str, list[Event]] = {}
        for e in self.event_of.values():
            if e.code_id in points:
                e = replace(e, offset_ms=None)
            out.setdefault(e.observation_id, []).append(e)
        for events in out.values():
            events.sort(key=lambda e: (e.onset_ms, e.tier or "", e.id))
        return out


def plan_import(
    eaf: EafFile,
    *,
    tier_subjects: dict[str, str] | None = None,
    code_tiers: Iterable[str] = (),
    coder: str | None = None,
    scheme_id: str | None = None,
) -> EafPlan:
    stem = PurePosixPath(eaf.name).stem
    default_coder = coder or display_name(eaf.attrs.get("AUTHOR", ""), "") or "ELAN"
    b = _Builder(
        eaf,
        tier_subjects or {},
        code_tiers,
        default_coder,
        scheme_id or (slug(stem) or "elan"),
        display_name(stem, "ELAN import"),
    )
    for tier in eaf.tiers:  # parents first
        b.add_tier(tier)
    b.report.lines.sort(key=lambda line: _position(eaf, line.source))
    unknown = set(tier_subjects or {}) | set(code_tiers)
    for name in sorted(unknown - {t.id for t in eaf.tiers}):
        b.report.notes.append(f"tier '{name}' named in the mapping is not in the file")
    scheme = b.scheme()
    events = b.events(scheme)
    main = _main_media(eaf.media)
    report = b.report
    _file_notes(eaf, main, report)
    last = max((e.offset_ms or e.onset_ms for evs in events.values() for e in evs), default=0)
    document = _document(eaf, b, main)
    return EafPlan(
        scheme,
        events,
        document,
        _media_name(eaf.media[main]) if main is not None else None,
        main,
        last,
        report,
    )


def _position(eaf: EafFile, source: str) -> int:
    for tier in eaf.tiers:
        if source == f"tier '{tier.id}'":
            return tier.position
    return 10**6


def _main_media(media: list[dict[str, str]]) -> int | None:
    if not media:
        return None
    for want in ("video/", "audio/"):
        for i, m in enumerate(media):
            if m.get("MIME_TYPE", "").startswith(want) and not m.get("EXTRACTED_FROM"):
                return i
    return 0


def _media_name(descriptor: dict[str, str]) -> str | None:
    for key in ("RELATIVE_MEDIA_URL", "MEDIA_URL"):
        url = descriptor.get(key, "")
        if url:
            name = PurePosixPath(unquote(urlparse(url).path or url)).name
            if name:
                return name
    return None


def _file_notes(eaf: EafFile, main: int | None, report: ImportReport) -> None:
    extra_media = len(eaf.media) - (1 if main is not None else 0)
    if extra_media or eaf.linked_files:
        parts = []
        if extra_media:
            parts.append(plural(extra_media, "more media file"))
        if eaf.linked_files:
            parts.append(plural(len(eaf.linked_files), "linked file"))
        report.notes.append(
            f"{' and '.join(parts)} (descriptors) kept for export; Attune opens only the "
            "session's main video"
        )
    if main is not None and eaf.media[main].get("TIME_ORIGIN"):
        report.notes.append(
            "the main media has a time origin (offset); times are kept as ELAN shows them"
        )
    if eaf.ref_link_sets:
        report.notes.append(
            f"{plural(eaf.ref_link_sets, 'referential link set')} (EAF 3.0 cross references) "
            "not imported and not written back"
        )


def _document(eaf: EafFile, b: _Builder, main: int | None) -> dict[str, Any]:
    tiers = sorted((t for t in eaf.tiers if not t.problem), key=lambda t: t.position)
    return {
        "version": DOCUMENT_VERSION,
        "attrs": dict(eaf.attrs),
        "licenses": as_json(eaf.licenses),
        "header": dict(eaf.header),
        "media": [dict(m) for m in eaf.media],
        "main_media": main,
        "linked_files": [dict(m) for m in eaf.linked_files],
        "properties": as_json(eaf.properties),
        "tiers": [{"attrs": dict(t.attrs), "coder": b.tier_coder[t.id]} for t in tiers],
        "linguistic_types": [dict(lt) for lt in eaf.linguistic_types.values()],
        "locales": [dict(x) for x in eaf.locales],
        "languages": [dict(x) for x in eaf.languages],
        "constraints": [dict(x) for x in eaf.constraints],
        "cvs": [
            {
                "id": cv.id,
                "ext_ref": cv.ext_ref,
                "descriptions": as_json(cv.descriptions),
                "entries": [
                    {"id": e.id, "ext_ref": e.ext_ref, "values": as_json(e.values)}
                    for e in cv.entries
                ],
            }
            for cv in eaf.cvs.values()
        ],
        "lexicon_refs": [dict(x) for x in eaf.lexicon_refs],
        "external_refs": [dict(x) for x in eaf.external_refs],
        "codes": {code: list(entry) for code, entry in b.code_entries.items()},
        "annotations": b.extras,
    }
