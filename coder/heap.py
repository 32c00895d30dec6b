"""Python's cycle collector while a large observation is read and held.

An observation of 100,000 events is a million small objects (events, their strings and
rows). Made with the collector on, it runs hundreds of times over an ever larger heap (a
third of the read); held, every full collection scans them all again, a pause of a fifth of
a second at random while someone codes or plays. None of them can form a cycle, so:
collecting is paused while they are made, and they are set aside (``gc.freeze``) until the
next observation replaces them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside; as it was after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@contextmanager
def long_lived_load() -> Iterator[None]:
    """Build what lives until the next such load (the open observation's views and events).

    The previous load's objects go back to the collector first, and any cycles among them
    are collected then, so nothing stays set aside longer than one observation."""
    global _set_aside
    if _set_aside:
        gc.unfreeze()
        gc.collect()
    with collector_paused():
        try:
            yield
        finally:
            gc.freeze()  # before the collector is on again: its next pass would scan them all
            _set_aside = True


_set_aside = False  # whether a load's objects are frozen now
