"""The ``greatterror`` commands that README.md and docs/*.md show in code blocks still exist.

A reader copies these lines; a renamed option or subcommand would leave them failing with
"no such option". Each command line (continuation lines joined) is walked down typer's
command tree, and every ``--option`` it uses must be one of its command's options. Nothing
is run: the heavy commands (fits, comparisons) are checked as cheaply as the light ones.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from greatterror.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
#: the program as a line starts it: ``greatterror``, ``python3 -m greatterror``, after ``nice``
START = re.compile(r"^(?:nice -n \d+ )?(?:/usr/bin/time \S* ?)?(?:python3? -m )?greatterror(\s|$)")


def command_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, command) of each ``greatterror`` command in the text's fenced blocks."""
    fenced, joined, first = False, "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced, joined = not fenced, ""
            continue
        if not fenced:
            continue
        first = first if joined else number
        if line.rstrip().endswith("\\"):
            joined += line.rstrip()[:-1] + " "
            continue
        whole, joined = joined + line, ""
        for part in re.split(r"&&|;|\|", whole.split("  #")[0]):
            part = part.strip().removeprefix("$ ")
            if START.match(part):
                yield first, part


def problems(command: str, root: Any) -> list[str]:
    """What in ``command`` the command tree does not have: a subcommand or an option."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    words = words[words.index("greatterror") + 1 :]
    found: list[str] = []
    node, path = root, []
    while words and getattr(node, "commands", None):
        word = words.pop(0)
        if word.startswith("-"):
            if word not in {o for p in node.params for o in p.opts}:
                found.append(f"no option {word} of greatterror")
            continue
        if word not in node.commands:
            return [*found, f"no command {' '.join([*path, word])!r}"]
        node, path = node.commands[word], [*path, word]
    options = {o for p in node.params for o in [*p.opts, *p.secondary_opts]} | {"--help"}
    for word in words:
        name = word.split("=")[0]
        if name.startswith("--") and name not in options:
            found.append(f"no option {name} of {' '.join(path)!r}")
    return found


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_the_check_sees_a_stale_option_and_a_stale_command() -> None:
    root = typer.main.get_command(app)
    text = "```\ngreatterror run --scale 0.001 \\\n  --no-such 1\ngreatterror nosuch\n```\n"
    lines = list(command_lines(text))
    assert [n for n, _ in lines] == [2, 4]
    assert problems(lines[0][1], root) == ["no option --no-such of 'run'"]
    assert problems(lines[1][1], root) == ["no command 'nosuch'"]
    assert problems("greatterror hypotheses compare show x.db --generation 0", root) == []


@pytest.mark.parametrize("document", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_documented_commands_use_existing_options(document: Path) -> None:
    root = typer.main.get_command(app)
    stale = [
        f"{document.name}:{number}: {problem}: {command}"
        for number, command in command_lines(document.read_text(encoding="utf-8"))
        for problem in problems(command, root)
    ]
    assert not stale, "\n".join(stale)


def test_the_readme_and_the_docs_have_commands_to_check() -> None:
    counted = sum(len(list(command_lines(d.read_text(encoding="utf-8")))) for d in documents())
    assert counted > 50
