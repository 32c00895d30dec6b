"""Media: probing (CFR, VFR, several containers, bad files), the time base, exact decoding."""

from __future__ import annotations

import os
import random
from pathlib import Path

import av
import pytest

from coder.errors import MediaError
from coder.media.decode import FrameDecoder
from coder.media.fingerprint import fingerprint, matches
from coder.media.probe import media_from_probe, probe
from coder.media.synth import read_frame_index, write_index_video
from coder.timebase import TimeBase

VFR = [40, 40, 40, 120, 33, 33, 80, 40]  # a phone dropping frames and catching up


@pytest.fixture(scope="module")
def vfr_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    path = tmp_path_factory.mktemp("media") / "vfr.mp4"
    return path, write_index_video(path, frames=150, gop=12, vfr_pattern=VFR, audio=True)


def test_probe_reads_packet_timestamps_of_vfr_clip(vfr_clip: tuple[Path, list[int]]) -> None:
    path, starts = vfr_clip
    result = probe(path)
    assert result.frame_times_ms == starts
    assert result.variable_frame_rate and result.has_audio
    assert (result.width, result.height) == (160, 120)
    media = media_from_probe(path, result)
    assert media.frame_count == 150 and matches(path, media.fingerprint)


def test_timebase_round_trips_every_frame(vfr_clip: tuple[Path, list[int]]) -> None:
    path, starts = vfr_clip
    tb = TimeBase(probe(path).frame_times_ms, probe(path).duration_ms)
    for i in range(tb.frame_count - 1):
        assert tb.frame_at(tb.ms_of(i)) == i
        assert tb.frame_at(tb.ms_of(i + 1) - 1) == i
    assert tb.frame_at(-10) == 0 and tb.frame_at(10**9) == tb.frame_count - 1
    assert tb.step(starts[3], 1) == starts[4] and tb.step(starts[4], -1) == starts[3]
    assert tb.snap(starts[3] + 100) == starts[3]  # inside the 120 ms frame
    assert tb.nearest_frame_edge(starts[3] + 100) == starts[4]


def test_decoder_is_exact_on_random_seeks(vfr_clip: tuple[Path, list[int]]) -> None:
    path, starts = vfr_clip
    decoder = FrameDecoder(path)
    rng = random.Random(5)
    for _ in range(40):
        ms = rng.randrange(0, starts[-1] + 30)
        expected = max(i for i, t in enumerate(starts) if t <= ms)
        frame = decoder.frame_at_ms(ms)
        assert frame.index == expected and read_frame_index(frame.image) == expected
        assert frame.pts_ms == starts[expected]
    decoder.close()


def test_stepping_backwards_within_a_gop_needs_no_seek(vfr_clip: tuple[Path, list[int]]) -> None:
    path, _ = vfr_clip
    decoder = FrameDecoder(path)
    decoder.frame(59)  # GOP 12: frames 48..59 get decoded and cached
    seeks = decoder.seeks
    assert [read_frame_index(decoder.step(-1).image) for _ in range(11)] == list(range(58, 47, -1))
    assert decoder.seeks == seeks
    assert read_frame_index(decoder.step(-1).image) == 47  # across the GOP boundary
    assert [read_frame_index(decoder.step(1).image) for _ in range(30)] == list(range(48, 78))
    decoder.close()


@pytest.mark.parametrize(
    ("codec", "suffix", "fmt"),
    [
        ("libx264", ".mkv", "matroska"),
        ("libx264", ".mov", "mov"),
        ("mpeg4", ".avi", "avi"),
    ],
)
def test_common_containers_open_exactly(tmp_path: Path, codec: str, suffix: str, fmt: str) -> None:
    path = tmp_path / f"clip{suffix}"
    write_index_video(path, frames=30, codec=codec, container_format=fmt)
    result = probe(path)
    assert result.frame_count == 30
    decoder = FrameDecoder(path, result.frame_times_ms)
    assert read_frame_index(decoder.frame(17).image) == 17
    decoder.close()


def test_hevc_if_the_encoder_exists(tmp_path: Path) -> None:
    if "libx265" not in av.codecs_available:
        pytest.skip("this PyAV build has no HEVC encoder")
    path = tmp_path / "hevc.mp4"
    write_index_video(path, frames=20, codec="libx265")
    assert probe(path).frame_count == 20


def test_bad_files_give_clear_errors_quickly(
    tmp_path: Path, vfr_clip: tuple[Path, list[int]]
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(os.urandom(20000))
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(vfr_clip[0].read_bytes()[:3000])
    for bad, message in [
        (junk, "not a readable video"),
        (empty, "empty"),
        (truncated, "not a readable video|damaged|no frames"),
        (tmp_path / "gone.mp4", "missing"),
        (tmp_path, "folder"),
    ]:
        with pytest.raises(MediaError, match=message):
            probe(bad)


def test_fingerprint_distinguishes_files(tmp_path: Path, vfr_clip: tuple[Path, list[int]]) -> None:
    path, _ = vfr_clip
    fp = fingerprint(path, 1000)
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(path.read_bytes())
    assert matches(copy, fp)
    changed = bytearray(path.read_bytes())
    changed[-10] ^= 0xFF
    copy.write_bytes(bytes(changed))
    assert not matches(copy, fp) and not matches(tmp_path / "none.mp4", fp)
