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
