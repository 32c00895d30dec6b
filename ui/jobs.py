"""Run long jobs off the GUI thread with a progress dialog and a Cancel button."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from coder.errors import AttuneError, Cancelled
from coder.progress import Cancel, Progress

Job = Callable[[Progress, Cancel], Any]


class _Signals(QObject):
    progress = Signal(float)
    done = Signal(object)
    failed = Signal(str)


class JobRunner(QRunnable):
    """One job on the thread pool; ``cancelled`` is read by the job between steps."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.signals = _Signals()
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def run(self) -> None:
        try:
            result = self.job(self.signals.progress.emit, lambda: self.cancelled)
        except Cancelled:
            self.signals.failed.emit("")
        except AttuneError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a bug must still reach the user as a message, not a hang
            self.signals.failed.emit(f"Unexpected error: {exc.__class__.__name__}: {exc}")
        else:
            self.signals.done.emit(result)


def run_job(
    parent: QWidget,
    title: str,
    job: Job,
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
) -> JobRunner:
    """Start ``job(progress, cancelled)`` on the thread pool; the GUI stays responsive."""
    # Collect pending garbage here, on the GUI thread: Python's cycle collector runs on
    # whichever thread allocates, and a Qt widget freed on the job's thread crashes.
    gc.collect()
    dialog = QProgressDialog(title, "Cancel", 0, 1000, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    runner = JobRunner(job)
    # The window that started the job may be closed (and the dialog deleted with it) while
    # the job still runs: then the job is cancelled and its late signals are ignored.
    runner.signals.progress.connect(
        lambda f: dialog.setValue(int(f * 1000)) if isValid(dialog) else runner.cancel()
    )
    dialog.canceled.connect(runner.cancel)

    def finish(result: object) -> None:
        if not isValid(dialog):
            return
        dialog.reset()
        on_done(result)

    def fail(message: str) -> None:
        if not isValid(dialog):
            return
        dialog.reset()
        if message:
            on_error(message)

    runner.signals.done.connect(finish)
    runner.signals.failed.connect(fail)
    QThreadPool.globalInstance().start(runner)
    return runner
