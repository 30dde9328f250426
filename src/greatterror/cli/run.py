"""`greatterror run`, `runs`, `compare`, `mechanisms`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from greatterror.cli.output import console, emit_json, fail, print_table
from greatterror.evidence.errors import DataFileError
from greatterror.model.mechanisms import MECHANISMS
from greatterror.model.params import ParameterError, coerce
from greatterror.model.scenario import ScenarioError
from greatterror.population.build import MAX_SCALE, MIN_SCALE
from greatterror.results.outputs import RunOutputError, read_summary
from greatterror.results.registry import AmbiguousRunId, get_run, list_runs

runs_app = typer.Typer(help="The local registry of runs.")


def parse_sets(items: list[str]) -> dict[str, float]:
    """``--set name=value`` pairs, each checked against the parameter schema."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--set: expected name=value, got {item!r}")
        out[name.strip()] = coerce(name.strip(), raw.strip())
    return out


def _targets_table(summary: dict[str, Any]) -> None:
    print_table(
        f"{summary['scenario']}: simulated against archival (full-population equivalents)",
        ["target", "what", "archival", "simulated", "ratio"],
        [
            [
                t["id"],
                t["label"],
                t["archival"],
                t["simulated"],
                f"{t['ratio']:.2f}" if t["ratio"] else "",
            ]
            for t in summary["targets"]
        ],
    )
    print_table(
        "Show trials: simulated against the record",
        ["trial", "date", "defendants", "death", "archival defendants", "archival death"],
        [
            [
                t["id"],
                t["date"],
                t["defendants"],
                t["death_sentences"],
                t["archival"]["defendants"],
                t["archival"]["death_sentences"],
            ]
            for t in summary["trials"]
        ],
    )


def run(
    scenario: Annotated[
        str, typer.Argument(help="Shipped scenario name or path to a scenario TOML file.")
    ] = "historical",
    scale: Annotated[
        float,
        typer.Option(help=f"Sampling scale, {MIN_SCALE:g} to {MAX_SCALE:g} (1 = the whole USSR)."),
    ] = 0.01,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same output.")
    ] = 1,
    out: Annotated[Path, typer.Option(help="Output directory for the run's files.")] = Path(
        "runs/latest"
    ),
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter: name=value (repeatable)."),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output directory.")] = False,
) -> None:
    """Run a scenario, print simulated against archival figures, write outputs and a report."""
    from greatterror.api import Sim, SimError

    if not (MIN_SCALE <= scale <= MAX_SCALE):
        fail(f"--scale: {scale:g} is out of range; allowed values: {MIN_SCALE:g} to {MAX_SCALE:g}")
    try:
        overrides = parse_sets(set_ or [])
        sim = Sim(scenario, scale=scale, seed=seed, pars=overrides)
    except (ParameterError, ScenarioError) as exc:
        fail(str(exc))
    except SimError as exc:
        fail(str(exc).removeprefix("pars."))
    except DataFileError as exc:
        fail(f"the evidence data are invalid: {exc}", code=1)
    if out.exists() and any(out.iterdir()) and not overwrite:
        fail(
            f"--out: {out} already exists and is not empty; choose another directory or pass --overwrite"
        )
    sc = sim.scenario
    days = (sc.end - sc.start).days + 1
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} days"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{sc.name} at 1:{1 / scale:,.0f}", total=days)
        sim.run(progress=lambda done, _total: progress.update(task, completed=done))
    try:
        run_id = sim.save(out, overwrite=overwrite)
    except RunOutputError as exc:
        fail(str(exc))
    _targets_table(sim.results.summary)
    console.print(
        f"run [bold]{run_id}[/] written to {sim.out_dir} (report: {sim.out_dir}/report.html)",
        highlight=False,
    )


def _find_run(run_id: str, field: str) -> dict[str, Any]:
    """A registered run by id or unique prefix; a clear error otherwise."""
    try:
        row = get_run(run_id)
    except AmbiguousRunId as exc:
        fail(str(exc))
    if row is None:
        fail(f"{field}: no run {run_id!r} in the registry; `greatterror runs list` shows them")
    return row


@runs_app.command("list")
def runs_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List recorded runs."""
    rows = list_runs()
    if as_json:
        emit_json([{k: v for k, v in r.items() if k != "summary"} for r in rows])
        return
    print_table(
        "Runs",
        ["run id", "created", "scenario", "scale", "seed", "version", "output"],
        [
            [
                r["run_id"],
                r["created"],
                r["scenario"],
                r["scale"],
                r["seed"],
                r["version"],
                r["out_dir"],
            ]
            for r in rows
        ],
    )


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id or a unique prefix of it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one run: its parameters and its figures against the record."""
    row = _find_run(run_id, "run_id")
    if as_json:
        emit_json(row)
        return
    console.print(
        f"run {row['run_id']}: {row['scenario']}, scale {row['scale']:g}, seed {row['seed']}, version {row['version']}",
        highlight=False,
    )
    _targets_table(row["summary"])


def compare(
    run_ids: Annotated[list[str], typer.Argument(help="Two or more run ids (or unique prefixes).")],
    out: Annotated[Path, typer.Option(help="Where to write the comparison plot (PNG).")] = Path(
        "runs/compare.png"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare runs side by side; with shared seeds the differences are paired."""
    from greatterror.results.compare import compare_runs, write_comparison_plot

    if len(run_ids) < 2:
        fail("run_ids: give at least two runs to compare")
    summaries, labels = [], []
    for rid in run_ids:
        row = _find_run(rid, "run_ids")
        path = Path(row["out_dir"]) / "summary.json"
        summaries.append(read_summary(path) if path.exists() else row["summary"])
        labels.append(row["run_id"])
    rows = compare_runs(summaries)
    if as_json:
        emit_json(rows)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    write_comparison_plot(summaries, labels, out)
    print_table(
        "Comparison (differences against the first run)",
        ["figure", "archival", *labels, *[f"Δ {lab}" for lab in labels[1:]]],
        [[r["label"], r["archival"], *r["values"], *r["differences"][1:]] for r in rows],
    )
    console.print(f"plot written to {out}")


def mechanisms(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The mechanisms M01-M30 of the seed texts: switch, step, implemented or not."""
    if as_json:
        emit_json([m.__dict__ for m in MECHANISMS])
        return
    print_table(
        "Mechanisms",
        ["id", "switch", "what", "step", "note"],
        [[m.id, m.switch, m.title, m.step or "not implemented", m.note] for m in MECHANISMS],
    )
