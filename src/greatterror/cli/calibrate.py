"""`greatterror calibrate SCENARIO ...` (an ABC-SMC fit), `calibrate show PATH [--check]`
(the posterior, and its predictive check) and `calibrate apply PATH --scenario NAME`
(the chosen point written into the scenario file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greatterror.cli.output import (
    check_database_option,
    console,
    database_path,
    emit_json,
    existing_file,
    fail,
    folder_path,
    print_table,
    warn_scale,
)
from greatterror.cli.verbs import RUN, refuse_other_verbs_options
from greatterror.preflight import check_scale

_FIT_ONLY: tuple[str, ...] = (
    "particles",
    "generations",
    "dask_scheduler",
    "db",
    "resume",
    "seed",
    "quantile",
)
_FIT_ONLY += ("max_minutes", "max_simulations", "only")
#: the verbs that use each option (cli/verbs.py): any other verb refuses it, naming it
USES: dict[str, tuple[str, ...]] = dict.fromkeys(_FIT_ONLY, (RUN,))
USES |= {"scale": (RUN, "show --check"), "workers": (RUN, "show --check", "apply")}
USES |= {"out": ("show",), "as_json": ("show", "show --check", "apply")}
USES |= {"check": ("show --check",), "draws": ("show --check",)}
USES |= dict.fromkeys(("target", "candidates", "recheck", "force"), ("apply",))


def _check_numbers(particles: int, generations: int, scale: float, workers: int) -> None:
    if particles < 2:
        fail(f"--particles: {particles} is too small; allowed: a whole number of at least 2")
    if generations < 1:
        fail(f"--generations: {generations} is too small; allowed: a whole number of at least 1")
    check_scale(scale)
    if workers < 1:
        fail(f"--workers: {workers} is too small; allowed: a whole number of at least 1")


def _db_path(text: str) -> Path:
    """The fit's database as typed: an empty one is refused (Path("") would be named ".")."""
    if not text.strip():
        raise typer.BadParameter("empty; give the fit's database, e.g. fit.db")
    return Path(text)


def calibrate(
    ctx: typer.Context,
    scenario: Annotated[
        str,
        typer.Argument(
            help="Scenario to fit (shipped name or TOML path); 'show' to read a fit, "
            "'apply' to write its chosen point into a scenario."
        ),
    ],
    path: Annotated[
        Path | None,
        typer.Argument(
            parser=_db_path, help="With 'show' or 'apply': the fit's database.", show_default=False
        ),
    ] = None,
    particles: Annotated[int, typer.Option(help="Particles per generation.")] = 100,
    generations: Annotated[
        int, typer.Option(help="Generations in total (with --resume: including stored ones).")
    ] = 5,
    scale: Annotated[
        float,
        typer.Option(
            help="Sampling scale of each simulation (1:300 or more: docs/calibration.md, Scale)."
        ),
    ] = 0.003,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 2,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a Dask scheduler (tcp://host:8786); default: local."),
    ] = None,
    db: Annotated[
        Path, typer.Option(parser=database_path, help="SQLite database of the fit's history.")
    ] = Path("calibration.db"),
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the fit stored in --db.")
    ] = False,
    seed: Annotated[
        int, typer.Option(help="Fit seed: population and simulation seeds derive from it.")
    ] = 1,
    quantile: Annotated[
        float,
        typer.Option(
            help="Each generation's threshold: this quantile of the previous distances (0-1)."
        ),
    ] = 0.5,
    out: Annotated[
        Path | None,
        typer.Option(
            parser=folder_path, help="With 'show': directory for the plots (default: beside)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="With 'show': print JSON.")] = False,
    max_minutes: Annotated[
        float | None,
        typer.Option(help="Start no new generation after this many minutes (the fit's limit)."),
    ] = None,
    max_simulations: Annotated[
        int | None,
        typer.Option(help="Start no new generation after this many simulations in total."),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--free",
            help="Vary only these of the scenario's free parameters (comma-separated); the "
            "others keep the scenario's values (a conditional fit: docs/calibration.md).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="With 'show': posterior predictive check, --draws runs at posterior draws "
            "on the validation seeds 1-10 at --scale, against in-sample and validation figures.",
        ),
    ] = False,
    draws: Annotated[int, typer.Option(help="With 'show --check': posterior draws.")] = 20,
    target: Annotated[
        str | None,
        typer.Option(
            "--scenario", help="With 'apply': the scenario file to write (shipped name or path)."
        ),
    ] = None,
    candidates: Annotated[
        int, typer.Option(help="With 'apply': closest particles of the last generation.")
    ] = 5,
    recheck: Annotated[
        int, typer.Option(help="With 'apply': fitting seeds each candidate is re-run on.")
    ] = 3,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With 'apply': write a shipped scenario's file, without the refit's gate.",
        ),
    ] = False,
) -> None:
    """Fit a scenario's free parameters by ABC-SMC (pyabc), or show a stored fit.

    greatterror calibrate historical --particles 200 --generations 6 --db fit.db

    greatterror calibrate show fit.db [--check --draws 20 --scale 0.003]

    greatterror calibrate apply fit.db --scenario fit_candidate.toml
    """
    verb = scenario if scenario in ("show", "apply") else RUN
    verb = "show --check" if verb == "show" and check else verb
    if verb != RUN and path is None:
        fail(f"{scenario}: give the fit's database, e.g. greatterror calibrate {scenario} fit.db")
    refuse_other_verbs_options(ctx, verb, USES, "when fitting")
    if path is not None and verb != RUN:
        existing_file(path, "path")
        if scenario == "apply":
            from greatterror.cli.calibrate_apply import apply

            apply(path, target, candidates, recheck, workers, as_json, force)
        elif check:
            from greatterror.cli.calibrate_apply import check_posterior

            check_posterior(path, draws, scale, workers, as_json)
        else:
            show(path, out, as_json)
        return
    if path is not None:
        fail(f"unexpected argument {str(path)!r}; only 'show' and 'apply' take a path")
    _check_numbers(particles, generations, scale, workers)
    if not 0 < quantile < 1:
        fail(f"--quantile: {quantile:g} is out of range; allowed: a number between 0 and 1")
    if dask_scheduler is not None:
        from greatterror.calibration.abc import FitError, check_scheduler

        try:
            check_scheduler(dask_scheduler)
        except FitError as exc:
            fail(str(exc))
    from greatterror.calibration.seeds import SeedRangeError, check_fit_seed

    try:
        check_fit_seed(seed)
    except SeedRangeError as exc:
        fail(str(exc))
    if max_minutes is not None and not max_minutes > 0:
        fail(f"--max-minutes: {max_minutes:g} is too small; allowed: a positive number")
    if max_simulations is not None and max_simulations < particles:
        fail(
            f"--max-simulations: {max_simulations} is too small; allowed: at least --particles"
            f" ({particles})"
        )
    from greatterror.calibration.abc import FitError, check_resume, new_settings, run_fit
    from greatterror.calibration.problem import (
        MissingExtraError,
        conditional_free,
        scenario_problem,
    )
    from greatterror.model.scenario import ScenarioError, load_scenario

    try:
        chosen = load_scenario(scenario)
    except ScenarioError as exc:
        fail(str(exc))
    free, _ = scenario_problem(chosen)
    if only is not None:
        try:
            free = conditional_free(only, free)
        except ValueError as exc:
            fail(str(exc))
    check_database_option(db, resume)
    # with the held values (a conditional fit's posterior is conditional on them) and the
    # scenario's digest, both checked on resume
    settings = new_settings(scenario, chosen, scale, seed, particles, free, quantile)
    if resume:  # the stored fit is judged with the options, before the warning or any work
        try:
            check_resume(settings, db)
        except (FitError, MissingExtraError) as exc:
            fail(str(exc))
    warn_scale(scale, "a fit")  # after every check: a refused command prints only its error
    try:
        history = run_fit(
            settings,
            db,
            generations,
            workers,
            dask_scheduler,
            resume,
            max_minutes=max_minutes,
            max_simulations=max_simulations,
        )
    except (FitError, MissingExtraError) as exc:
        fail(str(exc))
    console.print(
        f"{history.max_t + 1} generations stored in {db} "
        f"({history.total_nr_simulations} simulations); read it with: "
        f"greatterror calibrate show {db}"
    )


def show(path: Path, out: Path | None, as_json: bool) -> None:
    from greatterror.calibration.posterior import (
        GENERATION_COLUMNS,
        POSTERIOR_COLUMNS,
        fit_priors,
        generation_cells,
        generations,
        posterior,
        posterior_cells,
        write_plots,
    )
    from greatterror.cli.calibrate_apply import load_stored_fit
    from greatterror.results.outputs import RunOutputError
    from greatterror.results.rundir import check_plot_dir

    if not as_json:
        try:
            check_plot_dir(out or path.parent)
        except RunOutputError as exc:
            fail(str(exc))
    from greatterror.provenance import code_change

    settings, history = load_stored_fit(path)
    priors = fit_priors(settings)
    gens, post = generations(history), posterior(history, priors=priors)
    if as_json:
        emit_json({"settings": settings.__dict__, "generations": gens, "posterior": post})
        return
    print_table(
        f"Fit of {settings.scenario} at 1:{1 / settings.scale:,.0f}, seed {settings.seed}",
        list(GENERATION_COLUMNS),
        [generation_cells(g) for g in gens],
        caption=code_change(settings.code) or "made by this code",
    )
    print_table(
        f"Posterior, generation {history.max_t}: median and 90% interval",
        list(POSTERIOR_COLUMNS),
        [posterior_cells(r) for r in post],
    )
    if settings.held:  # a conditional fit (--free): the posterior is conditional on these
        console.print(
            f"A conditional fit: only {', '.join(settings.free)} varied; the posterior is "
            "conditional on the values it held: "
            + ", ".join(f"{n} = {v:.4g}" for n, v in settings.held)
        )
    plots = write_plots(history, out or path.parent, priors)
    console.print("plots written: " + ", ".join(str(p) for p in plots))
