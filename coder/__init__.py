"""Attune core: Qt-free domain model, schemes, project store, commands and time base."""

__version__ = "0.1.0"
