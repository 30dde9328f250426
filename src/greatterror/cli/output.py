"""Shared ways the CLI prints: rich tables for people, JSON for programs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

console = Console()
error_console = Console(stderr=True)
#: wide enough for any table the CLI prints; a table is only as wide as its content needs
_UNWRAPPED_WIDTH = 10_000


def emit_json(payload: Any) -> None:
    """JSON goes to stdout unstyled so that it can be piped to other tools."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() or abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def print_table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], caption: str | None = None
) -> None:
    table = Table(title=title, caption=caption, show_lines=False)
    for i, name in enumerate(columns):
        # the first column holds ids: never break them, so they can be copied and searched
        table.add_column(name, overflow="fold", no_wrap=(i == 0))
    for row in rows:
        table.add_row(*(fmt(v) for v in row))
    table_console(console).print(table)


def table_console(screen: Console) -> Console:
    """The console a table is printed on: the screen itself, or one that never wraps.

    On a terminal, wrapping cells to the window is what a reader wants. When the
    output goes to a pipe or a file, rich would assume 80 columns and break dates
    and ids in the middle ("1934-12-2 / 9"), which no program downstream can
    read; each row is then printed on one line, as wide as its content.
    """
    if screen.is_terminal:
        return screen
    return Console(file=screen.file, width=_UNWRAPPED_WIDTH, color_system=None)


def fail(message: str, code: int = 2) -> NoReturn:
    """Report a user-facing error and exit; code 2 is bad input, as in argparse."""
    error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def database_path(text: str | Path) -> Path:
    """A --db option as typed: an empty one is refused, since Path("") would be "." (the
    current directory) and the later checks would then speak of "." instead of the option.
    Typer also passes the option's default through, already a Path."""
    if isinstance(text, Path):
        return text
    if not text.strip():
        raise typer.BadParameter("empty; give a database file, e.g. fit.db")
    return Path(text)
