"""`greatterror sensitivity SCENARIO --method morris|sobol`: which free parameters matter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from greatterror.cli.output import console, emit_json, fail, print_table, warn_scale
from greatterror.preflight import check_scale


def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or TOML path.")],
    method: Annotated[
        str, typer.Option(help="morris (elementary effects) or sobol (variance shares).")
    ] = "morris",
    samples: Annotated[
        int,
        typer.Option(help="Morris trajectories, or Sobol base samples N (a power of 2)."),
    ] = 10,
    scale: Annotated[float, typer.Option(help="Sampling scale of each simulation.")] = 0.001,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the design and of the fit population.")] = 1,
    parameters: Annotated[
        str,
        typer.Option(
            help="free (the fit's), fixed-priors (every fixed parameter with a prior "
            "that is not a setting of the model: hypothesis switches and parameters, other "
            "scenarios' parameters and structural switches are never screened), "
            "unsourced (the fixed priors data/parameters.csv's basis marks unsourced, "
            "of mechanisms the scenario has on), "
            "or a comma-separated list of names and these sets."
        ),
    ] = "free",
    out: Annotated[Path, typer.Option(help="Directory for the plot.")] = Path("sensitivity"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rank the free parameters (or chosen fixed ones) by their effect on the distance to the record.

    The output is the same distance the ABC fit uses (each target's log ratio
    over its archival tolerance), so the ranking says which parameters the
    fit can learn from the targets. Priors come from data/parameters.csv. With
    --parameters naming fixed parameters, each moves over its declared prior and
    the ranking says which missing figures the distance depends on.
    """
    if method not in ("morris", "sobol"):
        fail(f"--method: {method!r} is not allowed; allowed values: morris, sobol")
    if samples < 2:
        fail(f"--samples: {samples} is too small; allowed: a whole number of at least 2")
    check_scale(scale)
    if workers < 1:
        fail(f"--workers: {workers} is too small; allowed: a whole number of at least 1")
    from greatterror.calibration.seeds import SeedRangeError, check_fit_seed

    try:
        check_fit_seed(seed)  # the design's and the fit population's (calibration/seeds.py)
    except SeedRangeError as exc:
        fail(str(exc))
    if not as_json:  # the plot's folder is checked before the simulations, not after them
        from greatterror.results.outputs import RunOutputError
        from greatterror.results.rundir import check_output_file, check_plot_dir

        try:
            check_plot_dir(out)
            check_output_file(out / f"sensitivity_{method}.png")
        except RunOutputError as exc:
            fail(str(exc))
    from greatterror.calibration.problem import MissingExtraError
    from greatterror.calibration.sensitivity import analyse, write_plot
    from greatterror.model.scenario import ScenarioError, load_scenario

    try:
        defined = load_scenario(scenario)
    except ScenarioError as exc:
        fail(str(exc))
    from greatterror.calibration.problem import scenario_problem
    from greatterror.calibration.screen_set import (
        ScreenSetError,
        choose,
        scenario_structure,
        switched_off,
    )

    try:
        off = switched_off(defined.mechanisms, scenario_structure(defined))
        names = choose(parameters, off, scenario_problem(defined)[0])
    except ScreenSetError as exc:
        fail(str(exc))
    warn_scale(scale, "a screening")  # after every check: a refused command prints only its error
    chosen: Literal["morris", "sobol"] = "morris" if method == "morris" else "sobol"
    from greatterror.provenance import output_provenance

    # the output's provenance: id, code, the scenario's source, the design's seed and scale;
    # taken before the first simulation, so that it names the code the screen started on
    # (commits landing during a long screen otherwise gave the commit at its end)
    provenance = output_provenance({"scenario": defined}, [seed], scale)
    try:
        result = analyse(scenario, chosen, samples, scale, workers, seed, names)
    except (MissingExtraError, ValueError) as exc:
        fail(str(exc))
    result = {"provenance": provenance, **result}
    if as_json:
        emit_json(result)
        return
    rows = result["ranking"]
    if chosen == "morris":
        columns = ["rank", "parameter", "mu*", "mu* 95% CI", "sigma"]
        table = [
            [
                i + 1,
                r["name"],
                f"{r['mu_star']:.3g}",
                f"{r['mu_star_conf']:.3g}",
                f"{r['sigma']:.3g}",
            ]
            for i, r in enumerate(rows)
        ]
    else:
        columns = ["rank", "parameter", "total ST", "ST 95% CI", "first order S1", "S1 95% CI"]
        table = [
            [
                i + 1,
                r["name"],
                f"{r['ST']:.3g}",
                f"{r['ST_conf']:.3g}",
                f"{r['S1']:.3g}",
                f"{r['S1_conf']:.3g}",
            ]
            for i, r in enumerate(rows)
        ]
    print_table(
        f"Sensitivity of the distance to the record ({chosen}, {result['runs']} runs, "
        f"1:{1 / scale:,.0f})",
        columns,
        table,
    )
    plot = write_plot(result, out)
    console.print(f"plot written to {plot}")
