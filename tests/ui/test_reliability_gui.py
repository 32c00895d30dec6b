"""Reliability window and disagreement review on the demo project (offscreen)."""

from __future__ import annotations

from pathlib import Path

from coder.reliability.compare import compare
from coder.store import Project
from ui.main_window import MainWindow
from ui.reliability.review import CONSENSUS, DisagreementReview
from ui.reliability.window import ReliabilityWindow


def test_window_shows_per_code_kappa_coloured_and_heatmap(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(demo_copy, read_only=True) as project:
        window = ReliabilityWindow(project)
        qtbot.addWidget(window)
        a, b = window.obs_a.currentData(), window.obs_b.currentData()
        assert a != b
        window.set_result(compare(project, a, b, slice_ms=1000))
        assert window.codes.rowCount() >= 10
        kappas = [window.codes.item(r, 1).text() for r in range(window.codes.rowCount())]
        assert any(k not in ("–", "") for k in kappas)
        colours = {
            window.codes.item(r, 1).background().color().name()
            for r in range(window.codes.rowCount())
            if window.codes.item(r, 1).text() not in ("–", "")
        }
        assert colours <= {"#d8f0d8", "#f8d8d0"} and colours
        assert window.matrix.rowCount() == window.matrix.columnCount() > 1
        assert "ICC(A,1)" in window.ratings.text()
        window.threshold.setValue(0.99)  # recolours without recomputing
        assert "#f8d8d0" in {
            window.codes.item(r, 1).background().color().name()
            for r in range(window.codes.rowCount())
        }


def test_compute_runs_off_the_gui_thread(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(demo_copy, read_only=True) as project:
        window = ReliabilityWindow(project)
        qtbot.addWidget(window)
        window.compute()
        qtbot.waitUntil(lambda: window.comparison is not None, timeout=10000)
        assert window.export_button.isEnabled()


def test_review_walks_disagreements_and_accepts_into_consensus(
    qtbot, prefs, demo_copy: Path
) -> None:  # type: ignore[no-untyped-def]
    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    assert w.open_project(str(demo_copy))
    assert w.project is not None and w.observation is not None and w.history.stack is not None
    other = next(o for o in w.project.observations() if o.id != w.observation.id)
    review = DisagreementReview(
        w.project, w.observation.id, other.id, w.player, w.history, tolerance_ms=300
    )
    qtbot.addWidget(review)
    assert review.items, "the demo's second coder differs somewhere"
    review.step(1)
    first = review.items[review.list.currentRow()]
    assert w.player.position == w.player.timebase.snap(first.at_ms)  # type: ignore[union-attr]
    side = "a" if first.a is not None else "b"
    review.accept_side(side)
    consensus = [o for o in w.project.observations() if o.coder == CONSENSUS]
    assert len(consensus) == 1 and len(w.project.events(consensus[0].id)) == 1
    w.history.undo()
    assert w.project.events(consensus[0].id) == []
    review.close()
    w.close()
