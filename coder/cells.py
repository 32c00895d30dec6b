"""The one spreadsheet cell guard: text a spreadsheet would run as a formula is made inert.

Applied last, to every cell (headers included) of every CSV, TSV and XLSX Attune writes,
after anything else that changes the text (XLSX drops control characters it cannot store,
which would otherwise uncover a formula: ``"\\x01=HYPERLINK(...)"``).
"""

from __future__ import annotations

import re
from typing import Any

# Characters that make Excel, LibreOffice or Google Sheets start a formula (or a DDE command),
# including the full-width forms some spreadsheets normalise.
FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Spreadsheets skip leading blanks and control characters before looking for a formula.
_LEADING_IGNORED = "".join(map(chr, range(0x20))) + "\x7f"
# What the XLSX format cannot store (the same set openpyxl refuses): C0 controls but TAB LF CR.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _would_run(value: str) -> bool:
    rest = value
    while (stripped := rest.lstrip().lstrip(_LEADING_IGNORED)) != rest:
        rest = stripped
    return rest[:1] in FORMULA_START or value[0] in "\t\r\n\0"


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet could run: then prefixed with '.

    Text that already starts with ' before such text gets one more, so the guard can be undone
    exactly (``unguard_cell``): our own exports read back as they were.
    """
    if not isinstance(value, str) or not value:
        return value
    core = value.lstrip("'")
    if core and _would_run(core):
        return "'" + value
    return value


def unguard_cell(text: str) -> str:
    """The text ``safe_cell`` was given, from what it returned (the inverse, for importers)."""
    if text.startswith("'") and safe_cell(text[1:]) == text:
        return text[1:]
    return text


def xlsx_cell(value: Any) -> Any:
    """A value ready for an XLSX cell: unstorable characters dropped, then the guard."""
    if isinstance(value, str):
        value = _XLSX_ILLEGAL.sub("", value)
    return safe_cell(value)
