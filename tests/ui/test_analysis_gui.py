"""The Analysis window and the timeline's candidate lane, offscreen: candidates are shown but
never coded until a person accepts one, and accepting goes through undoable commands."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from coder.analysis.motion_cache import latest_motion, session_motion
from coder.analysis.synchrony import SynchronySettings, windowed_cross_lagged
from coder.app.session import CodingSession
from coder.commands import CommandStack
from coder.media.probe import media_from_probe, probe
from coder.media.synth_dyad import write_dyad_video
from coder.model import Consent, Event, Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from coder.timebase import TimeBase
from ui.analysis.window import AnalysisWindow
from ui.main_window import MainWindow
from ui.timeline.scene import TimelineScene

SHORT = SynchronySettings(window_s=10, step_s=5, max_lag_s=2, surrogate_rounds=10)


@pytest.fixture(scope="module")
def dyad_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """45 s at 10 fps; the child's figure repeats the parent's moves 0.6 s later."""
    path = tmp_path_factory.mktemp("gui-dyad") / "dyad.mp4"
    write_dyad_video(path, seconds=45, fps=10, lag_frames=6, seed=9)
    return path


@pytest.fixture
def dyad_project(tmp_path: Path, dyad_video: Path) -> Path:
    path = tmp_path / "dyad.attune"
    scheme, text = load_shipped("attachment-core")
    result = probe(dyad_video)
    media = media_from_probe(dyad_video, result)
    with Project.create(path, user="Ana") as project:
        snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
        with project.transaction():
            project.add_media(media, result.frame_times_ms)
            project.add_session(Session("s1", "Week 3", media.id, consent=Consent()))
        project.add_observation(Observation("o1", "s1", "Ana", snap.id, name="Week 3/Ana"))
        with project.transaction():  # bids answered by attunement one event later
            for i, t in enumerate(range(2000, 40_000, 4000)):
                project.insert_event(Event(f"b{i}", "o1", "child_bid", "child", t))
                project.insert_event(Event(f"a{i}", "o1", "attunement", "parent", t + 1000))
    return path


@pytest.fixture
def scene(qtbot, dyad_project: Path) -> Iterator[tuple[TimelineScene, Project, CodingSession]]:  # type: ignore[no-untyped-def]
    project = Project.open(dyad_project, user="Ana")
    media = project.media_list()[0]
    session = CodingSession(
        project, "o1", TimeBase(project.frame_times(media.id), media.duration_ms),
        CommandStack(project),
    )  # fmt: skip
    yield TimelineScene(session), project, session
    session.close()
    project.close()


def test_candidates_are_shown_and_coded_only_when_accepted(scene) -> None:  # type: ignore[no-untyped-def]
    timeline, project, session = scene
    series, _ = session_motion(project, "s1")
    result = windowed_cross_lagged(series, "parent", "child", SHORT)
    (candidate,) = result.candidates
    assert candidate.leader == "parent" and abs(candidate.lag_ms - 600) <= 100
    before = len(project.events("o1"))
    timeline.candidates.set_candidates(result.candidates)
    (item,) = timeline.candidates.items
    assert "candidate" in item.text.text() and "candidate" in item.toolTip()
    y, _ = timeline.lane_rect("candidates", "")
    assert (
        item.rect().top() >= y
        and timeline.lane_label(timeline.lanes.index(("candidates", ""))) == "Candidates"
    )
    assert len(project.events("o1")) == before and project.highlights("s1") == []
    menu = timeline.candidates.menu_for(candidate)
    texts = [a.text() for a in menu.actions()]
    assert "Make a highlight of this moment" in texts
    code_menu = next(a.menu() for a in menu.actions() if a.text() == "Code it as")
    assert isinstance(code_menu, QMenu)
    # One click: a highlight of the strongest 10 s, private until the clinician shares it.
    next(a for a in menu.actions() if a.text().startswith("Make a highlight")).trigger()
    (highlight,) = project.highlights("s1")
    assert highlight.out_ms - highlight.in_ms == 10_000 and not highlight.shareable
    assert candidate.start_ms <= highlight.in_ms and highlight.out_ms <= candidate.end_ms
    # One click: code it as a state spanning the candidate, on frame boundaries.
    lead = next(a for a in code_menu.actions() if a.text() == "Following the lead — Parent")
    lead.trigger()
    coded = [e for e in project.events("o1") if e.code_id == "following_lead"]
    assert len(coded) == 1 and coded[0].onset_ms == candidate.start_ms
    assert coded[0].offset_ms == session.timebase.snap(candidate.end_ms)
    session.stack.undo()
    session.stack.undo()
    assert project.highlights("s1") == [] and len(project.events("o1")) == before
    timeline.candidates.dismiss(candidate)
    assert timeline.candidates.items == []


def test_sequential_tab_computes_and_exports(qtbot, dyad_project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    with Project.open(dyad_project, user="Ana") as project:
        window = AnalysisWindow(project, "Ana", "o1", errors.append, lambda *_: None)
        qtbot.addWidget(window)
        tab = window.sequential
        assert tab.chosen_observations() == ["o1"]
        assert {b.label for b in tab.chosen_stream()} == {"child_bid@child", "attunement@parent"}
        tab.set_stream(["attunement@parent"])  # the given left out of the sequence by hand
        tab.compute()
        assert {b.label for b in tab.chosen_stream()} == {"child_bid@child", "attunement@parent"}
        rows = tab.results_text()
        # 10 bids, each followed by attunement: 19 lag-1 pairs, a = 10, b = 0, c = 0, d = 9.
        assert rows[-1][1:5] == ["10", "0", "0", "9"] and rows[-1][8] == "1.00"
        assert tab.heat.labels == ["attunement@parent", "child_bid@child"]  # scheme order
        out = tmp_path / "lag.csv"
        tab.export(str(out))
        assert next(iter(csv.DictReader(out.open())))["given_then_target"] == "10"
        assert (tmp_path / "lag-table.csv").exists()
        tab.mode.setCurrentIndex(1)  # time window, 3 s
        tab.compute()
        assert tab.window_result is not None and tab.window_result.answered == 10
        assert tab.histogram.isVisibleTo(tab) and not tab.heat.isVisibleTo(tab)
        assert tab.window_result.latencies_ms == (1000,) * 10
        assert errors == []
        window.close()


def test_synchrony_tab_measures_caches_and_feeds_the_lane(qtbot, dyad_project: Path) -> None:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, int]] = []
    errors: list[str] = []
    with Project.open(dyad_project, user="Ana") as project:
        window = AnalysisWindow(
            project, "Ana", "o1", errors.append, lambda s, c: sent.append((s, len(c)))
        )
        qtbot.addWidget(window)
        tab = window.synchrony
        assert [r.name for r in tab.editor.regions] == ["parent", "child"]
        assert tab.editor.image is not None  # a frame of the video to draw the boxes on
        tab.window_s.setValue(10)
        tab.step_s.setValue(5)
        tab.max_lag_s.setValue(2)
        tab.rounds.setValue(10)
        tab.compute()
        qtbot.waitUntil(lambda: tab.result is not None, timeout=20_000)
        assert tab.result is not None and tab.series is not None
        assert sent == [("s1", 1)] and tab.candidate_list.count() == 1
        assert "parent leads" in tab.candidate_list.item(0).text()
        media_id = project.media_list()[0].id
        assert latest_motion(project, media_id) is not None  # cached in the project
        assert errors == []
        window.close()


def test_main_window_lane_and_menu(qtbot, prefs, dyad_project: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(dyad_project, user="Ana") as project:
        session_motion(project, "s1")  # measured earlier: the lane fills when the timeline opens
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(dyad_project), user="Ana")
    assert w.scene is not None
    # Default settings on 45 s: one 30 s window with 5 s of lag room each side.
    qtbot.waitUntil(lambda: bool(w.scene and w.scene.candidates.items), timeout=10_000)
    (item,) = w.scene.candidates.items
    assert item.candidate.leader == "parent" and abs(item.candidate.lag_ms - 600) <= 100
    analysis_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Analysis")
    assert w.menu_actions.sequential in analysis_menu.actions()
    w.menu_actions.sequential.trigger()
    assert w.analysis.analysis_window is not None and w.analysis.analysis_window.isVisible()
    w.analysis.analysis_window.close()
    w.close()


def test_blind_coder_sees_only_their_own_observations(qtbot, dyad_project: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(dyad_project, user="Ana") as project:
        snap = project.observation("o1").snapshot_id
        project.add_observation(Observation("o2", "s1", "Ben", snap, name="Week 3/Ben", blind=True))
        window = AnalysisWindow(project, "Ben", "o2", lambda _m: None, lambda *_: None)
        qtbot.addWidget(window)
        tab = window.sequential
        listed = [tab.observations.item(i).text() for i in range(tab.observations.count())]
        assert listed == ["Week 3 — Ben"]  # Ana's coding stays hidden until both are final
        window.close()


def test_boxes_drawn_by_hand_are_measured_and_a_cancelled_run_saves_nothing(  # type: ignore[no-untyped-def]
    qtbot, dyad_project: Path
) -> None:
    from PySide6.QtCore import QPoint, Qt

    from coder.analysis.motion import MotionSettings

    errors: list[str] = []
    with Project.open(dyad_project, user="Ana") as project:
        window = AnalysisWindow(project, "Ana", "o1", errors.append, lambda *_: None)
        qtbot.addWidget(window)
        window.show()
        window.tabs.setCurrentIndex(1)
        tab = window.synchrony
        editor = tab.editor
        editor.resize(400, 300)
        area = editor.picture_rect()

        def at(fx: float, fy: float) -> QPoint:
            return QPoint(
                round(area.left() + fx * area.width()), round(area.top() + fy * area.height())
            )

        def drag(a: QPoint, b: QPoint) -> None:
            qtbot.mousePress(editor, Qt.MouseButton.LeftButton, pos=a)
            qtbot.mouseRelease(editor, Qt.MouseButton.LeftButton, pos=b)

        drag(at(0.05, 0.1), at(0.45, 0.9))  # the parent's box (the first person is chosen)
        tab.person.setCurrentIndex(1)
        drag(at(0.95, 0.9), at(0.55, 0.1))  # the child's, dragged the other way round
        qtbot.mouseClick(editor, Qt.MouseButton.LeftButton, pos=at(0.5, 0.5))  # a click: no box
        parent, child = editor.regions
        assert (parent.name, child.name) == ("parent", "child")
        for box, want in ((parent, (0.05, 0.1, 0.4, 0.8)), (child, (0.55, 0.1, 0.4, 0.8))):
            assert (box.x, box.y, box.w, box.h) == pytest.approx(want, abs=0.01)
        media_id = project.media_list()[0].id
        # Cancelled before the first frame is read: no result, nothing cached.
        tab.compute()
        tab.cancel()
        qtbot.waitUntil(tab.run_button.isEnabled, timeout=20_000)
        assert tab.result is None
        assert latest_motion(project, media_id) is None
        tab.window_s.setValue(10)
        tab.step_s.setValue(5)
        tab.max_lag_s.setValue(2)
        tab.rounds.setValue(10)
        tab.compute()
        qtbot.waitUntil(lambda: tab.result is not None, timeout=20_000)
        assert tab.series is not None and tab.series.regions == (parent, child)
        from coder.analysis.motion_cache import cached_motion

        assert cached_motion(project, media_id, [parent, child], MotionSettings()) is not None
        assert tab.result is not None and tab.result.candidates  # the boxes still hold the people
        assert errors == []
        window.close()
