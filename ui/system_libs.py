"""Before Qt is imported: are the system libraries Qt needs on this machine?

PySide6 wheels bring Qt but not the operating system's graphics, font and X11 libraries; when
one is missing, importing Qt fails with an ImportError traceback naming a ``.so`` file, or the
window never opens ("could not load the Qt platform plugin xcb"). ``./run demo`` and the GUI
commands run this check first (``python -m ui.system_libs``): it asks the dynamic linker
(``ldd``) about Qt's own libraries and the X11 platform plugin, and prints the one install
command for this system's package manager. It imports nothing from Qt.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

# soname -> package on (Debian/Ubuntu, Fedora/RHEL, Arch, openSUSE)
PACKAGES: dict[str, tuple[str, str, str, str]] = {
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd", "libGL1"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd", "libEGL1"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd", "libOpenGL0"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig", "libfontconfig1"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2", "libfreetype6"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2", "libglib-2_0-0"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2", "glib2", "libgthread-2_0-0"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus", "libdbus-1-3"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon", "libxkbcommon0"),
    "libxkbcommon-x11.so.0": (
        "libxkbcommon-x11-0",
        "libxkbcommon-x11",
        "libxkbcommon-x11",
        "libxkbcommon-x11-0",
    ),
    "libX11.so.6": ("libx11-6", "libX11", "libx11", "libX11-6"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11", "libX11-xcb1"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb", "libxcb1"),
    "libxcb-cursor.so.0": (
        "libxcb-cursor0",
        "xcb-util-cursor",
        "xcb-util-cursor",
        "libxcb-cursor0",
    ),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm", "libxcb-icccm4"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image", "libxcb-image0"),
    "libxcb-keysyms.so.1": (
        "libxcb-keysyms1",
        "xcb-util-keysyms",
        "xcb-util-keysyms",
        "libxcb-keysyms1",
    ),
    "libxcb-render-util.so.0": (
        "libxcb-render-util0",
        "xcb-util-renderutil",
        "xcb-util-renderutil",
        "libxcb-render-util0",
    ),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb", "libxcb-shape0"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb", "libxcb-randr0"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb", "libxcb-xfixes0"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb", "libxcb-sync1"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb", "libxcb-shm0"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb", "libxcb-xkb1"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb", "libxcb-render0"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb", "libxcb", "libxcb-xinerama0"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb", "libxcb", "libxcb-xinput0"),
    "libSM.so.6": ("libsm6", "libSM", "libsm", "libSM6"),
    "libICE.so.6": ("libice6", "libICE", "libice", "libICE6"),
    "libpulse.so.0": ("libpulse0", "pulseaudio-libs", "libpulse", "libpulse0"),
    "libasound.so.2": ("libasound2", "alsa-lib", "alsa-lib", "libasound2"),
}
FAMILIES = ("debian", "fedora", "arch", "suse")
COMMANDS = {
    "debian": "sudo apt-get install -y",
    "fedora": "sudo dnf install -y",
    "arch": "sudo pacman -S --needed",
    "suse": "sudo zypper install",
}


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as "not found", each once, in order."""
    found: list[str] = []
    for match in re.finditer(r"^\s*(\S+)\s*=>\s*not found", ldd_output, re.MULTILINE):
        if match.group(1) not in found:
            found.append(match.group(1))
    return found


def os_family(os_release: str) -> str | None:
    """debian / fedora / arch / suse from /etc/os-release (ID and ID_LIKE), else None."""
    ids: list[str] = []
    for key in ("ID", "ID_LIKE"):
        match = re.search(rf"^{key}=\"?([^\"\n]*)\"?", os_release, re.MULTILINE)
        if match:
            ids.extend(match.group(1).lower().split())
    for name in ids:
        if name in ("debian", "ubuntu", "linuxmint", "pop", "raspbian"):
            return "debian"
        if name in ("fedora", "rhel", "centos", "rocky", "almalinux"):
            return "fedora"
        if name in ("arch", "manjaro", "endeavouros"):
            return "arch"
        if name.startswith(("suse", "opensuse", "sles")):
            return "suse"
    return None


def install_line(missing: list[str], family: str | None) -> str:
    """The one command that installs what is missing (or what to look for when unknown)."""
    if family is None or family not in FAMILIES:
        return "install the packages that provide: " + " ".join(missing)
    column = FAMILIES.index(family)
    packages: list[str] = []
    unknown: list[str] = []
    for soname in missing:
        names = PACKAGES.get(soname)
        if names is None:
            unknown.append(soname)
        elif names[column] not in packages:
            packages.append(names[column])
    line = f"{COMMANDS[family]} {' '.join(packages)}" if packages else ""
    if unknown:
        line += ("  # and the packages providing: " if line else "install: ") + " ".join(unknown)
    return line


def qt_binaries() -> list[Path]:
    """Qt's core GUI libraries and the X11 platform plugin inside the PySide6 wheel."""
    spec = importlib.util.find_spec("PySide6")  # finds the folder without loading Qt
    if spec is None or spec.origin is None:
        return []
    qt = Path(spec.origin).parent / "Qt"
    names = [
        qt / "lib" / "libQt6Gui.so.6",
        qt / "lib" / "libQt6Widgets.so.6",
        qt / "lib" / "libQt6Multimedia.so.6",
        qt / "plugins" / "platforms" / "libqxcb.so",
    ]
    return [p for p in names if p.exists()]


def check(ldd: str = "ldd") -> str:
    """ "" when Qt can load; else the message (what is missing and the install line)."""
    binaries = qt_binaries()
    if not binaries:
        return ""
    try:
        output = subprocess.run(
            [ldd, *map(str, binaries)], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""  # no ldd: let Qt report for itself
    missing = missing_libraries(output)
    if not missing:
        return ""
    try:
        release = Path(os.environ.get("ATTUNE_OS_RELEASE", "/etc/os-release")).read_text()
    except OSError:
        release = ""
    return (
        "Attune's window needs system libraries that are not installed: "
        + ", ".join(missing)
        + ".\nInstall them with:\n    "
        + install_line(missing, os_family(release))
        + "\nthen run ./run demo again."
    )


def main() -> int:
    if not sys.platform.startswith("linux"):
        return 0
    message = check(os.environ.get("ATTUNE_LDD", "ldd"))
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
