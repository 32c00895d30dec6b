"""Motion energy cached in the project (table ``motion_energy``, schema v3).

A video's motion energy depends only on the file, the regions and the settings, so it is
computed once and kept beside the video's frame table; a second analysis with other window or
lag settings reads it back at once. A read-only project computes without saving.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from coder.analysis.motion import (
    MotionSeries,
    MotionSettings,
    Region,
    cache_key,
    default_regions,
    motion_energy,
)
from coder.errors import AttuneError, ProjectError
from coder.model import new_id
from coder.progress import Cancel, Progress


def _series(row: Any, regions: Sequence[Region], settings: MotionSettings) -> MotionSeries:
    times = np.frombuffer(bytes(row["times"]), dtype="<i8").astype(np.int64)
    energy = np.frombuffer(bytes(row["energy"]), dtype="<f4").astype(np.float32)
    return MotionSeries(
        times, energy.reshape(int(row["frames"]), int(row["regions"])), tuple(regions), settings
    )


def cached_motion(
    project: Any, media_id: str, regions: Sequence[Region], settings: MotionSettings
) -> MotionSeries | None:
    row = project.db.execute(
        "SELECT * FROM motion_energy WHERE media_id = ? AND params = ?",
        (media_id, cache_key(regions, settings)),
    ).fetchone()
    return None if row is None else _series(row, regions, settings)


def latest_motion(project: Any, media_id: str) -> MotionSeries | None:
    """The most recently computed motion energy of a video (any regions), if any."""
    row = project.db.execute(
        "SELECT * FROM motion_energy WHERE media_id = ? ORDER BY created_at DESC, rowid DESC "
        "LIMIT 1",
        (media_id,),
    ).fetchone()
    if row is None:
        return None
    params = json.loads(row["params"])
    regions = tuple(Region(**r) for r in params["regions"])
    return _series(row, regions, MotionSettings(**params["settings"]))


def store_motion(project: Any, media_id: str, series: MotionSeries) -> None:
    """Save (or replace) the series for its regions and settings; one transaction."""
    key = cache_key(series.regions, series.settings)
    frames, regions = series.energy.shape
    with project.transaction():
        project.db.execute(
            "DELETE FROM motion_energy WHERE media_id = ? AND params = ?", (media_id, key)
        )
        row_id = new_id()
        project.db.execute(
            "INSERT INTO motion_energy "
            "(id, media_id, params, created_at, frames, regions, times, energy) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row_id,
                media_id,
                key,
                datetime.now(UTC).isoformat(timespec="milliseconds"),
                frames,
                regions,
                series.times_ms.astype("<i8").tobytes(),
                np.ascontiguousarray(series.energy, dtype="<f4").tobytes(),
            ),
        )
        project.record("added", "motion", row_id, None, media_id)


def session_motion(
    project: Any,
    session_id: str,
    regions: Sequence[Region] | None = None,
    settings: MotionSettings | None = None,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> tuple[MotionSeries, bool]:
    """The session video's motion energy, from the cache or computed (then cached when the
    project is writable). Returns the series and whether it was computed now."""
    session = project.session(session_id)
    if session.media_id is None:
        raise ProjectError(f"session '{session.label}' has no video; add or re-link one first")
    media = project.media(session.media_id)
    settings = settings or MotionSettings()
    if regions is None:
        last = latest_motion(project, media.id)
        regions = (
            last.regions if last is not None else default_regions(person_names(project, session_id))
        )
    found = cached_motion(project, media.id, regions, settings)
    if found is not None:
        if progress is not None:
            progress(1.0)
        return found, False
    series = motion_energy(media.path, regions, settings, progress=progress, cancel=cancel)
    if not project.read_only:
        store_motion(project, media.id, series)
    return series, True


def person_names(project: Any, session_id: str) -> tuple[str, ...]:
    """Default region names: the scheme's first two subjects (e.g. parent, child)."""
    observations = project.observations(session_id)
    if observations:
        scheme = project.scheme_for_observation(observations[0].id)
        people = [s.id for s in scheme.subjects if s.id not in ("dyad", "both", "family")]
        if len(people) >= 2:
            return tuple(people[:2])
    return ("left", "right")


def check_regions(regions: Sequence[Region]) -> None:
    if len(regions) < 2:
        raise AttuneError("synchrony needs two regions, one per person")
