"""``gt.Ensemble``: the same scenario over many seeds, for uncertainty bands.

Each seed is an independent run (its own population and random streams), so
the results do not depend on how the seeds are spread over workers: local
worker processes by default, or a Dask cluster when given a
``dask.distributed.Client``. Runs return only their summaries, which are
small and picklable.

``vary`` draws fixed parameters from their priors (api/vary.py), one draw per
seed, so that the bands carry the uncertainty of those inputs as well as the
seeds'; each run's summary records its parameter values, the drawn ones among
them. A draw that runs away is stopped by the fit's rule and left out
(``runaways``; ``summaries`` holds the finished runs only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greatterror.api.dispatch import check_client, check_seeds, check_workers, map_tasks
from greatterror.api.options import SimError, check_pars, check_scale, resolve_scenario
from greatterror.api.results import count_warnings, targets_frame, warning_kinds
from greatterror.api.vary import prior_draws, vary_names
from greatterror.evidence.loader import load_evidence
from greatterror.model.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

#: The key of a stopped run's result, in place of a summary.
RUNAWAY = "runaway"


def run_one(
    scenario: Scenario,
    scale: float,
    seed: int,
    pars: dict[str, Any],
    mechanisms: dict[str, bool] | None = None,
    stop_runaways: bool = False,
) -> dict[str, Any]:
    """One seed's summary; a top-level function so that workers can be sent it.

    Each run builds its population in one thread (``Sim``'s default ``threads=1``): the
    workers already use the cores, and more threads would only share them twice over.

    With ``stop_runaways`` (``vary``), a run that runs away is stopped as in a fit
    (``calibration.simulator.run_or_stop``) and only where it stopped is returned.
    """
    from greatterror.api.sim import Sim

    sim = Sim(scenario, scale=scale, seed=seed, pars=pars, mechanisms=mechanisms)
    if stop_runaways:
        from greatterror.calibration.simulator import run_or_stop

        stopped = run_or_stop(sim.engine, sim.population, sim.evidence)
        if stopped is not None:
            return {RUNAWAY: stopped}
    return sim.run().results.summary


class Ensemble:
    """Many runs of one scenario that differ only in their seed.

    >>> import greatterror as gt
    >>> ens = gt.Ensemble("historical", scale=0.0001, seeds=[1, 2], workers=1).run()
    >>> bands = ens.bands()
    >>> list(bands.columns)
    ['id', 'label', 'archival', 'low', 'high', 'median', 'p10', 'p90', 'runs']
    >>> int(bands["runs"].iloc[0])
    2
    >>> ens.warnings  # {warning: how many of the runs had it}; {} when no run warned
    {"the NKVD's capacity to arrest (nkvd_capacity) held arrests back: ...": 2}

    Results are read after ``run()``: before it, ``warnings``, ``runaways``, ``targets()``,
    ``bands()`` and ``yearly()`` raise rather than answer ``{}`` or an empty table, which would
    read as "no run warned" or "no run ran away" where no run was made.

    >>> gt.Ensemble("historical", scale=0.0001, seeds=[1], workers=1).warnings
    Traceback (most recent call last):
    ...
    greatterror.api.options.SimError: warnings: the ensemble has not run; call run() first

    ``vary``: fixed parameters each seed's run draws from their priors ("unsourced",
    "fixed-priors", names; api/vary.py); ``prior_draws`` holds each seed's draw.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = "historical",
        *,
        scale: float = 0.001,
        seeds: Iterable[int] = range(8),
        workers: int | None = None,
        pars: Mapping[str, Any] | None = None,
        mechanisms: Mapping[str, bool] | None = None,
        client: Any = None,
        vary: str | Iterable[str] | None = None,
    ) -> None:
        self.scale = check_scale(scale)
        self.seeds = check_seeds(seeds)
        # each worker builds its runs' populations in one thread (run_one)
        self.workers = check_workers(workers, len(self.seeds))
        self._defined = resolve_scenario(scenario)
        self.scenario = resolve_scenario(self._defined, mechanisms)
        self.mechanisms = dict(mechanisms or {})
        self.pars = check_pars(self.scenario, pars)
        self.vary = vary_names(vary, (self.scenario,))
        both = sorted(set(self.vary) & set(self.pars))
        if both:
            raise SimError(
                f"vary: {', '.join(both)} also set in pars; a parameter is either set or "
                "drawn from its prior, so leave it out of one of the two"
            )
        #: each seed's draw of the varied parameters (empty dicts without ``vary``)
        self.prior_draws = prior_draws(self.vary, self.seeds)
        for draw in self.prior_draws:
            check_pars(self.scenario, {**self.pars, **draw})
        self.client = check_client(client)
        self.summaries: list[dict[str, Any]] = []
        self._runaways: dict[int, str] = {}
        self._finished: list[int] = []

    def run(self, progress: Callable[[int, int], None] | None = None) -> Ensemble:
        """Run every seed; ``progress(runs_done, runs_total)`` after each finished run."""
        stop = (True,) if self.vary else ()  # without vary, the call is as it was
        args = [
            (self._defined, self.scale, s, {**self.pars, **draw}, self.mechanisms, *stop)
            for s, draw in zip(self.seeds, self.prior_draws, strict=True)
        ]
        # in seed order, whatever order the workers finished in
        results = map_tasks(
            run_one, args, workers=self.workers, client=self.client, progress=progress
        )
        done = zip(self.seeds, results, strict=True)
        self._runaways = {s: r[RUNAWAY] for s, r in done if RUNAWAY in r}
        self.summaries = [r for r in results if RUNAWAY not in r]
        self._finished = [s for s in self.seeds if s not in self._runaways]
        return self

    def _check_ran(self, what: str) -> None:
        """Refuse a result asked for before ``run()``: an empty answer would read as "no run
        warned" or "no rows", where no run was made."""
        if not self.summaries and not self._runaways:
            raise SimError(f"{what}: the ensemble has not run; call run() first")

    @property
    def runaways(self) -> dict[int, str]:
        """The runs stopped as runaways (with ``vary`` only), by seed: where each stopped; {}
        when none was (``summaries`` holds the finished runs only).

        Before ``run()`` it raises ``SimError``, as ``warnings`` does (and ``gt.Paired``'s
        ``runaways``): {} would say that no run ran away."""
        self._check_ran("runaways")
        return dict(self._runaways)

    @property
    def warnings(self) -> dict[str, int]:
        """Each warning the finished runs' summaries carry (``Results.warnings``), in the words
        used for many runs, with how many of the ``len(summaries)`` runs had it; {} for none.

        Asked before ``run()``, it raises ``SimError`` ("warnings: the ensemble has not run;
        call run() first"): {} would say that no run warned."""
        self._check_ran("warnings")
        return count_warnings(warning_kinds(s) for s in self.summaries)

    def targets(self) -> pd.DataFrame:
        """Every run's targets, one row per seed and target."""
        self._check_ran("targets")
        if not self.summaries:
            raise SimError("targets: every run ran away (runaways); no run to compare")
        import pandas as pd

        evidence = load_evidence()
        frames = []
        for seed, summary in zip(self._finished, self.summaries, strict=True):
            frame = targets_frame(summary, evidence)
            frame.insert(0, "seed", seed)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def bands(self, low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
        """Per target: the median and the ``low`` and ``high`` quantiles over the seeds."""
        if not (0.0 <= low < high <= 1.0):
            raise SimError(f"bands: need 0 <= low < high <= 1, got low={low}, high={high}")
        runs = self.targets()
        grouped = runs.groupby("id", sort=False)
        first = grouped[["label", "archival", "low", "high"]].first()
        sim = grouped["simulated"]
        out = first.assign(
            median=sim.median(),
            p10=sim.quantile(low),
            p90=sim.quantile(high),
            runs=sim.count(),
        ).reset_index()
        return out

    def yearly(self) -> pd.DataFrame:
        """Yearly totals of every run (seed, year, measure, value)."""
        self._check_ran("yearly")
        import pandas as pd

        rows = [
            {"seed": seed, "year": year, "measure": k, "value": v}
            for seed, s in zip(self._finished, self.summaries, strict=True)
            for year, values in s["yearly"].items()
            for k, v in values.items()
        ]
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        n = len(self.summaries)
        return (
            f"Ensemble({self.scenario.name!r}, scale={self.scale:g}, seeds={len(self.seeds)}, "
            f"{'run' if n else 'not run'})"
        )
