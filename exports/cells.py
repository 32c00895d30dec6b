"""Spreadsheet cell guard for the writers in exports/ (the rule itself is coder/cells.py, so the
clip index written by coder/media/clip.py uses the very same one)."""

from coder.cells import FORMULA_START, safe_cell, unguard_cell, xlsx_cell

__all__ = ["FORMULA_START", "safe_cell", "unguard_cell", "xlsx_cell"]
