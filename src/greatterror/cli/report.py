"""`greatterror report`: write a finished run's report again, static or interactive.

A run writes its static report (report.html) itself. This command redraws it
from the run's files, adds ensemble bands from other runs of the same
scenario, or writes the interactive plotly page beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from greatterror.cli.output import console, fail
from greatterror.results.outputs import SUMMARY_FILE, RunOutputError, read_summary


def _members(run_dir: Path, summary: dict[str, Any], others: list[Path]) -> list[dict[str, Any]]:
    """The summaries of an ensemble: this run and the others, differing only in their seeds.

    Refused: a run given twice (or the run itself), two runs with the same
    seeds (the same draws: the band would be narrower than it is), and runs
    that differ in anything but the seeds: scenario (name, content, period),
    mechanism switches, parameters, scale or code (``provenance``).
    """
    from greatterror.provenance import code_label, identity_differences, same_code

    def seeds(s: dict[str, Any]) -> tuple[Any, Any]:
        return s.get("seed"), (s.get("population") or {}).get("seed", s.get("seed"))

    members = [summary]
    folders = {run_dir.resolve(): run_dir}
    taken = {seeds(summary): run_dir}
    for other in others:
        if other.resolve() in folders:
            given = folders[other.resolve()]
            what = "the run itself" if given == run_dir else f"{given}, already in the ensemble"
            fail(f"--ensemble: {other} is {what}; give each run once")
        path = other / SUMMARY_FILE
        if not path.is_file():
            fail(f"--ensemble: {other} holds no {SUMMARY_FILE}; give the directory of a run")
        problem = _folder_problem(other, required=True)
        if problem:
            fail(f"--ensemble: {other} is not a finished run's folder as written: {problem}")
        member = read_summary(path)
        differences = [
            f"{d['name']} ({d['values'][0]} against {d['values'][1]})"
            for d in identity_differences([summary, member])
        ]
        if member.get("scale") != summary.get("scale"):
            differences.insert(0, f"scale ({summary.get('scale')} against {member.get('scale')})")
        if not same_code(summary.get("code"), member.get("code")):
            differences.append(
                f"code ({code_label(summary.get('code'))} against {code_label(member.get('code'))})"
            )
        if differences:
            fail(
                f"--ensemble: {other} differs from {run_dir} in {'; '.join(differences)}; an "
                "ensemble's runs share scenario, switches, parameters, scale and code and "
                "differ only in the seed"
            )
        if seeds(member) in taken:
            fail(
                f"--ensemble: {other} has the same seeds (run, population) {seeds(member)} as "
                f"{taken[seeds(member)]}: the same draws; an ensemble's runs differ in the seed"
            )
        folders[other.resolve()] = other
        taken[seeds(member)] = other
        members.append(member)
    return members


def _folder_problem(folder: Path, required: bool) -> str | None:
    """Why ``folder`` no longer holds the run its marker names, as the run wrote it (the
    marker's digests of every file, ``rundir.folder_problem``), or None. A folder without a
    marker is refused only when ``required``: an ensemble's other runs must be finished runs
    whose summary.json is the one the run wrote; the run's own folder may be one written
    before markers (its report says what it reads)."""
    from greatterror.results.rundir import MARKER_FILE, folder_problem, read_marker

    marker = read_marker(folder)
    if marker is None:
        return f"it holds no readable {MARKER_FILE}" if required else None
    if SUMMARY_FILE not in marker["files"]:
        return f"its {MARKER_FILE} does not vouch for its {SUMMARY_FILE}"
    problem = folder_problem(folder, str(marker.get("run_id")), None)
    return problem.replace(f"its output folder {folder} ", "it ") if problem else None


def _folder(text: str) -> Path:
    """The run folder as typed: an empty one is refused (Path("") would be named ".")."""
    if not text.strip():
        raise typer.BadParameter("empty; give the --out directory of a run")
    return Path(text)


def report(
    run_dir: Annotated[
        Path, typer.Argument(parser=_folder, help="The output directory of a finished run.")
    ],
    interactive: Annotated[
        bool,
        typer.Option(
            help="Write report-interactive.html (plotly, self-contained) instead of report.html."
        ),
    ] = False,
    ensemble: Annotated[
        list[Path] | None,
        typer.Option(
            "--ensemble",
            help="Directory of another run of the same scenario and parameters (repeatable): "
            "draws the 10-90% band of all runs.",
        ),
    ] = None,
) -> None:
    """Write a run's report: key findings first, then the figures, targets and parameters."""
    from greatterror.results.report import write_report

    summary_path = run_dir / SUMMARY_FILE
    if not summary_path.is_file():
        fail(f"run_dir: {run_dir} holds no {SUMMARY_FILE}; give the --out directory of a run")
    problem = _folder_problem(run_dir, required=False)
    if problem:
        fail(f"run_dir: {run_dir} is not the run's folder as written: {problem}")
    try:
        summary = read_summary(summary_path)
        members = _members(run_dir, summary, ensemble or []) if ensemble else []
        path = write_report(run_dir, members=members, interactive=interactive)
    except RunOutputError as exc:
        fail(str(exc))
    console.print(f"report written to {path}", highlight=False, soft_wrap=True)
