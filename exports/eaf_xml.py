"""The XML half of the ELAN writer (exports.eaf): the planned tiers, time slots and annotations
become an EAF 3.0 document — header and media descriptors, time order, tiers with aligned and
reference annotations, linguistic types, languages, constraints and vocabularies. Split from
the planning half (which tier each event goes to, which slots it shares) at that seam.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from coder.model import Event, Media, Scheme
from exports.bundle import ExportBundle
from exports.eaf_document import StoredEaf
from exports.eaf_parse import REFERENCE_CONSTRAINTS

XSI = "http://www.w3.org/2001/XMLSchema-instance"
MIME = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
    ".mpg": "video/mpeg",
    ".wav": "audio/x-wav",
}
CONSTRAINT_TEXT = {
    "Time_Subdivision": "Time subdivision of parent annotation's time interval, no time gaps "
    "allowed within this interval",
    "Symbolic_Subdivision": "Symbolic subdivision of a parent annotation. Annotations refering "
    "to the same parent are ordered",
    "Symbolic_Association": "1-1 association with a parent annotation",
    "Included_In": "Time alignable annotations within the parent annotation's time interval, "
    "gaps are allowed",
}
UND = {"LANG_ID": "und", "LANG_DEF": "http://cdb.iso.org/lg/CDB-00130975-001",
       "LANG_LABEL": "undetermined (und)"}  # fmt: skip


@dataclass
class Tier:
    attrs: dict[str, str]
    constraint: str | None
    cv: str | None
    observation: str
    scheme: Scheme
    events: list[Event] = field(default_factory=list)
    frame_ms: int = 40
    end_of_media: int | None = None

    @property
    def id(self) -> str:
        return self.attrs["TIER_ID"]

    @property
    def parent(self) -> str | None:
        return self.attrs.get("PARENT_REF") or None


@dataclass
class Slot:
    time: int
    aligned: bool
    seq: int
    id: str = ""


@dataclass
class Written:
    """An annotation about to be written."""

    event: Event
    tier: Tier
    annotation_id: str = ""
    slot1: Slot | None = None
    slot2: Slot | None = None
    parent: Written | None = None
    previous: Written | None = None


class Ids:
    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.n: dict[str, int] = {}

    def make(self, prefix: str) -> str:
        n = self.n.get(prefix, 0)
        while True:
            n += 1
            candidate = f"{prefix}{n}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                self.n[prefix] = n
                return candidate

    def name(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{wanted} ({n})"
        self.taken.add(candidate)
        return candidate


class EafXml:
    """Mixed into the session writer, which provides the plan these methods write out."""

    bundles: Sequence[ExportBundle]
    eaf_path: Path
    stored: StoredEaf | None
    tiers: list[Tier]
    xml_ids: Ids
    generated_types: dict[str, dict[str, str]]
    generated_cvs: dict[str, Scheme]
    language: str
    _needed_constraints: set[str]

    def _stored_types(self) -> tuple[dict[str, str], ...]:
        raise NotImplementedError

    def _stored_xml_ids(self) -> set[str]:
        raise NotImplementedError

    def _extra(self, e: Event) -> dict[str, Any]:
        raise NotImplementedError

    def document(self, slots: list[Slot], written: dict[str, Written]) -> ET.ElementTree:
        """The EAF document of the planned tiers, time slots and annotations."""
        stored = self.stored
        attrs = stored.attrs if stored else {}
        root = ET.Element(
            "ANNOTATION_DOCUMENT",
            {
                "AUTHOR": attrs.get("AUTHOR", ""),
                "DATE": datetime.now(UTC).replace(microsecond=0).isoformat(),
                "FORMAT": "3.0",
                "VERSION": "3.0",
                f"{{{XSI}}}noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
            },
        )
        for url, text in stored.licenses if stored else ():
            ET.SubElement(root, "LICENSE", {"LICENSE_URL": url} if url else {}).text = text
        self._header(root, len(written))
        slots.sort(key=lambda s: (s.time, s.seq))
        time_order = ET.SubElement(root, "TIME_ORDER")
        for s in slots:
            s.id = self.xml_ids.make("ts")
            ET.SubElement(
                time_order,
                "TIME_SLOT",
                {"TIME_SLOT_ID": s.id, **({"TIME_VALUE": str(s.time)} if s.aligned else {})},
            )
        for w in written.values():
            w.annotation_id = self.xml_ids.make("a")
        self._tiers(root, written)
        self._types(root)
        self._languages(root)
        self._vocabularies(root)
        for lex in stored.lexicon_refs if stored else ():
            ET.SubElement(root, "LEXICON_REF", lex)
        for ext in stored.external_refs if stored else ():
            ET.SubElement(root, "EXTERNAL_REF", ext)
        ET.indent(root)
        return ET.ElementTree(root)

    def _header(self, root: ET.Element, annotations: int) -> None:
        stored = self.stored
        header = ET.SubElement(
            root,
            "HEADER",
            dict(stored.header) if stored else {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"},
        )
        media = self.bundles[0].media
        descriptors = [dict(m) for m in stored.media] if stored else []
        current = media_descriptor(media, self.eaf_path) if media is not None else None
        if stored and stored.main_media is not None:
            if current is not None and media is not None and media.fingerprint.size > 0:
                descriptors[stored.main_media] = current  # re-linked: the real file now
        elif current is not None:
            descriptors.insert(0, current)
        for d in descriptors:
            ET.SubElement(header, "MEDIA_DESCRIPTOR", d)
        for d in stored.linked_files if stored else ():
            ET.SubElement(header, "LINKED_FILE_DESCRIPTOR", d)
        for name, value in stored.properties if stored else ():
            if name != "lastUsedAnnotationId":
                ET.SubElement(header, "PROPERTY", {"NAME": name} if name else {}).text = value
        ET.SubElement(header, "PROPERTY", {"NAME": "lastUsedAnnotationId"}).text = str(annotations)

    def _tiers(self, root: ET.Element, written: dict[str, Written]) -> None:
        valid = self._stored_xml_ids()
        for tier in self.tiers:  # stored tiers in their order, then Attune's
            attrs = {
                k: v
                for k, v in tier.attrs.items()
                if k not in ("DEFAULT_LOCALE", "LANG_REF", "EXT_REF") or set(v.split()) <= valid
            }
            element = ET.SubElement(root, "TIER", attrs)
            entries = self._entries_of(tier)
            for e in tier.events:
                w = written[e.id]
                extra = {
                    k: v
                    for k, v in self._extra(e).get("attrs", {}).items()
                    if k in ("EXT_REF", "LANG_REF", "SVG_REF")
                    and (k == "SVG_REF" or set(v.split()) <= valid)
                }
                if e.code_id in entries:
                    extra["CVE_REF"] = entries[e.code_id]
                wrapper = ET.SubElement(element, "ANNOTATION")
                if w.parent is not None and tier.constraint in REFERENCE_CONSTRAINTS:
                    ann = ET.SubElement(
                        wrapper,
                        "REF_ANNOTATION",
                        {
                            "ANNOTATION_ID": w.annotation_id,
                            "ANNOTATION_REF": w.parent.annotation_id,
                            **(
                                {"PREVIOUS_ANNOTATION": w.previous.annotation_id}
                                if w.previous
                                else {}
                            ),
                            **extra,
                        },
                    )
                else:
                    assert w.slot1 is not None and w.slot2 is not None
                    ann = ET.SubElement(
                        wrapper,
                        "ALIGNABLE_ANNOTATION",
                        {
                            "ANNOTATION_ID": w.annotation_id,
                            "TIME_SLOT_REF1": w.slot1.id,
                            "TIME_SLOT_REF2": w.slot2.id,
                            **extra,
                        },
                    )
                ET.SubElement(ann, "ANNOTATION_VALUE").text = self._value(e, tier.scheme)

    def _entries_of(self, tier: Tier) -> dict[str, str]:
        """Code id -> CVE_ID in the tier's vocabulary."""
        if tier.cv is None:
            return {}
        if tier.cv in self.generated_cvs:
            return {c.id: c.id for c in self.generated_cvs[tier.cv].codes}
        codes = self.stored.codes if self.stored else {}
        return {code: cve for code, (cv, cve) in codes.items() if cv == tier.cv}

    @staticmethod
    def _value(e: Event, scheme: Scheme) -> str:
        if e.text is not None:
            return e.text
        return next((c.name for c in scheme.codes if c.id == e.code_id), e.code_id)

    def _types(self, root: ET.Element) -> None:
        written: set[str] = set()
        used_constraints: set[str] = set()
        generated = [
            {k: v for k, v in lt.items() if k != "key"} for lt in self.generated_types.values()
        ]
        for lt in [*self._stored_types(), *generated]:
            ET.SubElement(root, "LINGUISTIC_TYPE", lt)
            written.add(lt.get("LINGUISTIC_TYPE_ID", ""))
            if lt.get("CONSTRAINTS"):
                used_constraints.add(lt["CONSTRAINTS"])
        for locale in self.stored.locales if self.stored else ():
            ET.SubElement(root, "LOCALE", locale)
        self._needed_constraints = used_constraints

    def _languages(self, root: ET.Element) -> None:
        stored = self.stored
        languages = [dict(x) for x in stored.languages] if stored else []
        if not any(x.get("LANG_ID") == self.language for x in languages):
            languages.append(dict(UND))
        for lang in languages:
            ET.SubElement(root, "LANGUAGE", lang)
        constraints = [dict(x) for x in stored.constraints] if stored else []
        have = {c.get("STEREOTYPE") for c in constraints}
        for name in sorted(self._needed_constraints - have):
            constraints.append({"STEREOTYPE": name, "DESCRIPTION": CONSTRAINT_TEXT.get(name, "")})
        for c in constraints:
            ET.SubElement(root, "CONSTRAINT", c)

    def _vocabularies(self, root: ET.Element) -> None:
        for cv in self.stored.cvs if self.stored else ():
            element = ET.SubElement(
                root, "CONTROLLED_VOCABULARY", {"CV_ID": cv.id, **opt_attr("EXT_REF", cv.ext_ref)}
            )
            for lang, text in cv.descriptions:
                ET.SubElement(
                    element, "DESCRIPTION", {"LANG_REF": lang or self.language}
                ).text = text
            for entry in cv.entries:
                e = ET.SubElement(
                    element,
                    "CV_ENTRY_ML",
                    {"CVE_ID": entry.id, **opt_attr("EXT_REF", entry.ext_ref)},
                )
                for lang, value, description in entry.values:
                    ET.SubElement(
                        e,
                        "CVE_VALUE",
                        {"LANG_REF": lang or self.language, **opt_attr("DESCRIPTION", description)},
                    ).text = value
        for cv_id, scheme in self.generated_cvs.items():
            element = ET.SubElement(root, "CONTROLLED_VOCABULARY", {"CV_ID": cv_id})
            ET.SubElement(
                element, "DESCRIPTION", {"LANG_REF": self.language}
            ).text = f"{scheme.name} v{scheme.version}"
            for code in scheme.codes:
                e = ET.SubElement(element, "CV_ENTRY_ML", {"CVE_ID": code.id})
                ET.SubElement(
                    e,
                    "CVE_VALUE",
                    {"LANG_REF": self.language, **opt_attr("DESCRIPTION", code.description)},
                ).text = code.name


def opt_attr(key: str, value: str | None) -> dict[str, str]:
    return {key: value} if value else {}


def media_descriptor(media: Media, eaf_path: Path) -> dict[str, str]:
    """The session video's descriptor. A placeholder (imported, not yet re-linked) knows only
    a file name: it is written as a relative URL, never resolved against the current folder."""
    mime = MIME.get(Path(media.path).suffix.lower(), "video/mp4")
    if media.fingerprint.size == 0:
        name = quote(Path(media.path).name)
        return {"MEDIA_URL": name, "MIME_TYPE": mime, "RELATIVE_MEDIA_URL": f"./{name}"}
    absolute = Path(media.path).resolve()
    try:
        relative = os.path.relpath(absolute, eaf_path.resolve().parent)
    except ValueError:  # another drive on Windows
        relative = absolute.name
    return {
        "MEDIA_URL": absolute.as_uri(),
        "MIME_TYPE": mime,
        "RELATIVE_MEDIA_URL": "./" + quote(Path(relative).as_posix()),
    }
