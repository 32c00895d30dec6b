"""The coding workspace: video, timeline, event table and ratings for one observation.

The window only wires views to the core: time comes from the player controller (our time
base), edits go through the History (the one core CommandStack), and the views update
themselves from the project's change notifications. Menus and their handlers are declared in
ui.actions and the *Actions classes it names.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from coder.app.session import CodingSession, EditRefused, SessionMessage
from coder.app.visibility import HIDDEN_WHILE_BLIND, may_see, visible_observations
from coder.commands import CommandStack, DeleteEvents
from coder.errors import AttuneError, ProjectLockedError
from coder.heap import long_lived_load
from coder.model import Event, Observation
from coder.store import Change, Project
from coder.store.backend import is_server_location
from ui.actions import MainActions
from ui.analysis.actions import AnalysisActions
from ui.camera_actions import CameraActions
from ui.coding import CodingController
from ui.coding_pad import CodingPad
from ui.counters_panel import CountersPanel
from ui.dialogs.coder_dialog import ask_coder
from ui.dialogs.export_import import ExportImport
from ui.dialogs.modifier_popup import ask_modifiers
from ui.dialogs.sharing import SharingActions
from ui.events.table import EventTableModel
from ui.events.view import EventTableWidget
from ui.feedback.actions import FeedbackActions
from ui.feedback.highlights_panel import HighlightsPanel
from ui.history import History
from ui.observation_chooser import ObservationChooser
from ui.playback_actions import PlaybackActions
from ui.player.cameras import CameraArea
from ui.player.controller import PlayerController
from ui.player.video_view import VideoView
from ui.project_actions import ProjectActions
from ui.ratings.panel import RatingsPanel
from ui.settings import Preferences
from ui.timeline.audio_lane import AudioLane
from ui.timeline.scene import TimelineScene
from ui.timeline.view import TimelineView, format_ms
from ui.welcome import Welcome

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi", ".m4v"}


class MainWindow(QMainWindow):
    def __init__(self, prefs: Preferences | None = None, audio: bool = True) -> None:
        super().__init__()
        self.prefs = prefs or Preferences()
        self.setWindowTitle("Attune")
        self.setAcceptDrops(True)
        self.project: Project | None = None
        self.user = ""  # who is coding: asked when a project is opened
        self.changes_timer = QTimer(self)  # others' changes, shown within a second
        self.changes_timer.setInterval(250)
        self.changes_timer.timeout.connect(self._poll_changes)
        self.history = History(self.show_error, self)
        self.history.changed.connect(self._mark_saved)
        self.observation: Observation | None = None  # the one chosen (its video may be missing)
        self.session: CodingSession | None = None  # the open observation, once its views are up
        self.coding: CodingController | None = None
        self.scene: TimelineScene | None = None
        self.table_model: EventTableModel | None = None
        self.ratings: RatingsPanel | None = None
        self.highlights: HighlightsPanel | None = None
        self.counters: CountersPanel | None = None
        self.audio_lane: AudioLane | None = None
        self.pad: CodingPad | None = None
        self.player = PlayerController(self, backend=self.prefs.backend, audio=audio)
        self.video = VideoView(self.player)
        self.timeline: TimelineView | None = None
        self.follow_playhead = True
        self.events_widget: EventTableWidget | None = None
        self.events_holder = QWidget()
        self.events_layout = QVBoxLayout(self.events_holder)
        self.events_layout.setContentsMargins(0, 0, 0, 0)
        self.side = QTabWidget()
        self.side.addTab(self.events_holder, "Events")
        self.top = QSplitter(Qt.Orientation.Horizontal)
        self.cameras = CameraArea(self.player, self.video)
        self.top.addWidget(self.cameras)
        self.top.addWidget(self.side)
        self.top.setStretchFactor(0, 3)
        self.top.setStretchFactor(1, 2)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.top)
        self.timeline_holder = QWidget()
        self.timeline_layout = QVBoxLayout(self.timeline_holder)
        self.timeline_layout.setContentsMargins(0, 0, 0, 0)
        self.split.addWidget(self.timeline_holder)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.welcome = Welcome()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.split)
        self.setCentralWidget(self.pages)
        self.observation_box = ObservationChooser()
        self.observation_box.chosen.connect(self.open_observation)
        self.subject_box = QComboBox()
        self.subject_box.currentIndexChanged.connect(self._subject_chosen)
        self.subject_box.setToolTip("Codes go to this subject unless a prefix says otherwise")
        self.prefix_label = QLabel("")
        self.prefix_label.setToolTip(
            "Shift+subject key: the next code only is for that subject (one-shot prefix)"
        )
        self.status_time = QLabel("--:--.---")
        self.status_frame = QLabel("frame –")
        self.status_speed = QLabel("1×")
        self.status_backend = QLabel(f"Player: {self.player.backend_name}")
        self.status_saved = QLabel("")
        self.status_keys = QLabel("")  # says when coding keys go to a form field instead
        self.status_keys.setStyleSheet("color: #8a4b00; font-weight: bold")
        for w in (
            self.status_keys,
            self.status_time,
            self.status_frame,
            self.status_speed,
            self.status_backend,
            self.status_saved,
        ):
            self.statusBar().addPermanentWidget(w)
        self.player.positionChanged.connect(self._on_position)
        # Clicking the video gives the coding keys back (it takes focus from form fields).
        self.video.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.cameras.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.player.rateChanged.connect(lambda r: self.status_speed.setText(f"{r:g}×"))
        self.player.error.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.projects = ProjectActions(self)
        self.playback = PlaybackActions(self)
        self.feedback = FeedbackActions(self)
        self.analysis = AnalysisActions(self)
        self.camera_actions = CameraActions(self)
        self.transfer = ExportImport(self)
        self.sharing = SharingActions(self)
        self.menu_actions = MainActions(self)
        self.welcome.demoRequested.connect(self.projects.open_demo)
        self.welcome.newRequested.connect(self.projects.new_project)
        self.welcome.openRequested.connect(self.projects.open_project)
        self.welcome.recentChosen.connect(self.open_project)
        self.show_page()
        self.set_step_size(self.prefs.step_frames)
        self.resize(1400, 900)
        self.split.setSizes([560, 340])
        self.top.setSizes([860, 540])
        geometry = self.prefs.s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # --- projects --------------------------------------------------------------------------
    def open_project(self, path: str, read_only: bool = False, user: str | None = None) -> bool:
        """Open ``path`` as ``user`` (asked when not given); False when refused or cancelled.

        ``path`` may be a team project's postgresql:// address: there the database login is
        the coder, so nobody is asked."""
        team = is_server_location(path)
        if team:
            user = ""
        elif user is None:
            user = ask_coder(Path(path).name, self.prefs.coder, self)
            if user is None:
                return False
        try:
            project = Project.open(path, read_only=read_only, user=user)
        except ProjectLockedError as exc:
            answer = QMessageBox.question(self, "Project in use", f"{exc}\n\nOpen it read-only?")
            if answer != QMessageBox.StandardButton.Yes:
                return False
            return self.open_project(path, read_only=True, user=user)
        except AttuneError as exc:
            self.show_error(str(exc))
            return False
        self.close_project()
        self.project = project
        folder = str(self.prefs.s.value("team/media_folder", "") or "")
        if folder:
            project.media_finder.set_folders([Path(folder)])
        self.user = user = project.user  # on a team server: the login
        if not team:
            self.prefs.coder = user
        self.history.bind(CommandStack(project))
        self.prefs.add_recent(path if team else str(Path(path).resolve()))
        suffix = " (read-only)" if project.read_only else ""
        role = f" ({project.role})" if team else ""
        self.setWindowTitle(f"Attune — {project.name}{suffix} — coding as {user}{role}")
        project.poll_changes()  # start listening; later changes arrive through the timer
        self.changes_timer.start()
        self.show_page()
        self.fill_observations()
        return True

    def show_page(self) -> None:
        """The workspace with a project open; the welcome page (demo, new, recent) without."""
        if self.project is None:
            recent = self.prefs.recent()
            self.welcome.show_recent([p for p in recent if "://" in p or Path(p).exists()])
            self.pages.setCurrentWidget(self.welcome)
        else:
            self.pages.setCurrentWidget(self.split)

    def switch_coder(self) -> None:
        """Session > Switch coder: reopen the project as someone else (what they may see
        changes with blind coding)."""
        if self.project is None:
            self.show_error("Open a project first.")
            return
        if self.project.is_team:
            self.show_error(
                f"On a team project you code as your own login ({self.project.user}). To code "
                "as someone else, they open the project with their login."
            )
            return
        path, read_only = str(self.project.path), self.project.read_only
        user = ask_coder(Path(path).name, self.user, self)
        if user is not None and user != self.user:
            self.close_project()
            self.open_project(path, read_only=read_only, user=user)

    def _mark_saved(self) -> None:
        self.status_saved.setText("✓ Saved")  # every command is on disk when it returns

    def _poll_changes(self) -> None:
        """Others' committed changes (team server, or a file's writer) reach the views."""
        if self.project is None:
            self.changes_timer.stop()
            return
        try:
            self.project.poll_changes()
        except AttuneError as exc:
            self.changes_timer.stop()  # say it once, not four times a second
            self.show_error(f"{exc}\n\nOthers' changes are no longer shown live.")

    def close_project(self) -> None:
        self.changes_timer.stop()
        self._close_observation()
        self.history.bind(None)
        if self.project is not None:
            self.project.close()
            self.project = None
        self.observation_box.show_project(None, "")
        self.observation = None
        if isValid(self):
            self.show_page()

    def fill_observations(self, select: str | None = None) -> None:
        """List the observations the user may see and open ``select`` (or their own)."""
        self.observation_box.show_project(self.project, self.user, select)

    def visible_observations(self, session_id: str | None = None) -> list[Observation]:
        """What the person coding may see (blind coding), of one session or all."""
        if self.project is None:
            return []
        return visible_observations(self.project, self.user, session_id)

    def _close_observation(self) -> None:
        """Tear the coding views down. Each is deleted by Qt on the GUI thread (deleteLater):
        left to Python's cycle collector, a widget could be freed on a worker thread."""
        if self.pad is not None:
            self.pad.close_pad()
            self.side.removeTab(self.side.indexOf(self.pad))
            self.pad.deleteLater()
            self.pad = None
        if self.coding is not None:
            self.coding.remove_actions()
            self.coding.deleteLater()
            self.coding = None
        if self.audio_lane is not None:
            self.audio_lane.close_lane()
            self.audio_lane.hide()
            self.timeline_layout.removeWidget(self.audio_lane)
            self.audio_lane.deleteLater()
            self.audio_lane = None
        if self.timeline is not None:
            self.timeline.close_view()
            self.timeline.hide()
            self.timeline_layout.removeWidget(self.timeline)
            self.timeline.deleteLater()
            self.timeline.timeline.deleteLater()  # the scene, after its view
            self.timeline = None
        if self.events_widget is not None:
            self.events_widget.close_table()
            self.events_widget.hide()
            self.events_layout.removeWidget(self.events_widget)
            self.events_widget.deleteLater()
            self.events_widget = None
        if self.ratings is not None:
            self.ratings.close_panel()
            self.side.removeTab(self.side.indexOf(self.ratings))
            self.ratings.deleteLater()
            self.ratings = None
        if self.highlights is not None:
            self.highlights.close_panel()
            self.side.removeTab(self.side.indexOf(self.highlights))
            self.highlights.deleteLater()
            self.highlights = None
        if self.counters is not None:
            self.counters.close_panel()
            self.side.removeTab(self.side.indexOf(self.counters))
            self.counters.deleteLater()
            self.counters = None
        if self.session is not None:
            self.session.close()
            self.session = None
        self.scene = None
        self.table_model = None
        self.cameras.clear()
        self.player.close_media()

    def open_observation(self, observation_id: str, reload: bool = False) -> None:
        """Open the coding views on ``observation_id`` (again, after a re-link, if ``reload``)."""
        assert self.project is not None
        if (
            not reload
            and self.session is not None
            and self.session.observation_id == observation_id
        ):
            return  # already open
        if not may_see(self.project, self.user, observation_id):
            self.show_error(HIDDEN_WHILE_BLIND)
            return
        self._close_observation()
        project = self.project
        self.observation = project.observation(observation_id)
        session = project.session(self.observation.session_id)
        if session.media_id is None:
            self.show_error(
                f"Session '{session.label}' has no video; add one with File > Add video."
            )
            return
        media = project.media(session.media_id)
        frame_times = project.frame_times(media.id)
        if not os.path.exists(media.path):
            self.video.message = f"The video is missing:\n{media.path}\n\nUse File > Re-link video."
            self.video.update()
            self.projects.find_video(media.id)
            if not os.path.exists(project.media(media.id).path):
                return
            media = project.media(media.id)
        self.video.message = ""
        self.player.load(media.path, frame_times, media.duration_ms)
        assert self.player.timebase is not None and self.history.stack is not None
        coding = CodingSession(project, observation_id, self.player.timebase, self.history.stack)
        self.session = coding
        coding.subscribe(self._on_session_message)
        with long_lived_load():  # 100,000 events: no collector passes over them
            self._build_views(coding)
        self.cameras.show_session(project, session.id, self.history.push)
        self.show_final_state()

    def _build_views(self, session: CodingSession) -> None:
        """The coding views on ``session``; they share its selection and hear its messages."""
        self.scene = TimelineScene(session)
        self.analysis.timeline_opened(session)  # candidate lane from cached motion energy
        self.timeline = TimelineView(self.scene)
        self.timeline.follow = self.follow_playhead
        self.timeline_layout.addWidget(self.timeline)
        self.timeline.seekRequested.connect(self.player.seek)
        self.audio_lane = AudioLane(self.timeline)
        self.audio_lane.seekRequested.connect(self.player.seek)
        self.timeline_layout.insertWidget(0, self.audio_lane)
        media_id = session.session.media_id
        if media_id is not None:
            media = session.project.media(media_id)
            self.audio_lane.load(session.project, media.id, media.path)
        QTimer.singleShot(0, self.fit_timeline)  # once the view has its real size
        self.events_widget = EventTableWidget(session)
        self.events_layout.addWidget(self.events_widget)
        self.table_model = self.events_widget.model
        self.events_widget.seekRequested.connect(self.player.seek)
        self.ratings = RatingsPanel(session)
        self.side.addTab(self.ratings, "Ratings")
        self.highlights = HighlightsPanel(session, self.player)
        self.highlights.message.connect(self.show_error)
        self.side.addTab(self.highlights, "Highlights")
        self.counters = CountersPanel(session)
        self.counters.set_position(self.player.position)
        self.side.addTab(self.counters, "Counters")
        coding = CodingController(session, self.player, self)
        coding.reaction_ms = self.prefs.reaction_ms
        if self.prefs.ask_modifiers:
            coding.choose_modifiers = lambda code: ask_modifiers(
                code.name, [session.scheme.modifier(m) for m in code.modifiers], self
            )
        coding.hold_states = self.prefs.hold_states
        coding.prefixChanged.connect(self._show_prefix)
        coding.prefixExpired.connect(
            lambda name: self.statusBar().showMessage(
                f"Subject prefix {name} expired: codes go to the Subject box's subject", 6000
            )
        )
        self.coding = coding
        self.pad = CodingPad(coding)
        self.side.addTab(self.pad, "Pad")
        self.subject_box.blockSignals(True)
        self.subject_box.clear()
        for subject in session.scheme.subjects:
            self.subject_box.addItem(subject.name, subject.id)
        self.subject_box.blockSignals(False)
        self.status_backend.setText(f"Player: {self.player.backend_name}")

    def _on_session_message(self, message: SessionMessage) -> None:
        if isinstance(message, EditRefused):
            self.show_error(message.message)
        elif isinstance(message, Change) and message.entity == "observation":
            self.observation = self.session.observation if self.session else self.observation
            self.show_final_state()

    def show_final_state(self) -> None:
        """The Analysis menu's "Observation is final" tick follows the open observation."""
        final = self.session is not None and self.session.observation.final
        self.menu_actions.toggle_final.setChecked(final)

    def selected_event(self) -> Event | None:
        chosen = self.session.selected_events() if self.session is not None else []
        return chosen[0] if chosen else None

    def delete_selected(self) -> None:
        if self.session is not None and self.session.selection and not self.session.read_only:
            self.session.apply(DeleteEvents(sorted(self.session.selection)))

    def zoom_timeline(self, factor: float) -> None:
        if self.timeline is not None:
            self.timeline.zoom_by(factor)

    def fit_timeline(self) -> None:
        if self.timeline is not None:
            self.timeline.fit_all()

    def set_follow(self, follow: bool) -> None:
        self.follow_playhead = follow
        if self.timeline is not None:
            self.timeline.follow = follow

    # --- coding ergonomics: step size, press-and-hold -------------------------------------------
    def step(self, direction: int) -> None:
        """Left/Right: step the configured number of frames."""
        self.player.step_frames(direction * self.prefs.step_frames)

    def ask_step_size(self) -> None:
        frames, ok = QInputDialog.getInt(
            self, "Step size", "Left/Right step this many frames:", self.prefs.step_frames, 1, 100
        )
        if ok:
            self.set_step_size(frames)

    def set_step_size(self, frames: int) -> None:
        self.prefs.step_frames = frames
        n = self.prefs.step_frames
        label = "frame" if n == 1 else f"{n} frames"
        self.menu_actions.next_frame.setText(f"Next {label}")
        self.menu_actions.prev_frame.setText(f"Previous {label}")

    def set_hold_states(self, on: bool) -> None:
        self.prefs.hold_states = on
        if self.coding is not None:
            self.coding.hold_states = on

    def _show_prefix(self, text: str) -> None:
        self.prefix_label.setText(f"  {text}  " if text else "")
        self.prefix_label.setStyleSheet(
            "background: #ffe08a; color: #3a2a00; border-radius: 3px; font-weight: bold"
            if text
            else ""
        )

    def _subject_chosen(self, index: int) -> None:
        if self.coding is not None and index >= 0:
            self.coding.set_active_subject(str(self.subject_box.itemData(index)))

    # --- player ---------------------------------------------------------
    def _on_position(self, ms: int, frame: int) -> None:
        self.status_time.setText(format_ms(ms))
        total = self.player.timebase.frame_count if self.player.timebase else 0
        self.status_frame.setText(f"frame {frame} / {total}")
        if self.timeline is not None:
            self.timeline.set_playhead(ms)
        if self.audio_lane is not None:
            self.audio_lane.update()
        if self.counters is not None:
            self.counters.set_position(ms)

    def jump_event(self, direction: int) -> None:
        """Down/Up: go to the next/previous event start and select the events starting there."""
        if self.session is None:
            return
        target = self.session.event_start_beside(self.player.position, direction)
        if target is not None:
            self.player.seek(target)
            self.session.select({e.id for e in self.session.events() if e.onset_ms == target})

    # --- media --------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(
            Path(u.toLocalFile()).suffix.lower() in VIDEO_SUFFIXES for u in event.mimeData().urls()
        ):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if Path(url.toLocalFile()).suffix.lower() in VIDEO_SUFFIXES:
                self.projects.add_video(url.toLocalFile())

    # --- keyboard focus: coding keys work unless someone is typing ---------------------------
    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not isValid(self):
            return
        typing = isinstance(new, QLineEdit | QAbstractSpinBox | QTextEdit | QPlainTextEdit) and (
            self.isAncestorOf(new)
        )
        if typing and new is not None:
            self.status_keys.setText("Typing: coding keys paused — Esc or click the video")
            new.installEventFilter(self)
        else:
            self.status_keys.setText("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in a form field hands the keys back to the video."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and isinstance(watched, QWidget)
            and self.isAncestorOf(watched)
        ):
            watched.removeEventFilter(self)
            self.video.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    # --- messages and closing -------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        QMessageBox.warning(self, "Attune", message)

    def confirm_running_states(self) -> bool:
        """Before closing: offer to end running states at the playhead. False = stay open."""
        running = self.session.running_states() if self.session is not None else []
        if not running or self.session is None or self.session.read_only:
            return True
        scheme = self.session.scheme
        names = ", ".join(
            f"{scheme.subject(e.subject_id).name}: {scheme.code(e.code_id).name} "
            f"(from {format_ms(e.onset_ms)})"
            for e in running[:5]
        )
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            "States still running",
            f"Still running: {names}.\n\nEnd them at the playhead "
            f"({format_ms(self.player.position)})? No keeps them open-ended.",
            buttons.Yes | buttons.No | buttons.Cancel,
        )
        if answer == buttons.Cancel:
            return False
        if answer == buttons.Yes:
            self.history.push(self.session.end_running_states(self.player.position))
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_running_states():
            event.ignore()
            return
        self.prefs.s.setValue("window/geometry", self.saveGeometry())
        self.close_project()
        super().closeEvent(event)
