"""Reliability window and disagreement review on the demo project (offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.app.visibility import CONSENSUS_CODER
from coder.reliability.compare import compare
from coder.store import Project
from ui.main_window import MainWindow
from ui.reliability.review import DisagreementReview
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
    assert review.player.position == review.player.timebase.snap(first.at_ms)  # type: ignore[union-attr]
    side = "a" if first.a is not None else "b"
    accepted = first.a if side == "a" else first.b
    assert accepted is not None
    review.accept_side(side)
    consensus = [o for o in w.project.observations() if o.coder == CONSENSUS_CODER]
    assert len(consensus) == 1
    (copy,) = w.project.events(consensus[0].id)
    assert (copy.code_id, copy.onset_ms, copy.note) == (accepted.code_id, accepted.onset_ms, "")
    assert w.history.undo_action.text() == f"&Undo Accept {side.upper()}'s event into consensus"
    w.history.undo()  # one step takes back the event and the consensus observation it made
    assert [o for o in w.project.observations() if o.coder == CONSENSUS_CODER] == []
    assert not w.history.undo_action.isEnabled()
    review.close()
    w.close()


def test_window_offers_every_method_with_the_cli_defaults(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    from coder.reliability.options import METHODS, default_tolerance_ms

    with Project.open(demo_copy, read_only=True) as project:
        window = ReliabilityWindow(project)
        qtbot.addWidget(window)
        offered = [window.method.itemData(i) for i in range(window.method.count())]
        assert offered == list(METHODS)
        for i, method in enumerate(offered):
            window.method.setCurrentIndex(i)
            # the same documented default as the CLI: 2 s for events/aligned, 0 = exact
            assert round(window.tolerance.value() * 1000) == default_tolerance_ms(method)
            assert window.options()["tolerance_ms"] == default_tolerance_ms(method)
            assert window.overlap.isEnabled() == (method == "elan")
        window.method.setCurrentIndex(offered.index("timeunit"))
        assert window.options()["tolerance_ms"] == 0
        assert window.tolerance.text() == "0 s (exact)"


def test_window_shows_names_readings_alignment_and_drift(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(demo_copy, read_only=True) as project:
        window = ReliabilityWindow(project)
        qtbot.addWidget(window)
        a, b = window.obs_a.currentData(), window.obs_b.currentData()
        scheme = project.scheme_for_observation(a)
        code_names = {c.name for c in scheme.codes}
        subject_names = {s.name for s in scheme.subjects}
        result = compare(project, a, b, method="aligned", drift_by="thirds")
        window.set_result(result)
        shown_codes = {window.codes.item(r, 0).text() for r in range(window.codes.rowCount())}
        assert shown_codes & code_names  # names, not ids
        readings = [window.codes.item(r, 8).text() for r in range(window.codes.rowCount())]
        assert any(text.startswith("κ ") for text in readings)
        assert {"all codes — drift: first third", "all codes — drift: last third"} <= shown_codes
        rows = result["pairs"][0]["alignment"]
        assert window.alignment.rowCount() == len(rows) > 0
        first = rows[0]
        side = first["a"] or first["b"]
        col = 1 if first["a"] else 3
        assert window.alignment.item(0, col).text() == side["code_name"]
        assert window.alignment.item(0, 4).text() in subject_names
        identity = compare(project, a, b, method="identity")
        window.set_result(identity)
        assert window.codes.horizontalHeaderItem(1).text() == "Identity %"
        assert window.codes.rowCount() == 1
        value = float(window.codes.item(0, 1).text())
        assert value == pytest.approx(identity["pairs"][0]["identity"], abs=5e-4)
        assert window.codes.item(0, 1).background().color().name() not in ("#d8f0d8", "#f8d8d0")


def test_project_overview_tab_pools_pairs_and_shows_the_plan(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    from coder.reliability.plan import make_plan

    with Project.open(demo_copy) as project:
        plan = make_plan(project, 25, seed=5)
    with Project.open(demo_copy, read_only=True) as project:
        window = ReliabilityWindow(project)
        qtbot.addWidget(window)
        window.compute_overview()  # off the GUI thread
        qtbot.waitUntil(lambda: window.board is not None, timeout=20000)
        board = window.board
        assert board is not None and board["pairs"] == 1
        assert window.overview.rowCount() == len(board["codes"]) + sum(
            1 + len(p["codes"]) for p in board["coder_pairs"]
        )
        names = {c.name for c in project.scheme_for_observation(window.obs_a.currentData()).codes}
        shown = {window.overview.item(r, 1).text() for r in range(window.overview.rowCount())}
        assert shown & names
        # the per-code rows equal a single comparison of the demo's one pair
        single = compare(project, window.obs_a.currentData(), window.obs_b.currentData())
        first = single["pairs"][0]["per_code"][0]
        row = next(
            r
            for r in range(window.overview.rowCount())
            if window.overview.item(r, 1).text() == first["code_name"]
        )
        assert window.overview.item(row, 0).text() == "all pairs"
        expected = first["kappa"]["value"]
        assert window.overview.item(row, 2).text() == (
            "–" if expected is None else f"{expected:.3f}"
        )
        assert f"seed {plan.seed}" in window.plan_text.text()


def test_export_writes_the_overview_when_its_tab_is_shown(
    qtbot, demo_copy: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import csv

    from PySide6.QtWidgets import QFileDialog

    from coder.reliability.dashboard import dashboard

    with Project.open(demo_copy, read_only=True) as project:
        window = ReliabilityWindow(project)
        qtbot.addWidget(window)
        window.set_overview(dashboard(project))
        target = tmp_path / "overview.csv"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
        window.export()
        rows = list(csv.DictReader(target.open(encoding="utf-8")))
        assert {r["scope"] for r in rows} == {"code", "coder pair", "coder pair, code"}
