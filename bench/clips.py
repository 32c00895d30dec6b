"""Clip export on phone and camcorder recordings: our frame-exact cut (smart cut: re-encode up
to the first keyframe, copy the rest) vs a plain stream copy (fast, but starts at the keyframe
before the in point) vs re-encoding the whole clip — same file, same run. Every frame of our
clips is decoded and its index checked. Then the highlight reel and the parent handout of a
5-highlight session (one minute of 1080p phone video with sound).

Goals: 10 s of 1080p from a short-GOP phone video <= 0.5 s; long-GOP sources >= 4x real time;
reel >= 2x real time. The machine is shared (2 cores): every cut is repeated at several in
points and medians are printed, with CPU time next to wall time.
Run: python bench/clips.py [--formats a,b] [--cuts N] [--no-reel]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import av

from coder.media.clip import cut_clip
from coder.media.synth import read_frame_index
from coder.media.synth_recorded import FORMATS, SESSION

sys.path.insert(0, str(Path(__file__).resolve().parent))
from media_cache import recorded, unshadow

unshadow()

CLIP_S = 10


def all_frames(path: Path) -> list[int]:
    with av.open(str(path)) as c:
        return [read_frame_index(f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]


def stream_copy(src: Path, dst: Path, a_ms: int, b_ms: int) -> None:
    """What a plain cutter does: packets from the keyframe before the in point."""
    with av.open(str(src)) as c, av.open(str(dst), "w") as out:
        vin = c.streams.video[0]
        vout = out.add_stream_from_template(vin)
        c.seek(int(a_ms / 1000 / vin.time_base), stream=vin, backward=True)
        for p in c.demux(vin):
            if p.pts is None or not p.size:
                continue
            if p.dts is not None and float(p.dts * p.time_base) * 1000 >= b_ms:
                break
            p.stream = vout
            out.mux(p)


def timed(fn: object, *args: object, **kwargs: object) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu, result


def bench_format(name: str, cuts: int, tmp: Path) -> None:
    fmt = FORMATS[name]
    path, starts = recorded(fmt)
    seconds = min(CLIP_S, fmt.seconds - 2)
    rng = random.Random(3)
    walls, cpus, modes, exact = [], [], [], 0
    for n in range(cuts):
        # In points spread over the file, away from keyframes (the hard, common case).
        first = rng.randrange(fmt.gop // 4, len(starts) - round(seconds * fmt.fps) - 2)
        if first % fmt.gop == 0:
            first += 1
        a = starts[first]
        out = tmp / f"{name}-{n}.mp4"
        wall, cpu, result = timed(cut_clip, path, out, a, a + seconds * 1000)
        walls.append(wall)
        cpus.append(cpu)
        modes.append(result.mode_used)  # type: ignore[attr-defined]
        last = max(i for i, t in enumerate(starts) if t < a + seconds * 1000)
        exact += all_frames(out) == list(range(first, last + 1))
    a = starts[len(starts) // 3 + 1]
    copy_wall, _, _ = timed(stream_copy, path, tmp / "copy.mp4", a, a + seconds * 1000)
    copy_first = all_frames(tmp / "copy.mp4")[0]
    full_wall, full_cpu, _ = timed(
        cut_clip, path, tmp / "full.mp4", a, a + seconds * 1000, mode="reencode"
    )
    w = statistics.median(walls)
    print(
        f"{name:22} {seconds:2d} s clip: ours {w:5.2f} s wall (range {min(walls):.2f}-{max(walls):.2f}, "
        f"CPU {statistics.median(cpus):.2f} s) = {seconds / w:5.1f}x real time, "
        f"exact {exact}/{cuts}, modes {','.join(sorted(set(modes)))}"
    )
    print(
        f"{'':22}        stream copy {copy_wall:5.2f} s (first frame {copy_first}, wanted "
        f"{len(starts) // 3 + 1}: not exact); full re-encode {full_wall:5.2f} s wall "
        f"(CPU {full_cpu:.2f} s, {seconds / full_wall:.1f}x real time); "
        f"ours/re-encode {w / full_wall:.2f}x, ours/copy {w / copy_wall:.1f}x"
    )
    if fmt.gop <= fmt.fps * 2 and fmt.size[1] <= 1080:
        print(f"{'':22}        short-GOP goal: 10 s of 1080p <= 0.5 s -> {w:.2f} s")
    if fmt.gop > fmt.fps * 2:
        print(f"{'':22}        long-GOP goal: >= 4x real time -> {seconds / w:.1f}x")


def bench_reel_and_handout(tmp: Path) -> None:
    from coder.commands import AddHighlight, CommandStack, Composite
    from coder.media.probe import media_from_probe, probe
    from coder.model import Consent, FreezePoint, Highlight, Session, new_id
    from coder.schemes import load_shipped, scheme_content_hash
    from coder.store import Project
    from exports.handout import write_handout_html, write_handout_pdf
    from exports.handout_content import build_handout_content
    from exports.reel import ReelOptions, make_reel

    video, _ = recorded(SESSION)
    info = probe(video)
    media = media_from_probe(video, info)
    project_path = tmp / "reel.attune"
    scheme, text = load_shipped("attachment-core")
    with Project.create(project_path, user="bench") as project:
        project.adopt_scheme(scheme, text, scheme_content_hash(text))
        session = Session(
            new_id(),
            "Bench session",
            media.id,
            family="Bench family",
            consent=Consent(treatment=True, show_to_parents=True),
        )
        with project.transaction():
            project.add_media(media, info.frame_times_ms)
            project.add_session(session)
        highlights = []
        for n, start in enumerate((3_000, 14_000, 25_000, 36_000, 47_000)):
            h = Highlight(
                new_id(),
                session.id,
                start,
                start + 6_000,
                title=f"Moment {n + 1}",
                caption="You followed the lead.",
                order=n,
                shareable=True,
            )
            if n == 1:
                h = replace(h, speed=0.5, out_ms=start + 3_000)
            if n == 2:
                h = replace(h, freeze_points=(FreezePoint(start + 2_000, "Look here", 1.5),))
            highlights.append(h)
        CommandStack(project).push(Composite("highlights", [AddHighlight(h) for h in highlights]))
        wall, cpu, result = timed(make_reel, project, session.id, tmp / "reel.mp4", ReelOptions())
        reel_s = result.duration_ms / 1000  # type: ignore[attr-defined]
        print(
            f"highlight reel, 5 highlights of 1080p30 phone video -> {reel_s:.1f} s reel: "
            f"{wall:.2f} s wall (CPU {cpu:.2f} s) = {reel_s / wall:.1f}x real time (goal >= 2x)"
        )
        wall, cpu, content = timed(build_handout_content, project, session.id)
        html_wall, _, _ = timed(write_handout_html, content, tmp / "handout.html")
        pdf_wall, _, _ = timed(write_handout_pdf, content, tmp / "handout.pdf")
        print(
            f"parent handout, 4 stills: content {wall:.2f} s (CPU {cpu:.2f} s), "
            f"HTML {html_wall:.2f} s, PDF {pdf_wall:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--cuts", type=int, default=5)
    parser.add_argument("--no-reel", action="store_true")
    args = parser.parse_args()
    print(f"clips: PyAV {av.__version__}; {args.cuts} cuts per format at in points off keyframes")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for name in args.formats.split(","):
            bench_format(name, args.cuts, tmp)
        if not args.no_reel:
            bench_reel_and_handout(tmp)


if __name__ == "__main__":
    main()
