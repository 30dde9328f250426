"""Tables printed to a pipe keep each row on one line: dates and ids are never broken."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from rich.console import Console
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.cli.output import table_console

ARGS = ["evidence", "timeline", "--from", "1937-07", "--to", "1937-09"]
DATE = re.compile(r"^│ (\d{4}-\d{2}-\d{2}) +│ (\S+) +│")


def _rows(text: str) -> list[tuple[str, str]]:
    """(date, id) of each body row; a wrapped row would add lines that do not match."""
    lines = [line for line in text.splitlines() if line.startswith("│")]
    matches = [DATE.match(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m][:3]
    return [(m.group(1), m.group(2)) for m in matches if m]


def test_piped_table_has_one_line_per_row() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("FORCE_COLOR", None)
    piped = subprocess.run(
        [sys.executable, "-c", "from greatterror.cli.app import main; main()", *ARGS],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows = _rows(piped.stdout)
    expected = json.loads(CliRunner().invoke(app, [*ARGS, "--json"]).output)
    assert rows == [(str(e["date"]), e["id"]) for e in expected]
    assert "\x1b[" not in piped.stdout  # no colour codes in a pipe


def test_json_output_is_unchanged_by_the_table_width() -> None:
    result = CliRunner().invoke(app, [*ARGS, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data and {"date", "id"} <= set(data[0])


def test_a_terminal_keeps_wrapping_to_its_width() -> None:
    terminal = Console(force_terminal=True, width=80)
    assert table_console(terminal) is terminal
    piped = Console(force_terminal=False, width=80)
    assert table_console(piped).width > 1000


def test_every_progress_bar_is_drawn_by_one_helper(monkeypatch) -> None:
    """Chores21: `run` and `counterfactual` each built the same rich bar; both now use
    ``output.progress_bar``, which passes the API's ``progress(done, total)`` through."""
    from pathlib import Path

    from greatterror.cli import output

    screen = Console(record=True, force_terminal=True, width=100)
    monkeypatch.setattr(output, "console", screen)
    with output.progress_bar("historical at 1:1,000", 5, "days") as progress:
        progress(3, 5)
    drawn = screen.export_text()
    assert "historical at 1:1,000" in drawn and "3/5 days" in drawn
    src = Path(output.__file__).parents[1]
    builders = [p for p in src.rglob("*.py") if "Progress(" in p.read_text(encoding="utf-8")]
    assert builders == [Path(output.__file__)]
