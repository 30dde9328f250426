"""`greatterror run`, `runs`, `compare`, `mechanisms`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from greatterror.cli.output import (
    THREADS_HELP,
    console,
    emit_json,
    error_console,
    fail,
    fmt,
    folder_path,
    print_table,
    progress_bar,
    warn_of_run,
)
from greatterror.model.mechanisms import BY_SWITCH, SWITCH_VALUES, switch_name, switch_value
from greatterror.model.params import PARAMETERS, ParameterError, coerce
from greatterror.preflight import check_local_state, check_run, check_threads
from greatterror.results.outputs import SUMMARY_FILE
from greatterror.results.rundir import CLI_NAMES, MARKER_FILE, check_output_file, folder_problem
from greatterror.scales import MAX_SCALE, MIN_SCALE

runs_app = typer.Typer(help="The local registry of runs.")


def parse_sets(items: list[str]) -> tuple[dict[str, float], dict[str, bool]]:
    """``--set name=value`` pairs: parameters, checked against the parameter schema, and
    mechanism switches (``M12=off`` or ``denunciation=off``).

    A name is a mechanism if it is an M-id, or a switch name that is not also a
    parameter; ``purge_of_purgers`` is both, and is a switch when given on or off.
    """
    params: dict[str, float] = {}
    switches: dict[str, bool] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name:
            raise ParameterError(f"--set: expected name=value, got {item!r}")
        if name in params or name in switches:
            raise ParameterError(f"--set: {name} is given more than once; give each parameter once")
        if _is_switch(name, raw):
            switch_name(name)  # an unknown mechanism is refused here, before any work
            key = name.upper() if re.fullmatch(r"[Mm]\d+", name) else name
            switches[key] = switch_value(name, raw)
        else:
            params[name] = coerce(name, raw)
    return params, switches


def _is_switch(name: str, raw: str) -> bool:
    if re.fullmatch(r"[Mm]\d+", name):
        return True
    if name not in BY_SWITCH:
        return False
    also_a_parameter = any(p.name == name for p in PARAMETERS)
    return not also_a_parameter or raw.lower() in SWITCH_VALUES


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
        int,
        typer.Option(help="Random seed, 0 to 2^63 - 1; the same seed gives the same output."),
    ] = 1,
    out: Annotated[
        Path, typer.Option(parser=folder_path, help="Output directory for the run's files.")
    ] = Path("runs/latest"),
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a parameter (name=value) or switch a mechanism (M12=off, "
            "denunciation=on); repeatable.",
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(help="Replace an output folder that holds a previous greatterror run."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(help="Run even if the estimated memory exceeds the memory available."),
    ] = False,
    threads: Annotated[int, typer.Option(help=THREADS_HELP)] = 1,
) -> None:
    """Run a scenario, print simulated against archival figures, write outputs and a report."""
    from greatterror.api import Sim, SimError

    # everything that can be checked is checked before any simulation work (docs/reliability.md)
    check_run(scale, seed, out, overwrite=overwrite, force=force)
    check_threads(threads)
    overrides, switches = parse_sets(set_ or [])
    try:
        sim = Sim(
            scenario,
            scale=scale,
            seed=seed,
            pars=overrides,
            mechanisms=switches,
            threads=threads,
        )
    except SimError as exc:
        fail(str(exc).removeprefix("pars.").removeprefix("mechanisms."))
    check_local_state()
    from greatterror.model.compiled import compile_notice

    notice = compile_notice()
    if notice:
        error_console.print(notice, highlight=False)
    sc = sim.scenario
    days = (sc.end - sc.start).days + 1
    from greatterror.results.output_worker import prefetched

    # the modules that write the tables and the report are imported by a forked worker while
    # this process simulates (results/output_worker.py)
    with prefetched() as worker:
        with progress_bar(f"{sc.name} at 1:{1 / scale:,.0f}", days, "days") as progress:
            sim.run(progress=progress)
        run_id = sim.save(out, overwrite=overwrite, worker=worker, spelling=CLI_NAMES)
    _targets_table(sim.results.summary)
    warn_of_run(sim.results.warnings)
    console.print(
        f"run [bold]{run_id}[/] written to {sim.out_dir} (report: {sim.out_dir}/report.html)",
        highlight=False,
    )


def _find_run(run_id: str, field: str) -> dict[str, Any]:
    """A registered run by id or unique prefix; a clear error otherwise."""
    from greatterror.results.registry import get_run

    row = get_run(run_id)
    if row is None:
        fail(f"{field}: no run {run_id!r} in the registry; `greatterror runs list` shows them")
    return row


def _folder_note(row: dict[str, Any]) -> str | None:
    """Why the run's output folder may not be used as this run's, or None when it may.

    The figures shown always come from the registry's copy of the summary;
    the folder is checked so that a user who opens its files is warned.
    """
    problem = folder_problem(
        Path(row["out_dir"]), row["run_id"], row["summary"].get("content_hash")
    )
    if problem is None:
        return None
    return f"run {row['run_id']}: {problem}; figures shown are the registry's copy"


def _overrides(row: dict[str, Any]) -> str:
    """What the run was given over its scenario: parameters and mechanism switches."""
    summary = row["summary"]
    given = [f"{k}={fmt(v)}" for k, v in (summary.get("overrides") or {}).items()]
    for switch, on in (summary.get("mechanism_overrides") or {}).items():
        mid = BY_SWITCH[switch].id if switch in BY_SWITCH else switch
        given.append(f"{mid}={'on' if on else 'off'}")
    return ", ".join(given) or "none"


def _provenance(row: dict[str, Any]) -> str:
    """Where the run's scenario came from, its population's seed and the code that ran it."""
    from greatterror.provenance import code_label

    summary = row["summary"]
    source = summary.get("scenario_source") or {}
    population = summary.get("population") or {}
    pop_seed = population.get("seed")
    return (
        f"scenario file {source.get('path') or 'not recorded'} "
        f"(content {str(source.get('hash') or '')[:12] or 'not recorded'}), "
        f"{summary.get('start')} to {summary.get('end')}; population seed "
        f"{'not recorded' if pop_seed is None else pop_seed}; code {code_label(summary.get('code'))}"
    )


@runs_app.command("list")
def runs_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List recorded runs, with the parameters each overrode (--set)."""
    from greatterror.results.registry import list_runs

    rows = list_runs()
    if as_json:
        emit_json(
            [
                {
                    **{k: v for k, v in r.items() if k != "summary"},
                    "overrides": r["summary"].get("overrides"),
                    "mechanism_overrides": r["summary"].get("mechanism_overrides"),
                }
                for r in rows
            ]
        )
        return
    print_table(
        "Runs",
        [
            "run id",
            "created",
            "scenario",
            "scale",
            "seed",
            "overrides (--set)",
            "version",
            "output",
        ],
        [
            [
                r["run_id"],
                r["created"],
                r["scenario"],
                r["scale"],
                r["seed"],
                _overrides(r),
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
    """Show one run: its parameters and its figures against the record (the registry's copy)."""
    row = _find_run(run_id, "run_id")
    note = _folder_note(row)
    if as_json:
        emit_json({**row, "folder_note": note})
        return
    console.print(
        f"run {row['run_id']}: {row['scenario']}, scale {row['scale']:g}, seed {row['seed']}, "
        f"version {row['version']}, overrides: {_overrides(row)}; output {row['out_dir']}",
        highlight=False,
    )
    console.print(_provenance(row), highlight=False, soft_wrap=True)
    if note:
        error_console.print(f"[bold yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    print_table(
        "Parameters", ["name", "value"], [[k, fmt(v)] for k, v in sorted(row["parameters"].items())]
    )
    _targets_table(row["summary"])


@runs_app.command("rebuild")
def runs_rebuild(
    folders: Annotated[
        list[Path] | None,
        typer.Argument(help="More folders to search for run folders (the journal's are searched)."),
    ] = None,
) -> None:
    """Recreate the registry from its journal and the run folders' summary.json files."""
    from greatterror.results.rebuild import rebuild_registry

    missing = [str(f) for f in folders or [] if not f.is_dir()]
    if missing:
        fail(f"folders: not a folder: {', '.join(missing)}")
    report = rebuild_registry(folders or [])
    console.print(
        f"registry {report.path} rebuilt with {report.runs} runs ({report.from_registry} from "
        f"the old registry, {report.from_journal} from the journal, {report.from_folders} from "
        "run folders)",
        highlight=False,
        soft_wrap=True,  # paths are printed whole, never broken across lines
    )
    if report.kept_damaged:
        console.print(
            f"the damaged registry was kept as {report.kept_damaged}",
            highlight=False,
            soft_wrap=True,
        )
    for skipped in report.skipped:
        error_console.print(f"[bold yellow]skipped:[/] {skipped}", highlight=False, soft_wrap=True)
    if folders and not report.found_in_roots:
        console.print(
            f"no run was found under {', '.join(map(str, folders))}: a run folder holds "
            f"{MARKER_FILE} and {SUMMARY_FILE} (the lines 'skipped:' say what was found)",
            highlight=False,
            soft_wrap=True,
        )


def compare(
    run_ids: Annotated[list[str], typer.Argument(help="Two or more run ids (or unique prefixes).")],
    out: Annotated[Path, typer.Option(help="Where to write the comparison plot (PNG).")] = Path(
        "runs/compare.png"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare runs side by side; with the same scale and seed the differences are paired.

    The figures are the registry's copy of each run's summary, never a file
    of its output folder, which a later run may have overwritten.
    """
    from greatterror.results.compare import (
        compare_runs,
        parameter_differences,
        unpaired,
        write_comparison_plot,
    )

    if len(run_ids) < 2:
        fail("run_ids: give at least two runs to compare")
    found = [_find_run(rid, "run_ids") for rid in run_ids]
    labels = [row["run_id"] for row in found]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        fail(f"run_ids: run {', '.join(repeated)} is given more than once; give different runs")
    if not as_json:
        if out.suffix.lower() != ".png":  # any other file would be replaced by PNG bytes
            fail(f"--out: {out}: the plot is a PNG; give a path ending in .png")
        check_output_file(out)
    summaries = [row["summary"] for row in found]
    rows = compare_runs(summaries)
    notes = [n for n in (_folder_note(row) for row in found) if n]
    mismatch = unpaired(summaries)
    differences = parameter_differences(summaries)
    if as_json:
        emit_json(
            {
                "runs": labels,
                "unpaired": mismatch,
                "parameter_differences": differences,
                "folder_notes": notes,
                "rows": rows,
            }
        )
        return
    for note in notes:
        error_console.print(f"[bold yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    if mismatch:
        error_console.print(
            f"[bold yellow]warning:[/] the runs are not paired: they differ in "
            f"{'; '.join(mismatch)}. Their differences include sampling noise (or a change of the "
            "code), not only the effect of their settings.",
            highlight=False,
            soft_wrap=True,
        )
    if differences:
        print_table(
            "Settings that differ",
            ["setting", *labels],
            [[d["name"], *d["values"]] for d in differences],
        )
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
    """The mechanisms M01-M30 of the seed texts: switch, implemented or not, the steps that read
    the switch (from the components' declarations)."""
    from greatterror.model.components import mechanism_table

    rows = mechanism_table()
    if as_json:
        emit_json([{**row.__dict__, "steps": list(row.steps)} for row in rows])
        return
    print_table(
        "Mechanisms (switch one with --set M12=off, or in a scenario's mechanisms table)",
        ["id", "switch", "what", "steps", "note"],
        [[r.id, r.switch, r.title, ", ".join(r.steps) or "not implemented", r.note] for r in rows],
    )
