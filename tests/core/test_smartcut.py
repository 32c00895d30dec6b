"""Smart cut: head re-encoded, middle copied, tail re-encoded (B-frames); each piece with its
own sample description; every frame of the result checked; verified fallback."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import pytest

from coder.errors import Cancelled, MediaError
from coder.media import clip_source, smartcut
from coder.media.clip import cut_clip
from coder.media.synth import read_frame_index
from coder.media.synth_recorded import FORMATS, write_recorded_video

SMALL = (192, 108)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("smart")
    out: dict[str, Path] = {}
    for name, fmt in (
        ("h264", FORMATS["h264-1080p30-bframes"].scaled(SMALL, 3)),
        ("hevc", FORMATS["hevc-1080p60-bframes"].scaled(SMALL, 2)),
        ("hevc-open-gop", FORMATS["hevc-1080p60-bframes"].scaled(SMALL, 2)),
        ("phone", FORMATS["phone-vfr-rotated"].scaled(SMALL, 3)),
    ):
        if name == "hevc-open-gop":
            from dataclasses import replace

            fmt = replace(fmt, open_gop=True)
        out[name] = folder / f"{name}.mp4"
        STARTS[name] = write_recorded_video(out[name], fmt)
    return out


STARTS: dict[str, list[int]] = {}


def frames_of(path: Path) -> tuple[list[int], int]:
    with av.open(str(path)) as c:
        got = []
        rotation = 0
        for frame in c.decode(video=0):
            got.append(read_frame_index(frame.to_ndarray(format="rgb24")))
            rotation = frame.rotation
    return got, rotation


def stsd_entries(path: Path) -> int:
    data = path.read_bytes()

    def walk(at: int, end: int) -> int:
        while at < end:
            size, kind = struct.unpack(">I4s", data[at : at + 8])
            if kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl"):
                found = walk(at + 8, at + size)
                if found:
                    return found
            if kind == b"stsd" and data[at + 16 + 4 : at + 16 + 8] in (b"avc1", b"hvc1", b"hev1"):
                return int(struct.unpack(">I", data[at + 12 : at + 16])[0])
            at += size
        return 0

    return walk(0, len(data))


@pytest.mark.parametrize(
    ("name", "in_ms", "out_ms"),
    [
        ("h264", 400, 1960),  # GOP 30, 3 B-frames
        ("hevc", 220, 1500),  # GOP 60, 60 fps
        ("hevc-open-gop", 220, 1500),  # CRA keyframes with leading pictures
        ("phone", 300, 2500),  # VFR, rotated 90 degrees
    ],
)
def test_every_frame_of_a_smart_cut_is_exact(
    sources: dict[str, Path], tmp_path: Path, name: str, in_ms: int, out_ms: int
) -> None:
    src, starts = sources[name], STARTS[name]
    first = max(i for i, t in enumerate(starts) if t <= in_ms)  # shown at the in point
    last = max(i for i, t in enumerate(starts) if t < out_ms)  # shown just before the out point
    out = tmp_path / "clip.mp4"
    result = cut_clip(src, out, in_ms, out_ms)
    got, rotation = frames_of(out)
    assert result.mode_used == "smart"
    assert got == list(range(first, last + 1)) and result.frame_count == len(got)
    with av.open(str(src)) as c:
        assert rotation == next(c.decode(video=0)).rotation
    assert stsd_entries(out) >= 2  # the head's parameter sets and the source's


def out_point_with_tail(src: Path, in_ms: int) -> int:
    """An out point where the last frames wait for a B-frame reference after it."""
    for out_ms in range(1800, 2900, 33):
        region = clip_source.scan(src, in_ms, out_ms)
        first, last = region.shown_at(in_ms), region.shown_at(out_ms - 1)
        assert first is not None and last is not None
        plan = smartcut.make_plan(region, first, last + 1)
        region.close()
        if plan is not None and plan.tail:
            return out_ms
    raise AssertionError("the encoder put no B-frame before any of these out points")


def test_a_b_frame_source_gets_head_copy_and_tail_all_exact(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    src, starts = sources["h264"], STARTS["h264"]
    out_ms = out_point_with_tail(src, 400)
    region = clip_source.scan(src, 400, out_ms)
    first, last = region.shown_at(400), region.shown_at(out_ms - 1)
    assert first is not None and last is not None
    plan = smartcut.make_plan(region, first, last + 1)
    assert plan is not None and plan.head and plan.copy and plan.tail
    assert len(plan.head) + len(plan.copy) + len(plan.tail) == len(plan.frames)
    assert max(int(p.pts) for p in plan.copy) < min(plan.tail)
    region.close()
    result = cut_clip(src, tmp_path / "c.mp4", 400, out_ms)
    expected = list(range(12, max(i for i, t in enumerate(starts) if t < out_ms) + 1))
    assert result.mode_used == "smart" and frames_of(tmp_path / "c.mp4")[0] == expected
    # Head and tail come from identical encoder settings: the muxer points the tail back to
    # the head's sample description instead of writing a third.
    assert stsd_entries(tmp_path / "c.mp4") == 2


def test_a_cut_without_the_second_sample_description_is_caught(
    sources: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The naive splice (one avcC for both parts) decodes wrongly; verification must see it
    # and the clip must still come out exact, re-encoded.
    monkeypatch.setattr(smartcut, "_attach_extradata", lambda packet, data: None)
    out = tmp_path / "clip.mp4"
    result = cut_clip(sources["h264"], out, 400, 1960)
    assert result.mode_used == "reencode"
    assert frames_of(out)[0] == list(range(12, 59))
    with pytest.raises(MediaError, match="could not be verified"):
        cut_clip(sources["h264"], tmp_path / "other.mp4", 400, 1960, mode="smart")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_cancelling_a_smart_cut_leaves_nothing(sources: dict[str, Path], tmp_path: Path) -> None:
    calls = iter(range(10_000))
    with pytest.raises(Cancelled):
        cut_clip(sources["hevc"], tmp_path / "c.mp4", 220, 1500, cancel=lambda: next(calls) > 40)
    assert list(tmp_path.iterdir()) == []
