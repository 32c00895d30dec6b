"""Playback and coding-preference handlers: go to, speed steps, volume, mute, loop, reaction
time and the player backend. Time always comes from the player controller (our time base)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from coder.app.goto import GO_TO_HELP, go_to_ms
from coder.errors import CommandError

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SPEEDS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
QT_BACKEND = "Qt Multimedia (frame-exact)"
VLC_BACKEND = "VLC (not frame-accurate)"


class PlaybackActions:
    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.volume_level = 1.0

    def go_to(self) -> None:
        w = self.window
        if w.player.timebase is None:
            w.show_error("Open an observation first.")
            return
        text, ok = QInputDialog.getText(w, "Go to", f"{GO_TO_HELP}:")
        if not ok or not text.strip():
            return
        try:
            w.player.seek(go_to_ms(text, w.player.timebase))
        except CommandError as exc:
            w.show_error(str(exc))

    def speed(self, direction: int) -> None:
        """One step along SPEEDS: faster for a positive direction, slower otherwise."""
        player = self.window.player
        rate = player.rate
        faster = [s for s in SPEEDS if s > rate + 1e-9]
        slower = [s for s in SPEEDS if s < rate - 1e-9]
        if direction > 0 and faster:
            player.set_rate(faster[0])
        elif direction < 0 and slower:
            player.set_rate(slower[-1])

    def volume(self, delta: float) -> None:
        self.volume_level = min(1.0, max(0.0, self.volume_level + delta))
        self.window.player.backend.set_volume(self.volume_level)
        self.window.statusBar().showMessage(f"Volume {self.volume_level:.0%}", 2000)

    def set_muted(self, muted: bool) -> None:
        self.window.player.backend.set_muted(muted)

    def loop_selection(self) -> None:
        """Loop the selected state event; with nothing (or a point) selected, stop looping."""
        w = self.window
        event = w.selected_event()
        if event is None or event.offset_ms is None:
            w.player.set_loop(None)
            w.statusBar().showMessage("Loop off", 3000)
            return
        w.player.set_loop(event.onset_ms, event.offset_ms)
        w.player.seek(event.onset_ms)
        w.statusBar().showMessage("Looping the selected event (Ctrl+L on nothing to stop)", 5000)

    def reaction_time(self) -> None:
        w = self.window
        ms, ok = QInputDialog.getInt(
            w,
            "Reaction time",
            "Code this many ms before the playhead:",
            w.prefs.reaction_ms,
            0,
            3000,
            50,
        )
        if ok:
            w.prefs.reaction_ms = ms
            if w.coding is not None:
                w.coding.reaction_ms = ms

    def choose_backend(self) -> None:
        from ui.player.backends import vlc_available

        w = self.window
        names = [QT_BACKEND] + ([VLC_BACKEND] if vlc_available() else [])
        choice, ok = QInputDialog.getItem(
            w, "Player", "Backend (applies after reopening):", names, 0, False
        )
        if ok:
            w.prefs.backend = "vlc" if choice == VLC_BACKEND else "qt"
