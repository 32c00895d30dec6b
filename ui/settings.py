"""User preferences (QSettings): player backend, reaction time, recent projects, geometry, and
the name of the last person who coded on this machine."""

from __future__ import annotations

from PySide6.QtCore import QSettings

MAX_RECENT = 8


class Preferences:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.s = settings or QSettings("Attune", "Attune")

    @property
    def backend(self) -> str:
        return str(self.s.value("player/backend", "qt"))

    @backend.setter
    def backend(self, name: str) -> None:
        self.s.setValue("player/backend", name)

    @property
    def reaction_ms(self) -> int:
        value = self.s.value("coding/reaction_ms", 0)
        try:
            return int(str(value))
        except ValueError:  # a hand-edited settings file: fall back to no shift
            return 0

    @reaction_ms.setter
    def reaction_ms(self, ms: int) -> None:
        self.s.setValue("coding/reaction_ms", int(ms))

    @property
    def step_frames(self) -> int:
        """How many frames Left/Right step (1..100)."""
        try:
            return min(100, max(1, int(str(self.s.value("coding/step_frames", 1)))))
        except ValueError:
            return 1

    @step_frames.setter
    def step_frames(self, frames: int) -> None:
        self.s.setValue("coding/step_frames", min(100, max(1, int(frames))))

    @property
    def hold_states(self) -> bool:
        """Press-and-hold coding: a state lasts while its key is held down."""
        return str(self.s.value("coding/hold_states", "false")) == "true"

    @hold_states.setter
    def hold_states(self, value: bool) -> None:
        self.s.setValue("coding/hold_states", "true" if value else "false")

    @property
    def ask_modifiers(self) -> bool:
        return str(self.s.value("coding/ask_modifiers", "true")) == "true"

    @ask_modifiers.setter
    def ask_modifiers(self, value: bool) -> None:
        self.s.setValue("coding/ask_modifiers", "true" if value else "false")

    @property
    def coder(self) -> str:
        return str(self.s.value("coding/coder", ""))

    @coder.setter
    def coder(self, name: str) -> None:
        self.s.setValue("coding/coder", name)

    def recent(self) -> list[str]:
        value = self.s.value("projects/recent", [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def add_recent(self, path: str) -> None:
        items = [path, *[p for p in self.recent() if p != path]][:MAX_RECENT]
        self.s.setValue("projects/recent", items)
