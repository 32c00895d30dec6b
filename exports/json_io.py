"""Full-fidelity JSON of a project ("attune-json", version 1) and the matching import.

Documented in docs/json-format.md. Export is deterministic (sorted ids and keys), so
export -> import -> export gives the same bytes. Import runs in one transaction: an id that
already exists, a bad value or an unknown reference aborts it and nothing is imported.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from coder.errors import AttuneError, ImportFormatError
from coder.model import (
    BlurBox,
    Consent,
    Event,
    Fingerprint,
    FreezePoint,
    Highlight,
    Media,
    Observation,
    RatingValue,
    Segment,
    Session,
    SourceDocument,
)
from coder.progress import Cancel, Progress, check_cancel
from exports.atomic import atomic_write
from exports.json_check import check_document

FORMAT, VERSION = "attune-json", 1
MAX_JSON_BYTES = 2 << 30  # beyond any project: refused before it is read into memory


def _plain(obj: Any) -> Any:
    data = asdict(obj)
    if "modifiers" in data:
        data["modifiers"] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in sorted(data["modifiers"].items())
        }
    return json.loads(json.dumps(data, default=list))


def project_to_dict(
    project: Any, *, frame_times: bool = True, include_notes: bool = True
) -> dict[str, Any]:
    """Everything in the project; without ``include_notes`` the clinical free text (event
    notes, highlight talking points) is left out, as in every other export."""
    sessions = sorted(project.sessions(), key=lambda s: s.id)
    observations = sorted(project.observations(), key=lambda o: o.id)
    media = []
    for m in sorted(project.media_list(), key=lambda m: m.id):
        item = _plain(m)
        if frame_times:
            item["frame_times_ms"] = project.frame_times(m.id)
        media.append(item)
    return {
        "format": FORMAT,
        "version": VERSION,
        "schemes": [
            {
                "id": s.id,
                "scheme_id": s.scheme.id,
                "version": s.scheme.version,
                "content_hash": s.content_hash,
                "source_text": s.source_text,
            }
            for s in sorted(project.snapshots(), key=lambda s: s.id)
        ],
        "media": media,
        "sessions": [_plain(s) for s in sessions],
        "observations": [_plain(o) for o in observations],
        "events": sorted(
            (
                _plain(e if include_notes else replace(e, note=""))
                for o in observations
                for e in project.events(o.id)
            ),
            key=lambda e: e["id"],
        ),
        "segments": sorted(
            (_plain(g) for s in sessions for g in project.segments(s.id)), key=lambda g: g["id"]
        ),
        "sources": sorted(
            (_plain(d) for s in sessions for d in project.source_documents(s.id)),
            key=lambda d: d["id"],
        ),
        "ratings": sorted(
            (_plain(v) for o in observations for v in project.rating_values(o.id)),
            key=lambda v: v["id"],
        ),
        "highlights": sorted(
            (
                _plain(h if include_notes else replace(h, talking_point=""))
                for s in sessions
                for h in project.highlights(s.id)
            ),
            key=lambda h: h["id"],
        ),
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(
    project: Any,
    path: str | os.PathLike[str],
    *,
    include_notes: bool = False,
    research: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    """The whole project as JSON. Notes and talking points only with ``include_notes``; for
    ``research``, every session must have research consent (the same rules as tables)."""
    if research:
        from coder.consent import require_research

        for session in project.sessions():
            require_research(session)
    data = project_to_dict(project, include_notes=include_notes)
    check_cancel(cancel, "the JSON export")
    with atomic_write(path, "w") as fh:
        fh.write(dumps(data))
    if progress is not None:
        progress(1.0)


def read_json(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ImportFormatError(
                f"{path}: is larger than {MAX_JSON_BYTES >> 20} MB; is this an Attune JSON export?"
            )
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
        # "\ud800" escapes decode to lone surrogates that no UTF-8 store or file can hold
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ImportFormatError(
            f"{path}: holds text that is not valid Unicode (a lone \\uD800-\\uDFFF escape); "
            "export it again"
        ) from None
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path}: not UTF-8 text; is this an Attune JSON export?") from None
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except (ValueError, RecursionError):  # NaN/Infinity, a 5000-digit number, deep nesting
        raise ImportFormatError(
            f"{path}: holds a number or a nesting depth no Attune export has (NaN, Infinity, "
            "thousands of digits or brackets); export it again"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFormatError(f'{path}: not an Attune JSON export (no "format": "{FORMAT}")')
    version = data.get("version")
    if version != VERSION:
        named = f"version {version}" if isinstance(version, int) else "this version"
        raise ImportFormatError(
            f"{path}: JSON format {named} is not supported (this Attune reads version "
            f"{VERSION}); update Attune"
        )
    check_document(data, path.name)
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number Attune writes")


def _build(kind: str, item: dict[str, Any]) -> Any:
    if kind == "media":
        item = {k: v for k, v in item.items() if k != "frame_times_ms"}
        return Media(**{**item, "fingerprint": Fingerprint(**item["fingerprint"])})
    if kind == "sessions":
        return Session(
            **{
                **item,
                "consent": Consent(**item["consent"]),
                "parent_metrics": tuple(item.get("parent_metrics", ())),
            }
        )
    if kind == "observations":
        return Observation(**item)
    if kind == "events":
        mods = {k: tuple(v) if isinstance(v, list) else v for k, v in item["modifiers"].items()}
        return Event(**{**item, "modifiers": mods})
    if kind == "segments":
        return Segment(**item)
    if kind == "sources":
        return SourceDocument(**item)
    if kind == "ratings":
        return RatingValue(**item)
    return Highlight(
        **{
            **item,
            "freeze_points": tuple(FreezePoint(**p) for p in item["freeze_points"]),
            "event_ids": tuple(item["event_ids"]),
            "blur_boxes": tuple(BlurBox(**b) for b in item.get("blur_boxes", [])),
        }
    )


def import_json(project: Any, path: str | Path) -> dict[str, int]:
    """Add everything in the file to ``project`` in one transaction; returns counts."""
    data = read_json(path)
    counts: dict[str, int] = {}
    try:
        with project.transaction():
            # A scheme the project already holds (same content, e.g. a new project made with
            # the same scheme) is reused: its observations point at the existing snapshot.
            held = {snap.content_hash: snap.id for snap in project.snapshots()}
            same_scheme: dict[str, str] = {}
            for s in data["schemes"]:
                existing = held.get(s["content_hash"])
                if existing is not None:
                    same_scheme[s["id"]] = existing
                    continue
                project.restore_snapshot(s["id"], s["source_text"], s["content_hash"])
            for kind in (
                "media",
                "sessions",
                "observations",
                "events",
                "segments",
                "ratings",
                "highlights",
                "sources",
            ):
                if kind == "sources" and kind not in data:
                    continue  # written before imported files' structure was kept
                for i, item in enumerate(data[kind]):
                    if kind == "observations" and item.get("snapshot_id") in same_scheme:
                        item = {**item, "snapshot_id": same_scheme[item["snapshot_id"]]}
                    try:
                        obj = _build(kind, item)
                    except (TypeError, KeyError, ValueError) as exc:
                        raise ImportFormatError(f"{Path(path).name}: {kind}[{i}]: {exc}") from None
                    _insert(project, kind, obj, item)
                counts[kind] = len(data[kind])
    except ImportFormatError:
        raise
    except (AttuneError, KeyError) as exc:
        raise ImportFormatError(
            f"{Path(path).name}: cannot be imported ({exc}); nothing was changed"
        ) from None
    except Exception as exc:
        if "IntegrityError" not in type(exc).__name__:
            raise
        # an id that exists already, or a broken reference: say which kind, in words
        raise ImportFormatError(f"{Path(path).name}: {_conflict_words(exc)}") from None
    return counts


_TABLE_WORDS = {
    "media": "videos",
    "sessions": "sessions",
    "observations": "observations",
    "events": "events",
    "segments": "segments",
    "rating_values": "ratings",
    "highlights": "highlights",
    "scheme_snapshots": "coding schemes",
}


def _conflict_words(exc: Exception) -> str:
    """An integrity failure in words (never the database's own text)."""
    found = re.search(r"UNIQUE constraint failed: (\w+)\.", str(exc))
    if found:
        what = _TABLE_WORDS.get(found.group(1), "records")
        return (
            f"this project already has some of the file's {what} (was the file imported "
            "before?); nothing was changed. Import it into a new project, or into one that "
            "does not hold it yet."
        )
    return (
        "refers to something missing from the file (e.g. an event without its observation); "
        "nothing was changed"
    )


def _insert(project: Any, kind: str, obj: Any, item: dict[str, Any]) -> None:
    if kind == "media":
        project.add_media(obj, item.get("frame_times_ms", []))
    elif kind == "sessions":
        project.add_session(obj)
    elif kind == "observations":
        project.add_observation(obj)
    elif kind == "events":
        project.insert_event(obj)
    elif kind == "segments":
        project.put_segment(obj, existed=False)
    elif kind == "ratings":
        project.put_rating(obj)
    elif kind == "sources":
        project.add_source_document(obj)
    else:
        project.put_highlight(obj, existed=False)
