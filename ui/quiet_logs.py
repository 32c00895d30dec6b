"""Keep the terminal quiet: Qt Multimedia and its FFmpeg print a banner, a stream dump on every
video open and audio-server warnings. Player problems reach the user through the player's
error signal (status bar), so these logs are off unless ``ATTUNE_DEBUG=1``."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

AV_LOG_ERROR = 16
RULES = "qt.multimedia*=false;qt.multimedia.*=false"


def debugging() -> bool:
    return os.environ.get("ATTUNE_DEBUG", "") not in ("", "0")


def quiet_qt_logging() -> None:
    """Call before the QApplication exists (Qt reads the rules once)."""
    if debugging():
        return
    rules = os.environ.get("QT_LOGGING_RULES", "")
    os.environ["QT_LOGGING_RULES"] = f"{rules};{RULES}" if rules else RULES


def quiet_ffmpeg() -> bool:
    """Lower Qt's own FFmpeg to errors only; call once Qt Multimedia is up (a player exists).
    Only a library already loaded is touched (RTLD_NOLOAD). True if it was found."""
    if debugging() or not hasattr(os, "RTLD_NOLOAD"):
        return False
    import PySide6

    for path in sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libavutil.so.[0-9]*")):
        try:
            lib = ctypes.CDLL(str(path), mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        except OSError:
            continue
        lib.av_log_set_level(AV_LOG_ERROR)
        return True
    return False
