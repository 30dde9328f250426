"""`greatterror population`: build and inspect the synthetic population."""

from __future__ import annotations

import resource
import time
from typing import Annotated

import typer

from greatterror.cli.output import THREADS_HELP, console, emit_json, fail, print_table
from greatterror.evidence.errors import DataFileError
from greatterror.preflight import check_scale, check_seed, check_threads
from greatterror.scales import MAX_SCALE, MIN_SCALE

app = typer.Typer(help="Build and inspect the synthetic population of the 1937 USSR.")


@app.command()
def describe(
    scale: Annotated[
        float,
        typer.Option(help=f"Sampling scale, {MIN_SCALE:g} to {MAX_SCALE:g} (1 = the whole USSR)."),
    ] = 0.01,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    threads: Annotated[int, typer.Option(help=THREADS_HELP)] = 1,
) -> None:
    """Print the population's marginals against their sources, group sizes and memory."""
    from greatterror.population.build import build_population
    from greatterror.population.describe import group_size_summary, marginal_checks
    from greatterror.population.inputs import load_inputs

    check_scale(scale)
    check_seed(seed)
    check_threads(threads)
    try:
        inputs = load_inputs()
    except DataFileError as exc:
        fail(f"the population data are invalid: {exc}", code=1)
    started = time.perf_counter()
    pop = build_population(scale, seed, inputs, threads=threads)
    seconds = time.perf_counter() - started
    checks = marginal_checks(pop, inputs)
    groups = group_size_summary(pop)
    derived = [r.code for r in pop.regions if r.population_derived]
    memory = {
        "people": len(pop),
        "mass_people": pop.n_mass,
        "elite_layer_people": len(pop) - pop.n_mass,
        "represented": pop.represented(),
        "array_bytes": pop.nbytes,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "build_seconds": seconds,
        "build_threads": threads,  # the wall time above depends on it; the population does not
    }
    if as_json:
        emit_json(
            {
                "scale": scale,
                "seed": seed,
                "memory": memory,
                "groups": groups,
                "marginals": [
                    {
                        "quantity": c.quantity,
                        "simulated": c.simulated,
                        "target": c.target,
                        "ratio": c.ratio,
                        "source": c.source,
                    }
                    for c in checks
                ],
                "regions_with_derived_population": derived,
            }
        )
        return
    print_table(
        f"Population at scale {scale:g} (seed {seed}): counts in full-population equivalents",
        ["quantity", "simulated", "sourced target", "ratio", "source"],
        [[c.quantity, c.simulated, c.target, f"{c.ratio:.3f}", c.source] for c in checks],
    )
    print_table(
        "Group sizes (sampled members)",
        ["group", "count", "mean", "median", "p90", "max"],
        [
            [g["group"], g["count"], f"{g['mean']:.1f}", g["median"], g["p90"], g["max"]]
            for g in groups
        ],
    )
    print_table(
        "Memory",
        ["measure", "value"],
        [[k, v if not isinstance(v, float) else f"{v:,.2f}"] for k, v in memory.items()],
    )
    console.print(
        f"{len(derived)} of {len(pop.regions)} regions have a population derived from their republic's "
        "1939 total (no sourced oblast figure yet); see docs/ODD.md."
    )
