"""Load a file of scripts/ as a fresh module: the scripts are not part of the package, and
several tests call their functions directly."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(filename: str, name: str | None = None) -> ModuleType:
    """scripts/``filename`` executed as a new module called ``name`` (default: its stem)."""
    path = SCRIPTS / filename
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
