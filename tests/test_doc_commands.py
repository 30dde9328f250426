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


def options_of(node: Any) -> set[str]:
    """A command's or a group's options, ``--help`` (click adds it apart from the params)
    and the ``--no-x`` forms of flags included."""
    return {o for p in node.params for o in [*p.opts, *p.secondary_opts]} | {"--help"}


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
        if word.startswith("-"):  # a group's own option (``greatterror --help``, ``--version``)
            if word.split("=")[0] not in options_of(node):
                found.append(f"no option {word} of {' '.join(['greatterror', *path])!r}")
            continue
        if word not in node.commands:
            return [*found, f"no command {' '.join([*path, word])!r}"]
        node, path = node.commands[word], [*path, word]
    options = options_of(node)
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
    # a group's own options: --help and --version exist, a stale one is named with its group
    for line in ("greatterror --help", "greatterror --version", "greatterror runs --help"):
        assert problems(line, root) == [], line
    assert problems("greatterror --no-such run", root) == ["no option --no-such of 'greatterror'"]
    assert problems("greatterror runs --no-such", root) == [
        "no option --no-such of 'greatterror runs'"
    ]


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
    # the README on its own (a total met by docs/ alone would hide a README found empty): its
    # set-up section's run, which follows ``pip install . &&`` on one line, is among them
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(list(command_lines(readme))) >= 20
    setup = readme.split("\n## Set up", 1)[1].split("\n## ", 1)[0]
    found = [command for _, command in command_lines(setup)]
    assert any(command.startswith("greatterror run ") for command in found), found
