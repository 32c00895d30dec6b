"""Menus, toolbar and shortcuts of the main window, and the small dialogs they open.

Code keys are letters (generated from the scheme by ui.coding), so transport uses Space,
arrows, brackets and modified keys only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
)

from coder.errors import AttuneError
from coder.model import Observation, Session, new_id
from ui.jobs import run_job

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SPEEDS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)


def _add(
    menu: QMenu,
    w: MainWindow,
    text: str,
    slot: Callable[[], Any],
    keys: str | QKeySequence = "",
    name: str = "",
) -> QAction:
    action = QAction(text, w)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(lambda _=False: slot())
    menu.addAction(action)
    w.addAction(action)
    if name:
        w.named_actions[name] = action
    return action


def build(w: MainWindow) -> None:
    w.named_actions = {}
    bar = w.menuBar()
    file = bar.addMenu("&File")
    _add(file, w, "&New project…", lambda: new_project(w), QKeySequence.StandardKey.New)
    _add(file, w, "&Open project…", lambda: open_project(w), QKeySequence.StandardKey.Open)
    w.recent_menu = file.addMenu("Open &recent")
    w.recent_menu.aboutToShow.connect(lambda: _fill_recent(w))
    file.addSeparator()
    _add(file, w, "&Add session video…", lambda: add_video(w), "Ctrl+Shift+A")
    _add(file, w, "New &observation…", lambda: new_observation(w), "Ctrl+Shift+O")
    _add(file, w, "Re-link &video…", lambda: w.project and w.observation and _relink(w))
    file.addSeparator()
    from ui.dialogs import export_import

    _add(file, w, "&Export…", lambda: export_import.export(w), "Ctrl+E")
    _add(file, w, "&Import…", lambda: export_import.import_into(w), "Ctrl+I")
    file.addSeparator()
    _add(file, w, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    session_menu = bar.addMenu("&Session")
    _add(session_menu, w, "Consent and family…", lambda: edit_session(w))

    w.edit_menu = bar.addMenu("&Edit")
    _add(
        w.edit_menu,
        w,
        "Delete selected events",
        lambda: w.scene and w.scene.delete_selected(),
        "Del",
    )

    play = bar.addMenu("&Playback")
    p = w.player
    _add(play, w, "Play / pause", p.toggle, "Space", "play")
    _add(play, w, "Next frame", lambda: p.step_frames(1), "Right", "next_frame")
    _add(play, w, "Previous frame", lambda: p.step_frames(-1), "Left", "prev_frame")
    _add(play, w, "Forward 1 s", lambda: p.step_ms(1000), "Shift+Right")
    _add(play, w, "Back 1 s", lambda: p.step_ms(-1000), "Shift+Left")
    _add(play, w, "Forward 5 s", lambda: p.step_ms(5000), "Ctrl+Right")
    _add(play, w, "Back 5 s", lambda: p.step_ms(-5000), "Ctrl+Left")
    _add(play, w, "Next event", lambda: w.jump_event(1), "Down")
    _add(play, w, "Previous event", lambda: w.jump_event(-1), "Up")
    _add(play, w, "Go to time or frame…", lambda: go_to(w), "Ctrl+G")
    _add(play, w, "Faster", lambda: _speed(w, +1), "]")
    _add(play, w, "Slower", lambda: _speed(w, -1), "[")
    _add(play, w, "Normal speed", lambda: p.set_rate(1.0), "\\")
    w.mute_action = _add(
        play, w, "Mute", lambda: p.backend.set_muted(w.mute_action.isChecked()), "Ctrl+M"
    )
    w.mute_action.setCheckable(True)
    _add(play, w, "Loop selected event", lambda: _loop_selection(w), "Ctrl+L")
    _add(play, w, "Volume up", lambda: _volume(w, +0.1), "Ctrl+Shift+Up")
    _add(play, w, "Volume down", lambda: _volume(w, -0.1), "Ctrl+Shift+Down")

    view = bar.addMenu("&View")
    _add(
        view,
        w,
        "Zoom in",
        lambda: w.timeline and w.timeline.zoom_by(1.5),
        QKeySequence.StandardKey.ZoomIn,
    )
    _add(
        view,
        w,
        "Zoom out",
        lambda: w.timeline and w.timeline.zoom_by(1 / 1.5),
        QKeySequence.StandardKey.ZoomOut,
    )
    _add(view, w, "Whole session", lambda: w.timeline and w.timeline.fit_all(), "Ctrl+0")
    follow = _add(
        view,
        w,
        "Follow playhead",
        lambda: w.timeline and setattr(w.timeline, "follow", follow.isChecked()),
    )
    follow.setCheckable(True)
    follow.setChecked(True)

    coding = bar.addMenu("&Coding")
    _add(coding, w, "Reaction time…", lambda: _reaction(w))
    ask = _add(
        coding, w, "Ask for modifiers", lambda: setattr(w.prefs, "ask_modifiers", ask.isChecked())
    )
    ask.setCheckable(True)
    ask.setChecked(w.prefs.ask_modifiers)
    _add(coding, w, "Player backend…", lambda: _backend(w))
    coding.addSeparator()
    _add(coding, w, "Add segment at playhead…", lambda: add_segment(w))
    _add(coding, w, "Delete segment at playhead", lambda: delete_segment(w))
    coding.addSeparator()
    _add(coding, w, "Edit coding scheme…", lambda: edit_scheme(w))

    from ui.feedback import actions as fb

    analysis = bar.addMenu("&Analysis")
    _add(analysis, w, "Reliability…", lambda: fb.reliability(w), "Ctrl+R")
    _add(analysis, w, "Review disagreements…", lambda: fb.disagreements(w))
    _add(analysis, w, "Mark observation final / not final", lambda: fb.toggle_final(w))
    feedback = bar.addMenu("F&eedback")
    _add(feedback, w, "Present highlights to parents", lambda: fb.present(w), "F5")
    _add(feedback, w, "Make highlight reel…", lambda: fb.reel(w))
    _add(feedback, w, "Make parent handout…", lambda: fb.handout(w))

    help_menu = bar.addMenu("&Help")
    _add(help_menu, w, "Keyboard shortcuts", lambda: cheat_sheet(w), "F1")

    tools = QToolBar("Session", w)
    tools.setObjectName("session_toolbar")
    tools.addWidget(QLabel(" Observation: "))
    tools.addWidget(w.observation_box)
    tools.addWidget(QLabel("  Subject: "))
    tools.addWidget(w.subject_box)
    w.addToolBar(tools)


def bind_undo(w: MainWindow) -> None:
    assert w.bridge is not None
    for old in list(w.edit_menu.actions())[:2]:
        if old.text().startswith(("&Undo", "&Redo", "Undo", "Redo")):
            w.edit_menu.removeAction(old)
            w.removeAction(old)
    undo = w.bridge.qt.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = w.bridge.qt.createRedoAction(w, "&Redo")
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    first = w.edit_menu.actions()[0] if w.edit_menu.actions() else None
    w.edit_menu.insertAction(first, undo)
    w.edit_menu.insertAction(first, redo)
    w.addAction(undo)
    w.addAction(redo)


def _fill_recent(w: MainWindow) -> None:
    w.recent_menu.clear()
    for path in w.prefs.recent():
        action = w.recent_menu.addAction(path)
        action.triggered.connect(lambda _=False, p=path: w.open_project(p))


def new_project(w: MainWindow) -> None:
    from coder.schemes import load_shipped, scheme_content_hash, shipped_scheme_paths
    from coder.store import Project

    path, _ = QFileDialog.getSaveFileName(w, "New project", "", "Attune projects (*.attune)")
    if not path:
        return
    if not path.endswith(".attune"):
        path += ".attune"
    scheme_id, ok = QInputDialog.getItem(
        w, "Coding scheme", "Scheme:", list(shipped_scheme_paths()), 0, False
    )
    if not ok:
        return
    try:
        scheme, text = load_shipped(scheme_id)
        with Project.create(path) as project:
            project.adopt_scheme(scheme, text, scheme_content_hash(text))
    except AttuneError as exc:
        w.show_error(str(exc))
        return
    w.open_project(path)


def open_project(w: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(w, "Open project", "", "Attune projects (*.attune)")
    if path:
        w.open_project(path)


def add_video(w: MainWindow, path: str | None = None) -> None:
    """Probe a video off the GUI thread, then add it as a session with a first observation."""
    if w.project is None or w.project.read_only:
        w.show_error("Open a project (for writing) first.")
        return
    if path is None:
        path, _ = QFileDialog.getOpenFileName(
            w, "Add session video", "", "Videos (*.mp4 *.mov *.mkv *.avi *.m4v)"
        )
        if not path:
            return
    from coder.media.probe import media_from_probe, probe

    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> object:
        result = probe(path)
        progress(0.7)
        return result, media_from_probe(path, result)

    def done(value: object) -> None:
        assert w.project is not None
        result, media = value  # type: ignore[misc]
        session = Session(new_id(), Path(path).stem, media.id)
        try:
            with w.project.transaction():
                w.project.add_media(media, result.frame_times_ms)
                w.project.add_session(session)
            snapshot = w.project.snapshots()[-1].id
            coder = os.environ.get("USER", "coder")
            w.project.add_observation(
                Observation(new_id(), session.id, coder, snapshot, name=f"{session.label}/{coder}")
            )
        except AttuneError as exc:
            w.show_error(str(exc))
            return
        w._fill_observations()
        w.observation_box.setCurrentIndex(w.observation_box.count() - 1)

    w.probe_job = run_job(w, f"Reading {Path(path).name}…", job, done, w.show_error)


def new_observation(w: MainWindow) -> None:
    if w.project is None or w.observation is None:
        return
    coder, ok = QInputDialog.getText(w, "New observation", "Coder name:")
    if not ok or not coder.strip():
        return
    blind = (
        QMessageBox.question(
            w, "Blind coding", "Code blind (other coders' work hidden until both are final)?"
        )
        == QMessageBox.StandardButton.Yes
    )
    obs = Observation(
        new_id(),
        w.observation.session_id,
        coder.strip(),
        w.observation.snapshot_id,
        name=f"{w.project.session(w.observation.session_id).label}/{coder.strip()}",
        blind=blind,
    )
    try:
        w.project.add_observation(obs)
    except AttuneError as exc:
        w.show_error(str(exc))
        return
    w._fill_observations()
    w.observation_box.setCurrentIndex(w.observation_box.findData(obs.id))


def _relink(w: MainWindow) -> None:
    assert w.project is not None and w.observation is not None
    session = w.project.session(w.observation.session_id)
    if session.media_id:
        w.relink_video(session.media_id)
        w.open_observation(w.observation.id)


def go_to(w: MainWindow) -> None:
    from ui.events.table import parse_time

    text, ok = QInputDialog.getText(w, "Go to", "Time (mm:ss.mmm) or frame (f123):")
    if not ok or not text.strip():
        return
    text = text.strip()
    try:
        if text.lower().startswith("f"):
            w.player.seek_frame(int(text[1:]))
        else:
            w.player.seek(parse_time(text))
    except ValueError as exc:
        w.show_error(str(exc))


def _speed(w: MainWindow, direction: int) -> None:
    rate = w.player.rate
    faster = [s for s in SPEEDS if s > rate + 1e-9]
    slower = [s for s in SPEEDS if s < rate - 1e-9]
    if direction > 0 and faster:
        w.player.set_rate(faster[0])
    elif direction < 0 and slower:
        w.player.set_rate(slower[-1])


def _volume(w: MainWindow, delta: float) -> None:
    w.volume = min(1.0, max(0.0, getattr(w, "volume", 1.0) + delta))
    w.player.backend.set_volume(w.volume)
    w.statusBar().showMessage(f"Volume {w.volume:.0%}", 2000)


def _loop_selection(w: MainWindow) -> None:
    if w.scene is None:
        return
    chosen = w.scene.selected_events()
    if not chosen or chosen[0].event.offset_ms is None:
        w.player.set_loop(None)
        w.statusBar().showMessage("Loop off", 3000)
        return
    event = chosen[0].event
    w.player.set_loop(event.onset_ms, event.offset_ms)
    w.player.seek(event.onset_ms)
    w.statusBar().showMessage("Looping the selected event (Ctrl+L on nothing to stop)", 5000)


def _reaction(w: MainWindow) -> None:
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


def _backend(w: MainWindow) -> None:
    from ui.player.backends import vlc_available

    names = ["Qt Multimedia (frame-exact)"] + (
        ["VLC (not frame-accurate)"] if vlc_available() else []
    )
    choice, ok = QInputDialog.getItem(
        w, "Player", "Backend (applies after reopening):", names, 0, False
    )
    if ok:
        w.prefs.backend = "vlc" if choice.startswith("VLC") else "qt"


def cheat_sheet(w: MainWindow) -> None:
    dialog = QDialog(w)
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(0, 2, dialog)
    table.setHorizontalHeaderLabels(["Key", "Action"])
    seen = set()
    for action in w.actions():
        key = action.shortcut().toString()
        if key and (key, action.text()) not in seen:
            seen.add((key, action.text()))
            row = table.rowCount()
            table.insertRow(row)
            table.setItem(row, 0, QTableWidgetItem(key))
            table.setItem(row, 1, QTableWidgetItem(action.text().replace("&", "")))
    table.resizeColumnsToContents()
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    dialog.resize(480, 600)
    w.cheat_dialog = dialog
    dialog.show()


def edit_scheme(w: MainWindow) -> None:
    from coder.schemes import load_shipped
    from ui.dialogs.scheme_editor import SchemeEditor

    if w.project is not None and w.observation is not None:
        text = w.project.snapshot(w.observation.snapshot_id).source_text
    else:
        text = load_shipped("attachment-core")[1]
    editor = SchemeEditor(text, w.project if w.project and not w.project.read_only else None, w)
    editor.show()
    w.scheme_editor = editor


def add_segment(w: MainWindow) -> None:
    from coder.commands import AddSegment
    from coder.model import Segment

    if w.project is None or w.observation is None or w.bridge is None or w.coding is None:
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
    w.bridge.push(
        AddSegment(
            Segment(
                new_id(),
                w.observation.session_id,
                name,
                start,
                min(end_limit, start + max(1, length)),
                definition.id if definition else None,
            )
        )
    )


def delete_segment(w: MainWindow) -> None:
    from coder.commands import DeleteSegment

    if w.project is None or w.observation is None or w.bridge is None:
        return
    here = w.player.position
    for seg in w.project.segments(w.observation.session_id):
        if seg.onset_ms <= here < seg.offset_ms:
            w.bridge.push(DeleteSegment(seg.id))
            return
    w.statusBar().showMessage("No segment at the playhead", 4000)


def edit_session(w: MainWindow) -> None:
    from ui.dialogs.session_dialog import SessionDialog

    if w.project is None or w.observation is None:
        return
    dialog = SessionDialog(w.project.session(w.observation.session_id), w)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        try:
            w.project.update_session(dialog.result_session())  # audited; on disk at once
        except AttuneError as exc:
            w.show_error(str(exc))
