"""Where a scenario file is and how its text is read, before any of it is checked.

A scenario is named by a shipped name (``historical``, ``counterfactuals/no_kirov``,
``no_kirov``) or by a path; the file must be a UTF-8 TOML file of modest size. This is apart
from scenario.py, which checks what a file says (fields, events, the base it extends), so that
the commands and scripts that only locate the shipped files (the list of scenarios, the
historical scenario's parameters) need not read the schema. ``ScenarioError`` is defined here
because reading the file is where it is first raised; scenario.py raises it too.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from greatterror.errors import GreatterrorError
from greatterror.paths import scenarios_dir


class ScenarioError(GreatterrorError, ValueError):
    """A scenario is invalid; the message names the field and what is allowed."""


#: the largest scenario file read; the shipped historical scenario is about 10 KB, and a file
#: far beyond this limit is a mistake (a duplicated block), not a wider timeline
MAX_SCENARIO_BYTES = 1_000_000


def shipped_names() -> list[str]:
    """Shipped scenarios: top-level ones by name, the others as ``folder/name``."""
    root = scenarios_dir()
    top = sorted(p.stem for p in root.glob("*.toml"))
    nested = sorted(f"{p.parent.name}/{p.stem}" for p in root.glob("*/*.toml"))
    return top + nested


def shipped_path(name: str) -> Path:
    """The file of a shipped scenario: ``historical``, ``hypotheses/h1_intentional``, or
    a nested scenario by its bare name (``no_kirov``) when that name is unique."""
    root = scenarios_dir()
    path = root / f"{name}.toml"
    if path.exists() or "/" in name:
        return path
    found = sorted(root.glob(f"*/{name}.toml"))
    return found[0] if len(found) == 1 else path


def resolve_path(name_or_path: str | Path) -> Path:
    """A shipped scenario by name, or a file path; an existing file is always read as a path."""
    if isinstance(name_or_path, str) and not name_or_path.strip():
        # Path("") is Path("."): the message would name the current folder
        raise ScenarioError(
            f"scenario: empty; shipped scenarios: {', '.join(shipped_names())}, or a path to a "
            ".toml file"
        )
    path = Path(name_or_path)
    if path.is_file() or path.suffix:
        return path
    shipped = shipped_path(str(name_or_path))
    if shipped.is_file():
        return shipped
    if path.exists():
        return path  # a folder: refused by read_toml with its name
    raise ScenarioError(
        f"scenario: unknown scenario {str(name_or_path)!r}; shipped scenarios: "
        f"{', '.join(shipped_names())}, or a path to a .toml file"
    )


def read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ScenarioError(f"scenario: file {path} does not exist")
    if not path.is_file():
        raise ScenarioError(f"scenario: {path} is not a regular file; give a .toml file")
    try:
        if path.stat().st_size > MAX_SCENARIO_BYTES:
            raise ScenarioError(
                f"{path.name}: the file is larger than {MAX_SCENARIO_BYTES:,} bytes; "
                "a scenario is a short TOML file"
            )
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path.name}: not a UTF-8 text file (byte {exc.start}); a scenario is a TOML file"
        ) from None
    except OSError as exc:
        raise ScenarioError(f"scenario: {path} cannot be read ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path.name}: not valid TOML: {exc}") from None
