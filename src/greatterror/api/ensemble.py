"""``gt.Ensemble``: the same scenario over many seeds, for uncertainty bands.

Each seed is an independent run (its own population and random streams), so
the results do not depend on how the seeds are spread over workers: local
worker processes by default, or a Dask cluster when given a
``dask.distributed.Client``. Runs return only their summaries, which are
small and picklable.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greatterror.api.options import SimError, check_pars, check_scale, check_seed, resolve_scenario
from greatterror.api.results import targets_frame
from greatterror.evidence.loader import load_evidence
from greatterror.model.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

#: At most this many seeds in one ensemble: a bound on the work one call can ask for.
MAX_SEEDS = 10_000


def run_one(scenario: Scenario, scale: float, seed: int, pars: dict[str, Any]) -> dict[str, Any]:
    """One seed's summary; a top-level function so that workers can be sent it."""
    from greatterror.api.sim import Sim

    return Sim(scenario, scale=scale, seed=seed, pars=pars).run().results.summary


class Ensemble:
    """Many runs of one scenario that differ only in their seed.

    >>> import greatterror as gt
    >>> ens = gt.Ensemble("historical", scale=0.0001, seeds=[1, 2], workers=1).run()
    >>> bands = ens.bands()
    >>> list(bands.columns)
    ['id', 'label', 'archival', 'low', 'high', 'median', 'p10', 'p90', 'runs']
    >>> int(bands["runs"].iloc[0])
    2
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
    ) -> None:
        self.scale = check_scale(scale)
        self.seeds = [check_seed(s, "seeds") for s in seeds]
        if not self.seeds:
            raise SimError("seeds: expected at least one seed")
        if len(self.seeds) > MAX_SEEDS:
            raise SimError(f"seeds: {len(self.seeds)} seeds; allowed: at most {MAX_SEEDS}")
        if len(set(self.seeds)) != len(self.seeds):
            raise SimError("seeds: a seed is repeated; each run needs its own seed")
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
            raise SimError("workers: expected a whole number of at least 1")
        if workers is not None and workers < 1:
            raise SimError(f"workers: {workers} is out of range; allowed: 1 or more")
        self.workers = workers or min(len(self.seeds), os.cpu_count() or 1)
        self.scenario = resolve_scenario(scenario, mechanisms)
        self.pars = check_pars(self.scenario, pars)
        self.client = client
        self.summaries: list[dict[str, Any]] = []

    def run(self, progress: Callable[[int, int], None] | None = None) -> Ensemble:
        """Run every seed; ``progress(runs_done, runs_total)`` after each finished run."""
        args = [(self.scenario, self.scale, s, self.pars) for s in self.seeds]
        done: dict[int, dict[str, Any]] = {}

        def finished(seed: int, summary: dict[str, Any]) -> None:
            done[seed] = summary
            if progress is not None:
                progress(len(done), len(args))

        if self.client is not None:
            from dask.distributed import as_completed

            futures = {self.client.submit(run_one, *a, pure=False): a[2] for a in args}
            for future in as_completed(futures):
                finished(futures[future], future.result())
        elif self.workers == 1:
            for a in args:
                finished(a[2], run_one(*a))
        else:
            # fork: workers start with the compiled kernels and loaded modules of this process
            context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
            with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
                futures = {pool.submit(run_one, *a): a[2] for a in args}
                for fut in futures:
                    finished(futures[fut], fut.result())
        # in seed order, whatever order the workers finished in
        self.summaries = [done[s] for s in self.seeds]
        return self

    def targets(self) -> pd.DataFrame:
        """Every run's targets, one row per seed and target."""
        if not self.summaries:
            raise SimError("targets: the ensemble has not run; call run() first")
        import pandas as pd

        evidence = load_evidence()
        frames = []
        for seed, summary in zip(self.seeds, self.summaries, strict=True):
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
        import pandas as pd

        rows = [
            {"seed": seed, "year": year, "measure": k, "value": v}
            for seed, s in zip(self.seeds, self.summaries, strict=True)
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
