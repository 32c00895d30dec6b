"""Spreadsheet cell guard: text that a spreadsheet would run as a formula is made inert."""

from __future__ import annotations

from typing import Any

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value: Any) -> Any:
    """Prefix text starting with = + - @ tab CR or NUL with ' (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value
