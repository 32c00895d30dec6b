"""A coding scheme being edited as a form (the scheme editor's tables), Qt-free.

The draft holds the scheme's plain data (what its YAML says) and shows each section — codes,
groups, ratings, segments, metrics — as rows of cell texts a clinician can edit: names, keys,
colours, kinds, subjects, valence, anchors ("1=Cold; 7=Warm"), targets. Each edit is parsed
into the data; ``to_yaml`` writes it back and ``problems`` asks the one scheme loader
(coder.schemes.load_scheme_text) what is wrong, so the form, the YAML tab and a loaded scheme
can never disagree. New rows get ids made from their names (ids never change once made: the
project's codings refer to them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from coder.errors import SchemeError
from coder.scheme_yaml import parse_lined


@dataclass(frozen=True)
class Column:
    title: str
    field: str  # a key of the row's dict; "a.b" reaches into a nested dict
    kind: str = "text"  # text | list | number | bool | anchors
    choices: tuple[str, ...] = ()  # allowed values (shown as a list in the form)


SECTIONS: dict[str, tuple[Column, ...]] = {
    "codes": (
        Column("Name", "name"),
        Column("Key", "key"),
        Column("Colour", "color"),
        Column("Kind", "kind", choices=("point", "state")),
        Column("Subjects", "subjects", "list"),
        Column("Valence", "valence", choices=("strength", "neutral", "concern")),
        Column("Description", "description"),
    ),
    "groups": (
        Column("Name", "name"),
        Column("Codes", "codes", "list"),
        Column("Only one at a time", "exclusive", "bool"),
    ),
    "ratings": (
        Column("Name", "name"),
        Column("Subject", "subject"),
        Column("Rated per", "per", choices=("session", "segment")),
        Column("Lowest", "scale.min", "number"),
        Column("Highest", "scale.max", "number"),
        Column("Anchors", "scale.anchors", "anchors"),
    ),
    "segments": (
        Column("Name", "name"),
        Column("Length (s)", "duration_s", "number"),
        Column("Description", "description"),
    ),
    "metrics": (
        Column("Name", "name"),
        Column(
            "Kind",
            "kind",
            choices=(
                "count",
                "rate_per_min",
                "percent_time",
                "mean_duration",
                "ratio",
                "latency",
                "percent_answered",
            ),
        ),
        Column("Codes", "codes", "list"),
        Column("Subject", "subject"),
        Column("Target at least", "target.min", "number"),
        Column("Target at most", "target.max", "number"),
    ),
}
NEW_ROW: dict[str, dict[str, Any]] = {
    "codes": {"kind": "point", "valence": "neutral", "color": "#888888"},
    "groups": {"codes": [], "exclusive": True},
    "ratings": {"per": "session", "scale": {"min": 1, "max": 7}},
    "segments": {},
    "metrics": {"kind": "count", "codes": []},
}


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return text or "item"


def _get(row: dict[str, Any], field: str) -> Any:
    value: Any = row
    for part in field.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _set(row: dict[str, Any], field: str, value: Any) -> None:
    parts = field.split(".")
    target = row
    for part in parts[:-1]:
        nested = target.get(part)
        if not isinstance(nested, dict):
            nested = {}
            target[part] = nested
        target = nested
    if value is None or value == "" or value == []:
        target.pop(parts[-1], None)
        if len(parts) > 1 and not target:
            parent = row
            for part in parts[:-2]:
                parent = parent[part]
            parent.pop(parts[-2], None)
    else:
        target[parts[-1]] = value


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


class SchemeDraft:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def from_text(cls, text: str) -> SchemeDraft:
        """The draft of a scheme's YAML (SchemeError when it is not a YAML mapping)."""
        data = parse_lined(text, "scheme").data
        if not isinstance(data, dict):
            raise SchemeError("the scheme must be a YAML mapping (key: value lines)")
        return cls(data)

    # --- the form's view --------------------------------------------------------------------
    def rows(self, section: str) -> list[dict[str, Any]]:
        items = self.data.get(section)
        return [r for r in items if isinstance(r, dict)] if isinstance(items, list) else []

    def cell(self, section: str, row: int, column: int) -> str:
        col = SECTIONS[section][column]
        value = _get(self.rows(section)[row], col.field)
        if value is None:
            return ""
        if col.kind == "list" and isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if col.kind == "bool":
            return "yes" if value else "no"
        if col.kind == "anchors" and isinstance(value, dict):
            return "; ".join(f"{k}={v}" for k, v in value.items())
        if col.kind == "number" and isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def table(self, section: str) -> list[list[str]]:
        return [
            [self.cell(section, r, c) for c in range(len(SECTIONS[section]))]
            for r in range(len(self.rows(section)))
        ]

    # --- edits ----------------------------------------------------------------------------
    def set_cell(self, section: str, row: int, column: int, text: str) -> None:
        """Parse ``text`` into the field; ValueError (saying what to type) when it cannot."""
        col = SECTIONS[section][column]
        text = text.strip()
        value: Any
        if col.kind == "list":
            value = [v.strip() for v in text.split(",") if v.strip()]
        elif col.kind == "number":
            try:
                value = _number(text) if text else None
            except ValueError:
                raise ValueError(f"{col.title}: type a number, e.g. 7") from None
        elif col.kind == "bool":
            value = text.lower() in ("yes", "y", "true", "1", "x")
        elif col.kind == "anchors":
            value = {}
            for part in filter(None, (p.strip() for p in text.split(";"))):
                key, sep, label = part.partition("=")
                try:
                    number = _number(key.strip())
                except ValueError:
                    number = None
                if not sep or number is None:
                    raise ValueError(f"{col.title}: write value=words; e.g. 1=Cold; 7=Warm")
                value[number] = label.strip()
        else:
            if col.choices and text and text not in col.choices:
                raise ValueError(f"{col.title}: one of {', '.join(col.choices)}")
            value = text
        _set(self.rows(section)[row], col.field, value)

    def add_row(self, section: str, name: str) -> int:
        """A new row named ``name`` with an id made from it (unique in its section)."""
        items = self.data.get(section)
        if not isinstance(items, list):
            items = []
            self.data[section] = items
        taken = {r.get("id") for r in self.rows(section)}
        base = slug(name)
        new_id, n = base, 2
        while new_id in taken:
            new_id, n = f"{base}_{n}", n + 1
        row: dict[str, Any] = {"id": new_id, "name": name}
        for key, value in NEW_ROW[section].items():
            row[key] = (
                dict(value)
                if isinstance(value, dict)
                else (list(value) if isinstance(value, list) else value)
            )
        items.append(row)
        return len(items) - 1

    def remove_row(self, section: str, row: int) -> None:
        rows = self.rows(section)
        self.data[section] = [r for i, r in enumerate(rows) if i != row]

    # --- out ------------------------------------------------------------------------------
    def to_yaml(self) -> str:
        return yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)

    def problems(self) -> list[str]:
        """What the scheme loader says is wrong ([] when the scheme can be used)."""
        from coder.schemes import load_scheme_text

        try:
            load_scheme_text(self.to_yaml(), "scheme")
        except SchemeError as exc:
            return list(exc.problems)
        return []
