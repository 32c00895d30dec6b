"""Defects 17 and 18: ./run checks Qt's system libraries before Qt is imported and prints the
exact install command; opening a video prints no FFmpeg stream dump or Qt Multimedia logs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from coder.media.synth import write_index_video
from ui.system_libs import install_line, missing_libraries, os_family

ROOT = Path(__file__).resolve().parents[2]
LDD_OUTPUT = """/x/libqxcb.so:
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-cursor.so.0 => not found
\tlibEGL.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
/x/libQt6Gui.so.6:
\tlibEGL.so.1 => not found
"""
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n'
UBUNTU = "ID=ubuntu\nID_LIKE=debian\n"
FEDORA = "ID=fedora\nVERSION_ID=40\n"
ARCH = "ID=arch\n"


def test_missing_libraries_become_one_install_line_per_system() -> None:
    missing = missing_libraries(LDD_OUTPUT)
    assert missing == ["libxcb-cursor.so.0", "libEGL.so.1"]
    assert os_family(DEBIAN) == "debian" and os_family(UBUNTU) == "debian"
    assert os_family(FEDORA) == "fedora" and os_family(ARCH) == "arch"
    assert install_line(missing, "debian") == "sudo apt-get install -y libxcb-cursor0 libegl1"
    assert install_line(missing, "fedora") == "sudo dnf install -y xcb-util-cursor libglvnd-egl"
    assert install_line(missing, "arch") == "sudo pacman -S --needed xcb-util-cursor libglvnd"
    assert "libfoo.so.1" in install_line(["libfoo.so.1"], "debian")
    assert install_line(missing, None).endswith("libxcb-cursor.so.0 libEGL.so.1")


def test_the_check_runs_before_qt_and_prints_the_command(tmp_path: Path) -> None:
    fake_ldd = tmp_path / "ldd"
    fake_ldd.write_text(f"#!/bin/sh\ncat <<'END'\n{LDD_OUTPUT}END\n")
    fake_ldd.chmod(fake_ldd.stat().st_mode | stat.S_IXUSR)
    release = tmp_path / "os-release"
    release.write_text(UBUNTU)
    env = {**os.environ, "ATTUNE_LDD": str(fake_ldd), "ATTUNE_OS_RELEASE": str(release)}
    code = (
        "import sys, ui.system_libs as s; r = s.main(); "
        "assert 'PySide6.QtCore' not in sys.modules; sys.exit(r)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr
    assert "sudo apt-get install -y libxcb-cursor0 libegl1" in done.stderr
    assert "Traceback" not in done.stderr
    # ./run calls it before starting the GUI (demo, open) — never after Qt is imported.
    script = (ROOT / "run").read_text()
    demo = script[script.index("    demo)") :]
    assert demo.index("check_qt") < demo.index("exec")
    assert "PYTHONWARNINGS=ignore" in script  # no setuptools banners from pip


QUIET = """
import sys, time
import ui.app  # what `attune demo` imports first: sets the log rules before Qt loads
from PySide6.QtWidgets import QApplication
from ui.player.controller import PlayerController
from ui.quiet_logs import quiet_ffmpeg
app = QApplication(sys.argv[:1])
player = PlayerController(None, audio=False)
assert quiet_ffmpeg()
player.load(sys.argv[1], [i * 40 for i in range(25)], 1000)
end = time.time() + 1.5
while time.time() < end:
    app.processEvents()
    time.sleep(0.01)
player.close_media()
print("opened", player.displayed_index)
"""


def test_opening_a_video_prints_no_ffmpeg_or_qt_multimedia_logs(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    write_index_video(video, frames=25, size=(64, 48), audio=True)
    env = {k: v for k, v in os.environ.items() if k not in ("ATTUNE_DEBUG", "QT_LOGGING_RULES")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-c", QUIET, str(video)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "opened 0" in done.stdout
    for noise in ("Input #0", "Stream #0", "qt.multimedia", "FFmpeg version"):
        assert noise not in done.stderr, done.stderr[-2000:]
