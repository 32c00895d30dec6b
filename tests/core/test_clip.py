"""Clips: exact first/last frames (mid-GOP, on a keyframe, lead-in/out, VFR), audio length,
cancel, bad ranges, batch index."""

from __future__ import annotations

import csv
from pathlib import Path

import av
import pytest

from coder.errors import Cancelled, MediaError
from coder.media.clip import ClipRequest, cut_clip, cut_clips
from coder.media.synth import read_frame_index, write_index_video


def decoded(path: Path) -> tuple[list[int], float | None]:
    with av.open(str(path)) as c:
        frames = [read_frame_index(f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]
    with av.open(str(path)) as c:
        audio = None
        if c.streams.audio:
            a = c.streams.audio[0]
            audio = float(a.duration * a.time_base) if a.duration else None
    return frames, audio


@pytest.fixture(scope="module")
def clip_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "src.mp4"
    write_index_video(path, frames=100, gop=12, audio=True)
    return path


@pytest.mark.parametrize(
    ("a", "b", "first", "last", "mode"),
    [
        (520, 1500, 13, 37, "smart"),  # starts mid-GOP: head re-encoded, rest copied, exact
        (480, 1000, 12, 24, "copy"),  # starts on a keyframe: packets copied, exact
        (530, 1499, 13, 37, "smart"),  # times inside frames select the frames shown then
    ],
)
def test_exact_first_and_last_frames(
    clip_src: Path, tmp_path: Path, a: int, b: int, first: int, last: int, mode: str
) -> None:
    out = tmp_path / "c.mp4"
    result = cut_clip(clip_src, out, a, b)
    frames, audio = decoded(out)
    assert frames == list(range(first, last + 1)) and result.mode_used == mode
    assert result.frame_count == len(frames) and result.first_frame_ms == first * 40
    video_s = len(frames) * 0.04
    assert audio is not None and abs(audio - video_s) <= 1024 / 48000 + 0.04 + 0.03


def test_lead_in_and_out_and_forced_reencode(clip_src: Path, tmp_path: Path) -> None:
    result = cut_clip(
        clip_src, tmp_path / "c.mp4", 1000, 1400, lead_in_ms=200, lead_out_ms=200, mode="reencode"
    )
    frames, _ = decoded(tmp_path / "c.mp4")
    assert frames[0] == 20 and frames[-1] == 39 and result.mode_used == "reencode"


def test_vfr_clip_is_exact(tmp_path: Path) -> None:
    src = tmp_path / "vfr.mp4"
    starts = write_index_video(src, frames=80, gop=10, vfr_pattern=[40, 40, 120, 33, 33, 80])
    a, b = starts[13] + 5, starts[50]
    cut_clip(src, tmp_path / "c.mp4", a, b)
    frames, _ = decoded(tmp_path / "c.mp4")
    assert frames == list(range(13, 50))


def test_cancel_and_errors(clip_src: Path, tmp_path: Path) -> None:
    with pytest.raises(Cancelled):
        cut_clip(clip_src, tmp_path / "c.mp4", 520, 3000, mode="reencode", cancel=lambda: True)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(MediaError, match="outside the video"):
        cut_clip(clip_src, tmp_path / "c.mp4", 9000, 9500)
    with pytest.raises(MediaError, match="empty"):
        cut_clip(clip_src, tmp_path / "c.mp4", 1000, 1000)
    with pytest.raises(MediaError, match="missing"):
        cut_clip(tmp_path / "none.mp4", tmp_path / "c.mp4", 0, 100)


def test_batch_writes_index(clip_src: Path, tmp_path: Path) -> None:
    requests = [ClipRequest("s", 520, 900, "=warmth"), ClipRequest("s", 1200, 1600, "repair")]
    results = cut_clips(requests, {"s": str(clip_src)}, tmp_path / "out")
    rows = list(csv.DictReader((tmp_path / "out" / "index.csv").open(newline="")))
    assert [r["clip"] for r in rows] == [r.path.name for r in results]
    assert rows[0]["label"] == "'=warmth"
