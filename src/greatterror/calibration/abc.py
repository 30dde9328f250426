"""ABC-SMC fit of a scenario's free parameters with pyabc, stored in SQLite and resumable.

The prior of each free parameter comes from data/parameters.csv
(``calibration/problem.py``), the statistics and the adaptive distance from
``calibration/statistics.py``, and each particle is one simulation
(``calibration/simulator.py``). pyabc writes every generation to the SQLite
database when it is complete, so a fit killed at any moment (even by
``kill -9``) loses at most the generation in progress: ``resume`` reloads the
history and continues from the last stored generation.

pyabc's samplers reseed their workers from the operating system's entropy, so
two fits with the same settings agree in distribution, not particle for
particle. Each particle's simulation, though, is reproducible from its stored
parameters (its seed is derived from them: ``simulator.simulation_seed``).
"""

from __future__ import annotations

import ast
import json
import logging
import multiprocessing
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from greatterror import __version__
from greatterror.calibration.dbfile import file_problem, stored_db_problem
from greatterror.calibration.problem import (
    Held,
    free_parameters,
    held_values,
    pyabc_prior,
    require,
    scenario_digest,
    scenario_problem,
)
from greatterror.calibration.seeds import SeedRangeError, check_fit_seed
from greatterror.calibration.simulator import FitModel, warm
from greatterror.calibration.statistics import (
    CALIBRATION_IDS,
    ArchivalFloorScale,
    archival_targets,
    check_calibration_ids,
    observed,
)
from greatterror.errors import GreatterrorError
from greatterror.pools import ignore_interrupt
from greatterror.provenance import code_change, code_identity

META_KEY = "greatterror"


class FitError(GreatterrorError, ValueError):
    """A fit cannot start or resume; the message names the option and what is allowed."""


@dataclass(frozen=True)
class FitSettings:
    """What defines a fit; stored in the database and checked again on resume."""

    scenario: str
    scale: float
    seed: int
    particles: int
    free: tuple[str, ...]
    targets: tuple[str, ...] = CALIBRATION_IDS
    #: each generation's threshold is this quantile of the previous generation's distances
    quantile: float = 0.5
    version: str = field(default=__version__)
    #: the code and data that made the fit (``provenance.code_identity``): the version stays
    #: "0.1.0" across commits, so a resume with other code would mix two models' simulations
    code: dict[str, Any] | None = field(default_factory=lambda: dict(code_identity()))
    #: a conditional fit's (``calibrate --free``) other free parameters and the values the
    #: scenario set for them when it started (``problem.held_values``): its posterior is
    #: conditional on them, so resume, ``show --check``, ``apply`` and posterior draws use or
    #: check these, not whatever the scenario file says later; () for a fit of them all
    held: Held = ()
    #: the digest of the scenario's resolved content, less the varied values
    #: (``problem.scenario_digest``): a resume refuses a scenario file changed since (a date,
    #: event, switch, prior, fixed or held value); None for a database made before 7 Dec 2026
    scenario_hash: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> FitSettings:
        raw = json.loads(text)
        raw["free"] = tuple(raw["free"])
        raw["targets"] = tuple(raw["targets"])
        raw["held"] = tuple((str(n), float(v)) for n, v in raw.get("held", ()))
        return cls(**raw)


def db_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def stored_settings(path: Path) -> FitSettings:
    """The settings a database was started with; FitError if it is not a greatterror fit."""
    pyabc = require("pyabc")
    missing = file_problem(path)
    if missing:
        raise FitError(f"--db: {path} {missing}")
    problem = stored_db_problem(path)  # before pyabc, which would write its schema into the file
    if problem:
        raise FitError(
            f"--db: {path} is not a greatterror calibration database: {problem}; expected the "
            "SQLite database written by `greatterror calibrate SCENARIO --db PATH`"
        )
    try:
        history = pyabc.History(db_url(path), _id=1)
        options = history.get_abc().json_parameters
        meta = ast.literal_eval(options)[META_KEY]
    except Exception:  # sqlalchemy, parse and key errors all mean "not our database"
        raise FitError(
            f"--db: {path} is not a greatterror calibration database: a pyabc database without "
            "greatterror's fit settings; expected the SQLite database written by "
            "`greatterror calibrate SCENARIO --db PATH`"
        ) from None
    return FitSettings.from_json(meta)


#: the address forms of a Dask scheduler that ``distributed.Client`` reaches over a network
SCHEDULER_FORM = "tcp://host:port, e.g. tcp://127.0.0.1:8786"
_SCHEDULER = re.compile(
    r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]+):(?P<port>\d+)/?"
)
#: a scheduler in this process (distributed's LocalCluster(processes=False), used by the tests)
_IN_PROCESS = re.compile(r"inproc://\S+")


def check_scheduler(address: str, field: str = "--dask-scheduler") -> str:
    """A Dask scheduler's address, checked for its form before any work (not yet reached)."""
    if _IN_PROCESS.fullmatch(address.strip()):
        return address.strip()
    match = _SCHEDULER.fullmatch(address.strip())
    if match is None or not 1 <= int(match["port"]) <= 65535:
        what = f"{address!r} is not a scheduler address" if address.strip() else "empty"
        raise FitError(f"{field}: {what}; allowed: {SCHEDULER_FORM}")
    return address.strip()


def connect_scheduler(address: str, field: str = "--dask-scheduler") -> Any:
    """A client of the Dask scheduler at ``address``; FitError if it cannot be reached."""
    distributed = require("distributed")
    address = check_scheduler(address, field)
    try:
        return distributed.Client(address, timeout=30)
    except (OSError, ValueError, TypeError) as exc:  # refused, timed out, or a bad address
        raise FitError(f"{field}: cannot reach {address} ({type(exc).__name__}: {exc})") from None


#: how long an interrupted fit waits for each ended worker process to be gone
WORKER_END_SECONDS = 10.0


def make_sampler(workers: int, client: Any = None) -> Any:
    """Local worker processes by default; a Dask cluster when given its client."""
    pyabc = require("pyabc")
    if client is not None:
        return pyabc.sampler.DaskDistributedSampler(dask_client=client, batch_size=1)
    if workers == 1:
        return pyabc.sampler.SingleCoreSampler()

    class QuietWorkers(pyabc.sampler.MulticoreEvalParallelSampler):  # type: ignore[name-defined]
        """pyabc's local sampler, whose workers leave Ctrl-C to this process (pools.py): a
        worker that took the terminal's SIGINT printed its own traceback (chores22). pyabc
        starts its workers inside ``sample_until_n_accepted``, so each ignores SIGINT from its
        first simulation on. pyabc leaves them running when the call is interrupted (they are
        daemons, ended only as this process exits), so a worker could still write after the
        command's one line (tests/test_interrupt.py failed so on 6 December 2026, in a loaded
        serial run and under pytest-xdist): they are ended here before the interrupt goes on."""

        def sample_until_n_accepted(
            self, n: int, simulate_one: Any, *args: Any, **kwargs: Any
        ) -> Any:
            def quiet_simulate_one() -> Any:
                ignore_interrupt()  # in the worker only: the parent still takes Ctrl-C
                return simulate_one()

            before = set(multiprocessing.active_children())
            try:
                return super().sample_until_n_accepted(n, quiet_simulate_one, *args, **kwargs)
            except BaseException:
                started = set(multiprocessing.active_children()) - before
                for worker in started:
                    worker.terminate()
                for worker in started:
                    worker.join(WORKER_END_SECONDS)
                raise

    return QuietWorkers(n_procs=workers)


def make_distance(evidence: Any, targets: tuple[str, ...], db: Path | None = None) -> Any:
    """The fit's distance: adaptive weights (Prangle 2017), recomputed from every generation's
    particles, each scale floored by the target's archival tolerance (statistics.ArchivalFloorScale).

    Shared with the joint comparison of hypotheses (``calibration/compare.py``),
    so that a single fit and a comparison judge a run by the same measure. With
    ``db``, each generation's weights are also stored in that database
    (``weights.RecordingFloorScale``), for ``calibrate apply``.
    """
    pyabc = require("pyabc")
    tolerances = {a.fact_id: a.tolerance for a in archival_targets(evidence, targets)}
    if db is None:
        scale = ArchivalFloorScale(tolerances)
    else:
        from greatterror.calibration.weights import RecordingFloorScale

        scale = RecordingFloorScale(tolerances, db)
    return pyabc.AdaptivePNormDistance(p=2, scale_function=scale)


def build_abc(settings: FitSettings, sampler: Any, db: Path | None = None) -> Any:
    """The pyabc ABCSMC object of a fit: prior, model, adaptive distance, sampler."""
    pyabc = require("pyabc")
    # a threshold that never lands on the runaways' shared distance (shared with the comparison)
    from greatterror.calibration.compare_epsilon import BelowTieQuantileEpsilon

    chosen, evidence, _ = warm(settings.scenario, settings.scale, settings.seed)
    _, priors = scenario_problem(chosen)
    distance = make_distance(evidence, settings.targets, db)
    model = FitModel(settings.scenario, settings.scale, settings.seed, settings.targets)
    return pyabc.ABCSMC(
        model,
        pyabc_prior(settings.free, priors),
        distance,
        population_size=settings.particles,
        eps=BelowTieQuantileEpsilon(alpha=settings.quantile),
        sampler=sampler,
    )


def new_settings(
    scenario: str,
    chosen: Any,
    scale: float,
    seed: int,
    particles: int,
    free: tuple[str, ...],
    quantile: float = 0.5,
) -> FitSettings:
    """The settings of a fit of ``free`` over ``scenario`` (as typed; ``chosen`` is it loaded):
    with the values a conditional fit holds and the scenario's digest, both checked on resume."""
    held = held_values(chosen, free)
    digest = scenario_digest(chosen, free)
    return FitSettings(
        scenario, scale, seed, particles, free, quantile=quantile, held=held, scenario_hash=digest
    )


def scenario_now(settings: FitSettings) -> tuple[str, str]:
    """The digest of the fit's scenario as its file reads now, and the file; FitError if the
    scenario no longer loads."""
    from greatterror.model.scenario import ScenarioError, load_scenario

    try:
        chosen = load_scenario(settings.scenario)
    except ScenarioError as exc:
        raise FitError(f"the fit's scenario {settings.scenario!r} no longer loads: {exc}") from None
    return scenario_digest(chosen, settings.free), str(chosen.path or settings.scenario)


def scenario_change(stored: FitSettings) -> str | None:
    """Why the fit's scenario is not the one it started from, or None when it is, or when the
    database stores no digest (made before 7 Dec 2026)."""
    if stored.scenario_hash is None:
        return None
    now, file = scenario_now(stored)
    if now == stored.scenario_hash:
        return None
    named = repr(stored.scenario) + ("" if file == stored.scenario else f" ({file})")
    return (
        f"the scenario {named} changed since the fit started (content "
        f"hash {stored.scenario_hash[:12]} then, {now[:12]} now: a date, event, switch, prior "
        "or a value the fit does not vary)"
    )


def check_resume(settings: FitSettings, db: Path) -> None:
    """``db`` is a greatterror fit started with ``settings`` by this code; FitError if not.

    ``run_fit`` checks it before resuming; the command checks it first, with its other
    options, so that a foreign file is refused before the small-scale warning or any work.
    """
    stored = stored_settings(db)
    differ = [
        k
        for k in ("scenario", "scale", "seed", "particles", "free", "targets")
        if getattr(stored, k) != getattr(settings, k)
    ]
    if differ:
        detail = "; ".join(f"{k}: stored {getattr(stored, k)!r}" for k in differ)
        raise FitError(f"--resume: the database was started with other settings ({detail})")
    if stored.held != settings.held:  # a conditional fit's: the scenario file changed since
        raise FitError(
            f"--resume: the fit held values its scenario no longer sets "
            f"({_held_detail(stored.held, settings.held)}); its posterior is conditional on "
            "them: resume with the scenario file it started from, or start a new --db"
        )
    if changed := code_change(stored.code):
        raise FitError(f"--resume: the database was {changed}; start a new --db")
    if changed := scenario_change(stored):
        raise FitError(
            f"--resume: {changed}; its stored generations simulated the other content: resume "
            "with the scenario file as the fit started, or start a new --db"
        )


def _held_detail(stored: Held, now: Held) -> str:
    """How the values a conditional fit held differ from those its scenario sets now."""
    then, current = dict(stored), dict(now)
    return ", ".join(
        f"{n} = {current.get(n)!r} now, held at {then.get(n)!r}"
        for n in dict.fromkeys([*then, *current])
        if then.get(n) != current.get(n)
    )


def run_fit(
    settings: FitSettings,
    db: Path,
    generations: int,
    workers: int = 2,
    scheduler: str | None = None,
    resume: bool = False,
    max_minutes: float | None = None,
    max_simulations: int | None = None,
) -> Any:
    """Start a fit, or resume one, until ``generations`` generations are stored in total.

    ``max_minutes`` and ``max_simulations`` stop it earlier: pyabc checks them
    after each generation, so the generation in progress still completes (a
    time limit is therefore exceeded by up to one generation's time).
    """
    pyabc = require("pyabc")
    try:
        check_fit_seed(settings.seed)
        check_calibration_ids(settings.targets)
    except (SeedRangeError, ValueError) as exc:
        raise FitError(str(exc)) from None
    logging.getLogger("ABC").setLevel(logging.WARNING)
    if resume:
        check_resume(settings, db)
    free_parameters(settings.free)  # unknown or fixed parameters fail before any work
    import numpy as np

    np.random.seed(settings.seed)  # the main process's draws (the calibration sample's order)
    client = None
    if scheduler:
        client = connect_scheduler(scheduler)
    try:
        abc = build_abc(settings, make_sampler(workers, client), db)
        if resume:
            abc.load(db_url(db), 1)
            done = abc.history.max_t + 1
        else:
            if settings.scenario_hash is None:  # settings made without new_settings
                settings = replace(settings, scenario_hash=scenario_now(settings)[0])
            meta = {META_KEY: settings.to_json()}
            abc.new(db_url(db), observed(settings.targets), meta_info=meta)
            done = 0
        remaining = generations - done
        limits: dict[str, Any] = {}
        if max_minutes is not None:
            import datetime as dt

            limits["max_walltime"] = dt.timedelta(minutes=max_minutes)
        if max_simulations is not None:
            limits["max_total_nr_simulations"] = max_simulations
        if remaining > 0:
            abc.run(max_nr_populations=remaining, **limits)
    finally:
        if client is not None:
            client.close()
    return pyabc.History(db_url(db), _id=1)
