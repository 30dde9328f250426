"""`greatterror counterfactual NAME`: a counterfactual against its base, in paired runs.

The runs go through ``gt.Paired`` (api/paired.py), which runs both
scenarios through ``gt.Sim``; this module only checks the options, prints
and formats. Every option is checked before the first simulation, and the
command writes no file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from greatterror import __version__
from greatterror.cli.output import (
    console,
    database_path,
    emit_json,
    fail,
    fmt,
    print_table,
    progress_bar,
    warn_of_runs,
    warn_scale,
)
from greatterror.errors import GreatterrorError
from greatterror.evidence.errors import DataFileError
from greatterror.model.scenario_files import shipped_names
from greatterror.preflight import check_memory, check_scale

#: ``1-8``, ``1,2,5`` or a mix such as ``1-3,7``
_SEEDS = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")
MAX_PAIRS = 1_000


def parse_seeds(text: str) -> list[int]:
    """Seeds from ``1-8``, ``1,2,5`` or ``1-3,7``; ValueError naming ``--seeds`` otherwise."""
    spec = text.replace(" ", "")
    if not _SEEDS.match(spec):
        raise ValueError(f"--seeds: {text!r} is not allowed; allowed: e.g. 1-8, 1,2,5 or 1-3,7")
    seeds: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        a, b = int(first), int(last or first)
        if b < a:
            raise ValueError(f"--seeds: {part!r} runs backwards; write the smaller seed first")
        if b - a + 1 + len(seeds) > MAX_PAIRS:
            raise ValueError(f"--seeds: more than {MAX_PAIRS} seeds; allowed: at most {MAX_PAIRS}")
        seeds.extend(range(a, b + 1))
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds: {text!r} repeats a seed; each pair needs its own seed")
    return seeds


def _as_option(message: str) -> str:
    """The API names its arguments (``scale: ...``); the command names its options."""
    for option in ("scale", "seeds", "draws", "posterior", "workers", "vary"):
        if message.startswith(f"{option}:"):
            return f"--{message}"
    return message


def _counterfactuals() -> str:
    return ", ".join(n for n in shipped_names() if n.startswith("counterfactuals/"))


def _plan(
    name: str,
    posterior: Path | None,
    scale: float,
    draws: int | None,
    seeds: str | None,
    vary: str | None = None,
) -> tuple[Any, dict[str, Any] | None]:
    """The ``gt.Paired`` to run and what the posterior was; every check before any run."""
    from greatterror.api import Paired, SimError, posterior_draws
    from greatterror.api.options import resolve_scenario
    from greatterror.api.vary import vary_names

    scenario = resolve_scenario(name)
    if scenario.counterfactual is None or not scenario.extends:
        raise SimError(
            f"NAME: {name!r} is not a counterfactual scenario (it has no counterfactual "
            f"table); shipped counterfactuals: {_counterfactuals()}"
        )
    # the names first, before a posterior is read; gt.Paired checks them against its draws
    vary_names(vary, (resolve_scenario(scenario.extends), scenario))
    if draws is not None and posterior is None:
        raise SimError("--draws: only with --posterior; without it, give --seeds")
    chosen = parse_seeds(seeds) if seeds is not None else None
    if posterior is None:
        return Paired(
            scenario, scale=scale, seeds=chosen or range(1, 9), workers=1, vary=vary
        ), None
    if draws is not None and (isinstance(draws, bool) or draws < 1 or draws > MAX_PAIRS):
        raise SimError(f"--draws: {draws} is out of range; allowed: 1 to {MAX_PAIRS}")
    if chosen is None:
        chosen = list(range(1, (draws or 8) + 1))
    elif draws is not None and draws != len(chosen):
        raise SimError(
            f"--draws: {draws} draws but {len(chosen)} seeds; each draw runs with one seed, "
            "so give as many seeds as draws (or leave one of the two out)"
        )
    fit = posterior_draws(posterior, len(chosen), chosen[0])
    if fit.scenario is not None and fit.scenario != scenario.extends:
        raise SimError(
            f"--posterior: {posterior} is a fit of {fit.scenario!r}; {scenario.name} is paired "
            f"with {scenario.extends!r}, so give a fit of {scenario.extends!r}"
        )
    paired = Paired(scenario, scale=scale, seeds=chosen, draws=fit.draws, workers=1, vary=vary)
    info = {
        "database": fit.path,
        "generation": fit.generation,
        "particles": fit.particles,
        "scenario": fit.scenario,
    }
    return paired, info


def counterfactual(
    name: Annotated[
        str,
        typer.Argument(
            help="A counterfactual scenario: counterfactuals/NAME, its bare name, or a .toml file."
        ),
    ],
    posterior: Annotated[
        Path | None,
        typer.Option(
            parser=database_path,
            help="A calibration database (pyabc history): run at its posterior draws.",
        ),
    ] = None,
    scale: Annotated[float, typer.Option(help="Sampling scale of every run.")] = 0.001,
    draws: Annotated[
        int | None,
        typer.Option(help="With --posterior: how many posterior draws (default 8), one per seed."),
    ] = None,
    seeds: Annotated[
        str | None,
        typer.Option(help="Seeds of the pairs: 1-8, 1,2,5 or 1-3,7 (default 1-8, or 1-DRAWS)."),
    ] = None,
    vary: Annotated[
        str | None,
        typer.Option(
            help="Fixed parameters each pair draws from their priors, the same draw in both "
            "runs: unsourced, fixed-priors, or names (comma-separated); never a setting of "
            "the model (a hypothesis switch or parameter, a switch); docs/counterfactuals.md."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run a counterfactual paired with the scenario it extends (same seeds, population and
    random streams) and report the differences, with medians and 90% bands over the pairs."""
    from greatterror.api import SimError

    try:
        if workers < 1:
            raise SimError(f"--workers: {workers} is out of range; allowed: 1 or more")
        check_scale(scale)
        check_memory(scale)  # one run's estimate, as for `greatterror run`
        paired, fit = _plan(name, posterior, scale, draws, seeds, vary)
        warn_scale(scale, "a counterfactual")  # after every check: a refusal is one line
    except DataFileError as exc:
        fail(f"the evidence data are invalid: {exc}", code=1)
    except (GreatterrorError, ValueError) as exc:
        fail(_as_option(str(exc)))
    paired.workers = min(workers, len(paired.seeds))
    if as_json:
        paired.run()
    else:
        pairs = f"{paired.counterfactual.name} and {paired.base.name}"
        with progress_bar(pairs, len(paired.seeds), "pairs") as progress:
            paired.run(progress=progress)
    warn_of_runs(paired.warnings, paired.runs)  # stderr, in both modes
    _report(paired, fit, as_json, vary)


def _report(paired: Any, fit: dict[str, Any] | None, as_json: bool, vary: str | None) -> None:
    cf, base = paired.counterfactual, paired.base
    from greatterror.api import SimError

    try:
        bands = paired.bands()
    except SimError as exc:  # every pair ran away (--vary): nothing to report
        fail(str(exc), code=1)
    differ = [p["first_difference"] for p in paired.pairs if p["first_difference"]]
    from greatterror.provenance import output_provenance

    payload = {
        "provenance": output_provenance(
            {"counterfactual": cf, "base": base}, paired.seeds, paired.scale
        ),
        "counterfactual": cf.name,
        "base": base.name,
        "question": cf.counterfactual.question if cf.counterfactual else None,
        "version": __version__,
        "scale": paired.scale,
        "seeds": paired.seeds,
        "posterior": fit,
        "first_change": paired.first_change.isoformat(),
        "parameters_kept_by_counterfactual": paired.fixed,
        "pairs": [
            {
                "seed": p["seed"],
                "first_difference": p["first_difference"],
                "parameters": p["parameters"],
            }
            for p in paired.pairs
        ],
        "band": [0.05, 0.95],
        # each warning of the runs' summaries, with how many of the finished runs had it
        "warnings": [{"warning": w, "runs": n} for w, n in paired.warnings.items()],
        "runs_finished": paired.runs,
        "differences": bands.to_dict(orient="records"),
    }
    if paired.vary:  # only then, so that a run without --vary reports as before
        from greatterror.api.vary import describe

        payload["vary"] = {**describe(vary, paired.vary), "runaways": paired.runaways}
        for row, p in zip(payload["pairs"], paired.pairs, strict=True):
            row["prior_draws"] = p["prior_draws"]
            if "runaway" in p:
                row["runaway"] = p["runaway"]
    if as_json:
        emit_json(payload)
        return
    if cf.counterfactual:
        console.print(f"[bold]{cf.name}[/]: {cf.counterfactual.question}", highlight=False)
    source = (
        f"posterior draws of {fit['database']} (generation {fit['generation']}, "
        f"{fit['particles']} particles)"
        if fit
        else "the scenarios' own parameter values"
    )
    if paired.vary:
        source += (
            f", and {len(paired.vary)} fixed parameter{'s' if len(paired.vary) > 1 else ''} "
            f"({vary}) drawn from their priors, one draw per pair; {len(paired.runaways)} of "
            f"{len(paired.pairs)} pairs ran away and were stopped (left out of the bands)"
        )
    console.print(
        f"{len(paired.pairs)} pairs at scale 1:{1 / paired.scale:,.0f}, seeds "
        f"{', '.join(str(x) for x in paired.seeds)}, with {source}. The inputs first differ on "
        f"{paired.first_change}; the runs of a pair first differ on "
        f"{min(differ, default='no day')} (earliest pair).",
        highlight=False,
    )
    print_table(
        f"{cf.name} minus {base.name} (full-population equivalents; medians over the pairs)",
        ["period", "measure", base.name, cf.name, "difference", "90% band"],
        [
            [
                r["period"],
                r["measure"].replace("_", " "),
                r["base"],
                r["counterfactual"],
                r["difference"],
                f"{fmt(r['low'])} to {fmt(r['high'])}",
            ]
            for r in bands.to_dict(orient="records")
        ],
        caption="difference: median over the pairs of counterfactual minus base; band: 5th to 95th "
        "percentile over the pairs. Assumptions: the scenario's \\[counterfactual] table and "
        "docs/counterfactuals.md.",
    )
