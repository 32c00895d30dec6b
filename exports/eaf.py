"""ELAN .eaf 3.0: write one tier per subject x coder with a controlled vocabulary per scheme,
and read tiers back into subjects, codes and events.

Point events become one-frame annotations (ELAN has no zero-length annotations); when read
back, an annotation no longer than one frame becomes a point event again. The media
descriptor carries an absolute file URL and a URL relative to the .eaf file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from coder.errors import ImportFormatError
from coder.model import Code, CodeKind, Event, Scheme, Subject, new_id
from coder.progress import Cancel, Progress, check_cancel
from exports.atomic import atomic_write
from exports.bundle import ExportBundle

XSI = "http://www.w3.org/2001/XMLSchema-instance"
LANG = "eng"
MIME = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
    ".wav": "audio/x-wav",
}


def _frame_ms(b: ExportBundle) -> int:
    if b.frame_times and len(b.frame_times) > 1:
        return max(1, b.frame_times[1] - b.frame_times[0])
    return max(1, round(1000 / b.media.fps)) if b.media and b.media.fps else 40


def _tier_id(subject: str, coder: str) -> str:
    return f"{subject} ({coder})"


def eaf_tree(bundles: Sequence[ExportBundle], eaf_path: Path) -> ET.ElementTree:
    if not bundles:
        raise ImportFormatError("nothing to export: choose at least one observation")
    root = ET.Element(
        "ANNOTATION_DOCUMENT",
        {
            "AUTHOR": "",
            "DATE": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "FORMAT": "3.0",
            "VERSION": "3.0",
            f"{{{XSI}}}noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        },
    )
    header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    media = bundles[0].media
    if media is not None:
        absolute = Path(media.path).resolve()
        try:
            relative = os.path.relpath(absolute, eaf_path.resolve().parent)
        except ValueError:  # another drive on Windows
            relative = absolute.name
        ET.SubElement(
            header,
            "MEDIA_DESCRIPTOR",
            {
                "MEDIA_URL": absolute.as_uri(),
                "MIME_TYPE": MIME.get(absolute.suffix.lower(), "video/*"),
                "RELATIVE_MEDIA_URL": "./" + Path(relative).as_posix(),
            },
        )
    time_order = ET.SubElement(root, "TIME_ORDER")
    slots: list[tuple[str, int]] = []
    tiers: list[ET.Element] = []
    annotation_n = 0
    schemes: dict[str, Scheme] = {}
    for b in bundles:
        schemes[b.scheme.id] = b.scheme
        frame = _frame_ms(b)
        names = {s.id: s.name for s in b.scheme.subjects}
        by_subject: dict[str, list[Event]] = {}
        for e in b.events:
            by_subject.setdefault(e.subject_id, []).append(e)
        end_of_media = b.media.duration_ms if b.media else None
        for subject in [s.id for s in b.scheme.subjects if s.id in by_subject]:
            tier = ET.Element(
                "TIER",
                {
                    "TIER_ID": _tier_id(names.get(subject, subject), b.observation.coder),
                    "LINGUISTIC_TYPE_REF": f"codes-{b.scheme.id}",
                    "ANNOTATOR": b.observation.coder,
                    "PARTICIPANT": names.get(subject, subject),
                },
            )
            for e in sorted(by_subject[subject], key=lambda e: (e.onset_ms, e.id)):
                end = e.offset_ms
                if end is None:
                    is_state = (
                        b.scheme.code(e.code_id).is_state
                        if e.code_id in {c.id for c in b.scheme.codes}
                        else False
                    )
                    end = (end_of_media or e.onset_ms + frame) if is_state else e.onset_ms + frame
                annotation_n += 1
                s1, s2 = f"ts{len(slots) + 1}", f"ts{len(slots) + 2}"
                slots += [(s1, e.onset_ms), (s2, max(end, e.onset_ms + 1))]
                ann = ET.SubElement(
                    ET.SubElement(tier, "ANNOTATION"),
                    "ALIGNABLE_ANNOTATION",
                    {
                        "ANNOTATION_ID": f"a{annotation_n}",
                        "TIME_SLOT_REF1": s1,
                        "TIME_SLOT_REF2": s2,
                        "CVE_REF": f"cve_{e.code_id}",
                    },
                )
                ET.SubElement(ann, "ANNOTATION_VALUE").text = e.code_id
            tiers.append(tier)
    for slot_id, value in slots:
        ET.SubElement(time_order, "TIME_SLOT", {"TIME_SLOT_ID": slot_id, "TIME_VALUE": str(value)})
    ET.SubElement(header, "PROPERTY", {"NAME": "lastUsedAnnotationId"}).text = str(annotation_n)
    root.extend(tiers)
    for scheme in schemes.values():
        ET.SubElement(
            root,
            "LINGUISTIC_TYPE",
            {
                "LINGUISTIC_TYPE_ID": f"codes-{scheme.id}",
                "TIME_ALIGNABLE": "true",
                "GRAPHIC_REFERENCES": "false",
                "CONTROLLED_VOCABULARY_REF": f"cv-{scheme.id}",
            },
        )
    ET.SubElement(
        root,
        "LANGUAGE",
        {
            "LANG_DEF": "http://cdb.iso.org/lg/CDB-00130975-001",
            "LANG_ID": LANG,
            "LANG_LABEL": "English (eng)",
        },
    )
    for scheme in schemes.values():
        cv = ET.SubElement(root, "CONTROLLED_VOCABULARY", {"CV_ID": f"cv-{scheme.id}"})
        ET.SubElement(
            cv, "DESCRIPTION", {"LANG_REF": LANG}
        ).text = f"{scheme.name} v{scheme.version}"
        for code in scheme.codes:
            entry = ET.SubElement(cv, "CV_ENTRY_ML", {"CVE_ID": f"cve_{code.id}"})
            ET.SubElement(
                entry, "CVE_VALUE", {"DESCRIPTION": code.name, "LANG_REF": LANG}
            ).text = code.id
    ET.indent(root)
    return ET.ElementTree(root)


def write_eaf(
    bundles: Sequence[ExportBundle],
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    tree = eaf_tree(bundles, Path(path))
    check_cancel(cancel, "the ELAN export")
    with atomic_write(path, "wb") as fh:
        tree.write(fh, encoding="UTF-8", xml_declaration=True)
    if progress is not None:
        progress(1.0)


@dataclass(frozen=True)
class EafImport:
    scheme: Scheme
    events: dict[str, list[Event]]  # per coder (tier annotator)
    warnings: list[str]


# --- reading --------------------------------------------------------------------------------


def read_eaf(
    path: str | Path, mapping: dict[str, str] | None = None, point_max_ms: int = 40
) -> EafImport:
    """Tiers -> subjects (tier name, or ``mapping[tier]``), values -> codes; events per tier's
    annotator (or tier name). Controlled vocabularies give the code names. Annotations of at
    most ``point_max_ms`` become point events; a code used only as points is a point code."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        raise ImportFormatError(
            f"{path}: line {line}: not valid XML ({exc.msg if hasattr(exc, 'msg') else exc}); "
            "the file may be cut short"
        ) from None
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ImportFormatError(f"{path}: not an ELAN file (root element <{root.tag}>)")
    slots: dict[str | None, int | None] = {}
    for slot in root.iter("TIME_SLOT"):
        value = slot.get("TIME_VALUE")
        slots[slot.get("TIME_SLOT_ID")] = int(value) if value is not None else None
    warnings: list[str] = []
    names: dict[str, str] = {}
    for entry in root.iter("CV_ENTRY_ML"):
        cve = entry.find("CVE_VALUE")
        if cve is not None and cve.text:
            names[cve.text] = cve.get("DESCRIPTION") or cve.text
    mapping = mapping or {}
    subjects: dict[str, Subject] = {}
    kinds_seen: dict[str, set[bool]] = {}
    events: dict[str, list[Event]] = {}
    for tier in root.iter("TIER"):
        tier_id = tier.get("TIER_ID", "tier")
        participant = (
            mapping.get(tier_id) or tier.get("PARTICIPANT") or re.sub(r"\s*\(.*\)$", "", tier_id)
        )
        sid = _slug(participant)
        subjects.setdefault(sid, Subject(sid, participant))
        coder = tier.get("ANNOTATOR") or tier_id
        for ann in tier.iter("ALIGNABLE_ANNOTATION"):
            ref1, ref2 = ann.get("TIME_SLOT_REF1"), ann.get("TIME_SLOT_REF2")
            if ref1 not in slots or ref2 not in slots:
                raise ImportFormatError(
                    f"{path}: annotation {ann.get('ANNOTATION_ID')} on tier '{tier_id}' "
                    f"points to a missing time slot ({ref1}, {ref2})"
                )
            start, end = slots[ref1], slots[ref2]
            if start is None or end is None:  # ELAN's unaligned slots (subdivided tiers)
                warnings.append(
                    f"annotation {ann.get('ANNOTATION_ID')} on tier '{tier_id}' has no time"
                )
                continue
            text = (ann.findtext("ANNOTATION_VALUE") or "").strip()
            if not text:
                continue
            code = _slug(text)
            names.setdefault(text, text)
            point = end - start <= point_max_ms
            kinds_seen.setdefault(code, set()).add(point)
            events.setdefault(coder, []).append(
                Event(new_id(), "", code, sid, start, None if point else end)
            )
    codes: list[Code] = []
    for value, name in names.items():
        cid = _slug(value)
        if cid in {c.id for c in codes}:
            continue
        kind = CodeKind.POINT if kinds_seen.get(cid) == {True} else CodeKind.STATE
        codes.append(Code(cid, name, kind))
    # A code used both ways is a state; its one-frame uses keep a one-frame duration.
    states = {c.id for c in codes if c.is_state}
    for coder, evs in events.items():
        events[coder] = [
            e
            if e.offset_ms is not None or e.code_id not in states
            else Event(e.id, e.observation_id, e.code_id, e.subject_id, e.onset_ms, e.onset_ms + 1)
            for e in evs
        ]
    scheme = Scheme(
        _slug(path.stem),
        path.stem,
        "1",
        f"Imported from ELAN file {path.name}",
        "",
        tuple(subjects.values()),
        tuple(codes),
    )
    return EafImport(scheme, events, warnings)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text.strip()).strip("_").lower() or "x"


def validate_eaf(path: str | Path, xsd: str | Path) -> list[str]:
    """Problems found by validating against the EAF schema (needs lxml)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.parse(str(path))
    if schema.validate(doc):
        return []
    return [str(e) for e in schema.error_log]
