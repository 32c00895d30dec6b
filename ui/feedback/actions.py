"""Analysis and Feedback menu handlers: present, reel, handout, reliability, disagreements,
mark final.

Parent-facing outputs refuse a session without "show to parents" consent (the error comes
from coder and is shown as a message). Long jobs run off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog

from coder.app.visibility import HIDDEN_WHILE_BLIND, hidden_count
from coder.commands import SetObservationFinal
from coder.errors import AttuneError
from coder.model import Session
from coder.progress import Cancel, Progress
from coder.store import Project
from ui.feedback.presentation import PresentationWindow
from ui.file_dialogs import confirm_saved, save_path
from ui.jobs import JobRunner, run_job
from ui.reliability.review import DisagreementReview
from ui.reliability.window import ReliabilityWindow

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# (reader, session, target path, progress, cancel): writes one parent-facing file
MakeParentFile = Callable[[Project, Session, str, Progress, Cancel], None]


class FeedbackActions:
    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.presentation: PresentationWindow | None = None
        self.job: JobRunner | None = None
        self.reliability_window: ReliabilityWindow | None = None
        self.review_window: DisagreementReview | None = None

    def _session(self) -> tuple[Project, Session] | None:
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return None
        return w.project, w.project.session(w.observation.session_id)

    def present(self) -> None:
        from ui.feedback.presentation import plan_presentation

        found = self._session()
        if found is None:
            return
        project, session = found
        w = self.window
        try:
            plan = plan_presentation(project, session.id)  # the privacy gate
        except AttuneError as exc:
            w.show_error(str(exc))
            return
        w.player.pause()
        if self.presentation is not None:
            self.presentation.close()
            self.presentation.deleteLater()  # on the GUI thread, not by the cycle collector
        window = PresentationWindow(plan)
        screens = QGuiApplication.screens()
        if len(screens) > 1:  # a second screen is where the parents look
            window.setScreen(screens[1])
            window.move(screens[1].geometry().topLeft())
        window.showFullScreen()
        self.presentation = window

    def reel(self) -> None:
        from exports.reel import ReelOptions, make_reel

        def make(reader: Project, session: Session, path: str, p: Progress, c: Cancel) -> None:
            watermark = f"For {session.family or 'your family'} only"
            options = ReelOptions(watermark=watermark)
            make_reel(reader, session.id, path, options, progress=p, cancel=c)

        self._parent_file("highlight reel", "Reel", ("moments", "mp4", "MP4 (*.mp4)"), make)

    def handout(self) -> None:
        from coder.files import check_target
        from exports.handout import write_handout_html, write_handout_pdf
        from exports.handout_content import build_handout_content

        def make(reader: Project, session: Session, path: str, p: Progress, c: Cancel) -> None:
            check_target(Path(path))  # a read-only folder fails before the stills are decoded
            content = build_handout_content(
                reader, session.id, watermark=True, progress=p, cancel=c
            )
            if path.lower().endswith((".html", ".htm")):
                write_handout_html(content, path)
            else:
                write_handout_pdf(content, path)

        kind = ("handout", "pdf", "PDF (*.pdf);;Web page (*.html)")
        self._parent_file("parent handout", "Handout", kind, make)

    def _parent_file(
        self, what: str, done: str, kind: tuple[str, str, str], make: MakeParentFile
    ) -> None:
        """Ask where to save (``kind``: name part, extension, filter), then ``make`` the file
        off the GUI thread from a second, read-only connection opened as the person coding
        (blind coding holds there too)."""
        found = self._session()
        if found is None:
            return
        project, session = found
        w = self.window
        path = save_path(w, f"Save {what}", *kind)
        if not path:
            return
        location, viewer = project.location, w.user

        def job(progress: Progress, cancelled: Cancel) -> object:
            with Project.open(location, read_only=True, user=viewer) as reader:
                make(reader, session, path, progress, cancelled)
            return path

        self.job = run_job(
            w, f"Making the {what}…", job, lambda _r: confirm_saved(w, done, path), w.show_error
        )

    def reliability(self) -> None:
        """Compare any two observations the person coding may see (blind coding)."""
        w = self.window
        if w.project is None:
            w.show_error("Open a project first.")
            return
        hidden = hidden_count(w.project, w.user)
        note = f"{hidden} observation(s) hidden from you. {HIDDEN_WHILE_BLIND}" if hidden else ""
        if self.reliability_window is not None:
            self.reliability_window.close()
            self.reliability_window.deleteLater()
        self.reliability_window = ReliabilityWindow(
            w.project, w, observations=w.visible_observations(), hidden_note=note
        )
        self.reliability_window.show()

    def disagreements(self) -> None:
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return
        current = w.observation
        visible = w.visible_observations(current.session_id)
        others = [o for o in visible if o.id != current.id]
        if not others:
            if hidden_count(w.project, w.user, current.session_id):
                w.show_error(HIDDEN_WHILE_BLIND)
            else:
                w.show_error("This session has only one observation; add a second coder first.")
            return
        labels = [o.coder for o in others]
        choice, ok = QInputDialog.getItem(w, "Compare with", "Second coder:", labels, 0, False)
        if not ok:
            return
        other = others[labels.index(choice)]
        if self.review_window is not None:
            self.review_window.close()
            self.review_window.deleteLater()
        self.review_window = DisagreementReview(
            w.project, current.id, other.id, w.player, w.history, parent=w
        )
        self.review_window.show()

    def toggle_final(self) -> None:
        """Mark the open observation final, or not final again (one undoable command)."""
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return
        obs = w.project.observation(w.observation.id)
        if w.history.push(SetObservationFinal(obs.id, not obs.final)):
            w.statusBar().showMessage("Marked final" if not obs.final else "Marked not final", 5000)
        w.show_final_state()
