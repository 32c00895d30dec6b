"""Store: a session's extra cameras (table ``session_media``) and their rows.

Mixed into ``Queries``. Writes are primitives for the camera commands (coder/app/cameras.py):
each runs inside ``Project.transaction()``, is versioned like every other edited row, audited
(ids only) and announced as a ``Change`` with entity ``camera``.
"""

from __future__ import annotations

from coder.cameras import Camera
from coder.errors import ProjectError
from coder.model import Media
from coder.store import rows as R
from coder.store.camera_rows import CAMERA_COLUMNS, camera_from_row, camera_params
from coder.store.versions import Versions


class CameraQueries(Versions):
    def cameras(self, session_id: str) -> list[Camera]:
        """The session's extra cameras in display order (the primary video is not one)."""
        rows = self.db.execute(
            "SELECT * FROM session_media WHERE session_id = ? ORDER BY position, id",
            (session_id,),
        ).fetchall()
        return [self._shown("camera", camera_from_row(r), r) for r in rows]

    def camera(self, camera_id: str) -> Camera:
        row = self.db.execute("SELECT * FROM session_media WHERE id = ?", (camera_id,)).fetchone()
        if row is None:
            if ("camera", camera_id) in self._seen:
                self._conflict("camera", camera_id)
            raise ProjectError(f"{self.db.name}: no camera '{camera_id}'")
        return self._shown("camera", camera_from_row(row), row)

    def put_camera(self, camera: Camera, existed: bool) -> None:
        if not existed:
            self.db.execute(
                f"INSERT INTO session_media ({CAMERA_COLUMNS}) VALUES "
                f"({R.placeholders(CAMERA_COLUMNS)})",
                camera_params(camera),
            )
            self._wrote("camera", camera.id, 1, camera)
            self.record("added", "camera", camera.id, None, camera)
            return
        loaded = self._load("camera", camera.id)
        if loaded is None:
            self._conflict("camera", camera.id)
            return
        before, version = loaded
        self._update_row(
            "camera",
            camera.id,
            version,
            "session_id=?, media_id=?, position=?, label=?, offset_ms=?",
            camera_params(camera)[1:],
            camera,
        )
        self.record("changed", "camera", camera.id, before, camera)

    def delete_camera(self, camera_id: str) -> Camera:
        loaded = self._load("camera", camera_id)
        if loaded is None:
            self._conflict("camera", camera_id)
            raise ProjectError(f"{self.db.name}: no camera '{camera_id}'")
        before, version = loaded
        self._delete_row("camera", camera_id, version)
        self.record("removed", "camera", camera_id, before, None)
        return before  # type: ignore[no-any-return]

    def media_in_use(self, media_id: str) -> bool:
        """Whether a session (as its primary video) or a camera refers to ``media_id``."""
        for sql in (
            "SELECT 1 FROM sessions WHERE media_id = ? LIMIT 1",
            "SELECT 1 FROM session_media WHERE media_id = ? LIMIT 1",
        ):
            if self.db.execute(sql, (media_id,)).fetchone() is not None:
                return True
        return False

    def delete_unused_media(self, media_id: str) -> Media | None:
        """Remove a media record nothing refers to any more (undoing an added camera);
        its frame table goes with it. Returns what was removed, or None if still in use."""
        if self.media_in_use(media_id):
            return None
        loaded = self._load("media", media_id)
        if loaded is None:
            return None
        before, version = loaded
        self.db.execute("DELETE FROM frame_times WHERE media_id = ?", (media_id,))
        self.db.execute("DELETE FROM audio_overview WHERE media_id = ?", (media_id,))
        self._delete_row("media", media_id, version)
        self.record("removed", "media", media_id, before, None)
        return before  # type: ignore[no-any-return]
