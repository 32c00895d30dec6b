"""Export formats and import kinds, each registered once.

The CLI's ``--format``/``--from`` choices, File > Export and File > Import, and
``exports.dispatch`` all read these tables, so a new format (SDIS, a BORIS writer, …) is one
``register_export`` or ``register_import`` call. Writers import their modules when called, so
reading the tables stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.errors import AttuneError
from coder.progress import Cancel, Progress
from exports.bundle import ExportBundle
from exports.import_report import ImportReport


@dataclass(frozen=True)
class ExportRequest:
    """What a writer gets: the chosen observations as bundles (empty for whole-project
    formats, which read ``project`` themselves), the target and the options."""

    project: Any
    bundles: list[ExportBundle]
    out: Path
    include_notes: bool = False
    progress: Progress | None = None
    cancel: Cancel | None = None
    research: bool = False  # every session must have research consent


@dataclass(frozen=True)
class ExportFormat:
    id: str  # the CLI's --format value
    label: str  # what File > Export shows
    extension: str  # without the dot
    # Returns notes on what the format could not hold as it was (or None: nothing to say).
    write: Callable[[ExportRequest], list[str] | None]
    whole_project: bool = False  # writes every observation, whatever was chosen


@dataclass(frozen=True)
class ImportOptions:
    observations: Sequence[str] | None = None  # BORIS: which observations (names)
    scheme: str = "attachment-core"  # CSV: the scheme the rows are coded with
    columns: dict[str, str] | None = None  # CSV: field -> header
    tiers: dict[str, str] | None = None  # ELAN: tier -> subject
    code_tiers: tuple[str, ...] = ()  # ELAN: tiers (no vocabulary) whose values are codes
    coder: str | None = None  # ELAN: coder of tiers without an annotator


@dataclass(frozen=True)
class ImportKind:
    id: str  # the CLI's --from value
    label: str
    patterns: tuple[str, ...]  # file-name patterns for the file dialog
    run: Callable[[str | Path, str | Path, ImportOptions], ImportReport]

    @property
    def file_filter(self) -> str:
        return f"{self.label} ({' '.join(self.patterns)})"


EXPORT_FORMATS: dict[str, ExportFormat] = {}
IMPORT_KINDS: dict[str, ImportKind] = {}


def register_export(fmt: ExportFormat) -> ExportFormat:
    if fmt.id in EXPORT_FORMATS:
        raise ValueError(f"export format '{fmt.id}' is registered twice")
    EXPORT_FORMATS[fmt.id] = fmt
    return fmt


def register_import(kind: ImportKind) -> ImportKind:
    if kind.id in IMPORT_KINDS:
        raise ValueError(f"import kind '{kind.id}' is registered twice")
    IMPORT_KINDS[kind.id] = kind
    return kind


def export_format(format_id: str) -> ExportFormat:
    try:
        return EXPORT_FORMATS[format_id]
    except KeyError:
        known = ", ".join(EXPORT_FORMATS)
        raise AttuneError(f"unknown export format '{format_id}'; use one of: {known}") from None


def import_kind(kind_id: str) -> ImportKind:
    try:
        return IMPORT_KINDS[kind_id]
    except KeyError:
        known = ", ".join(IMPORT_KINDS)
        raise AttuneError(f"unknown import kind '{kind_id}'; use one of: {known}") from None


# --- the built-in writers ------------------------------------------------------------------
def _tables(kind: str) -> Callable[[ExportRequest], None]:
    def write(r: ExportRequest) -> None:
        from exports.tables import export_tables

        export_tables(
            r.bundles,
            r.out,
            kind,
            include_notes=r.include_notes,
            progress=r.progress,
            cancel=r.cancel,
        )

    return write


def _json(r: ExportRequest) -> None:
    from exports.json_io import write_json

    write_json(
        r.project,
        r.out,
        include_notes=r.include_notes,
        research=r.research,
        progress=r.progress,
        cancel=r.cancel,
    )


def _eaf(r: ExportRequest) -> list[str]:
    from exports.eaf import write_eaf

    return write_eaf(r.bundles, r.out, progress=r.progress, cancel=r.cancel)


def _boris_out(r: ExportRequest) -> list[str]:
    from exports.boris_write import write_boris

    return write_boris(
        r.bundles, r.out, include_notes=r.include_notes, progress=r.progress, cancel=r.cancel
    )


def _sdis(r: ExportRequest) -> list[str]:
    from exports.sdis import write_sdis

    return write_sdis(r.bundles, r.out, progress=r.progress, cancel=r.cancel)


def _subtitles(kind: str) -> Callable[[ExportRequest], None]:
    def write(r: ExportRequest) -> None:
        from exports.subtitles import write_subtitles

        write_subtitles(r.bundles, r.out, kind, progress=r.progress, cancel=r.cancel)

    return write


def _summary(r: ExportRequest) -> None:
    from exports.summary import write_summary

    write_summary(r.bundles, r.out, progress=r.progress, cancel=r.cancel)


def _timeline_png(r: ExportRequest) -> None:
    from exports.timeline_image import write_timeline_png

    write_timeline_png(r.bundles, r.out)


def _timeline_svg(r: ExportRequest) -> None:
    from exports.timeline_image import write_timeline_svg

    write_timeline_svg(r.bundles, r.out)


for _fmt in (
    ExportFormat("csv", "Events table (CSV)", "csv", _tables("csv")),
    ExportFormat("tsv", "Events table (TSV)", "tsv", _tables("tsv")),
    ExportFormat("xlsx", "Workbook: events, ratings, segments (XLSX)", "xlsx", _tables("xlsx")),
    ExportFormat("summary", "Summary per session (CSV)", "csv", _summary),
    ExportFormat("json", "Whole project (JSON)", "json", _json, whole_project=True),
    ExportFormat("eaf", "ELAN (.eaf, one per session)", "eaf", _eaf),
    ExportFormat("boris", "BORIS project (.boris)", "boris", _boris_out),
    ExportFormat("sdis", "GSEQ timed events (SDIS .sds)", "sds", _sdis),
    ExportFormat("srt", "Subtitles (SRT)", "srt", _subtitles("srt")),
    ExportFormat("vtt", "Subtitles (WebVTT)", "vtt", _subtitles("vtt")),
    ExportFormat("timeline-png", "Timeline picture (PNG)", "png", _timeline_png),
    ExportFormat("timeline-svg", "Timeline picture (SVG)", "svg", _timeline_svg),
):
    register_export(_fmt)


# --- the built-in importers ----------------------------------------------------------------
def _boris(target: str | Path, src: str | Path, o: ImportOptions) -> ImportReport:
    from exports.importers import import_boris

    return import_boris(target, src, o.observations)


def _eaf_in(target: str | Path, src: str | Path, o: ImportOptions) -> ImportReport:
    from exports.importers import import_eaf

    return import_eaf(target, src, o.tiers, code_tiers=o.code_tiers, coder=o.coder)


def _csv_in(target: str | Path, src: str | Path, o: ImportOptions) -> ImportReport:
    from exports.importers import import_csv

    return import_csv(target, src, o.scheme, o.columns)


def _json_in(target: str | Path, src: str | Path, _o: ImportOptions) -> ImportReport:
    from exports.importers import import_json_file

    return import_json_file(target, src)


for _kind in (
    ImportKind("boris", "BORIS project", ("*.boris", "*.boris.gz"), _boris),
    # BORIS's own tabular and aggregated event exports (import_boris tells them by suffix)
    ImportKind("boris-table", "BORIS event export", ("*.csv", "*.tsv", "*.tab", "*.xlsx"), _boris),
    ImportKind("eaf", "ELAN", ("*.eaf",), _eaf_in),
    ImportKind("csv", "Events table (CSV, TSV or XLSX)", ("*.csv", "*.tsv", "*.xlsx"), _csv_in),
    ImportKind("json", "Attune JSON", ("*.json",), _json_in),
):
    register_import(_kind)
