"""Shared ways the CLI prints (rich tables for people, JSON for programs) and reads paths."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from greatterror.preflight import MAX_THREADS
from greatterror.scales import scale_warning

console = Console()
error_console = Console(stderr=True)
#: wide enough for any table the CLI prints; a table is only as wide as its content needs
_UNWRAPPED_WIDTH = 10_000
#: ``--threads`` of the commands that build one population (run, population describe)
THREADS_HELP = (
    f"1 to {MAX_THREADS} threads for building the population: the same population and "
    "outputs at any count, only the build's wall time changes; not recorded with the run. "
    "Each thread beyond the first holds one more region's temporaries (about 0.1 GB at "
    "scale 1; docs/performance-log.md, branch popbuild)."
)


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


@contextlib.contextmanager
def progress_bar(description: str, total: int, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A bar on the console for ``total`` ``unit`` (days, pairs), gone when the block ends.

    Yields the ``progress(done, total)`` callback that ``Sim.run``, ``Paired.run`` and
    ``Ensemble.run`` take, so that every command draws its bar the same way.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn(f"{{task.completed}}/{{task.total}} {unit}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def fail(message: str, code: int = 2) -> NoReturn:
    """Report a user-facing error and exit; code 2 is bad input, as in argparse."""
    error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def warn_of_run(warnings: Iterable[str]) -> None:
    """Print one run's warnings (``Results.warnings``) on stderr, so that none passes unseen."""
    for warning in warnings:
        error_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def warn_of_runs(counts: Mapping[str, int], runs: int) -> None:
    """Print many runs' warnings (``Ensemble.warnings``, ``Paired.warnings``) on stderr: one
    line per warning, with how many of the ``runs`` had it, not one line per run."""
    for warning, count in counts.items():
        error_console.print(
            f"[bold yellow]warning ({count} of {runs} runs):[/] {warning}",
            highlight=False,
            soft_wrap=True,
        )


def warn_scale(scale: float, what: str) -> None:
    """Warn on stderr when ``what`` runs below the scale-free scale (``scales.scale_warning``):
    the same warning for every command that takes --scale for many runs."""
    warning = scale_warning(scale, what)
    if warning:
        error_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def database_path(text: str | Path) -> Path:
    """A --db option as typed: an empty one is refused, since Path("") would be "." (the
    current directory) and the later checks would then speak of "." instead of the option.
    Typer also passes the option's default through, already a Path."""
    if isinstance(text, Path):
        return text
    if not text.strip():
        raise typer.BadParameter("empty; give a database file, e.g. fit.db")
    return Path(text)


def folder_path(text: str | Path) -> Path:
    """An --out folder as typed: an empty one is refused as empty, not read as "." (which
    the later checks would call the current folder)."""
    if isinstance(text, Path):
        return text
    if not text.strip():
        raise typer.BadParameter("empty; give a folder's path")
    return Path(text)


def existing_file(path: Path, name: str) -> Path:
    """``path`` if it is a file to read; otherwise exit 2 naming ``name`` (a directory is
    called one, not "does not exist")."""
    from greatterror.calibration.dbfile import file_problem

    problem = file_problem(path)
    if problem:
        fail(f"{name}: {path} {problem}")
    return path


def check_database_option(db: Path, resume: bool) -> None:
    """--db of a fit or comparison: a new database that can be written, or with ``--resume``
    an existing file; an existing directory is named as one either way."""
    from greatterror.calibration.dbfile import new_db_problem, resume_problem

    if not db.parent.is_dir():
        fail(f"--db: the directory {db.parent} does not exist")
    problem = resume_problem(db, resume)
    if problem:
        fail(f"--db: {problem}")
    problem = None if resume else new_db_problem(db)
    if problem:
        fail(f"--db: {db} cannot be written: {problem}; give a path in a writable directory")


def check_result_dir(out: Path) -> None:
    """--out of a command that writes result files: a directory (created if missing) in which
    files can be written."""
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} is a file; allowed: a directory (created if missing)")
    if not out.exists() and not out.parent.is_dir():
        fail(f"--out: the directory {out.parent} does not exist")
    from greatterror.results.rundir import write_problem

    problem = write_problem(out if out.exists() else out.parent)
    if problem:
        fail(f"--out: {out} cannot be written ({problem}); give a directory that can be written")
