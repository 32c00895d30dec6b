"""coder.media.opening: our readers skip FFmpeg's probe decoding when a file's headers say
enough (MP4), and fall back to the full probe when they do not (an MPEG-TS from a camcorder)."""

from __future__ import annotations

from pathlib import Path

import av

from coder.media.opening import NO_PROBE, _headers_suffice, open_for_decoding
from coder.media.synth import read_frame_index
from coder.media.synth_recorded import SESSION, write_recorded_video


def _remux_to_ts(src: Path, dst: Path) -> None:
    with av.open(str(src)) as i, av.open(str(dst), "w", format="mpegts") as o:
        vi, ai = i.streams.video[0], i.streams.audio[0]
        vo, ao = o.add_stream_from_template(vi), o.add_stream_from_template(ai)
        for packet in i.demux(vi, ai):
            if packet.size and packet.dts is not None:
                packet.stream = vo if packet.stream.type == "video" else ao
                o.mux(packet)


def test_an_mp4_opens_without_the_probe_and_a_ts_with_it(tmp_path: Path) -> None:
    mp4, ts = tmp_path / "phone.mp4", tmp_path / "camcorder.ts"
    times = write_recorded_video(mp4, SESSION.scaled((192, 108), 2))
    _remux_to_ts(mp4, ts)
    with av.open(str(mp4), options=NO_PROBE) as quick:
        assert _headers_suffice(quick)  # the fast path is taken for MP4
    with av.open(str(ts), options=NO_PROBE) as quick:
        assert not _headers_suffice(quick)  # a TS says too little without probing
    for path in (mp4, ts):
        with open_for_decoding(str(path)) as c:
            v, a = c.streams.video[0], c.streams.audio[0]
            assert v.average_rate and a.codec_context.sample_rate and a.codec_context.channels
            pictures = [read_frame_index(f.to_ndarray(format="rgb24")) for f in c.decode(v)]
        assert pictures == list(range(len(times)))
