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
    """One export, shared by the CLI and File > Export (formats: exports.registry)."""
    from coder.consent import require_research
    from coder.files import check_target
    from exports.bundle import bundles_from_project
    from exports.registry import ExportRequest, export_format

    check_target(Path(out))  # a folder or a read-only folder fails before anything is rendered

    chosen = export_format(fmt)
    if chosen.whole_project:
        chosen.write(ExportRequest(project, [], out, include_notes, progress, cancel, research))
        return
    bundles = bundles_from_project(
        project, session_ids=session_ids, observation_ids=observation_ids
    )
    if research:
        for b in bundles:
            require_research(b.session)
    if not bundles:
        raise AttuneError("nothing to export: the project has no observations")
    chosen.write(ExportRequest(project, bundles, out, include_notes, progress, cancel, research))
