"""Feedback and analysis menu actions: present, reel, handout, reliability, disagreements.

Parent-facing outputs refuse a session without "show to parents" consent (the error comes
from coder.consent and is shown as a message). Long jobs run off the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog

from coder.errors import AttuneError
from coder.store import Project
from ui.jobs import run_job

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _session(w: MainWindow) -> Any:
    if w.project is None or w.observation is None:
        w.show_error("Open an observation first.")
        return None
    return w.project.session(w.observation.session_id)


def present(w: MainWindow) -> None:
    from ui.feedback.presentation import PresentationWindow, plan_presentation

    session = _session(w)
    if session is None or w.project is None:
        return
    try:
        media = w.project.media(session.media_id)
        plan = plan_presentation(session, media.path, w.project.highlights(session.id))
    except AttuneError as exc:
        w.show_error(str(exc))
        return
    if not plan.highlights:
        w.show_error("No highlights are marked 'Show to parents' yet.")
        return
    w.player.pause()
    window = PresentationWindow(plan)
    screens = QGuiApplication.screens()
    if len(screens) > 1:  # a second screen is where the parents look
        window.setScreen(screens[1])
        window.move(screens[1].geometry().topLeft())
    window.showFullScreen()
    w.presentation = window


def reel(w: MainWindow) -> None:
    from exports.reel import ReelOptions, make_reel

    session = _session(w)
    if session is None or w.project is None:
        return
    path, _ = QFileDialog.getSaveFileName(
        w, "Save highlight reel", f"{session.label}-moments.mp4", "MP4 (*.mp4)"
    )
    if not path:
        return
    project_path = w.project.path
    watermark = f"For {session.family or 'your family'} only"

    def job(progress: Any, cancelled: Any) -> object:
        with Project.open(project_path, read_only=True) as reader:
            return make_reel(
                reader,
                session.id,
                path,
                ReelOptions(watermark=watermark),
                progress=progress,
                cancel=cancelled,
            )

    w.feedback_job = run_job(
        w,
        "Making the highlight reel…",
        job,
        lambda r: w.statusBar().showMessage(f"Reel saved: {path}", 8000),
        w.show_error,
    )


def handout(w: MainWindow) -> None:
    from exports.handout import write_handout_html, write_handout_pdf
    from exports.handout_content import build_handout_content

    session = _session(w)
    if session is None or w.project is None:
        return
    path, _ = QFileDialog.getSaveFileName(
        w, "Save parent handout", f"{session.label}-handout.pdf", "PDF (*.pdf);;Web page (*.html)"
    )
    if not path:
        return
    project_path = w.project.path

    def job(progress: Any, cancelled: Any) -> object:
        with Project.open(project_path, read_only=True) as reader:
            content = build_handout_content(
                reader, session.id, watermark=True, progress=progress, cancel=cancelled
            )
        (write_handout_html if path.lower().endswith((".html", ".htm")) else write_handout_pdf)(
            content, path
        )
        return path

    w.feedback_job = run_job(
        w,
        "Making the handout…",
        job,
        lambda r: w.statusBar().showMessage(f"Handout saved: {path}", 8000),
        w.show_error,
    )


def reliability(w: MainWindow) -> None:
    from ui.reliability.window import ReliabilityWindow

    if w.project is None:
        return
    window = ReliabilityWindow(w.project, w)
    window.show()
    w.reliability_window = window


def disagreements(w: MainWindow) -> None:
    from ui.reliability.review import DisagreementReview

    if w.project is None or w.observation is None or w.bridge is None:
        return
    others = [
        o for o in w.project.observations(w.observation.session_id) if o.id != w.observation.id
    ]
    if not others:
        w.show_error("This session has only one observation; add a second coder first.")
        return
    labels = [o.coder for o in others]
    choice, ok = QInputDialog.getItem(w, "Compare with", "Second coder:", labels, 0, False)
    if not ok:
        return
    other = others[labels.index(choice)]
    review = DisagreementReview(w.project, w.observation.id, other.id, w.player, w.bridge)
    review.show()
    w.review_window = review


def toggle_final(w: MainWindow) -> None:
    if w.project is None or w.observation is None:
        return
    obs = w.project.observation(w.observation.id)
    try:
        w.project.set_observation_final(obs.id, not obs.final)
    except AttuneError as exc:
        w.show_error(str(exc))
        return
    w.statusBar().showMessage("Marked final" if not obs.final else "Marked not final", 5000)
