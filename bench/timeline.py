"""Timeline painting with 20,000 events: render the view offscreen at several zoom levels and
print the paint time per frame against 16.7 ms (60 fps). Goal: <= 8 ms.
Run: QT_QPA_PLATFORM=offscreen python bench/timeline.py
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from coder.model import Event, Fingerprint, Media, Observation, Session, new_id
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from coder.timebase import TimeBase
from ui.timeline.scene import TimelineScene
from ui.timeline.view import TimelineView

N_EVENTS = 20_000
DURATION = 60 * 60 * 1000  # one hour


def build(path: Path) -> Project:
    project = Project.create(path)
    scheme, text = load_shipped("attachment-core")
    snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
    media = Media("m", "/none.mp4", Fingerprint(1, "0" * 64, "0" * 64, DURATION), DURATION, 25.0)
    with project.transaction():
        project.add_media(media, [i * 40 for i in range(DURATION // 40)])
        project.add_session(Session("s", "bench", "m"))
    project.add_observation(Observation("o", "s", "bench", snap.id))
    rng = random.Random(3)
    # Mixed point and state events; states are written directly (AddEvent would end the
    # running state of an exclusive group, which random overlapping spans keep tripping).
    with project.transaction():
        for _ in range(N_EVENTS):
            code = rng.choice(scheme.codes)
            onset = rng.randrange(0, DURATION - 10_000, 40)
            offset = onset + rng.randrange(200, 10_000, 40) if code.is_state else None
            subject = scheme.subjects_for(code)[0]
            project.insert_event(Event(new_id(), "o", code.id, subject, onset, offset))
    return project


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        project = build(Path(tmp) / "bench.attune")
        tb = TimeBase(project.frame_times("m"), DURATION)
        t0 = time.perf_counter()
        scene = TimelineScene(project, "o", tb, lambda c: True)
        build_s = time.perf_counter() - t0
        view = TimelineView(scene)
        view.resize(1600, 500)
        view.show()
        app.processEvents()
        image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
        print(f"scene with {len(scene.items_by_id)} events built in {build_s:.2f} s")
        for label, px_per_ms in (
            ("whole hour", 1560 / DURATION),
            ("1 minute", 1560 / 60_000),
            ("5 seconds", 1560 / 5000),
            ("single frames", 1.0),
        ):
            view.set_zoom(px_per_ms)
            view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum() // 2)
            app.processEvents()
            times = []
            for i in range(15):
                view.set_playhead(DURATION // 2 + i * 40)
                t = time.perf_counter()
                painter = QPainter(image)
                view.render(painter)
                painter.end()
                times.append((time.perf_counter() - t) * 1000)
            med = statistics.median(times)
            print(
                f"{label:>14}: {med:6.2f} ms per frame = {med / 16.7:.2f} of a 60 fps frame (goal <= 8 ms)"
            )
        scene.close()
        project.close()


if __name__ == "__main__":
    main()
