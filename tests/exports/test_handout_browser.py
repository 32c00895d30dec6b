"""The HTML handout as a parent's browser shows it: stills keep their aspect ratio.

Rendered by a real headless Chromium (Debian's ``chromium`` package, in .ci/run's apt line);
each still is a solid colour, so its box on the screenshot can be measured exactly.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from exports.handout import write_handout_html
from exports.handout_content import HandoutContent, HandoutStill, encode_png

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# (width, height, colour): a wide still, a tall one, a square one
STILLS = [(320, 180, (220, 30, 30)), (180, 320, (30, 160, 40)), (200, 200, (30, 60, 220))]


def _screenshot(html: Path, png: Path, profile: Path) -> np.ndarray:
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            "--window-size=1000,2400",
            f"--screenshot={png}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return np.asarray(Image.open(png).convert("RGB")).astype(int)


def _box(shot: np.ndarray, colour: tuple[int, int, int]) -> tuple[int, int]:
    near = (np.abs(shot - np.array(colour)).sum(axis=2) < 30).nonzero()
    assert near[0].size, f"colour {colour} not on the page"
    return int(near[1].max() - near[1].min() + 1), int(near[0].max() - near[0].min() + 1)


def test_stills_keep_their_aspect_ratio_in_a_real_browser(tmp_path: Path) -> None:
    stills = []
    for w, h, colour in STILLS:
        rgb = np.zeros((h, w, 3), np.uint8)
        rgb[:, :] = colour
        png, pw, ph = encode_png(rgb)
        stills.append(HandoutStill(png, "", "A moment", "", pw, ph))
    content = HandoutContent("Our moments", "", tuple(stills), "")
    html = write_handout_html(content, tmp_path / "handout.html")
    shot = _screenshot(html, tmp_path / "shot.png", tmp_path / "profile")
    for w, h, colour in STILLS:
        shown_w, shown_h = _box(shot, colour)
        assert shown_w > 50 and shown_h > 50
        # within 2 px of the true proportions (rounding of a scaled picture)
        assert abs(shown_h - shown_w * h / w) <= 2, (colour, shown_w, shown_h, w, h)
