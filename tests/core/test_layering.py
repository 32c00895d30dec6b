"""The layering rule: ui -> exports -> coder, and no Qt below ui/.

Parses every module's imports (so a violation fails even when the import is never run),
then imports every coder/ and exports/ module in a subprocess where PySide6 is blocked.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT_PACKAGES = {"PySide6", "shiboken6", "PyQt5", "PyQt6", "qtpy"}
FORBIDDEN = {
    "coder": QT_PACKAGES | {"exports", "ui"},
    "exports": QT_PACKAGES | {"ui"},
}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_core_and_exports_never_import_qt_or_upper_layers() -> None:
    violations = []
    for package, forbidden in FORBIDDEN.items():
        for path in _modules(package):
            bad = _imported_top_levels(path) & forbidden
            if bad:
                violations.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert violations == [], "layering broken:\n" + "\n".join(violations)


def test_layering_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport ui.cli\n", encoding="utf-8")
    assert _imported_top_levels(bad) & FORBIDDEN["coder"] == {"PySide6", "ui"}


def test_every_core_and_export_module_imports_without_qt() -> None:
    modules = []
    for package in ("coder", "exports"):
        for path in _modules(package):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules.append(".".join(parts))
    script = (
        "import sys, importlib\n"
        "for name in ('PySide6', 'shiboken6'):\n"
        "    sys.modules[name] = None  # any import of Qt now raises ImportError\n"
        f"for mod in {modules!r}:\n"
        "    importlib.import_module(mod)\n"
        "print('ok', len(" + repr(modules) + "))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok")
