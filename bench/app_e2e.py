"""What a person feels in the real app (offscreen Qt, the real MainWindow and player):

- app start -> first exact frame painted (a fresh process running ui.app.run_gui; the "who is
  coding" dialog answered at once; goal <= 2 s);
- open a project of 100,000 events -> usable window (goal <= 1 s);
- key press -> the exact frame painted: step forward/back (Right/Left, back across keyframes at
  a person's pace) and seek (Ctrl+Right = +5 s, Shift+Left = -1 s), next to the frame period;
- playback at 4x on 1080p: frames the player delivered and painted vs the frames in the range;
- memory: RSS while stepping and seeking through a 2-hour session, and its slope.

"Painted" is measured inside VideoView.paintEvent (wrapped here, not changed in ui/): the time
the paint finished and the frame number read from the picture it painted (each generated
frame carries its number as black/white blocks). Every measurement runs in a fresh process.
The machine is shared (2 cores): repeated, medians reported.
Run: python bench/app_e2e.py [--quick] [--only start,open,keys,play,memory]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from media_cache import cache_dir, recorded, unshadow

unshadow()

from coder.media.synth import BITS, index_strip_height
from coder.media.synth_recorded import FORMATS, RecordedFormat

PHONE = FORMATS["h264-1080p30-bframes"]
LONG_SESSION = RecordedFormat(  # two hours, made by repeating ten minutes (see long_video)
    "session-720p25-10min", "libx264", (1280, 720), 25, 50, 2, 600, preset="ultrafast", crf=32
)
HOURS2_MS = 2 * 3600 * 1000


# --- fixtures (parent) ---------------------------------------------------------------------


def build_project(path: Path, video: Path, frame_times: list[int], events: int = 0) -> None:
    from coder.media.probe import probe
    from coder.model import Event, Observation, Session, new_id
    from coder.schemes import load_shipped, scheme_content_hash
    from coder.store import Project

    info = probe(video) if not frame_times else None
    times = frame_times or (info.frame_times_ms if info else [])
    scheme, text = load_shipped("attachment-core")
    with Project.create(path, user="bench") as project:
        snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
        from coder.media.fingerprint import fingerprint
        from coder.model import Media

        duration = times[-1] + (times[-1] - times[-2])
        media = Media(
            new_id(),
            str(video),
            fingerprint(video, duration),
            duration,
            1000 * len(times) / duration,
            width=0,
            height=0,
            frame_count=len(times),
        )
        with project.transaction():
            project.add_media(media, times)
            project.add_session(Session("s", "bench", media.id))
        project.add_observation(Observation("o", "s", "bench", snap.id))
        if events:
            rng = random.Random(7)
            points = [c for c in scheme.codes if not c.is_state]
            with project.transaction():
                for i in range(events):
                    code = points[i % len(points)]
                    onset = rng.randrange(0, duration - 1000, 40)
                    subject = scheme.subjects_for(code)[0]
                    project.insert_event(Event(new_id(), "o", code.id, subject, onset, None))
        del info


def long_video() -> tuple[Path, list[int]]:
    """A 2-hour 720p session: ten generated minutes, their packets repeated 12 times."""
    target = cache_dir() / "session-720p25-2h.mp4"
    chunk, times = recorded(LONG_SESSION)
    period = times[-1] + 40
    copies = HOURS2_MS // period
    all_times = [k * period + t for k in range(copies) for t in times]
    if not target.exists():
        import av

        part = target.with_name(".session-2h.part.mp4")
        with av.open(str(chunk)) as c, av.open(str(part), "w") as out:
            vin = c.streams.video[0]
            vout = out.add_stream_from_template(vin)
            shift = round(period / 1000 / vin.time_base)
            packets = [p for p in c.demux(vin) if p.size]
            for k in range(copies):
                for p in packets:
                    clone = av.Packet(bytes(p))
                    clone.pts, clone.dts = p.pts + k * shift, p.dts + k * shift
                    clone.duration, clone.is_keyframe = p.duration, p.is_keyframe
                    clone.time_base, clone.stream = p.time_base, vout
                    out.mux(clone)
        os.replace(part, target)
    return target, all_times


# --- the child side: the real app ----------------------------------------------------------


def _child_setup() -> tuple[Any, list[tuple[float, int]]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QMessageBox

    import ui.player.video_view as video_view

    QMessageBox.warning = lambda *a, **k: None  # type: ignore[method-assign,assignment]
    # Opening a project asks who is coding (a modal dialog): answer it at once, so the
    # timings are the app's, not a person's choosing their name.
    import ui.main_window

    ui.main_window.ask_coder = lambda *a, **k: "bench"  # type: ignore[attr-defined]
    painted: list[tuple[float, int]] = []
    original = video_view.VideoView.paintEvent

    def paint(self: Any, event: Any) -> None:
        original(self, event)
        image = self.controller.image
        if not image.isNull():
            painted.append((time.perf_counter(), picture_index(image)))

    video_view.VideoView.paintEvent = paint  # type: ignore[method-assign]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    return app, painted


def picture_index(image: Any) -> int:
    """The frame number drawn in the picture (block centres sampled straight from the QImage)."""
    height, width = image.height(), image.width()
    strip = index_strip_height(height)
    index = 0
    for bit in range(BITS):
        x = int((bit + 0.5) * width / BITS)
        rgb = image.pixel(x, strip // 2)
        if ((rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255)) / 3 >= 128:
            index |= 1 << bit
    return index


def _wait(app: Any, condition: Any, timeout: float = 20.0) -> bool:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        time.sleep(0.0005)
    return True


def _window(project: str, audio: bool = False) -> Any:
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow
    from ui.settings import Preferences

    folder = os.environ.get("XDG_CONFIG_HOME") or tempfile.mkdtemp()  # the parent removes it
    settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
    prefs = Preferences(settings)
    prefs.ask_modifiers = False
    window = MainWindow(prefs=prefs, audio=audio)
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    return window


def child_start(project: str) -> dict[str, Any]:
    t0 = float(os.environ["ATTUNE_BENCH_T0"])
    app, painted = _child_setup()
    from PySide6.QtCore import QTimer

    import ui.app

    done: dict[str, float] = {}

    def check() -> None:
        if painted and painted[-1][1] == 0:
            done["first_frame_s"] = time.time() - t0
            app.quit()
        else:
            QTimer.singleShot(1, check)

    QTimer.singleShot(0, check)
    ui.app.run_gui(project)
    return done


def child_open(project: str) -> dict[str, Any]:
    app, painted = _child_setup()
    window = _window(project)
    app.processEvents()
    t = time.perf_counter()
    window.open_project(project)
    opened = time.perf_counter() - t
    app.processEvents()
    window.grab()  # paints every view once: the timeline and table are on screen
    usable = time.perf_counter() - t
    _wait(app, lambda: bool(painted))
    first = (painted[0][0] - t) if painted else float("nan")
    events = window.table_model.rowCount() if window.table_model is not None else 0
    coded = _code_by_keys(app, window, events)
    return {"open_s": opened, "usable_s": usable, "first_frame_s": first, "rows": events} | coded


def _code_by_keys(app: Any, window: Any, rows: int) -> dict[str, float]:
    """Key press -> the new event listed in the table, in the open 100,000-event observation:
    a point (attunement, A) and a state of an exclusive group (following the lead, F; its
    rivals are found through their index, not by reading every event)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    times: dict[str, float] = {}
    model = window.table_model
    for name, key in (("point", Qt.Key.Key_A), ("state", Qt.Key.Key_F), ("state end", Qt.Key.Key_F)):
        QTest.keyClick(window, Qt.Key.Key_Right)  # a frame of its own
        app.processEvents()
        before = model.rowCount()
        t = time.perf_counter()
        QTest.keyClick(window, key)
        grown = name == "state end" or _wait(app, lambda b=before: model.rowCount() > b, 10.0)
        app.processEvents()
        times[f"code_{name}_ms"] = (time.perf_counter() - t) * 1000 if grown else float("nan")
    return times


def child_keys(project: str, pace: float, rounds: int) -> dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app, painted = _child_setup()
    window = _window(project)
    window.open_project(project)
    _wait(app, lambda: bool(painted) and painted[-1][1] == 0)
    player = window.player
    tb = player.timebase
    key = Qt.Key
    mod = Qt.KeyboardModifier
    actions = {
        "step +1": (key.Key_Right, mod.NoModifier, lambda f, ms: f + 1),
        "step -1": (key.Key_Left, mod.NoModifier, lambda f, ms: f - 1),
        "seek +5 s": (key.Key_Right, mod.ControlModifier, lambda f, ms: tb.frame_at(ms + 5000)),
        "seek -1 s": (key.Key_Left, mod.ShiftModifier, lambda f, ms: tb.frame_at(ms - 1000)),
    }
    times: dict[str, list[float]] = {name: [] for name in actions}
    wrong: dict[str, int] = {name: 0 for name in actions}
    plan = []
    for _ in range(rounds):
        plan += ["seek +5 s"] + ["step -1"] * 12 + ["step +1"] * 6 + ["seek -1 s"]
    for name in plan:
        k, m, expect = actions[name]
        target = expect(player.frame, player.position)
        time.sleep(pace)
        app.processEvents()
        start = time.perf_counter()
        seen = len(painted)
        QTest.keyClick(window, k, m)
        ok = _wait(app, lambda s=seen, t=target: any(i == t for _, i in painted[s:]), 10.0)
        if not ok:
            wrong[name] += 1
            continue
        at = next(t for t, i in painted[seen:] if i == target)
        times[name].append(at - start)
        wrong[name] += player.frame != target
    period = (tb.ms_of(tb.frame_count - 1) - tb.ms_of(0)) / (tb.frame_count - 1)
    return {"times": times, "wrong": wrong, "period_ms": period}


def child_play(project: str, rate: float, seconds: float) -> dict[str, Any]:
    app, painted = _child_setup()
    window = _window(project)
    window.open_project(project)
    _wait(app, lambda: bool(painted))
    player = window.player
    delivered: list[int] = []
    # Every frame the player decoded (none dropped?); the pictures painted are fewer when
    # frames come faster than a screen shows them.
    player.backend.frameArrived.connect(lambda ms: delivered.append(player.timebase.frame_at(ms)))
    player.set_rate(rate)
    player.seek(1000)
    _wait(app, lambda: painted[-1][1] == player.frame)
    painted.clear()
    start = time.perf_counter()
    player.play()
    _wait(app, lambda: time.perf_counter() - start > seconds, seconds + 5)
    player.pause()
    app.processEvents()
    played = sorted(set(delivered))
    shown = sorted({i for _, i in painted})
    if not played:
        return {"delivered": 0}
    span = range(played[0], played[-1] + 1)
    return {
        "wall_s": seconds,
        "span": len(span),
        "delivered": len(played),
        "painted": len(shown),
        "missing": len(set(span) - set(played)),
        "media_s": len(span) / PHONE.fps,
    }


def child_memory(project: str, operations: int) -> dict[str, Any]:
    app, painted = _child_setup()
    window = _window(project)
    window.open_project(project)
    _wait(app, lambda: bool(painted))
    player = window.player
    tb = player.timebase
    rng = random.Random(5)
    samples: list[tuple[int, float]] = []
    exact = 0
    for n in range(operations):
        roll = rng.random()
        if roll < 0.05:  # jump somewhere in the two hours (an event, a click on the timeline)
            target = rng.randrange(0, tb.frame_count - 100)
        elif roll < 0.55:
            target = player.frame + 1
        else:
            target = max(0, player.frame - 1)
        seen = len(painted)
        player.seek_frame(target)
        _wait(app, lambda s=seen, t=target: any(i == t % 15000 for _, i in painted[s:]), 10.0)
        exact += any(i == target % 15000 for _, i in painted[seen:])
        if n % 100 == 0:
            samples.append((n, _rss_mb()))
    return {"samples": samples, "peak_mb": _peak_mb(), "exact": exact, "operations": operations}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the parent: run children, print ----------------------------------------------------


def run_child(*args: str) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ATTUNE_BENCH_T0=repr(time.time()))
    with tempfile.TemporaryDirectory(prefix="attune-bench-config-") as config:
        env["XDG_CONFIG_HOME"] = config  # a fresh app: no recent files, no saved layout
        out = subprocess.run(
            [sys.executable, __file__, "--child", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"child {args[0]} failed:\n{out.stderr[-2000:]}")


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per 1000 operations over the second half (after warm-up)."""
    half = points[len(points) // 2 :]
    if len(half) < 2:
        return float("nan")
    xs, ys = [p[0] for p in half], [p[1] for p in half]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return 1000 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="start,open,keys,play,memory")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--operations", type=int, default=0, help="memory: steps/seeks (an hour at 5/s: 18000)"
    )
    args = parser.parse_args()
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        runners = {
            "start": lambda: child_start(rest[0]),
            "open": lambda: child_open(rest[0]),
            "keys": lambda: child_keys(rest[0], float(rest[1]), int(rest[2])),
            "play": lambda: child_play(rest[0], float(rest[1]), float(rest[2])),
            "memory": lambda: child_memory(rest[0], int(rest[1])),
        }
        print(json.dumps(runners[kind]()))
        return
    only = set(args.only.split(","))
    reps = 1 if args.quick else args.reps
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        video, times = recorded(PHONE)
        phone = tmp / "phone.attune"
        build_project(phone, video, times)
        print(f"app end to end (offscreen, real MainWindow); {reps} runs each; shared 2-core machine")
        if "start" in only:
            runs = [run_child("start", str(phone))["first_frame_s"] for _ in range(reps)]
            print(
                f"app start -> first exact frame painted: median {statistics.median(runs):.2f} s "
                f"(runs {', '.join(f'{r:.2f}' for r in runs)}; goal <= 2 s)"
            )
        if "open" in only:
            big = tmp / "big.attune"
            build_project(big, video, times, events=100_000)
            runs = []
            for rep in range(reps):  # each run codes a few events: each opens its own copy
                copy = tmp / f"big-{rep}.attune"
                shutil.copyfile(big, copy)
                runs.append(run_child("open", str(copy)))
            usable = statistics.median(r["usable_s"] for r in runs)
            print(
                f"open a project of 100,000 events -> usable window: median {usable:.2f} s "
                f"(open_project {statistics.median(r['open_s'] for r in runs):.2f} s, "
                f"first frame {statistics.median(r['first_frame_s'] for r in runs):.2f} s, "
                f"{runs[0]['rows']} rows in the table; goal <= 1 s)"
            )
            print(
                "  then key press -> new event listed: point "
                f"{statistics.median(r['code_point_ms'] for r in runs):.0f} ms, state "
                f"{statistics.median(r['code_state_ms'] for r in runs):.0f} ms, state end "
                f"{statistics.median(r['code_state end_ms'] for r in runs):.0f} ms (medians)"
            )
        if "keys" in only:
            merged: dict[str, list[float]] = {}
            wrong: dict[str, int] = {}
            period = 0.0
            for _ in range(reps):
                r = run_child("keys", str(phone), "0.2", "2" if args.quick else "4")
                period = r["period_ms"]
                for name, values in r["times"].items():
                    merged.setdefault(name, []).extend(values)
                    wrong[name] = wrong.get(name, 0) + r["wrong"][name]
            print(f"key press -> exact frame painted (1080p30 H.264 B-frames, GOP 30; period {period:.1f} ms):")
            for name, values in merged.items():
                med, worst = statistics.median(values) * 1000, max(values) * 1000
                print(
                    f"  {name:10} median {med:6.1f} ms ({med / period:.2f} period), worst {worst:6.1f} ms "
                    f"({worst / period:.1f}), {len(values)} presses, wrong frame {wrong[name]}"
                )
        if "play" in only:
            runs = [run_child("play", str(phone), "4.0", "3.0") for _ in range(reps)]
            for r in runs:
                achieved = r["media_s"] / r["wall_s"]  # did it keep up with 4x at all?
                print(
                    f"playback at 4x, 1080p30: {r['span']} frames in the range played in "
                    f"{r['wall_s']:.1f} s = {achieved:.1f}x achieved (asked 4x), delivered by the "
                    f"player {r['delivered']}, painted {r['painted']}, missing {r['missing']}"
                )
        if "memory" in only:
            big_video, big_times = long_video()
            session = tmp / "long.attune"
            build_project(session, big_video, big_times)
            operations = args.operations or (600 if args.quick else 3000)
            r = run_child("memory", str(session), str(operations))
            per_k = slope(r["samples"])
            per_hour = per_k * 18  # an hour of stepping at 5 presses a second = 18,000
            first, last = r["samples"][0][1], r["samples"][-1][1]
            print(
                f"memory, 2-hour 720p session, {r['operations']} steps/seeks as fast as painted "
                f"(exact {r['exact']}): RSS {first:.0f} -> {last:.0f} MB, peak {r['peak_mb']:.0f} MB, "
                f"slope {per_k:+.1f} MB per 1000 operations (= {per_hour:+.0f} MB per hour at 5/s)"
            )


if __name__ == "__main__":
    main()
