"""Session > Add camera / Remove camera and View > camera layout. The rules (how many
cameras, offsets, undo) are in coder/app/cameras.py; this asks and shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from coder.app.cameras import AddCamera, RemoveCamera, add_camera_from_video
from ui.jobs import JobRunner, run_job
from ui.player.cameras import Layout

if TYPE_CHECKING:
    from ui.main_window import MainWindow

VIDEO_FILTER = "Videos (*.mp4 *.mov *.mkv *.avi *.m4v)"


class CameraActions:
    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.probe_job: JobRunner | None = None

    def _session_id(self) -> str | None:
        w = self.window
        if w.project is None or w.observation is None or w.session is None:
            w.show_error("Open an observation first.")
            return None
        if w.project.read_only:
            w.show_error("This project is open read-only; cameras cannot be changed.")
            return None
        return w.observation.session_id

    def add_camera(self, path: str | None = None, label: str | None = None) -> None:
        """Add another video of the same session (probed off the GUI thread); it starts
        unsynchronised (offset 0): mark a shared moment with its Sync… button."""
        w = self.window
        session_id = self._session_id()
        if session_id is None or w.project is None:
            return
        if path is None:
            media_id = w.project.session(session_id).media_id
            start = str(Path(w.project.media(media_id).path).parent) if media_id else ""
            path, _ = QFileDialog.getOpenFileName(w, "Add camera", start, VIDEO_FILTER)
            if not path:
                return
        if label is None:
            label, ok = QInputDialog.getText(
                w, "Add camera", "Camera name (e.g. Child face):", text=Path(path).stem
            )
            if not ok:
                return
        project, chosen, name = w.project, path, label

        def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> object:
            return add_camera_from_video(project, session_id, chosen, name)

        def done(command: object) -> None:
            assert isinstance(command, AddCamera)
            if w.history.push(command):
                w.statusBar().showMessage(
                    f"Camera '{command.camera.label}' added; use its Sync… button to align it",
                    8000,
                )

        self.probe_job = run_job(w, f"Reading {Path(chosen).name}…", job, done, w.show_error)

    def remove_camera(self) -> None:
        w = self.window
        session_id = self._session_id()
        if session_id is None or w.project is None:
            return
        cameras = w.project.cameras(session_id)
        if not cameras:
            w.show_error("This session has no other cameras.")
            return
        names = [c.label for c in cameras]
        choice, ok = QInputDialog.getItem(w, "Remove camera", "Camera:", names, 0, False)
        if ok:
            w.history.push(RemoveCamera(cameras[names.index(choice)].id))

    def picture_in_picture(self, on: bool) -> None:
        self.window.cameras.set_layout(Layout.PICTURE_IN_PICTURE if on else Layout.SIDE_BY_SIDE)
