"""Coding schemes: load and validate YAML into coder.model.Scheme (DESIGN §5).

Every problem is collected (not just the first) and named by file, line, path and fix, e.g.
``attachment.yaml:42: codes[3].key: key "a" is already used by codes[0] (attunement); choose
another key``. Any input gives a Scheme or a SchemeError — never another exception.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from coder.errors import SchemeError
from coder.model import Scheme
from coder.scheme_build import build_scheme
from coder.scheme_yaml import parse_lined

__all__ = [
    "load_scheme",
    "load_scheme_text",
    "load_shipped",
    "scheme_content_hash",
    "scheme_to_dict",
    "scheme_to_yaml",
    "shipped_scheme_paths",
    "validate_scheme_file",
]


def load_scheme_text(text: str, source: str = "<text>") -> Scheme:
    if not isinstance(text, str):
        raise SchemeError(f"{source}: a scheme must be text")
    lined = parse_lined(text, source)
    return build_scheme(lined, source)


def load_scheme(path: str | Path) -> Scheme:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SchemeError(f"{path}: file not found; check the path") from None
    except IsADirectoryError:
        raise SchemeError(f"{path}: is a folder; give the scheme's .yaml file") from None
    except OSError as exc:
        raise SchemeError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemeError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    return load_scheme_text(text, path.name)


def validate_scheme_file(path: str | Path) -> list[str]:
    try:
        load_scheme(path)
    except SchemeError as exc:
        return exc.problems
    return []


def shipped_scheme_paths() -> dict[str, Path]:
    """Shipped scheme id -> YAML path (the file name is the id)."""
    folder = resources.files("schemes")
    paths = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            paths[entry.name[: -len(".yaml")]] = Path(str(entry))
    return dict(sorted(paths.items()))


def load_shipped(scheme_id: str) -> tuple[Scheme, str]:
    paths = shipped_scheme_paths()
    if scheme_id not in paths:
        known = ", ".join(paths) or "none"
        raise SchemeError(f"no shipped scheme '{scheme_id}' (shipped: {known})")
    text = paths[scheme_id].read_text(encoding="utf-8")
    return load_scheme_text(text, paths[scheme_id].name), text


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    """The YAML structure of ``scheme`` (inverse of loading)."""
    from coder.scheme_build import to_document

    return to_document(scheme)


def scheme_to_yaml(scheme: Scheme) -> str:
    return yaml.safe_dump(
        scheme_to_dict(scheme), sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def scheme_content_hash(text: str) -> str:
    """SHA-256 of the scheme's meaning (parsed data), so comments and layout do not count.

    Parsed with the same bounded reader as loading (no alias expansion); text that reader
    refuses is hashed as it is."""
    try:
        data: Any = parse_lined(text, "scheme").data
    except SchemeError:
        data = text
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
