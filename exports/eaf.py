"""Write ELAN .eaf 3.0: one valid file per session (a folder of them for several sessions).

A session imported from ELAN is written back with its own structure (exports.eaf_document):
every tier with its attributes and order, linguistic types, reference tiers as REF_ANNOTATIONs
(Symbolic Association / Subdivision, with their order), Time Subdivision children sharing
their parent's boundary slots, unaligned boundaries left unaligned, vocabularies in every
language, languages, locales, media and linked-file descriptors, properties and licences;
each annotation's exact text and time. Events coded in Attune go to tiers of their own, one
per subject and code group (ELAN tiers may not overlap), with the scheme as a vocabulary.

What cannot be written as it was is listed in the returned notes (never silently changed):
events whose parent annotation is gone, running states, point events of Attune codes.
"""

from __future__ import annotations

import itertools
import os
import re
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from coder.errors import ImportFormatError
from coder.model import Event, Scheme, listed_order
from coder.progress import Cancel, Progress, check_cancel
from exports.atomic import atomic_write
from exports.bundle import ExportBundle
from exports.eaf_document import StoredEaf, stored_eaf
from exports.eaf_parse import (
    POINTS_PREFIX,
    REFERENCE_CONSTRAINTS,
    SYMBOLIC_ASSOCIATION,
    TIME_SUBDIVISION,
)
from exports.eaf_xml import EafXml, Ids, Slot, Tier, Written
from exports.import_report import plural


class _Intervals:
    """Find the annotation of a (non-overlapping) parent tier that holds a time span."""

    def __init__(self, spans: list[tuple[int, int, Any]]) -> None:
        self.spans = sorted(spans, key=lambda s: (s[0], s[1]))
        self.starts = [s[0] for s in self.spans]

    def holding(self, start: int, end: int) -> Any:
        i = bisect_right(self.starts, start) - 1
        for j in range(i, max(-1, i - 64), -1):  # overlaps are rare; look back a little
            onset, offset, item = self.spans[j]
            if onset <= start and end <= offset:
                return item
        return None


def _frame_ms(b: ExportBundle) -> int:
    if b.frame_times and len(b.frame_times) > 1:
        return max(1, b.frame_times[1] - b.frame_times[0])
    return max(1, round(1000 / b.media.fps)) if b.media and b.media.fps else 40


class _SessionWriter(EafXml):
    def __init__(self, bundles: Sequence[ExportBundle], eaf_path: Path) -> None:
        self.bundles = bundles
        self.eaf_path = eaf_path
        self.notes: list[str] = []
        stored, unreadable = stored_eaf(bundles[0].sources)
        if unreadable:
            self.notes.append(
                "the ELAN structure kept from the import is unreadable; Attune's own tiers "
                "were written instead"
            )
        self.stored: StoredEaf | None = stored
        self.tiers: list[Tier] = []
        self.tier_names = Ids({t.id for t in stored.tiers} if stored else set())
        self.type_ids = Ids({lt.get("LINGUISTIC_TYPE_ID", "") for lt in self._stored_types()})
        self.cv_ids = Ids({cv.id for cv in stored.cvs} if stored else set())
        self.xml_ids = Ids(self._stored_xml_ids())
        self.generated_types: dict[str, dict[str, str]] = {}
        self.generated_cvs: dict[str, Scheme] = {}
        self.scheme_cvs: dict[str, str] = {}  # scheme id -> its generated vocabulary
        self.language = self._language()
        self._needed_constraints: set[str] = set()

    def _stored_types(self) -> tuple[dict[str, str], ...]:
        return self.stored.linguistic_types if self.stored else ()

    def _stored_xml_ids(self) -> set[str]:
        s = self.stored
        if s is None:
            return set()
        ids = {x.get("EXT_REF_ID", "") for x in s.external_refs}
        ids |= {x.get("LANG_ID", "") for x in s.languages}
        ids |= {x.get("LANGUAGE_CODE", "") for x in s.locales}
        ids |= {x.get("STEREOTYPE", "") for x in s.constraints}
        ids |= {x.get("LEX_REF_ID", "") for x in s.lexicon_refs}
        return ids - {""}

    def _language(self) -> str:
        langs = self.stored.languages if self.stored else ()
        return next((x["LANG_ID"] for x in langs if x.get("LANG_ID")), "und")

    # --- which tier each event goes to -----------------------------------------------------
    def assign(self) -> None:
        stored_tiers: dict[tuple[str, str], Tier] = {}
        types = {lt.get("LINGUISTIC_TYPE_ID"): lt for lt in self._stored_types()}
        observations = {b.observation.id: b for b in self.bundles}
        if self.stored:
            for t in self.stored.tiers:
                b = observations.get(t.observation)
                lt = types.get(t.attrs.get("LINGUISTIC_TYPE_REF"))
                if b is None or lt is None:
                    continue
                tier = Tier(
                    dict(t.attrs),
                    lt.get("CONSTRAINTS") or None,
                    lt.get("CONTROLLED_VOCABULARY_REF") or None,
                    t.observation,
                    b.scheme,
                    frame_ms=_frame_ms(b),
                    end_of_media=b.media.duration_ms if b.media else None,
                )
                stored_tiers[(t.observation, t.id)] = tier
                self.tiers.append(tier)
        generated: dict[tuple[str, ...], list[Tier]] = {}
        for b in self.bundles:
            for e in sorted(b.events, key=listed_order):
                stored_tier = stored_tiers.get((b.observation.id, e.tier or ""))
                if stored_tier is not None:
                    stored_tier.events.append(e)
                else:
                    self._generated_lane(b, e, generated).events.append(e)
        self._unlink_orphans(generated)

    def _generated_lane(
        self, b: ExportBundle, e: Event, lanes: dict[tuple[str, ...], list[Tier]]
    ) -> Tier:
        """Attune events: one tier per observation, subject and code group (or code);
        overlapping events of one group spill into a second lane (ELAN tiers may not overlap)."""
        scheme = b.scheme
        codes = {c.id: c for c in scheme.codes}
        group = scheme.group_of(e.code_id)
        lane_key = group.id if group and group.exclusive else e.code_id
        key = (b.observation.id, e.subject_id, lane_key)
        names = {s.id: s.name for s in scheme.subjects}
        subject = names.get(e.subject_id, e.subject_id)
        label = (
            group.name or group.id
            if group and group.exclusive
            else (codes[e.code_id].name if e.code_id in codes else e.code_id)
        )
        end = self._end(e, _frame_ms(b), b.media.duration_ms if b.media else None, scheme)
        for tier in lanes.get(key, []):
            last = tier.events[-1]
            last_end = self._end(last, tier.frame_ms, tier.end_of_media, scheme)
            if e.onset_ms >= last_end or (e.onset_ms == last.onset_ms == last_end == end):
                return tier
        lane_no = len(lanes.get(key, [])) + 1
        name = f"{subject} {label} ({b.observation.coder})" + (f" {lane_no}" if lane_no > 1 else "")
        point = e.code_id in codes and not codes[e.code_id].is_state and e.tier is None
        lt = self._codes_type(scheme, point)
        tier = Tier(
            {
                "TIER_ID": self.tier_names.name(name),
                "LINGUISTIC_TYPE_REF": lt,
                "PARTICIPANT": subject,
                "ANNOTATOR": b.observation.coder,
            },
            None,
            self.generated_types[lt].get("CONTROLLED_VOCABULARY_REF"),
            b.observation.id,
            scheme,
            frame_ms=_frame_ms(b),
            end_of_media=b.media.duration_ms if b.media else None,
        )
        lanes.setdefault(key, []).append(tier)
        self.tiers.append(tier)
        return tier

    def _codes_type(self, scheme: Scheme, points: bool) -> str:
        """The linguistic type of Attune's tiers for a scheme (its codes as the vocabulary).
        Point codes get their own type, ``attune-points-…``: their one-frame annotations
        read back into Attune as points again (exports.eaf_import knows the prefix)."""
        if scheme.id not in self.scheme_cvs:
            cv = self.cv_ids.name(f"attune-{scheme.id}")
            self.generated_cvs[cv] = scheme
            self.scheme_cvs[scheme.id] = cv
        key = (POINTS_PREFIX if points else "attune-") + scheme.id
        for lt_id, lt in self.generated_types.items():
            if lt.get("key") == key:
                return lt_id
        lt_id = self.type_ids.name(key)
        self.generated_types[lt_id] = {
            "LINGUISTIC_TYPE_ID": lt_id,
            "TIME_ALIGNABLE": "true",
            "GRAPHIC_REFERENCES": "false",
            "CONTROLLED_VOCABULARY_REF": self.scheme_cvs[scheme.id],
            "key": key,
        }
        return lt_id

    def _text_type(self) -> str:
        for lt_id, lt in self.generated_types.items():
            if lt.get("key") == "":
                return lt_id
        lt_id = self.type_ids.name("attune-unlinked")
        self.generated_types[lt_id] = {
            "LINGUISTIC_TYPE_ID": lt_id,
            "TIME_ALIGNABLE": "true",
            "GRAPHIC_REFERENCES": "false",
            "key": "",
        }
        return lt_id

    def _unlink_orphans(self, generated: dict[tuple[str, ...], list[Tier]]) -> None:
        """Events of a dependent tier whose parent annotation is not written (deleted in
        Attune, or another observation not exported) cannot stay there: they go to an
        independent tier named after it, with their times, and the notes say so."""
        by_id = {t.id: t for t in self.tiers}
        written: dict[str, str] = {}  # event id -> tier id (events already placed)
        for tier in self._parents_first():
            keep: list[Event] = []
            orphans: list[Event] = []
            parent_tier = by_id.get(tier.parent or "")
            parents = _Intervals(
                [
                    (p.onset_ms, self._end(p, t.frame_ms, t.end_of_media, t.scheme), p)
                    for t in ([parent_tier] if parent_tier else [])
                    for p in t.events
                ]
            )
            associated: set[str] = set()
            for e in tier.events:
                if tier.constraint in REFERENCE_CONSTRAINTS:
                    ok = e.parent_id is not None and written.get(e.parent_id) == tier.parent
                    if ok and tier.constraint == SYMBOLIC_ASSOCIATION:
                        ok = e.parent_id not in associated
                        associated.add(e.parent_id or "")
                elif tier.constraint:
                    end = self._end(e, tier.frame_ms, tier.end_of_media, tier.scheme)
                    ok = parents.holding(e.onset_ms, end) is not None
                else:
                    ok = True
                (keep if ok else orphans).append(e)
            tier.events = keep
            for e in keep:
                written[e.id] = tier.id
            if orphans:
                lane = Tier(
                    {
                        "TIER_ID": self.tier_names.name(f"{tier.id} (parent missing)"),
                        "LINGUISTIC_TYPE_REF": self._text_type(),
                        **{
                            k: v for k, v in tier.attrs.items() if k in ("PARTICIPANT", "ANNOTATOR")
                        },
                    },
                    None,
                    None,
                    tier.observation,
                    tier.scheme,
                    orphans,
                    tier.frame_ms,
                    tier.end_of_media,
                )
                self.tiers.append(lane)
                for e in orphans:
                    written[e.id] = lane.id
                self.notes.append(
                    f"tier '{tier.id}': {plural(len(orphans), 'annotation')} whose parent "
                    f"annotation is not exported (or not on tier '{tier.parent}') written to "
                    f"the independent tier '{lane.id}'"
                )

    def _parents_first(self) -> list[Tier]:
        by_id = {t.id: t for t in self.tiers}

        def depth(t: Tier, n: int = 0) -> int:
            parent = by_id.get(t.parent or "")
            return n if parent is None or n > 64 else depth(parent, n + 1)

        return sorted(list(self.tiers), key=depth)

    # --- times -----------------------------------------------------------------------------------
    def _end(self, e: Event, frame_ms: int, end_of_media: int | None, scheme: Scheme) -> int:
        if e.offset_ms is not None:
            return e.offset_ms
        is_state = any(c.id == e.code_id and c.is_state for c in scheme.codes)
        if is_state:  # running state: until the end of the media
            return max(end_of_media or e.onset_ms + frame_ms, e.onset_ms)
        return e.onset_ms if e.tier is not None else e.onset_ms + frame_ms

    def _extra(self, e: Event) -> dict[str, Any]:
        if self.stored is None or e.tier is None:
            return {}
        return self.stored.annotations.get(e.id, {})

    def place(self) -> tuple[list[Slot], dict[str, Written]]:
        slots: list[Slot] = []
        written: dict[str, Written] = {}
        running = points = 0

        def slot(time: int, unaligned_at: int | None) -> Slot:
            s = Slot(time, unaligned_at != time, len(slots))
            slots.append(s)
            return s

        by_id = {t.id: t for t in self.tiers}
        holders: dict[str, _Intervals] = {}
        for tier in self._parents_first():
            if tier.constraint in REFERENCE_CONSTRAINTS:
                children: dict[str, list[Written]] = {}
                for e in tier.events:
                    linked = written[e.parent_id or ""]
                    w = Written(e, tier, parent=linked)
                    written[e.id] = w
                    children.setdefault(linked.event.id, []).append(w)
                for group in children.values():
                    group.sort(
                        key=lambda w: (w.event.onset_ms, self._extra(w.event).get("order", 0))
                    )
                    for before, after in itertools.pairwise(group):
                        after.previous = before
                continue
            parent_tier = by_id.get(tier.parent or "")
            if parent_tier is not None and parent_tier.id not in holders:
                placed = [written[p.id] for p in parent_tier.events if p.id in written]
                holders[parent_tier.id] = _Intervals(
                    [(x.slot1.time, x.slot2.time, x) for x in placed if x.slot1 and x.slot2]
                )
            siblings: dict[str, list[Written]] = {}
            for e in tier.events:
                if e.offset_ms is None:
                    if any(c.id == e.code_id and c.is_state for c in tier.scheme.codes):
                        running += 1
                    elif e.tier is None:
                        points += 1
                w = Written(e, tier)
                written[e.id] = w
                if tier.constraint == TIME_SUBDIVISION and parent_tier is not None:
                    holder = self._parent_of(e, parent_tier, written, holders[parent_tier.id])
                    w.parent = holder
                    siblings.setdefault(holder.event.id if holder else "", []).append(w)
                else:
                    siblings.setdefault(e.id, []).append(w)
            for group in siblings.values():
                self._slots_of(group, tier, slot)
        if running:
            self.notes.append(
                f"{plural(running, 'running state')} (no end yet) written as lasting to the end "
                "of the media"
            )
        if points:
            self.notes.append(
                f"{plural(points, 'point event')} written as one-frame annotations (ELAN "
                "annotations have a duration)"
            )
        return slots, written

    def _parent_of(
        self, e: Event, parent_tier: Tier, written: dict[str, Written], holders: _Intervals
    ) -> Written | None:
        if e.parent_id in written and written[e.parent_id].tier is parent_tier:
            return written[e.parent_id]
        end = self._end(e, parent_tier.frame_ms, parent_tier.end_of_media, parent_tier.scheme)
        found: Written | None = holders.holding(e.onset_ms, end)
        return found

    def _slots_of(self, group: list[Written], tier: Tier, slot: Any) -> None:
        group.sort(key=lambda w: (w.event.onset_ms, w.event.id))
        parent = group[0].parent
        previous: Written | None = None
        for i, w in enumerate(group):
            e = w.event
            extra = self._extra(e)
            end = self._end(e, tier.frame_ms, tier.end_of_media, tier.scheme)
            if parent and i == 0 and parent.slot1 and parent.slot1.time == e.onset_ms:
                w.slot1 = parent.slot1  # a time subdivision starts where its parent starts
            elif previous and previous.slot2 and previous.slot2.time == e.onset_ms:
                w.slot1 = previous.slot2  # and each part where the one before ends
            else:
                w.slot1 = slot(e.onset_ms, extra.get("start"))
            last = i == len(group) - 1
            if parent and last and parent.slot2 and parent.slot2.time == end:
                w.slot2 = parent.slot2
            else:
                w.slot2 = slot(end, extra.get("end"))
            previous = w

    # --- the document --------------------------------------------------------------------------
    def tree(self) -> ET.ElementTree:
        self.assign()
        slots, written = self.place()
        return self.document(slots, written)


def eaf_tree(bundles: Sequence[ExportBundle], eaf_path: Path) -> tuple[ET.ElementTree, list[str]]:
    """One session's bundles as one EAF document, and the notes on what changed form."""
    if not bundles:
        raise ImportFormatError("nothing to export: choose at least one observation")
    if len({b.session.id for b in bundles}) != 1:
        raise ImportFormatError("internal: one ELAN file holds one session")
    writer = _SessionWriter(bundles, eaf_path)
    return writer.tree(), writer.notes


def _file_name(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w\- .]+", "_", label).strip(" .") or "session"
    name, n = f"{base}.eaf", 1
    while name.lower() in taken:
        n += 1
        name = f"{base} ({n}).eaf"
    taken.add(name.lower())
    return name


def write_eaf(
    bundles: Sequence[ExportBundle],
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> list[str]:
    """Write one .eaf per session: to ``path`` for one session, else into the folder ``path``
    (created when absent), one file per session named after its label. Returns notes."""
    if not bundles:
        raise ImportFormatError("nothing to export: choose at least one observation")
    target = Path(path)
    sessions: dict[str, list[ExportBundle]] = {}
    for b in bundles:
        sessions.setdefault(b.session.id, []).append(b)
    if len(sessions) == 1 and not target.is_dir():
        plan = [(target, next(iter(sessions.values())))]
    else:
        taken: set[str] = set()
        if target.suffix.lower() == ".eaf" and not target.is_dir():
            # One ELAN file holds one session's media: write "<name> - <session>.eaf" beside it.
            plan = [
                (target.parent / _file_name(f"{target.stem} - {g[0].session.label}", taken), g)
                for g in sessions.values()
            ]
            written = ", ".join(out.name for out, _ in plan)
            notes = _write_plan(plan, progress, cancel)
            return [*notes, f"{len(plan)} sessions: one ELAN file each ({written})"]
        if not target.exists():
            if not target.parent.exists():
                raise ImportFormatError(
                    f"{target.parent}: folder does not exist; create it or pick another"
                )
            target.mkdir(mode=0o700)
        plan = [(target / _file_name(g[0].session.label, taken), g) for g in sessions.values()]
    return _write_plan(plan, progress, cancel)


def _write_plan(
    plan: list[tuple[Path, list[ExportBundle]]],
    progress: Progress | None,
    cancel: Cancel | None,
) -> list[str]:
    """Build every file first (so a refusal leaves nothing written), then write each atomically."""
    trees = []
    notes: list[str] = []
    for out, group in plan:
        check_cancel(cancel, "the ELAN export")
        tree, session_notes = eaf_tree(group, out)
        trees.append((out, tree))
        prefix = f"{group[0].session.label}: " if len(plan) > 1 else ""
        notes += [prefix + n for n in session_notes]
    for i, (out, tree) in enumerate(trees):
        check_cancel(cancel, "the ELAN export")
        with atomic_write(out, "wb") as fh:
            tree.write(fh, encoding="UTF-8", xml_declaration=True)
        if progress is not None:
            progress((i + 1) / len(trees))
    return notes
