"""What an import did, per tier or behaviour, with counts: nothing is dropped without a line.

Each source part of the file (an ELAN tier, a BORIS behaviour, the rows of a spreadsheet) gets
one ``ReportLine``: how many items it held, how many were imported and how, and for the rest
how many and why not. ``found == imported + not imported`` holds for every line; tests check
it. Lines name tiers, behaviours and columns, never annotation text or notes (clinical text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLACES_SHOWN = 5


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


@dataclass
class ReportLine:
    source: str  # "tier 'CHI'", "behaviour 'Play'", "rows"
    found: int = 0
    imported: int = 0
    how: str = ""  # "imported as coded events of subject 'CHI'"
    not_imported: dict[str, int] = field(default_factory=dict)  # reason -> count
    notes: dict[str, int] = field(default_factory=dict)  # kept, with a remark -> count
    places: dict[str, list[str]] = field(default_factory=dict)  # reason -> first few places

    def add(self, imported: bool = True, reason: str = "", where: str = "") -> None:
        """Count one item of this source: imported, or not (``reason`` says why; ``where``
        names the place, e.g. "line 12", so the user can find and fix it)."""
        self.found += 1
        if imported:
            self.imported += 1
            return
        self.not_imported[reason] = self.not_imported.get(reason, 0) + 1
        if where:
            shown = self.places.setdefault(reason, [])
            if len(shown) < PLACES_SHOWN:
                shown.append(where)

    def note(self, remark: str, n: int = 1) -> None:
        self.notes[remark] = self.notes.get(remark, 0) + n

    @property
    def missing(self) -> int:
        return sum(self.not_imported.values())

    def text(self, unit: str = "annotation") -> str:
        head = f"{self.source}, {plural(self.found, unit)}"
        parts = []
        if self.imported:
            done = "all" if self.imported == self.found else f"{self.imported:,}"
            parts.append(f"{done} imported{' as ' + self.how if self.how else ''}")
        for reason, n in self.not_imported.items():
            places = self.places.get(reason, [])
            more = ", …" if n > len(places) else ""
            where = f" ({', '.join(places)}{more})" if places else ""
            parts.append(f"{n:,} not imported because {reason}{where}")
        parts += [f"{remark}: {n:,}" for remark, n in self.notes.items()]
        if not self.found:
            parts.append(f"empty; kept{' as ' + self.how if self.how else ''}")
        return f"{head}: {'; '.join(parts)}"


@dataclass
class ImportReport:
    sessions: int = 0
    observations: int = 0
    events: int = 0
    lines: list[ReportLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # file-level remarks (extra media, ...)
    unit: str = "annotation"  # what a line counts: annotation, event, row

    def line(self, source: str) -> ReportLine:
        for existing in self.lines:
            if existing.source == source:
                return existing
        created = ReportLine(source)
        self.lines.append(created)
        return created

    @property
    def not_imported(self) -> int:
        return sum(line.missing for line in self.lines)

    def reasons(self, limit: int = 4) -> str:
        """Why items were not imported, counted over every line and named by place only
        (never by the file's values: a wrongly mapped column may hold clinical notes)."""
        counts: dict[str, int] = {}
        places: dict[str, list[str]] = {}
        for line in self.lines:
            for reason, n in line.not_imported.items():
                counts[reason] = counts.get(reason, 0) + n
                places.setdefault(reason, []).extend(line.places.get(reason, []))
        parts = []
        for reason, n in sorted(counts.items(), key=lambda kv: -kv[1])[:limit]:
            where = ", ".join(places[reason][:PLACES_SHOWN])
            parts.append(f"{n} {self.unit}(s) {reason}" + (f" (e.g. {where})" if where else ""))
        return "; ".join(parts) or f"no {self.unit}s"

    @property
    def warnings(self) -> list[str]:
        """The lines that need the user's attention: something not imported or changed."""
        return self.notes + [
            line.text(self.unit) for line in self.lines if line.not_imported or line.notes
        ]

    def summary(self) -> str:
        return (
            f"Imported {plural(self.observations, 'observation')}, "
            f"{plural(self.events, 'event')} ({plural(self.sessions, 'new session')})"
            + (
                f"; {plural(self.not_imported, self.unit)} not imported"
                if self.not_imported
                else ""
            )
        )

    def text_lines(self) -> list[str]:
        return [*self.notes, *(line.text(self.unit) for line in self.lines)]

    def text(self) -> str:
        return "\n".join([self.summary(), *self.text_lines()])
