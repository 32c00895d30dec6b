"""Reading and writing clock times (shared by the event table, imports and exports)."""

from __future__ import annotations

import re


def parse_clock(text: str) -> int:
    """'1:02:03.250', '02:03.250', '3.5' (seconds), '3500ms' or '3500' (ms) -> milliseconds."""
    text = text.strip().lower()
    if text.endswith("ms"):
        return int(float(text[:-2]))
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        raise ValueError(f"'{text}' is not a time; type e.g. 01:23.400 or 83400")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return round(seconds * 1000)


def format_clock(ms: int | None) -> str:
    """hh:mm:ss.mmm (empty for None)."""
    if ms is None:
        return ""
    s, milli = divmod(ms, 1000)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{sec:02d}.{milli:03d}"
