"""The main window's menus, toolbar and shortcuts, declared in one class.

Every action is a typed attribute of ``MainActions``; nothing is bolted onto the window. The
handlers live with what they act on: ``ProjectActions`` (files, sessions, observations,
segments), ``PlaybackActions`` (transport), ``FeedbackActions`` (analysis and parents),
``ExportImport`` and the ``History`` (Undo/Redo over the core stack).

Code keys are letters (generated from the scheme by ui.coding), so transport uses Space,
arrows, brackets and modified keys only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
)

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Keys = str | QKeySequence | QKeySequence.StandardKey
Slot = Callable[[], object]


class MainActions:
    def __init__(self, w: MainWindow) -> None:
        self.window = w
        self.shortcuts_dialog: QDialog | None = None
        p, files, play, fb = w.player, w.projects, w.playback, w.feedback
        std = QKeySequence.StandardKey
        # File
        self.new_project = self._make("&New project…", files.new_project, std.New)
        self.open_project = self._make("&Open project…", files.open_project, std.Open)
        self.open_team = self._make("Open &team project…", files.open_team_project)
        self.new_team = self._make("New team project on a server…", files.new_team_project)
        self.media_folder = self._make("Team &video folder…", files.choose_media_folder)
        self.add_video = self._make("&Add session video…", files.add_video, "Ctrl+Shift+A")
        self.new_observation = self._make(
            "New &observation…", files.new_observation, "Ctrl+Shift+O"
        )
        self.relink_video = self._make("Re-link &video…", files.relink)
        self.export = self._make("&Export…", w.transfer.export, "Ctrl+E")
        self.import_ = self._make("&Import…", w.transfer.import_into, "Ctrl+I")
        self.send_bundle = self._make("Send project &securely (encrypted)…", w.sharing.send)
        self.open_bundle = self._make("Open &received bundle…", w.sharing.receive)
        self.quit = self._make("&Quit", w.close, std.Quit)
        # Session
        self.consent = self._make("Consent and family…", files.edit_session)
        self.switch_coder = self._make("Switch coder…", w.switch_coder)
        cams = w.camera_actions
        self.add_camera = self._make("Add &camera (another video)…", cams.add_camera)
        self.remove_camera = self._make("Remove camera…", cams.remove_camera)
        # Edit
        self.undo = w.history.undo_action
        self.redo = w.history.redo_action
        self.delete_selected = self._make("Delete selected events", w.delete_selected, "Del")
        # Playback
        self.play = self._make("Play / pause", p.toggle, "Space")
        self.next_frame = self._make("Next frame", lambda: w.step(1), "Right")
        self.prev_frame = self._make("Previous frame", lambda: w.step(-1), "Left")
        self.forward_1s = self._make("Forward 1 s", lambda: p.step_ms(1000), "Shift+Right")
        self.back_1s = self._make("Back 1 s", lambda: p.step_ms(-1000), "Shift+Left")
        self.forward_5s = self._make("Forward 5 s", lambda: p.step_ms(5000), "Ctrl+Right")
        self.back_5s = self._make("Back 5 s", lambda: p.step_ms(-5000), "Ctrl+Left")
        self.next_event = self._make("Next event", lambda: w.jump_event(1), "Down")
        self.prev_event = self._make("Previous event", lambda: w.jump_event(-1), "Up")
        self.go_to = self._make("Go to time or frame…", play.go_to, "Ctrl+G")
        self.faster = self._make("Faster", lambda: play.speed(+1), "]")
        self.slower = self._make("Slower", lambda: play.speed(-1), "[")
        self.normal_speed = self._make("Normal speed", lambda: p.set_rate(1.0), "\\")
        self.mute = self._make("Mute", lambda: play.set_muted(self.mute.isChecked()), "Ctrl+M")
        self.mute.setCheckable(True)
        self.loop = self._make("Loop selected event", play.loop_selection, "Ctrl+L")
        self.volume_up = self._make("Volume up", lambda: play.volume(+0.1), "Ctrl+Shift+Up")
        self.volume_down = self._make("Volume down", lambda: play.volume(-0.1), "Ctrl+Shift+Down")
        # View
        self.zoom_in = self._make("Zoom in", lambda: w.zoom_timeline(1.5), std.ZoomIn)
        self.zoom_out = self._make("Zoom out", lambda: w.zoom_timeline(1 / 1.5), std.ZoomOut)
        self.whole_session = self._make("Whole session", w.fit_timeline, "Ctrl+0")
        self.follow = self._make("Follow playhead", lambda: w.set_follow(self.follow.isChecked()))
        self.follow.setCheckable(True)
        self.follow.setChecked(True)
        self.picture_in_picture = self._make(
            "Cameras picture in picture",
            lambda: cams.picture_in_picture(self.picture_in_picture.isChecked()),
        )
        self.picture_in_picture.setCheckable(True)
        # Coding
        self.reaction_time = self._make("Reaction time…", play.reaction_time)
        self.ask_modifiers = self._make(
            "Ask for modifiers",
            lambda: setattr(w.prefs, "ask_modifiers", self.ask_modifiers.isChecked()),
        )
        self.ask_modifiers.setCheckable(True)
        self.ask_modifiers.setChecked(w.prefs.ask_modifiers)
        self.player_backend = self._make("Player backend…", play.choose_backend)
        self.step_size = self._make("Step size (frames)…", w.ask_step_size)
        self.hold_states = self._make(
            "Hold key for states (release ends)",
            lambda: w.set_hold_states(self.hold_states.isChecked()),
        )
        self.hold_states.setCheckable(True)
        self.hold_states.setChecked(w.prefs.hold_states)
        self.add_segment = self._make("Add segment at playhead…", files.add_segment)
        self.edit_segment = self._make("Rename or retype segment at playhead…", files.edit_segment)
        self.delete_segment = self._make("Delete segment at playhead", files.delete_segment)
        self.edit_scheme = self._make("Edit coding scheme…", files.edit_scheme)
        # Analysis and feedback
        self.reliability = self._make("Reliability…", fb.reliability, "Ctrl+R")
        self.disagreements = self._make("Review disagreements…", fb.disagreements)
        self.toggle_final = self._make("Observation is final", fb.toggle_final)
        self.toggle_final.setCheckable(True)
        self.toggle_final.setToolTip(
            "Mark your coding of this observation done; blind coders see each other's work "
            "once every observation of the session is final (Edit > Undo takes it back)."
        )
        self.sequential = self._make(
            "Sequential and synchrony…", w.analysis.open_window, "Ctrl+Shift+Y"
        )
        self.present = self._make("Present highlights to parents", fb.present, "F5")
        self.reel = self._make("Make highlight reel…", fb.reel)
        self.handout = self._make("Make parent handout…", fb.handout)
        # Help
        self.shortcuts = self._make("Keyboard shortcuts", self.show_shortcuts, "F1")
        w.addActions([self.undo, self.redo])
        self.recent_menu = self._build_menus()
        self.recent_menu.aboutToShow.connect(lambda: files.fill_recent(self.recent_menu))
        self.toolbar = self._build_toolbar()

    def _make(self, text: str, slot: Slot, keys: Keys = "") -> QAction:
        action = QAction(text, self.window)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)  # shortcuts work whichever widget has focus
        return action

    def _build_menus(self) -> QMenu:
        bar = self.window.menuBar()
        file = bar.addMenu("&File")
        file.addActions([self.new_project, self.open_project, self.open_team, self.new_team])
        recent = file.addMenu("Open &recent")
        file.addSeparator()
        file.addActions([self.add_video, self.new_observation, self.relink_video])
        file.addAction(self.media_folder)
        file.addSeparator()
        file.addActions([self.export, self.import_])
        file.addActions([self.send_bundle, self.open_bundle])
        file.addSeparator()
        file.addAction(self.quit)
        bar.addMenu("&Session").addActions(
            [self.consent, self.switch_coder, self.add_camera, self.remove_camera]
        )
        bar.addMenu("&Edit").addActions([self.undo, self.redo, self.delete_selected])
        bar.addMenu("&Playback").addActions(
            [
                self.play,
                self.next_frame,
                self.prev_frame,
                self.forward_1s,
                self.back_1s,
                self.forward_5s,
                self.back_5s,
                self.next_event,
                self.prev_event,
                self.go_to,
                self.faster,
                self.slower,
                self.normal_speed,
                self.mute,
                self.loop,
                self.volume_up,
                self.volume_down,
            ]
        )
        bar.addMenu("&View").addActions(
            [
                self.zoom_in,
                self.zoom_out,
                self.whole_session,
                self.follow,
                self.picture_in_picture,
            ]
        )
        coding = bar.addMenu("&Coding")
        coding.addActions(
            [
                self.reaction_time,
                self.ask_modifiers,
                self.step_size,
                self.hold_states,
                self.player_backend,
            ]
        )
        coding.addSeparator()
        coding.addActions([self.add_segment, self.edit_segment, self.delete_segment])
        coding.addSeparator()
        coding.addAction(self.edit_scheme)
        bar.addMenu("&Analysis").addActions(
            [self.reliability, self.disagreements, self.toggle_final, self.sequential]
        )
        bar.addMenu("F&eedback").addActions([self.present, self.reel, self.handout])
        bar.addMenu("&Help").addAction(self.shortcuts)
        return recent

    def _build_toolbar(self) -> QToolBar:
        w = self.window
        tools = QToolBar("Session", w)
        tools.setObjectName("session_toolbar")
        tools.addWidget(QLabel(" Observation: "))
        tools.addWidget(w.observation_box)
        tools.addWidget(w.observation_box.hidden_label)
        tools.addWidget(QLabel("  Subject: "))
        tools.addWidget(w.subject_box)
        tools.addWidget(QLabel("  "))
        tools.addWidget(w.prefix_label)
        w.addToolBar(tools)
        return tools

    def show_shortcuts(self) -> None:
        """Every action with a shortcut, including the scheme's code keys."""
        dialog = QDialog(self.window)
        dialog.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(0, 2, dialog)
        table.setHorizontalHeaderLabels(["Key", "Action"])
        seen: set[tuple[str, str]] = set()
        for action in self.window.actions():
            key = action.shortcut().toString()
            if key and (key, action.text()) not in seen:
                seen.add((key, action.text()))
                row = table.rowCount()
                table.insertRow(row)
                table.setItem(row, 0, QTableWidgetItem(key))
                table.setItem(row, 1, QTableWidgetItem(action.text().replace("&", "")))
        table.resizeColumnsToContents()
        QVBoxLayout(dialog).addWidget(table)
        dialog.resize(480, 600)
        self.shortcuts_dialog = dialog
        dialog.show()
