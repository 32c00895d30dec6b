"""Validate parsed scheme data and build the model, collecting every problem found."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from typing import Any

from coder.errors import SchemeError
from coder.model import (
    Code,
    CodeKind,
    Group,
    Metric,
    MetricKind,
    Modifier,
    ModifierKind,
    RatingPer,
    RatingScale,
    Scheme,
    SegmentDef,
    Subject,
    Valence,
)
from coder.scheme_yaml import LinedData, Path_, path_text

MAX_SCALE_POINTS = 1000  # a rating scale is a handful of anchored points, never millions

TOP = (
    "id",
    "name",
    "version",
    "description",
    "licence_note",
    "subjects",
    "codes",
    "groups",
    "modifiers",
    "ratings",
    "segments",
    "metrics",
)
FIELDS = {
    "subjects": ("id", "name", "key", "description"),
    "codes": (
        "id",
        "name",
        "kind",
        "subjects",
        "key",
        "color",
        "category",
        "valence",
        "description",
        "modifiers",
        "group",
    ),
    "groups": ("id", "name", "codes", "exclusive", "exhaustive"),
    "modifiers": ("id", "name", "values", "multiple", "numeric"),
    "ratings": ("id", "name", "subject", "scale", "per", "description"),
    "segments": ("id", "name", "duration_s", "description"),
    "metrics": ("id", "name", "kind", "codes", "subject", "within_s", "target", "description"),
}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class _Checker:
    def __init__(self, lined: LinedData, source: str) -> None:
        self.lined, self.source = lined, source
        self.problems: list[str] = []

    def add(self, path: Path_, message: str) -> None:
        line = self.lined.line(path)
        where = f"{self.source}:{line}" if line else self.source
        self.problems.append(f"{where}: {path_text(path)}: {message}")

    def fields(self, obj: dict[str, Any], allowed: tuple[str, ...], path: Path_) -> None:
        for key in obj:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
                self.add((*path, key), f"unknown field '{key}'; {hint}")

    def text(self, obj: dict[str, Any], key: str, path: Path_, required: bool = False) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                self.add(path, f"missing '{key}'; add {key}: ...")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add((*path, key), f"'{key}' must be text, not {type(value).__name__}")
            return ""
        return str(value).strip()

    def ident(self, obj: dict[str, Any], path: Path_) -> str:
        value = self.text(obj, "id", path, required=True)
        if value and not ID.match(value):
            self.add((*path, "id"), f"id '{value}' may use only letters, digits, '_', '-' and '.'")
        return value

    def flag(self, obj: dict[str, Any], key: str, path: Path_) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            self.add((*path, key), f"'{key}' must be true or false")
            return False
        return value

    def number(
        self, obj: dict[str, Any], key: str, path: Path_, required: bool = False
    ) -> float | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.add(path, f"missing '{key}'; add a number")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            self.add((*path, key), f"'{key}' must be a number")
            return None
        return float(value)

    def str_list(self, obj: dict[str, Any], key: str, path: Path_) -> tuple[str, ...]:
        value = obj.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add((*path, key), f"'{key}' must be a list")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.add((*path, key, i), "must be text")
            else:
                out.append(str(item))
        return tuple(out)

    def enum(self, obj: dict[str, Any], key: str, path: Path_, kind: Any, default: Any) -> Any:
        value = obj.get(key)
        if value is None:
            return default
        try:
            return kind(str(value))
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            self.add((*path, key), f"'{value}' is not a valid {key}; use one of: {allowed}")
            return default

    def items(self, section: str) -> list[tuple[Path_, dict[str, Any]]]:
        value = self.lined.data.get(section)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add((section,), f"'{section}' must be a list of entries (each starting with '- ')")
            return []
        out: list[tuple[Path_, dict[str, Any]]] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.add((section, i), "each entry must be a mapping with an id")
                continue
            self.fields(item, FIELDS[section], (section, i))
            out.append(((section, i), item))
        return out

    def unique(self, section: str, entries: Sequence[tuple[Path_, str, str]]) -> None:
        seen: dict[str, Path_] = {}
        for path, value, what in entries:
            if not value:
                continue
            if value in seen:
                self.add(
                    path,
                    f"{what} '{value}' is already used by {path_text(seen[value])}; "
                    f"choose another {what}",
                )
            else:
                seen[value] = path


def build_scheme(lined: LinedData, source: str) -> Scheme:
    c = _Checker(lined, source)
    data = lined.data
    if not isinstance(data, dict):
        raise SchemeError(f"{source}: a scheme must be a mapping with id, name, version and codes")
    c.fields(data, TOP, ())
    scheme_id = c.ident(data, ())
    name = c.text(data, "name", (), required=True)
    version = c.text(data, "version", (), required=True)
    subjects = [
        Subject(
            c.ident(s, p),
            c.text(s, "name", p, True),
            c.text(s, "key", p) or None,
            c.text(s, "description", p),
        )
        for p, s in c.items("subjects")
    ]
    modifiers = [_modifier(c, p, m) for p, m in c.items("modifiers")]
    codes = [_code(c, p, x) for p, x in c.items("codes")]
    groups = [
        Group(
            c.ident(g, p),
            c.str_list(g, "codes", p),
            c.text(g, "name", p),
            c.flag(g, "exclusive", p),
            c.flag(g, "exhaustive", p),
        )
        for p, g in c.items("groups")
    ]
    ratings = [_rating(c, p, r) for p, r in c.items("ratings")]
    segments = [
        SegmentDef(
            c.ident(s, p),
            c.text(s, "name", p, True),
            c.number(s, "duration_s", p),
            c.text(s, "description", p),
        )
        for p, s in c.items("segments")
    ]
    metrics = [_metric(c, p, m) for p, m in c.items("metrics")]
    if not codes and not ratings and "codes" not in data:
        c.add((), "missing 'codes'; a scheme needs at least one code or rating")
    scheme = Scheme(
        scheme_id,
        name,
        version,
        c.text(data, "description", ()),
        c.text(data, "licence_note", ()),
        tuple(subjects),
        tuple(codes),
        tuple(groups),
        tuple(modifiers),
        tuple(ratings),
        tuple(segments),
        tuple(metrics),
    )
    _cross_check(c, scheme)
    if c.problems:
        count = len(c.problems)
        raise SchemeError(
            f"{source}: {count} problem{'s' if count > 1 else ''} in the scheme:\n"
            + "\n".join(c.problems),
            c.problems,
        )
    return _with_groups_on_codes(scheme)


def _modifier(c: _Checker, p: Path_, m: dict[str, Any]) -> Modifier:
    mid, name = c.ident(m, p), c.text(m, "name", p) or str(m.get("id", ""))
    numeric = m.get("numeric")
    if numeric is not None:
        if not isinstance(numeric, dict):
            c.add((*p, "numeric"), "numeric must be {min: N, max: N}")
            return Modifier(mid, name, ModifierKind.NUMERIC)
        lo, hi = (
            c.number(numeric, "min", (*p, "numeric")),
            c.number(numeric, "max", (*p, "numeric")),
        )
        if lo is not None and hi is not None and lo > hi:
            c.add((*p, "numeric"), f"min {lo:g} is larger than max {hi:g}; swap them")
        return Modifier(mid, name, ModifierKind.NUMERIC, (), lo, hi)
    values = c.str_list(m, "values", p)
    if not values:
        c.add(p, "a modifier needs 'values' (a list of choices) or 'numeric: {min, max}'")
    if len(set(values)) != len(values):
        c.add((*p, "values"), "values repeat; list each choice once")
    kind = ModifierKind.MULTIPLE if c.flag(m, "multiple", p) else ModifierKind.SINGLE
    return Modifier(mid, name, kind, values)


def _code(c: _Checker, p: Path_, x: dict[str, Any]) -> Code:
    kind = c.enum(x, "kind", p, CodeKind, CodeKind.POINT)
    if "kind" not in x:
        c.add(p, "missing 'kind'; use kind: point or kind: state")
    color = c.text(x, "color", p) or "#808080"
    if not COLOUR.match(color):
        c.add((*p, "color"), f"colour '{color}' is not #rrggbb (e.g. #3a7bd5)")
    key = c.text(x, "key", p) or None
    if key is not None and len(key) != 1:
        c.add((*p, "key"), f"key '{key}' must be a single character")
    return Code(
        c.ident(x, p),
        c.text(x, "name", p, True),
        kind,
        c.str_list(x, "subjects", p),
        key,
        color,
        c.text(x, "category", p),
        c.enum(x, "valence", p, Valence, Valence.NEUTRAL),
        c.text(x, "description", p),
        c.str_list(x, "modifiers", p),
        c.text(x, "group", p) or None,
    )


def _rating(c: _Checker, p: Path_, r: dict[str, Any]) -> RatingScale:
    scale = r.get("scale")
    lo = hi = None
    step = 1.0
    anchors: dict[int, str] = {}
    if not isinstance(scale, dict):
        c.add(p, "missing 'scale'; add scale: {min: 1, max: 7}")
    else:
        sp = (*p, "scale")
        c.fields(scale, ("min", "max", "step", "anchors"), sp)
        lo, hi = c.number(scale, "min", sp, True), c.number(scale, "max", sp, True)
        step = c.number(scale, "step", sp) or 1.0
        if step <= 0:
            c.add((*sp, "step"), "step must be above 0")
            step = 1.0
        if lo is not None and hi is not None:
            points = (hi - lo) / step
            if lo >= hi:
                c.add(sp, f"min {lo:g} must be below max {hi:g}")
            elif not math.isfinite(points) or points > MAX_SCALE_POINTS:
                c.add(sp, f"the scale has more than {MAX_SCALE_POINTS} points; use fewer")
            elif abs(points - round(points)) > 1e-9:
                c.add((*sp, "step"), f"step {step:g} does not divide {lo:g}..{hi:g} evenly")
        raw = scale.get("anchors") or {}
        if not isinstance(raw, dict):
            c.add(
                (*sp, "anchors"), "anchors must map scale points to words, e.g. {1: low, 7: high}"
            )
            raw = {}
        for point, words in raw.items():
            if isinstance(point, bool) or not isinstance(point, (int, float)):
                c.add(
                    (*sp, "anchors", str(point)),
                    f"anchor '{point}' must be a scale point (a number)",
                )
                continue
            if lo is not None and hi is not None and not lo <= point <= hi:
                c.add((*sp, "anchors", str(point)), f"anchor {point:g} is outside {lo:g}..{hi:g}")
            anchors[int(point)] = str(words)
    return RatingScale(
        c.ident(r, p),
        c.text(r, "name", p, True),
        lo if lo is not None else 0.0,
        hi if hi is not None else 1.0,
        step,
        anchors,
        c.text(r, "subject", p) or None,
        c.enum(r, "per", p, RatingPer, RatingPer.SESSION),
        c.text(r, "description", p),
    )


def _metric(c: _Checker, p: Path_, m: dict[str, Any]) -> Metric:
    kind = c.enum(m, "kind", p, MetricKind, MetricKind.COUNT)
    if "kind" not in m:
        c.add(
            p,
            "missing 'kind'; use count, rate_per_min, percent_time, mean_duration, ratio, "
            "latency or percent_answered",
        )
    codes = c.str_list(m, "codes", p)
    responses = (MetricKind.LATENCY, MetricKind.PERCENT_ANSWERED)
    if kind is MetricKind.RATIO and len(codes) != 2:
        c.add((*p, "codes"), "ratio needs exactly two codes: [a, b]")
    elif kind in responses and len(codes) < 2:
        c.add(
            (*p, "codes"),
            f"{kind.value} needs two or more codes: [given, response, ...] "
            "(any of the responses counts)",
        )
    elif not codes:
        c.add(p, "missing 'codes'; list the code(s) this metric counts")
    within = c.number(m, "within_s", p)
    if kind in responses and (within is None or within <= 0):
        c.add(p, f"{kind.value} needs 'within_s' > 0 (how long to wait for the response)")
    lo = hi = None
    target = m.get("target")
    if target is not None:
        if not isinstance(target, dict) or set(target) - {"min", "max"} or not target:
            c.add((*p, "target"), "target must be {min: N} or {max: N}")
        else:
            lo = c.number(target, "min", (*p, "target"))
            hi = c.number(target, "max", (*p, "target"))
    return Metric(
        c.ident(m, p),
        c.text(m, "name", p, True),
        kind,
        codes,
        c.text(m, "subject", p) or None,
        within,
        lo,
        hi,
        c.text(m, "description", p),
    )


def _cross_check(c: _Checker, s: Scheme) -> None:
    for section, ids in (
        ("subjects", [x.id for x in s.subjects]),
        ("codes", [x.id for x in s.codes]),
        ("groups", [x.id for x in s.groups]),
        ("modifiers", [x.id for x in s.modifiers]),
        ("ratings", [x.id for x in s.ratings]),
        ("segments", [x.id for x in s.segments]),
        ("metrics", [x.id for x in s.metrics]),
    ):
        c.unique(section, [((section, i, "id"), v, "id") for i, v in enumerate(ids)])
    keys = [((("codes", i, "key")), x.key or "", "key") for i, x in enumerate(s.codes)]
    keys += [((("subjects", i, "key")), x.key or "", "key") for i, x in enumerate(s.subjects)]
    c.unique("keys", keys)
    subjects = {x.id for x in s.subjects}
    modifiers = {x.id for x in s.modifiers}
    codes = {x.id: x for x in s.codes}
    groups = {x.id for x in s.groups}
    for i, code in enumerate(s.codes):
        for j, sub in enumerate(code.subjects):
            if sub not in subjects:
                c.add(
                    ("codes", i, "subjects", j),
                    f"unknown subject '{sub}'; define it under subjects",
                )
        for j, mod in enumerate(code.modifiers):
            if mod not in modifiers:
                c.add(
                    ("codes", i, "modifiers", j),
                    f"unknown modifier '{mod}'; define it under modifiers",
                )
        if code.group is not None and code.group not in groups:
            c.add(("codes", i, "group"), f"unknown group '{code.group}'; define it under groups")
    for i, group in enumerate(s.groups):
        if not group.codes and not any(x.group == group.id for x in s.codes):
            c.add(("groups", i), "the group is empty; list its codes or remove it")
        for j, cid in enumerate(group.codes):
            if cid not in codes:
                c.add(("groups", i, "codes", j), f"unknown code '{cid}'")
            elif (group.exclusive or group.exhaustive) and not codes[cid].is_state:
                c.add(
                    ("groups", i, "codes", j),
                    f"'{cid}' is a point code; exclusive or exhaustive groups hold state codes",
                )
    for i, rating in enumerate(s.ratings):
        if rating.subject is not None and rating.subject not in subjects:
            c.add(("ratings", i, "subject"), f"unknown subject '{rating.subject}'")
    for i, metric in enumerate(s.metrics):
        for j, entry in enumerate(metric.codes):
            # A metric may name a code for one subject: "child_bid@child".
            cid, at, sub = entry.partition("@")
            if cid not in codes:
                c.add(("metrics", i, "codes", j), f"unknown code '{cid}'")
            elif at and sub not in s.subjects_for(codes[cid]):
                allowed = ", ".join(s.subjects_for(codes[cid]))
                c.add(
                    ("metrics", i, "codes", j),
                    f"'{cid}' is not coded for subject '{sub}'; use one of: {allowed}",
                )
        if metric.subject is not None and metric.subject not in subjects:
            c.add(("metrics", i, "subject"), f"unknown subject '{metric.subject}'")


def _with_groups_on_codes(s: Scheme) -> Scheme:
    """Make group membership consistent both ways (code.group and group.codes)."""
    from dataclasses import replace

    member_of = {cid: g.id for g in s.groups for cid in g.codes}
    codes = tuple(replace(x, group=x.group or member_of.get(x.id)) for x in s.codes)
    groups = tuple(
        replace(
            g,
            codes=g.codes + tuple(x.id for x in s.codes if x.group == g.id and x.id not in g.codes),
        )
        for g in s.groups
    )
    return replace(s, codes=codes, groups=groups)


def to_document(s: Scheme) -> dict[str, Any]:
    def empty(v: Any) -> bool:
        return v is None or v is False or v == "" or (isinstance(v, (list, tuple, dict)) and not v)

    def drop(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if not empty(v)}

    doc: dict[str, Any] = drop(
        {
            "id": s.id,
            "name": s.name,
            "version": s.version,
            "description": s.description,
            "licence_note": s.licence_note,
        }
    )
    doc["subjects"] = [
        drop({"id": x.id, "name": x.name, "key": x.key, "description": x.description})
        for x in s.subjects
    ]
    doc["codes"] = [
        drop(
            {
                "id": x.id,
                "name": x.name,
                "kind": x.kind.value,
                "subjects": list(x.subjects),
                "key": x.key,
                "color": x.color,
                "category": x.category,
                "valence": x.valence.value,
                "description": x.description,
                "modifiers": list(x.modifiers),
                "group": x.group,
            }
        )
        for x in s.codes
    ]
    doc["groups"] = [
        drop(
            {
                "id": g.id,
                "name": g.name,
                "codes": list(g.codes),
                "exclusive": g.exclusive,
                "exhaustive": g.exhaustive,
            }
        )
        for g in s.groups
    ]
    doc["modifiers"] = [
        drop(
            {
                "id": m.id,
                "name": m.name,
                "values": list(m.values),
                "multiple": m.kind is ModifierKind.MULTIPLE,
            }
        )
        # A numeric modifier keeps its key even without bounds ("numeric: {}"), else it
        # would read back as a choice modifier with no values (BORIS numeric modifiers).
        | (
            {"numeric": drop({"min": m.minimum, "max": m.maximum})}
            if m.kind is ModifierKind.NUMERIC
            else {}
        )
        for m in s.modifiers
    ]
    doc["ratings"] = [
        drop(
            {
                "id": r.id,
                "name": r.name,
                "subject": r.subject,
                "scale": drop(
                    {"min": r.minimum, "max": r.maximum, "step": r.step, "anchors": dict(r.anchors)}
                ),
                "per": r.per.value,
                "description": r.description,
            }
        )
        for r in s.ratings
    ]
    doc["segments"] = [
        drop({"id": x.id, "name": x.name, "duration_s": x.duration_s, "description": x.description})
        for x in s.segments
    ]
    doc["metrics"] = [
        drop(
            {
                "id": m.id,
                "name": m.name,
                "kind": m.kind.value,
                "codes": list(m.codes),
                "subject": m.subject,
                "within_s": m.within_s,
                "target": drop({"min": m.target_min, "max": m.target_max}) or None,
                "description": m.description,
            }
        )
        for m in s.metrics
    ]
    return {k: v for k, v in doc.items() if v not in ([], None)}
