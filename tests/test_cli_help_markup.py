"""Every help text of the command line reaches the user whole.

Typer renders help through Rich, which reads ``[...]`` as a markup tag and drops it: a help
text that said "[default: 0.001; ...]" printed as "Sampling scale of each simulation ." and
lost the default. This walks every command and option and checks that Rich's rendering keeps
every character of the text (a literal bracket must be written ``\\[``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from rich.text import Text

from greatterror.cli.app import app


def _commands(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Each command under ``command`` (typer's own click: a group has ``commands``)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}")


def _texts() -> list[tuple[str, str]]:
    root = typer.main.get_command(app)
    found = []
    for path, command in _commands(root, "greatterror"):
        if command.help:
            found.append((path, command.help))
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                found.append((f"{path} {param.name}", text))
    return found


def _kept(text: str) -> bool:
    """Whether Rich's markup keeps every character of ``text`` (escapes aside)."""
    return Text.from_markup(text).plain == text.replace("\\[", "[")


def test_the_walk_finds_the_options() -> None:
    names = {where for where, _ in _texts()}
    assert "greatterror hypotheses compare scale" in names
    assert len(names) > 100


@pytest.mark.parametrize("where, text", [pytest.param(w, t, id=w) for w, t in _texts()])
def test_help_text_survives_markup(where: str, text: str) -> None:
    assert _kept(text), f"{where}: Rich drops part of {text!r}"


def test_the_check_sees_a_dropped_tag() -> None:
    assert not _kept("scale [default: 0.001].")
    assert _kept("scale \\[default: 0.001].")
