"""Drive an mpv process through its JSON IPC socket (the engine BORIS uses), for benchmarks.

mpv runs paused with --vo=null (it decodes and "displays" to nowhere); the picture of the
current frame is read back with `screenshot-to-file … video` (uncompressed PNG), which is not
timed. A seek is complete when mpv sends `playback-restart`; a frame step is complete when
`time-pos` changes. Protocol: one JSON object per line; replies carry our request_id, events
come in between and are kept until asked for.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


def mpv_path() -> str | None:
    return shutil.which("mpv")


def mpv_version() -> str:
    exe = mpv_path()
    if exe is None:
        return "not installed"
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False).stdout
    return out.split("\n", 1)[0].split(" Copyright")[0]


class Mpv:
    def __init__(self, *extra: str, timeout: float = 60.0) -> None:
        exe = mpv_path()
        if exe is None:
            raise RuntimeError("mpv is not installed (Debian: apt-get install mpv)")
        self._dir = tempfile.mkdtemp(prefix="attune-mpv-")
        self.socket_path = os.path.join(self._dir, "ipc.sock")
        self.shot_path = os.path.join(self._dir, "shot.png")
        self.proc = subprocess.Popen(
            [
                exe,
                "--no-config",
                "--idle=yes",
                "--pause",
                "--keep-open=always",
                "--vo=null",
                "--ao=null",
                "--aid=no",
                "--hr-seek=yes",
                "--video-rotate=no",  # read the picture as stored, like the others here
                "--screenshot-format=png",
                "--screenshot-png-compression=0",
                "--no-terminal",
                f"--input-ipc-server={self.socket_path}",
                *extra,
            ]
        )
        deadline = time.monotonic() + 10
        while not os.path.exists(self.socket_path):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("mpv did not open its IPC socket")
            time.sleep(0.02)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        self.sock.connect(self.socket_path)
        self._file = self.sock.makefile("rwb")
        self._events: deque[dict[str, Any]] = deque()
        self._next_id = 0
        self.command("observe_property", 1, "time-pos")

    # --- protocol -----------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        line = self._file.readline()
        if not line:
            raise RuntimeError("mpv closed the IPC connection")
        message: dict[str, Any] = json.loads(line)
        return message

    def command(self, *args: Any) -> Any:
        self._next_id += 1
        wanted = self._next_id
        payload = json.dumps({"command": list(args), "request_id": wanted}) + "\n"
        self._file.write(payload.encode())
        self._file.flush()
        while True:
            message = self._read()
            if message.get("request_id") == wanted:
                if message.get("error") != "success":
                    raise RuntimeError(f"mpv {args[0]}: {message.get('error')}")
                return message.get("data")
            if "event" in message:
                self._events.append(message)

    def wait_for(self, predicate: Any) -> dict[str, Any]:
        while self._events:
            message = self._events.popleft()
            if predicate(message):
                return message
        while True:
            message = self._read()
            if predicate(message):
                return message

    def drain(self) -> None:
        self._events.clear()

    # --- what the benchmark does --------------------------------------------------------
    def load(self, path: Path) -> None:
        self.command("loadfile", str(path))
        self.wait_for(lambda m: m.get("event") == "playback-restart")
        self.drain()

    def seek(self, seconds: float) -> None:
        """Exact seek; returns when mpv reports the seek done (the frame is out)."""
        self.drain()
        self.command("seek", f"{seconds:.6f}", "absolute+exact")
        self.wait_for(lambda m: m.get("event") == "playback-restart")

    def step(self, delta: int) -> None:
        """One frame forward (frame-step) or back (frame-back-step); returns when shown."""
        self.drain()
        before = self.command("get_property", "time-pos")
        self.command("frame-step" if delta > 0 else "frame-back-step")
        self.wait_for(
            lambda m: m.get("event") == "property-change"
            and m.get("name") == "time-pos"
            and m.get("data") is not None
            and m.get("data") != before
        )

    def time_pos(self) -> float:
        return float(self.command("get_property", "time-pos"))

    def reported_frame(self) -> int:
        return int(self.command("get_property", "estimated-frame-number"))

    def picture(self) -> np.ndarray[Any, np.dtype[np.uint8]]:
        self.command("screenshot-to-file", self.shot_path, "video")
        with Image.open(self.shot_path) as image:
            return np.asarray(image.convert("RGB"))

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.command("quit")
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.sock.close()
        shutil.rmtree(self._dir, ignore_errors=True)
