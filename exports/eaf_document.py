"""The ELAN structure kept with an imported session (a SourceDocument of format "eaf").

Written by ``exports.eaf_import`` as JSON; read back here for the export, checking every part's
shape: a damaged or hand-edited project gives ``None`` (the export then writes Attune's own
tiers and says so), never a traceback or an invalid file.

    {"version": 1, "attrs": {..}, "licenses": [[url, text]], "header": {..},
     "media": [{..}], "main_media": index | null, "linked_files": [{..}],
     "properties": [[name, value]], "tiers": [{"attrs": {..}, "observation": id}],
     "linguistic_types": [{..}], "locales": [{..}], "languages": [{..}], "constraints": [{..}],
     "cvs": [{"id", "ext_ref", "descriptions": [[lang, text]],
              "entries": [{"id", "ext_ref", "values": [[lang, value, description]]}]}],
     "lexicon_refs": [{..}], "external_refs": [{..}],
     "codes": {code_id: [cv_id, cve_id]},
     "annotations": {event_id: {"attrs": {..}, "start": ms, "end": ms, "order": n}}}

"start"/"end" in "annotations" mark a boundary ELAN stored without a time (unaligned), with
the time Attune interpolated for it: written back unaligned while the event still has it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from coder.model import SourceDocument

FORMAT = "eaf"


@dataclass(frozen=True)
class StoredCvEntry:
    id: str
    ext_ref: str | None
    values: tuple[tuple[str | None, str, str], ...]


@dataclass(frozen=True)
class StoredCv:
    id: str
    ext_ref: str | None
    descriptions: tuple[tuple[str | None, str], ...]
    entries: tuple[StoredCvEntry, ...]


@dataclass(frozen=True)
class StoredTier:
    attrs: dict[str, str]
    observation: str

    @property
    def id(self) -> str:
        return self.attrs["TIER_ID"]


@dataclass(frozen=True)
class StoredEaf:
    attrs: dict[str, str]
    licenses: tuple[tuple[str | None, str], ...]
    header: dict[str, str]
    media: tuple[dict[str, str], ...]
    main_media: int | None
    linked_files: tuple[dict[str, str], ...]
    properties: tuple[tuple[str | None, str], ...]
    tiers: tuple[StoredTier, ...]
    linguistic_types: tuple[dict[str, str], ...]
    locales: tuple[dict[str, str], ...]
    languages: tuple[dict[str, str], ...]
    constraints: tuple[dict[str, str], ...]
    cvs: tuple[StoredCv, ...]
    lexicon_refs: tuple[dict[str, str], ...]
    external_refs: tuple[dict[str, str], ...]
    codes: dict[str, tuple[str, str]]
    annotations: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Bad(ValueError):
    pass


def _dict_of_text(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _Bad
    return dict(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad
    return value


def _dicts(value: Any) -> tuple[dict[str, str], ...]:
    return tuple(_dict_of_text(v) for v in _list(value))


def _opt_text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _Bad
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad
    return value


def _pairs(value: Any) -> tuple[tuple[str | None, str], ...]:
    out = []
    for item in _list(value):
        pair = _list(item)
        if len(pair) != 2:
            raise _Bad
        out.append((_opt_text(pair[0]), _text(pair[1])))
    return tuple(out)


def _cv(value: Any) -> StoredCv:
    if not isinstance(value, dict):
        raise _Bad
    entries = []
    for e in _list(value.get("entries")):
        if not isinstance(e, dict):
            raise _Bad
        values = []
        for v in _list(e.get("values")):
            triple = _list(v)
            if len(triple) != 3:
                raise _Bad
            values.append((_opt_text(triple[0]), _text(triple[1]), _text(triple[2])))
        entries.append(
            StoredCvEntry(_text(e.get("id")), _opt_text(e.get("ext_ref")), tuple(values))
        )
    return StoredCv(
        _text(value.get("id")),
        _opt_text(value.get("ext_ref")),
        _pairs(value.get("descriptions")),
        tuple(entries),
    )


def _annotation(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad
    out: dict[str, Any] = {}
    if "attrs" in value:
        out["attrs"] = _dict_of_text(value["attrs"])
    for key in ("start", "end", "order"):
        if key in value:
            n = value[key]
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise _Bad
            out[key] = n
    return out


def parse_document(content: str) -> StoredEaf | None:
    """The stored structure, or None when it is missing parts or damaged."""
    try:
        data = json.loads(content)
        if not isinstance(data, dict) or data.get("version") != 1:
            return None
        tiers = []
        for t in _list(data.get("tiers")):
            if not isinstance(t, dict):
                raise _Bad
            attrs = _dict_of_text(t.get("attrs"))
            if not attrs.get("TIER_ID") or not attrs.get("LINGUISTIC_TYPE_REF"):
                raise _Bad
            tiers.append(StoredTier(attrs, _text(t.get("observation"))))
        main = data.get("main_media")
        media = _dicts(data.get("media"))
        if main is not None and (
            isinstance(main, bool) or not isinstance(main, int) or not 0 <= main < len(media)
        ):
            raise _Bad
        codes_raw = data.get("codes")
        if not isinstance(codes_raw, dict):
            raise _Bad
        codes = {}
        for code, entry in codes_raw.items():
            pair = _list(entry)
            if len(pair) != 2:
                raise _Bad
            codes[_text(code)] = (_text(pair[0]), _text(pair[1]))
        annotations_raw = data.get("annotations")
        if not isinstance(annotations_raw, dict):
            raise _Bad
        return StoredEaf(
            attrs=_dict_of_text(data.get("attrs")),
            licenses=_pairs(data.get("licenses")),
            header=_dict_of_text(data.get("header")),
            media=media,
            main_media=main,
            linked_files=_dicts(data.get("linked_files")),
            properties=_pairs(data.get("properties")),
            tiers=tuple(tiers),
            linguistic_types=_dicts(data.get("linguistic_types")),
            locales=_dicts(data.get("locales")),
            languages=_dicts(data.get("languages")),
            constraints=_dicts(data.get("constraints")),
            cvs=tuple(_cv(cv) for cv in _list(data.get("cvs"))),
            lexicon_refs=_dicts(data.get("lexicon_refs")),
            external_refs=_dicts(data.get("external_refs")),
            codes=codes,
            annotations={_text(k): _annotation(v) for k, v in annotations_raw.items()},
        )
    except (ValueError, TypeError, RecursionError):  # _Bad and json errors are ValueErrors
        return None


def stored_eaf(sources: Sequence[SourceDocument]) -> tuple[StoredEaf | None, bool]:
    """The newest ELAN structure among a session's source documents; and whether one was
    stored but unreadable (the export says so)."""
    for doc in reversed(sources):
        if doc.format == FORMAT:
            parsed = parse_document(doc.content)
            return parsed, parsed is None
    return None, False
