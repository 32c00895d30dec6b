"""Read a spreadsheet (CSV, TSV or XLSX) into rows of text cells, with clear errors.

The delimiter of a text file is its extension's (.tsv, .tab: tab) or, for .csv and .txt,
whichever of comma, semicolon and tab the first lines use most. Cells come back as text
exactly as written (numbers from XLSX as their shortest text, dates as ISO); an XLSX file's
first sheet is read unless ``sheet`` names another. A file that is not text, is too large
when unpacked, or is damaged gives an ImportFormatError naming the file and the place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from coder.errors import ImportFormatError
from coder.limits import MAX_INFLATED_BYTES

MAX_CELL = 1_000_000  # characters in one cell
MAX_ROWS = 2_000_000


def read_table(path: str | Path, sheet: str | None = None) -> list[list[str]]:
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx(path, sheet)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if raw[:4] == b"PK\x03\x04":
        raise ImportFormatError(
            f"{path.name}: is a spreadsheet workbook, not text; name it .xlsx to import it"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{path.name}: line {line}: not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in "
            "Excel) and import it again"
        ) from None
    if "\0" in text:
        raise ImportFormatError(f"{path.name}: contains NUL characters; it is not a text table")
    delimiter = _delimiter(path, text)
    csv.field_size_limit(MAX_CELL)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise ImportFormatError(f"{path.name}: more than {MAX_ROWS:,} rows")
    except csv.Error as exc:
        raise ImportFormatError(
            f"{path.name}: line {reader.line_num}: cannot be read as a table ({exc}); check "
            "its quotes"
        ) from None
    return rows


def _delimiter(path: Path, text: str) -> str:
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    head = text[:20_000].splitlines()[:20]
    counts = {d: sum(line.count(d) for line in head) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _xlsx(path: Path, sheet: str | None) -> list[list[str]]:
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        raise ImportFormatError(
            f"{path.name}: is not a readable XLSX workbook (damaged or another format)"
        ) from None
    if unpacked > MAX_INFLATED_BYTES:
        raise ImportFormatError(
            f"{path.name}: unpacks to more than {MAX_INFLATED_BYTES // 2**20} MiB; split the "
            "workbook"
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors)
        raise ImportFormatError(
            f"{path.name}: is not a readable XLSX workbook (damaged or another format)"
        ) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportFormatError(
                f"{path.name}: has no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})"
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = []
        for values in ws.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS:
                raise ImportFormatError(f"{path.name}: more than {MAX_ROWS:,} rows")
    except ImportFormatError:
        raise
    except Exception:
        raise ImportFormatError(
            f"{path.name}: a sheet of this workbook cannot be read (damaged)"
        ) from None
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of an XLSX workbook ([] when it cannot be read: read_table says why)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_INFLATED_BYTES:
                return []
        book = load_workbook(path, read_only=True)
    except Exception:  # damaged: read_table gives the message
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)[:MAX_CELL]
