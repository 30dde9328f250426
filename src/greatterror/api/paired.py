"""``gt.Paired``: a counterfactual run beside the scenario it changes, pair by pair.

Each pair is two ``gt.Sim`` runs with the same seed, the same population
(built once and read by both) and the same parameter set: the named random
streams (model/streams.py) then give both runs the same draws for the same
decisions, so the two runs are identical until the first day their
timelines differ, and the difference between them is the change's effect
for that seed and parameter set, not a difference of luck. Over many pairs
(seeds, or posterior draws of a fit) the differences have a median and a
band.

A parameter that the counterfactual itself sets to another value than its
base (``approval_probability = 0`` in limits_frozen_1937) is part of the
change: it keeps the counterfactual's value even when a posterior draw gives
one for it.

``vary`` draws fixed parameters from their priors as well (api/vary.py): each
pair gets its own draw, and both of its runs receive it, beside the pair's
posterior draw of the free parameters when there is one. A parameter the
counterfactual changes keeps the counterfactual's value in its run here too.
Some prior draws run away, as in a fit's first generation: with ``vary`` such
a pair is stopped by the fit's rule and left out of the bands (``runaways``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from greatterror.api.dispatch import check_client, check_seeds, check_workers, map_tasks
from greatterror.api.options import SimError, check_pars, check_scale, resolve_scenario
from greatterror.api.results import count_warnings, warning_kinds
from greatterror.api.vary import prior_draws, vary_names
from greatterror.model.components import resolve_switches
from greatterror.model.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

#: The outputs compared: the name reported, and the yearly figure of the run's summary.
#: ``gulag_deaths`` is the political prisoners' deaths in custody (``yearly.died_in_custody``:
#: camps, colonies, transit and prisons), not the G8 series (``gulag.yearly.died_camp``), which
#: also counts the non-political prisoners and leaves transit and prisons out.
MEASURES = {
    "arrests": "arrested",
    "death_sentences": "death_sentences",
    "gulag_deaths": "died_in_custody",
}


def changed_parameters(base: Scenario, counterfactual: Scenario) -> list[str]:
    """Parameters the counterfactual sets to another value than its base does."""
    a, b = base.parameter_values(), counterfactual.parameter_values()
    return sorted(k for k in b if a.get(k) != b[k])


def first_change(base: Scenario, counterfactual: Scenario) -> dt.date:
    """The first day on which the two scenarios' inputs differ.

    The first date at which their timelines differ, or the start when their
    mechanisms or parameters differ (a parameter may act from the first day).
    A dropped dated limit increase counts from its own date: the limits step
    reads which regions have dated increases to come from the record
    (``Scenario.record_events``, ``dated_answers.record_dated``), which
    both runs share, not from the counterfactual's own timeline.
    """
    if (
        resolve_switches(base) != resolve_switches(counterfactual)
        or changed_parameters(base, counterfactual)
        or base.start != counterfactual.start
        or base.record_events != counterfactual.record_events
    ):
        return base.start

    def by_date(s: Scenario) -> dict[dt.date, list[str]]:
        out: dict[dt.date, list[str]] = {}
        for e in s.events:
            out.setdefault(e.date, []).append(e.model_dump_json())
        return {d: sorted(v) for d, v in out.items()}

    a, b = by_date(base), by_date(counterfactual)
    differing = [d for d in set(a) | set(b) if a.get(d) != b.get(d)]
    return min(differing, default=min(base.end, counterfactual.end))


def _yearly(summary: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {
        year: {name: float(values[key]) for name, key in MEASURES.items()}
        for year, values in summary["yearly"].items()
    }


def run_pair(
    base: Scenario,
    counterfactual: Scenario,
    scale: float,
    seed: int,
    base_pars: dict[str, Any],
    counterfactual_pars: dict[str, Any],
    stop_runaways: bool = False,
) -> dict[str, Any]:
    """One pair: both runs' yearly figures, and the first day on which their counts differ
    (None when they never do).

    With ``stop_runaways`` (``vary``), a run that runs away is stopped as in a fit
    (``calibration.simulator.run_or_stop``) and the pair reports where, under ``runaway``,
    instead of figures. A top-level function, so that worker processes can be sent it.
    """
    from greatterror.api.sim import Sim
    from greatterror.evidence.loader import load_evidence
    from greatterror.population.people import Population

    population = Population.build(scale, seed)
    evidence = load_evidence()
    arms = (("base", base, base_pars), ("counterfactual", counterfactual, counterfactual_pars))
    if stop_runaways:
        from greatterror.calibration.simulator import run_or_stop

        runs = []
        for arm, s, p in arms:
            sim = Sim(s, seed=seed, pars=p, population=population, evidence=evidence)
            stopped = run_or_stop(sim.engine, population, evidence)
            if stopped is not None:
                return {"seed": seed, "historical": None, "counterfactual": None,
                        "first_difference": None, "runaway": f"{arm} run, {stopped}"}  # fmt: skip
            runs.append(sim)
    else:
        runs = [
            Sim(s, seed=seed, pars=p, population=population, evidence=evidence).run()
            for _, s, p in arms
        ]
    a, b = (r.engine.ledger for r in runs)
    days = a.shape[0]
    differ = np.flatnonzero((a.counts.reshape(days, -1) != b.counts.reshape(days, -1)).any(axis=1))
    first = None if len(differ) == 0 else base.start + dt.timedelta(days=int(differ[0]))
    return {
        "seed": seed,
        "historical": _yearly(runs[0].results.summary),
        "counterfactual": _yearly(runs[1].results.summary),
        "first_difference": None if first is None else first.isoformat(),
        "warnings": {
            "base": warning_kinds(runs[0].results.summary),
            "counterfactual": warning_kinds(runs[1].results.summary),
        },
    }


def _kind(draws: Any) -> str:
    """What was given instead of a list of dicts, short enough for a one-line message."""
    if isinstance(draws, Sequence) and not isinstance(draws, str | bytes):
        return f"a {type(draws).__name__} holding {', '.join(sorted({type(d).__name__ for d in draws}))}"
    return repr(draws)[:80]


class Paired:
    """A counterfactual scenario paired with the scenario it extends, over seeds or draws.

    >>> import greatterror as gt
    >>> pairs = gt.Paired("no_national_operations", scale=0.0001, seeds=[1], workers=1).run()
    >>> pairs.first_change.isoformat()  # the German operation, the first launch it leaves out
    '1937-07-25'
    >>> pairs.pairs[0]["first_difference"] >= "1937-07-25"  # the runs agree until then
    True
    >>> sorted(pairs.bands()["measure"].unique())
    ['arrests', 'death_sentences', 'gulag_deaths']
    >>> pairs.runs, pairs.warnings  # {warning: how many of the runs had it}
    (2, {"the NKVD's capacity to arrest (nkvd_capacity) held arrests back: ...": 2})

    Results are read after ``run()``: before it, ``warnings``, ``differences()`` and
    ``bands()`` raise rather than answer ``{}`` or an empty table, which would read as "no run
    warned" where no run was made.

    >>> gt.Paired("no_national_operations", scale=0.0001, seeds=[1], workers=1).warnings
    Traceback (most recent call last):
    ...
    greatterror.api.options.SimError: warnings: the pairs have not run; call run() first

    ``draws``: one parameter set per seed (for instance posterior draws of a
    fit, ``gt.posterior_draws``), applied to both runs of its pair; without
    them both runs use the scenarios' own parameter values. ``vary``: fixed
    parameters each pair draws from their priors ("unsourced", "fixed-priors", names;
    api/vary.py), the same values in both runs of the pair.
    """

    def __init__(
        self,
        counterfactual: str | Path | Scenario,
        base: str | Path | Scenario | None = None,
        *,
        scale: float = 0.001,
        seeds: Iterable[int] = range(1, 9),
        draws: Sequence[Mapping[str, Any]] | None = None,
        workers: int | None = None,
        client: Any = None,
        vary: str | Iterable[str] | None = None,
    ) -> None:
        self.scale = check_scale(scale)
        self.seeds = check_seeds(seeds)
        self.workers = check_workers(workers, len(self.seeds))
        self.counterfactual = resolve_scenario(counterfactual)
        if base is None:
            if not self.counterfactual.extends:
                raise SimError(
                    f"base: {self.counterfactual.name} extends no scenario; give the base to "
                    "compare it with"
                )
            base = self.counterfactual.extends
        self.base = resolve_scenario(base)
        if draws is not None and (
            isinstance(draws, str | bytes | Mapping)
            or not isinstance(draws, Sequence)
            or not all(isinstance(d, Mapping) for d in draws)
        ):
            raise SimError(
                "draws: expected a list of parameter dicts, one per seed, e.g. "
                f"[{{'names_per_confession': 1.0}}]; got {_kind(draws)}"
            )
        if draws is not None and len(draws) != len(self.seeds):
            raise SimError(
                f"draws: {len(draws)} parameter sets for {len(self.seeds)} seeds; give one per seed"
            )
        self.fixed = changed_parameters(self.base, self.counterfactual)
        self.draws = [dict(d) for d in draws] if draws is not None else [{}] * len(self.seeds)
        drawn = {n for d in self.draws for n in d}
        #: the fixed parameters drawn from their priors, and each pair's draw of them
        self.vary = vary_names(vary, (self.base, self.counterfactual), fitted=drawn)
        self.prior_draws = prior_draws(self.vary, self.seeds)
        for draw in self._parameter_sets():
            check_pars(self.base, draw)
            check_pars(self.counterfactual, self._own(draw))
        self.first_change = first_change(self.base, self.counterfactual)
        self.client = check_client(client)
        self.pairs: list[dict[str, Any]] = []

    def _own(self, draw: dict[str, Any]) -> dict[str, Any]:
        """A draw as the counterfactual run gets it: without the parameters it changes."""
        return {k: v for k, v in draw.items() if k not in self.fixed}

    def _parameter_sets(self) -> list[dict[str, Any]]:
        """Each pair's parameters: its posterior draw, and its draw of the varied priors."""
        return [{**d, **p} for d, p in zip(self.draws, self.prior_draws, strict=True)]

    def run(self, progress: Callable[[int, int], None] | None = None) -> Paired:
        """Run every pair; ``progress(pairs_done, pairs_total)`` after each finished pair."""
        sets = self._parameter_sets()
        # with vary, runaway draws are stopped (run_pair); without, the call is as it was
        stop = (True,) if self.vary else ()
        args = [
            (self.base, self.counterfactual, self.scale, s, d, self._own(d), *stop)
            for s, d in zip(self.seeds, sets, strict=True)
        ]
        pairs = map_tasks(
            run_pair, args, workers=self.workers, client=self.client, progress=progress
        )
        self.pairs = [{**pair, "parameters": d} for pair, d in zip(pairs, sets, strict=True)]
        if self.vary:
            for pair, p in zip(self.pairs, self.prior_draws, strict=True):
                pair["prior_draws"] = p
        return self

    def _check_ran(self, what: str) -> None:
        """Refuse a result asked for before ``run()``: an empty answer would read as "no run
        warned" where no run was made (``Ensemble`` alike)."""
        if not self.pairs:
            raise SimError(f"{what}: the pairs have not run; call run() first")

    def differences(self) -> pd.DataFrame:
        """One row per pair, period (a year or "total") and measure: both runs and their
        difference (counterfactual minus base)."""
        import pandas as pd

        self._check_ran("differences")
        if len(self.runaways) == len(self.pairs):
            raise SimError("differences: every pair ran away (runaways); no pair to compare")
        rows = []
        for i, pair in enumerate(self.pairs):
            if "runaway" in pair:  # stopped (vary only): no figures, left out of the bands
                continue
            hist, cf = pair["historical"], pair["counterfactual"]
            periods = [*sorted(hist), "total"]
            for period in periods:
                for m in MEASURES:
                    h = sum(v[m] for v in hist.values()) if period == "total" else hist[period][m]
                    c = sum(v[m] for v in cf.values()) if period == "total" else cf[period][m]
                    rows.append(
                        {"pair": i, "seed": pair["seed"], "period": period, "measure": m,
                         "base": h, "counterfactual": c, "difference": c - h}
                    )  # fmt: skip
        return pd.DataFrame(rows)

    @property
    def runaways(self) -> dict[int, str]:
        """The pairs stopped as runaways (with ``vary`` only), by seed: where each stopped.

        Before ``run()`` it raises, as ``warnings`` does: {} would say that no pair ran away."""
        self._check_ran("runaways")
        return {p["seed"]: p["runaway"] for p in self.pairs if "runaway" in p}

    @property
    def runs(self) -> int:
        """The runs that finished: two per pair, none of a pair stopped as a runaway.

        Before ``run()`` it raises, as ``warnings`` does: 0 would read as "every run failed"."""
        self._check_ran("runs")
        return 2 * (len(self.pairs) - len(self.runaways))

    @property
    def warnings(self) -> dict[str, int]:
        """Each warning of the finished runs' summaries (``Results.warnings``), in the words
        used for many runs, with how many of the ``runs`` had it (both runs of a pair count).

        Asked before ``run()``, it raises ``SimError`` ("warnings: the pairs have not run;
        call run() first"): {} would say that no run warned."""
        self._check_ran("warnings")
        kinds = (p["warnings"][arm] for p in self.pairs if "warnings" in p for arm in p["warnings"])
        return count_warnings(kinds)

    def bands(self, low: float = 0.05, high: float = 0.95) -> pd.DataFrame:
        """Per period and measure: medians of both runs, and the median difference with its
        ``low``-``high`` band over the pairs (the default is a 90% band)."""
        if not (0.0 <= low < high <= 1.0):
            raise SimError(f"bands: need 0 <= low < high <= 1, got low={low}, high={high}")
        diffs = self.differences()
        grouped = diffs.groupby(["period", "measure"], sort=False)
        d = grouped["difference"]
        return (
            grouped[["base", "counterfactual"]]
            .median()
            .assign(
                difference=d.median(), low=d.quantile(low), high=d.quantile(high), pairs=d.count()
            )
            .reset_index()
        )

    def __repr__(self) -> str:
        state = "run" if self.pairs else "not run"
        return (
            f"Paired({self.counterfactual.name!r} vs {self.base.name!r}, scale={self.scale:g}, "
            f"pairs={len(self.seeds)}, {state})"
        )
