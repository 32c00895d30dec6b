"""Playback > Go to: what the user may type, in one place (the dialog shows ``GO_TO_HELP``
and every refusal repeats the same examples, so the dialog and its errors never disagree)."""

from __future__ import annotations

import re

from coder.errors import CommandError
from coder.timebase import TimeBase
from coder.timefmt import format_clock, parse_clock

GO_TO_HELP = "A time like 01:23.400 (minutes:seconds) or a frame like f2085"


def go_to_ms(text: str, timebase: TimeBase) -> int:
    """The start of the frame the user asked for; CommandError (with the valid range) when
    the text is neither form or lies outside the video."""
    raw = text.strip().lower()
    last_frame = timebase.frame_count - 1
    end = timebase.ms_of(last_frame)
    if re.fullmatch(r"f\d+", raw):
        frame = int(raw[1:])
        if frame > last_frame:
            raise CommandError(
                f"the video has frames f0 to f{last_frame}; '{text}' is past its end"
            )
        return timebase.ms_of(frame)
    if ":" in raw:
        try:
            ms = parse_clock(raw)
        except ValueError:
            ms = -1
        if ms >= 0:
            if ms > end:
                raise CommandError(
                    f"the video runs from {format_clock(0)} to {format_clock(end)}; "
                    f"'{text}' is past its end"
                )
            return timebase.snap(ms)
    raise CommandError(f"'{text}' is not a time or a frame. {GO_TO_HELP}.")
