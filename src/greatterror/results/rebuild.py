"""Recreate the run registry from the journal and the run folders, so that no run is lost.

The registry is a database file, and a database file can be damaged (a
disk error, a copy made while it was written). What it holds is also kept
in two plainer places: the append-only journal beside it, and each run
folder's summary.json with its marker. ``greatterror runs rebuild`` reads
both, writes a new registry to a temporary file and moves it into place; a
damaged old file is kept beside it under a ``.damaged-TIME`` name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from greatterror.results.outputs import SUMMARY_FILE, RunOutputError, read_summary
from greatterror.results.registry import (
    RegistryError,
    created_of,
    default_registry_path,
    insert_rows,
    journal_path,
    list_runs,
    registry_row,
)
from greatterror.results.rundir import MARKER_FILE, folder_problem, read_marker


@dataclass
class Rebuilt:
    """What a rebuild found: runs recorded, and sources it could not use (with why)."""

    path: Path
    runs: int = 0
    from_registry: int = 0
    from_journal: int = 0
    from_folders: int = 0
    #: run folders found under the folders the caller named, recorded before or not
    found_in_roots: int = 0
    skipped: list[str] = field(default_factory=list)
    kept_damaged: Path | None = None


def _journal(path: Path, report: Rebuilt) -> Iterable[tuple[str, datetime, dict[str, Any], str]]:
    journal = journal_path(path)
    if not journal.is_file():
        return
    with journal.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                entry = json.loads(line)
                created = datetime.fromisoformat(entry["created"])
                yield entry["run_id"], created, dict(entry["summary"]), str(entry["out_dir"])
            except (ValueError, KeyError, TypeError):
                # a line cut short by a killed writer: the run folder still has the run
                report.skipped.append(f"{journal.name}, line {number}: not a complete entry")


def _scan(root: Path, report: Rebuilt) -> list[Path]:
    """The run folders under a root the caller gave (those holding a marker), in one walk.

    A folder that holds a summary but no marker is named in ``report.skipped``: only a
    finished run folder (its marker names the run and its files' hashes) is read back, and
    one passed over in silence made "0 from run folders" read as if the folder held no run.
    """
    marked: list[Path] = []
    summaries: list[Path] = []
    for path in sorted(Path(root).rglob("*.json")):
        if path.name == MARKER_FILE:
            marked.append(path.parent)
        elif path.name == SUMMARY_FILE:
            summaries.append(path.parent)
    have_marker = set(marked)
    report.skipped += [
        f"{folder}: no {MARKER_FILE}, so not a finished greatterror run folder (only folders "
        "with the marker are read back)"
        for folder in summaries
        if folder not in have_marker
    ]
    if not marked and not summaries:
        report.skipped.append(f"{root}: no run folder under it (none holds {MARKER_FILE})")
    return marked


def _marked(root: Path) -> list[Path]:
    """The folders under ``root`` that hold a run's marker."""
    return [p.parent for p in sorted(Path(root).rglob(MARKER_FILE))]


def _folders(
    marked: Iterable[Path], report: Rebuilt
) -> Iterable[tuple[str, datetime, dict[str, Any], str]]:
    """Each marked folder's run, read back; a folder that does not check out is skipped."""
    for folder in marked:
        marker = read_marker(folder)
        run_id = str((marker or {}).get("run_id") or "")
        problem = folder_problem(folder, run_id, None) if marker else "unreadable marker"
        if problem:
            report.skipped.append(f"{folder}: {problem}")
            continue
        try:
            summary = read_summary(folder / SUMMARY_FILE)
            yield run_id, created_of(run_id), summary, str(folder.resolve())
        except (RunOutputError, ValueError) as exc:
            report.skipped.append(f"{folder}: {exc}")


def rebuild_registry(roots: Iterable[Path] = (), path: Path | None = None) -> Rebuilt:
    """A new registry from the old one (if readable), the journal and run folders under ``roots``.

    The folders of runs listed in the journal are always searched; ``roots``
    adds more (for run folders whose journal was lost). A run found in
    several places is recorded once, with the registry's copy first.
    """
    path = path or default_registry_path()
    report = Rebuilt(path)
    rows: dict[str, list[Any]] = {}
    try:
        for run in list_runs(path=path):
            rows.setdefault(
                run["run_id"],
                registry_row(run["run_id"], run["created"], run["summary"], run["out_dir"]),
            )
            report.from_registry += 1
        damaged = False
    except RegistryError as exc:
        report.skipped.append(str(exc))
        damaged = True
    folders = set()
    for run_id, created, summary, out_dir in _journal(path, report):
        folders.add(Path(out_dir).parent)
        if run_id not in rows:
            rows[run_id] = registry_row(run_id, created, summary, out_dir)
            report.from_journal += 1

    def record(found: Iterable[tuple[str, datetime, dict[str, Any], str]]) -> None:
        for run_id, created, summary, out_dir in found:
            if run_id not in rows:
                rows[run_id] = registry_row(run_id, created, summary, out_dir)
                report.from_folders += 1

    # the caller's folders, each once however often named: what is not read back is named
    given = list(dict.fromkeys(Path(root).resolve() for root in roots))
    for root in given:
        found = list(_folders(_scan(root, report), report))
        report.found_in_roots += len(found)
        record(found)
    journal_folders = sorted(f for f in folders if f.resolve() not in set(given))
    record(_folders((m for f in journal_folders for m in _marked(f)), report))
    tmp = path.with_name(f".{path.name}.rebuild-{os.getpid()}")
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            insert_rows(con, sorted(rows.values(), key=lambda r: (r[1], r[0])))
        if damaged and path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            report.kept_damaged = path.with_name(f"{path.name}.damaged-{stamp}")
            path.rename(report.kept_damaged)
        Path(f"{path}.wal").unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
    report.runs = len(rows)
    return report
