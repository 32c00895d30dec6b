from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox

from coder.media.probe import media_from_probe, probe
from coder.media.synth import write_index_video
from coder.model import Consent, Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record message boxes instead of blocking the test on them."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(str(a[2])))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(str(a[2])))
    return shown


@pytest.fixture(autouse=True)
def coder_dialog_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Who is coding?" is answered with what it offers (the remembered name or OS user)."""
    from ui.dialogs.coder_dialog import CoderDialog

    monkeypatch.setattr(CoderDialog, "exec", lambda self: int(QDialog.DialogCode.Accepted))


@pytest.fixture(autouse=True)
def add_video_dialog_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Add session video" is answered with what it offers (file name, current coder)."""
    from ui.dialogs.add_video_dialog import AddVideoDialog

    monkeypatch.setattr(AddVideoDialog, "exec", lambda self: int(QDialog.DialogCode.Accepted))


@pytest.fixture
def prefs(tmp_path: Path):  # type: ignore[no-untyped-def]
    from ui.settings import Preferences

    prefs = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    prefs.ask_modifiers = False
    return prefs


@pytest.fixture
def window(qtbot, prefs, index_project: Path):  # type: ignore[no-untyped-def]
    """The main window with ``index_project`` open (as the remembered or OS user)."""
    from ui.main_window import MainWindow

    w = MainWindow(prefs, audio=False)
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(index_project))
    yield w
    w.close()


@pytest.fixture
def index_project(tmp_path: Path) -> Iterator[Path]:
    """A project on a 4 s 25 fps index video (frames carry their number), one observation."""
    video = tmp_path / "clip.mp4"
    write_index_video(video, frames=100, gop=12, size=(160, 120))
    path = tmp_path / "ui.attune"
    scheme, text = load_shipped("attachment-core")
    result = probe(video)
    media = media_from_probe(video, result)
    with Project.create(path, user="ui") as project:
        snap = project.adopt_scheme(scheme, text, scheme_content_hash(text))
        with project.transaction():
            project.add_media(media, result.frame_times_ms)
            project.add_session(
                Session("s1", "Week 1", media.id, consent=Consent(show_to_parents=True))
            )
        project.add_observation(Observation("o1", "s1", "Ana", snap.id, name="Week 1/Ana"))
    yield path


@pytest.fixture
def recorded_session(index_project: Path):  # type: ignore[no-untyped-def]
    """(project, stack, session, pushed): a CodingSession on o1 whose view edits are recorded
    in ``pushed`` (edits made directly on ``stack`` are not)."""
    from coder.app.session import CodingSession
    from coder.commands import CommandStack
    from coder.timebase import TimeBase

    project = Project.open(index_project)
    stack = CommandStack(project)
    tb = TimeBase(project.frame_times(project.media_list()[0].id), 4000)
    session = CodingSession(project, "o1", tb, stack)
    pushed: list[object] = []
    apply = session.apply

    def recording_apply(command):  # type: ignore[no-untyped-def]
        pushed.append(command)
        return apply(command)

    session.apply = recording_apply  # type: ignore[method-assign]
    yield project, stack, session, pushed
    session.close()
    project.close()
