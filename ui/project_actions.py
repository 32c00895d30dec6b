"""File, Session and Coding menu handlers: projects, videos, observations, consent,
segments and the scheme editor. The rules themselves live in coder/; these only ask the user
and show the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMenu, QMessageBox

from coder.app.file_names import project_folder
from coder.app.usecases import (
    add_probed_session,
    create_project,
    new_observation,
    relink_media,
)
from coder.commands import AddSegment, DeleteSegment, EditSegment
from coder.errors import AttuneError
from coder.media.probe import ProbeResult
from coder.model import Media, Segment, new_id
from ui.dialogs.add_video_dialog import AddVideoDialog
from ui.dialogs.coder_dialog import ask_coder
from ui.dialogs.scheme_editor import SchemeEditor
from ui.dialogs.segment_dialog import SegmentDialog
from ui.dialogs.session_dialog import SessionDialog
from ui.file_dialogs import open_path
from ui.jobs import JobRunner, run_job

if TYPE_CHECKING:
    from ui.main_window import MainWindow


VIDEO_FILTER = "Videos (*.mp4 *.mov *.mkv *.avi *.m4v)"


class ProjectActions:
    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.probe_job: JobRunner | None = None
        self.demo_job: JobRunner | None = None
        self.scheme_editor: SchemeEditor | None = None

    # --- projects --------------------------------------------------------------------------
    def new_project(self) -> None:
        from coder.schemes import load_shipped, shipped_scheme_paths

        w = self.window
        recent = w.prefs.recent()
        start = project_folder(recent[0] if recent else None) / "New project.attune"
        path, _ = QFileDialog.getSaveFileName(
            w, "New project", str(start), "Attune projects (*.attune)"
        )
        if not path:
            return
        if not path.endswith(".attune"):
            path += ".attune"
        # Schemes by their names, not their ids ("Parent verbalisations (PCIT-style)").
        ids = list(shipped_scheme_paths())
        titles = [load_shipped(i)[0].name for i in ids]
        title, ok = QInputDialog.getItem(w, "Coding scheme", "Scheme:", titles, 0, False)
        if not ok:
            return
        scheme_id = ids[titles.index(title)]
        user = ask_coder(Path(path).name, w.user or w.prefs.coder, w)
        if user is None:
            return
        try:
            create_project(path, scheme_id, user=user).close()  # removed again if it fails
        except AttuneError as exc:
            w.show_error(str(exc))
            return
        w.open_project(path, user=user)

    def open_demo(self) -> None:
        """Generate the demo session (off the GUI thread) and open it."""
        from coder.demo import build_demo

        w = self.window

        def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> object:
            return build_demo(progress=progress)

        def done(path: object) -> None:
            w.open_project(str(path))

        self.demo_job = run_job(w, "Making the demo session…", job, done, w.show_error)

    def open_project(self) -> None:
        recent = self.window.prefs.recent()
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open project",
            str(project_folder(recent[0] if recent else None)),
            "Attune projects (*.attune)",
        )
        if path:
            self.window.open_project(path)

    def _ask_server_address(self, title: str) -> str | None:
        from coder.store.backend import is_server_location

        w = self.window
        url, ok = QInputDialog.getText(
            w,
            title,
            "Server address, e.g. postgresql://you@server:5432/clinic\n"
            "(your password comes from PGPASSWORD or ~/.pgpass, never from here)",
            text=str(w.prefs.s.value("team/last_url", "postgresql://")),
        )
        url = url.strip()
        if not ok or not url:
            return None
        if not is_server_location(url):
            w.show_error(f"{url}: a team project address starts with postgresql://")
            return None
        w.prefs.s.setValue("team/last_url", url)
        return url

    def choose_media_folder(self) -> None:
        """Where this computer sees the team's shared video folder; videos are found there
        by fingerprint, whatever the path stored in the project."""
        w = self.window
        folder = QFileDialog.getExistingDirectory(
            w, "Team video folder (on this computer)", str(w.prefs.s.value("team/media_folder", ""))
        )
        if not folder:
            return
        w.prefs.s.setValue("team/media_folder", folder)
        if w.project is not None:
            w.project.media_finder.set_folders([Path(folder)])
            w.fill_observations()  # videos that were missing may be found now

    def open_team_project(self) -> None:
        url = self._ask_server_address("Open team project")
        if url is not None:
            self.window.open_project(url)

    def new_team_project(self) -> None:
        """Create the project in an empty database on the server (you become its admin)."""
        from coder.schemes import load_shipped, scheme_content_hash, shipped_scheme_paths
        from coder.store import Project

        w = self.window
        url = self._ask_server_address("New team project")
        if url is None:
            return
        scheme_id, ok = QInputDialog.getItem(
            w, "Coding scheme", "Scheme:", list(shipped_scheme_paths()), 0, False
        )
        if not ok:
            return
        try:
            scheme, text = load_shipped(scheme_id)
            with Project.create(url) as project:
                project.adopt_scheme(scheme, text, scheme_content_hash(text))
        except AttuneError as exc:
            w.show_error(str(exc))
            return
        w.open_project(url)

    def fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        for path in self.window.prefs.recent():
            action = menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.window.open_project(p))

    # --- sessions and observations ----------------------------------------------------------
    def add_video(self, path: str | None = None) -> None:
        """Probe a video off the GUI thread, then add it as a session with a first observation."""
        w = self.window
        if w.project is None or w.project.read_only:
            w.show_error("Open a project (for writing) first.")
            return
        if path is None:
            path = open_path(w, "Add session video", VIDEO_FILTER)
            if not path:
                return
        chosen = path
        from coder.media.probe import media_from_probe, probe

        def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> object:
            result = probe(chosen)
            progress(0.7)
            return result, media_from_probe(chosen, result)

        def done(value: object) -> None:
            assert isinstance(value, tuple)
            result, media = value
            assert isinstance(result, ProbeResult) and isinstance(media, Media)
            self._add_session(chosen, result, media)

        self.probe_job = run_job(w, f"Reading {Path(chosen).name}…", job, done, w.show_error)

    def _add_session(self, path: str, result: ProbeResult, media: Media) -> None:
        w = self.window
        if w.project is None:
            return
        dialog = AddVideoDialog(Path(path).name, Path(path).stem, w.user, w)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        label, coder = dialog.values()
        try:
            session = add_probed_session(w.project, media, result, label=label)
            obs = new_observation(w.project, session, coder)
        except AttuneError as exc:
            w.show_error(str(exc))
            return
        w.fill_observations(select=obs.id)

    def new_observation(self) -> None:
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return
        coder, ok = QInputDialog.getText(w, "New observation", "Coder name:", text=w.user)
        if not ok or not coder.strip():
            return
        blind = (
            QMessageBox.question(
                w, "Blind coding", "Code blind (other coders' work hidden until both are final)?"
            )
            == QMessageBox.StandardButton.Yes
        )
        current = w.observation
        try:
            session = w.project.session(current.session_id)
            obs = new_observation(
                w.project, session, coder, blind=blind, snapshot_id=current.snapshot_id
            )
        except AttuneError as exc:
            w.show_error(str(exc))
            return
        w.fill_observations(select=obs.id)

    def relink(self) -> None:
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return
        session = w.project.session(w.observation.session_id)
        if session.media_id:
            self.find_video(session.media_id)
            w.open_observation(w.observation.id, reload=True)

    def find_video(self, media_id: str) -> None:
        """Ask where a moved or missing video is now and re-link it (same recording only)."""
        w = self.window
        assert w.project is not None
        media = w.project.media(media_id)
        path, _ = QFileDialog.getOpenFileName(
            w,
            f"Find the video {Path(media.path).name}",
            str(Path(media.path).parent),
            "Videos (*.mp4 *.mov *.mkv *.avi *.m4v)",
        )
        if not path:
            return
        try:
            # Only the same recording (by fingerprint); an imported placeholder by its length.
            relink_media(w.project, media_id, path)
        except AttuneError as exc:
            w.show_error(str(exc))

    def edit_session(self) -> None:
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return
        from coder.app.parent import metrics_needing_opt_in

        scheme = w.project.scheme_for_observation(w.observation.id)
        dialog = SessionDialog(
            w.project.session(w.observation.session_id), w, metrics_needing_opt_in(scheme)
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                w.project.update_session(dialog.result_session())  # audited; on disk at once
            except AttuneError as exc:
                w.show_error(str(exc))

    # --- scheme and segments ---------------------------------------------------------------
    def edit_scheme(self) -> None:
        from coder.schemes import load_shipped

        w = self.window
        if w.project is not None and w.observation is not None:
            text = w.project.snapshot(w.observation.snapshot_id).source_text
        else:
            text = load_shipped("attachment-core")[1]
        writable = w.project if w.project is not None and not w.project.read_only else None
        self.scheme_editor = SchemeEditor(text, writable, w)
        self.scheme_editor.show()

    def add_segment(self) -> None:
        w = self.window
        if w.observation is None or w.coding is None:
            w.show_error("Open an observation first.")
            return
        defs = list(w.coding.scheme.segments)
        names = [d.name for d in defs] + ["Other…"]
        choice, ok = QInputDialog.getItem(w, "Add segment", "Segment:", names, 0, False)
        if not ok:
            return
        definition = defs[names.index(choice)] if choice in names[:-1] else None
        name = definition.name if definition else QInputDialog.getText(w, "Segment", "Name:")[0]
        if not name:
            return
        start = w.player.position
        end_limit = w.player.timebase.duration_ms if w.player.timebase else start + 1
        length = (
            round(definition.duration_s * 1000)
            if definition and definition.duration_s
            else end_limit - start
        )
        end = min(end_limit, start + max(1, length))
        segment = Segment(
            new_id(),
            w.observation.session_id,
            name,
            start,
            end,
            definition.id if definition else None,
        )
        w.history.push(AddSegment(segment))

    def edit_segment(self) -> None:
        """Rename or retype the segment at the playhead (one undoable EditSegment)."""
        w = self.window
        if w.project is None or w.observation is None or w.coding is None:
            w.show_error("Open an observation first.")
            return
        here = w.player.position
        for seg in w.project.segments(w.observation.session_id):
            if seg.onset_ms <= here < seg.offset_ms:
                dialog = SegmentDialog(seg, w.coding.scheme, w)
                if dialog.exec() == QDialog.DialogCode.Accepted:
                    changed = dialog.result_segment()
                    if changed != seg:
                        w.history.push(EditSegment(changed))
                return
        w.statusBar().showMessage("No segment at the playhead", 4000)

    def delete_segment(self) -> None:
        w = self.window
        if w.project is None or w.observation is None:
            w.show_error("Open an observation first.")
            return
        here = w.player.position
        for seg in w.project.segments(w.observation.session_id):
            if seg.onset_ms <= here < seg.offset_ms:
                w.history.push(DeleteSegment(seg.id))
                return
        w.statusBar().showMessage("No segment at the playhead", 4000)
