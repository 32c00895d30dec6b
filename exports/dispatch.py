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
) -> list[str]:
    """One export, shared by the CLI and File > Export (formats: exports.registry). Returns
    notes on what the format could not hold as it was (ELAN, BORIS, SDIS); often empty."""
    from coder.consent import require_research
    from coder.files import check_folder_target, check_target
    from exports.bundle import bundles_from_project
    from exports.registry import ExportRequest, export_format

    # A folder or a read-only folder fails before anything is rendered; ELAN alone writes a
    # folder (one file per session) when given a folder or a name without ".eaf".
    if fmt == "eaf" and Path(out).suffix.lower() != ".eaf":
        check_folder_target(Path(out))
    else:
        check_target(Path(out))

    chosen = export_format(fmt)
    if chosen.whole_project:
        request = ExportRequest(project, [], out, include_notes, progress, cancel, research)
        return list(chosen.write(request) or [])
    bundles = bundles_from_project(
        project, session_ids=session_ids, observation_ids=observation_ids
    )
    if research:
        for b in bundles:
            require_research(b.session)
    if not bundles:
        raise AttuneError("nothing to export: the project has no observations")
    request = ExportRequest(project, bundles, out, include_notes, progress, cancel, research)
    return list(chosen.write(request) or [])
