"""One registry of export formats and import kinds: the CLI's choices, File > Export/Import
and dispatch read the same tables, and every registered format writes a readable file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.commands import AddEvent, CommandStack
from coder.errors import AttuneError
from coder.model import Event, Fingerprint, Media, Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from exports.dispatch import write_export
from exports.registry import (
    EXPORT_FORMATS,
    IMPORT_KINDS,
    ExportFormat,
    export_format,
    import_kind,
    register_export,
)


def test_cli_offers_exactly_the_registered_formats_and_kinds() -> None:
    import argparse

    from ui import cli_exports

    parser = argparse.ArgumentParser()
    cli_exports.register(parser.add_subparsers())
    actions = {a.dest: a for a in parser._subparsers._group_actions[0].choices["export"]._actions}  # type: ignore[union-attr]
    assert list(actions["format"].choices) == list(EXPORT_FORMATS)
    imports = {a.dest: a for a in parser._subparsers._group_actions[0].choices["import"]._actions}  # type: ignore[union-attr]
    assert (
        list(imports["kind"].choices)
        == list(IMPORT_KINDS)
        == [
            "boris",
            "boris-table",
            "eaf",
            "csv",
            "json",
        ]
    )


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 60 s session, one observation with a state and a point event."""
    path = tmp_path_factory.mktemp("registry") / "p.attune"
    with Project.create(path, user="tester") as p:
        scheme, text = load_shipped("attachment-core")
        snap = p.adopt_scheme(scheme, text, scheme_content_hash(text))
        media = Media(
            "m1", "video.mp4", Fingerprint(10, "a" * 64, "b" * 64, 60_000), 60_000, 25.0, 160, 120
        )
        with p.transaction():
            p.add_media(media, [i * 40 for i in range(1500)])
            p.add_session(Session("s1", "Week 1", "m1"))
        p.add_observation(Observation("o1", "s1", "Ana", snap.id, name="Week 1/Ana"))
        stack = CommandStack(p)
        stack.push(AddEvent(Event("a", "o1", "following_lead", "parent", 400, 1600)))
        stack.push(AddEvent(Event("b", "o1", "attunement", "parent", 2000)))
    return path


@pytest.mark.parametrize("format_id", list(EXPORT_FORMATS))
def test_every_registered_format_writes_a_file(
    format_id: str, tmp_path: Path, small_project: Path
) -> None:
    fmt = export_format(format_id)
    out = tmp_path / f"out.{fmt.extension}"
    with Project.open(small_project, read_only=True) as project:
        write_export(project, format_id, out, observation_ids=["o1"])
    data = out.read_bytes()
    assert len(data) > 20
    if format_id in ("csv", "tsv", "srt", "vtt", "json", "eaf", "boris", "sdis"):
        text = data.decode("utf-8-sig")
        assert "Following the lead" in text or "following_lead" in text
    elif format_id == "summary":
        assert data.startswith(b"session,observation,coder")
    elif format_id == "timeline-svg":
        assert data.startswith(b"<svg") and data.rstrip().endswith(b"</svg>")
    elif format_id == "timeline-png":
        assert data.startswith(b"\x89PNG")
    else:
        assert format_id == "xlsx" and data.startswith(b"PK")  # a zip


def test_unknown_names_are_refused_with_the_choices() -> None:
    with pytest.raises(AttuneError, match="unknown export format 'docx'; use one of: csv, tsv"):
        export_format("docx")
    with pytest.raises(AttuneError, match="unknown import kind 'sdis'; use one of: boris"):
        import_kind("sdis")


def test_a_format_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register_export(ExportFormat("csv", "again", "csv", lambda r: None))
