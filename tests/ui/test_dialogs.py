"""Session consent dialog and the export dialog's shared writer."""

from __future__ import annotations

from pathlib import Path

from coder.store import Project
from exports.dispatch import write_export
from ui.dialogs.session_dialog import SessionDialog


def test_consent_dialog_round_trip(qtbot, index_project: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(index_project) as p:
        session = p.session("s1")
        dialog = SessionDialog(session)
        qtbot.addWidget(dialog)
        assert (
            dialog.flags["show_to_parents"].isChecked() and not dialog.flags["research"].isChecked()
        )
        dialog.flags["research"].setChecked(True)
        dialog.family.setText("Rivera family")
        p.update_session(dialog.result_session())
        again = p.session("s1")
        assert (
            again.consent.research
            and again.consent.show_to_parents
            and again.family == "Rivera family"
        )


def test_export_scopes(index_project: Path, tmp_path: Path) -> None:
    with Project.open(index_project, read_only=True) as p:
        for fmt, name in (
            ("csv", "e.csv"),
            ("eaf", "e.eaf"),
            ("vtt", "e.vtt"),
            ("timeline-svg", "t.svg"),
        ):
            write_export(p, fmt, tmp_path / name, observation_ids=["o1"])
            assert (tmp_path / name).stat().st_size > 0


def test_parent_name_and_metric_opt_in_round_trip(qtbot, index_project: Path) -> None:  # type: ignore[no-untyped-def]
    from coder.app.parent import metrics_needing_opt_in
    from coder.schemes import load_shipped

    scheme, _ = load_shipped("pcit-style")
    optional = metrics_needing_opt_in(scheme)
    assert [m.id for m in optional] == ["qcn_count"]  # praise etc. are strength-only
    with Project.open(index_project) as p:
        dialog = SessionDialog(p.session("s1"), None, optional)
        qtbot.addWidget(dialog)
        dialog.parent_name.setText("First visit")
        dialog.opt_in["qcn_count"].setChecked(True)
        p.update_session(dialog.result_session())
        again = p.session("s1")
    assert again.parent_name == "First visit" and again.parent_metrics == ("qcn_count",)
