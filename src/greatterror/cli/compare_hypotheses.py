"""`greatterror hypotheses compare [H1 H2 ...]`, `... compare show DB` and `... compare check DB`.

Every option is checked, and every hypothesis found, before the first
simulation; an existing database is only continued with ``--resume``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greatterror.cli.compare_show import show_comparison
from greatterror.cli.output import (
    check_database_option,
    check_result_dir,
    database_path,
    error_console,
    existing_file,
    fail,
    folder_path,
    warn_scale,
)
from greatterror.cli.prior_scale import check_prior_scales
from greatterror.cli.verbs import RUN, refuse_other_verbs_options
from greatterror.preflight import check_scale

if TYPE_CHECKING:
    from greatterror.calibration.compare_settings import CompareSettings

_RUN_ONLY: tuple[str, ...] = (
    "particles",
    "generations",
    "repeats",
    "prior_scale",
    "no_prior_check",
    "seed",
)
_RUN_ONLY += ("dask_scheduler", "db", "resume", "quantile", "max_simulations", "screen")
#: the verbs that use each option (cli/verbs.py): any other verb refuses it, naming it
USES: dict[str, tuple[str, ...]] = dict.fromkeys(_RUN_ONLY, (RUN,))
USES |= {"scale": (RUN, "check"), "workers": (RUN, "check"), "draws": ("check",)}
USES |= {"out": (RUN, "show", "check"), "as_json": (RUN, "show", "check")}
USES |= {"generation": ("show", "check")}


def _check(
    particles: int, generations: int, scale: float, workers: int, repeats: int, seed: int
) -> None:
    for name, value, least, most in (
        ("--particles", particles, 2, 100_000),
        ("--generations", generations, 1, 1_000),
        ("--workers", workers, 1, 1_024),
        ("--repeats", repeats, 1, 100),
    ):
        if not least <= value <= most:
            fail(f"{name}: {value} is out of range; allowed: a whole number from {least} to {most}")
    check_scale(scale)
    from greatterror.calibration.seeds import SeedRangeError, check_fit_seeds

    try:  # each repeat's fit seed (seed, seed + 1, ...), in the words of every fit's --seed
        check_fit_seeds(seed, repeats)
    except SeedRangeError as exc:
        fail(str(exc))


def _resolve(keys: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Scenario paths and ids of the hypotheses named (all of them when none are)."""
    from greatterror.model.hypothesis_catalog import FOLDER, explanations, find_hypothesis
    from greatterror.model.scenario import ScenarioError

    try:
        chosen = [find_hypothesis(k) for k in keys] if keys else explanations()
    except ScenarioError as exc:
        fail(str(exc))
    labels = [s.hypothesis.id for s in chosen if s.hypothesis is not None]
    if len(set(labels)) != len(labels):
        fail(f"hypotheses: a hypothesis is named twice ({', '.join(keys)}); allowed: distinct ones")
    if len(labels) < 2:
        fail("hypotheses: a comparison needs at least 2 hypotheses; allowed: H1 to H7, H5b and H1e")
    return tuple(f"{FOLDER}/{s.name}" for s in chosen), tuple(labels)


def compare(
    ctx: typer.Context,
    hypotheses: Annotated[
        list[str] | None,
        typer.Argument(
            help="Hypotheses (H1 ... H7, H5b, H1e or scenario names; default: all but the check "
            "H1e), or 'show DB', "
            "or 'check DB' (each hypothesis's posterior predictive check).",
            show_default=False,
        ),
    ] = None,
    particles: Annotated[int, typer.Option(help="Particles per generation (all hypotheses).")] = 40,
    generations: Annotated[
        int, typer.Option(help="Generations of each run (with --resume: including stored ones).")
    ] = 3,
    scale: Annotated[
        float | None,
        typer.Option(
            help="Sampling scale of each simulation (default 0.001; with 'check': the "
            "comparison's).",
            show_default=False,
        ),
    ] = None,
    repeats: Annotated[int, typer.Option(help="Independent runs at the declared priors.")] = 3,
    prior_scale: Annotated[
        list[float] | None,
        typer.Option(
            help="Prior-sensitivity run with every prior widened (>1) or narrowed (<1) by this "
            "factor; repeatable. Default: 0.5 and 2.",
            show_default=False,
        ),
    ] = None,
    no_prior_check: Annotated[
        bool, typer.Option("--no-prior-check", help="Make no prior-sensitivity runs.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a Dask scheduler (tcp://host:8786); default: local."),
    ] = None,
    db: Annotated[
        Path, typer.Option(parser=database_path, help="SQLite database of the comparison.")
    ] = Path("compare.db"),
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the comparison stored in --db.")
    ] = False,
    seed: Annotated[
        int,
        typer.Option(help="Fit seed of the first repeat (0 to 999,999); the next add 1."),
    ] = 1,
    quantile: Annotated[
        float,
        typer.Option(
            help="Each threshold: this quantile of the previous distances (0-1); below the "
            "share of prior draws that are stopped as runaways (docs/hypotheses.md)."
        ),
    ] = 0.3,
    max_simulations: Annotated[
        int | None,
        typer.Option(
            help="Each run stops after this many simulations, inside a generation too "
            "(default: no limit); part of the comparison's settings.",
            show_default=False,
        ),
    ] = None,
    screen: Annotated[
        Path | None,
        typer.Option(
            help="A screen file (scripts/screen_hypotheses.py's screen.json): each hypothesis's "
            "parameters it fixes are set to its values (their prior medians, checked) and not "
            "drawn, in "
            "every run, the prior-scaled ones too (--prior-scale applies to the kept "
            "parameters); part of the comparison's settings.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            parser=folder_path,
            help="Directory for the result files and plots (default: DB name + _result).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    generation: Annotated[
        int | None,
        typer.Option(
            help="With 'show' or 'check': read every run up to this generation (0 is the first).",
            show_default=False,
        ),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            help="With 'check': posterior draws per hypothesis (default 10).", show_default=False
        ),
    ] = None,
) -> None:
    """Compare hypotheses by joint ABC-SMC with a model index (pyabc), or show a comparison.

    greatterror hypotheses compare H1 H3 H7 --particles 40 --generations 3 --db cmp.db

    greatterror hypotheses compare show cmp.db

    greatterror hypotheses compare check cmp.db --draws 10 --workers 2
    """
    keys = list(hypotheses or [])
    verb = keys[0] if keys and keys[0] in ("show", "check") else RUN
    if verb != RUN and len(keys) != 2:
        fail(f"{verb}: give one database, e.g. greatterror hypotheses compare {verb} compare.db")
    hint = {"generation": "a run's length is --generations"}
    refuse_other_verbs_options(ctx, verb, USES, "when running a comparison", hint)
    if verb != RUN:
        if not keys[1].strip():
            fail(f"DB: empty; give the comparison's database, e.g. {keys[0]} compare.db")
        path = existing_file(Path(keys[1]), "DB")
        result_dir = out or path.parent / f"{path.stem}_result"
        check_result_dir(result_dir)
        if generation is not None and not 0 <= generation <= 1_000:
            fail(f"--generation: {generation} is out of range; allowed: a whole number 0 to 1000")
        if keys[0] == "check":
            from greatterror.cli.compare_check import check_comparison

            n = 10 if draws is None else draws
            check_comparison(path, n, scale, workers, result_dir, as_json, generation)
        else:
            show_comparison(path, result_dir, as_json, generation)
        return
    scale = 0.001 if scale is None else scale
    _check(particles, generations, scale, workers, repeats, seed)
    if not 0 < quantile < 1:
        fail(f"--quantile: {quantile:g} is out of range; allowed: a number between 0 and 1")
    if max_simulations is not None and not particles <= max_simulations <= 10**9:
        fail(
            f"--max-simulations: {max_simulations} is out of range; allowed: a whole number "
            f"from --particles ({particles}) to 1000000000"
        )
    from greatterror.calibration.compare_settings import DEFAULT_PRIOR_SCALES

    scales = (
        ()
        if no_prior_check
        else check_prior_scales(prior_scale or list(DEFAULT_PRIOR_SCALES), widen=True)
    )
    if dask_scheduler is not None:
        from greatterror.calibration.abc import FitError, check_scheduler

        try:
            check_scheduler(dask_scheduler)
        except FitError as exc:
            fail(str(exc))
    scenarios, labels = _resolve(keys)
    fixed, screened = _screen(screen, scenarios, labels)
    result_dir = out or db.parent / f"{db.stem}_result"
    check_database_option(db, resume)
    check_result_dir(result_dir)
    from greatterror.calibration.compare_settings import CompareSettings, scenario_hashes

    settings = CompareSettings(
        scenarios,
        labels,
        scale,
        seed,
        particles,
        repeats,
        scales,
        quantile=quantile,
        max_simulations=max_simulations,
        fixed=fixed,
        screen=screened,
        scenario_hashes=scenario_hashes(scenarios),  # checked on resume
    )
    if resume:  # the stored comparison is judged with the options, before the warning
        _check_resume(settings, db)
    warn_scale(scale, "a comparison")  # after every check: a refused command prints only its error
    _run(settings, db, generations, workers, dask_scheduler, resume)
    show_comparison(db, result_dir, as_json)


def _screen(
    path: Path | None, scenarios: tuple[str, ...], labels: tuple[str, ...]
) -> tuple[Any, dict[str, str] | None]:
    """The parameters ``--screen`` fixes per hypothesis, and the file's provenance."""
    if path is None:
        return (), None
    from greatterror.calibration.compare_screen import ScreenFileError, load_screen

    try:
        return load_screen(path, scenarios, labels)
    except ScreenFileError as exc:
        fail(str(exc))


def _check_resume(settings: CompareSettings, db: Path) -> None:
    from greatterror.calibration.abc import FitError
    from greatterror.calibration.compare_settings import check_resume
    from greatterror.calibration.problem import MissingExtraError

    try:
        check_resume(settings, db)
    except (FitError, MissingExtraError) as exc:
        fail(str(exc))


def _run(
    settings: CompareSettings,
    db: Path,
    generations: int,
    workers: int,
    scheduler: str | None,
    resume: bool,
) -> None:
    from greatterror.calibration.abc import FitError
    from greatterror.calibration.compare import RunSpec, plan, run_compare
    from greatterror.calibration.problem import MissingExtraError

    total = len(plan(settings))

    def progress(spec: RunSpec, done: int, wanted: int, stopped: bool = False) -> None:
        error_console.print(
            f"run {spec.index}/{total} ({spec.label}): {done} of {wanted} generations stored"
            + (f"; stopped by --max-simulations {settings.max_simulations}" if stopped else ""),
            highlight=False,
        )

    try:
        run_compare(settings, db, generations, workers, scheduler, resume, progress)
    except (FitError, MissingExtraError) as exc:
        fail(str(exc))
