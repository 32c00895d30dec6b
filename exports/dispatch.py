"""One entry point for every export format, shared by the CLI and File > Export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coder.errors import AttuneError


def write_export(
    project: Any,
    fmt: str,
    out: Path,
    *,
    session_ids: list[str] | None = None,
    observation_ids: list[str] | None = None,
    include_notes: bool = False,
    research: bool = False,
    progress: Any = None,
    cancel: Any = None,
) -> None:
    """One export, shared by the CLI and File > Export."""
    from coder.consent import require_research
    from coder.files import check_target
    from exports.bundle import bundles_from_project

    check_target(Path(out))  # a folder or a read-only folder fails before anything is rendered

    if fmt == "json":
        from exports.json_io import write_json

        write_json(
            project,
            out,
            include_notes=include_notes,
            research=research,
            progress=progress,
            cancel=cancel,
        )
        return
    bundles = bundles_from_project(
        project, session_ids=session_ids, observation_ids=observation_ids
    )
    if research:
        for b in bundles:
            require_research(b.session)
    if not bundles:
        raise AttuneError("nothing to export: the project has no observations")
    if fmt in ("csv", "tsv", "xlsx"):
        from exports.tables import export_tables

        export_tables(
            bundles, out, fmt, include_notes=include_notes, progress=progress, cancel=cancel
        )
    elif fmt == "eaf":
        from exports.eaf import write_eaf

        write_eaf(bundles, out, progress=progress, cancel=cancel)
    elif fmt in ("srt", "vtt"):
        from exports.subtitles import write_subtitles

        write_subtitles(bundles, out, fmt, progress=progress, cancel=cancel)
    elif fmt == "summary":
        from exports.summary import write_summary

        write_summary(bundles, out, progress=progress, cancel=cancel)
    else:
        from exports.timeline_image import write_timeline_png, write_timeline_svg

        (write_timeline_png if fmt == "timeline-png" else write_timeline_svg)(bundles, out)
