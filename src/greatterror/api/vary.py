"""Fixed parameters drawn from their priors, one draw per run or pair (``vary=``).

A band over seeds, or over a fit's posterior draws, carries the uncertainty of
the free parameters only. Most fixed parameters are stated priors without a
source (data/parameters.csv, column ``basis``; calibration/screen_set.py), and
their uncertainty is in no band unless each run draws them too. ``vary``
names them the way ``greatterror sensitivity --parameters`` does ("unsourced",
"fixed-priors", or names), and each run or pair then draws every named
parameter from its declared prior. It never draws a setting of the model (the
hypothesis switches and parameters, other scenarios' parameters, structural
switches; ``screen_set.is_setting``): no set holds one (``screen_set.fixed_priors``,
the same sets ``greatterror sensitivity`` screens), and naming one is an error.

Each parameter's draw comes from its own random stream, keyed by the run's
seed, the stream name "vary" and the parameter's name: the draws are made
before any run, in the calling process, so they are the same at any worker
count, a parameter's draw does not depend on which others are drawn beside it,
and the two runs of a pair receive the same values (common random numbers).
The values go through the inverse CDF of each prior (``problem.from_unit``),
the same mapping the sensitivity screen uses.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import numpy as np

from greatterror.api.options import SimError
from greatterror.calibration.problem import from_unit, scenario_problem
from greatterror.calibration.screen_set import (
    ScreenSetError,
    expand,
    scenario_structure,
    switched_off,
)
from greatterror.model.scenario import Scenario

#: The named sets ``vary`` accepts besides parameter names ("free" is the posterior's job).
VARY_SETS = ("unsourced", "fixed-priors")
#: The name of the draws' random stream.
STREAM = "vary"


def vary_names(
    vary: str | Iterable[str] | None,
    scenarios: Sequence[Scenario],
    fitted: Collection[str] = (),
) -> tuple[str, ...]:
    """The fixed parameters ``vary`` names, checked; () when ``vary`` is None.

    ``vary`` is "unsourced", "fixed-priors", parameter names, or a comma-separated mix
    (a string or a list of strings). "unsourced" leaves out the parameters of mechanisms
    every one of ``scenarios`` switches off (there they move nothing). A parameter the
    scenarios fit, or one in ``fitted`` (say, the names of a posterior's draws), is left out
    of a set and refused when named: its uncertainty is the posterior's. So is a setting
    (``screen_set.is_setting``: a hypothesis switch or parameter, another scenario's
    parameter, a structural switch such as held_after_region_end): a draw of it would mix
    hypotheses or encodings of the model within one band.
    """
    if vary is None:
        return ()
    items = [vary] if isinstance(vary, str) else list(vary) if isinstance(vary, Iterable) else [0]
    if all(isinstance(v, str) for v in items):
        spec = ",".join(items)
    else:
        raise SimError(
            f"vary: expected a string or a list of strings; allowed: {', '.join(VARY_SETS)}, "
            "or parameter names"
        )
    off = set.intersection(
        *(set(switched_off(s.mechanisms, scenario_structure(s))) for s in scenarios)
    )
    free = {n for s in scenarios for n in scenario_problem(s)[0]} | set(fitted)
    try:
        return expand(spec, off, field="vary", sets=VARY_SETS, fitted=free)
    except ScreenSetError as exc:
        raise SimError(str(exc)) from None


def prior_draws(names: Sequence[str], seeds: Sequence[int]) -> list[dict[str, float]]:
    """One draw of ``names`` from their declared priors per seed (each parameter from the
    stream keyed by the seed, "vary" and its name); an empty dict per seed without names."""
    if not names:
        return [{} for _ in seeds]
    key = zlib.crc32(STREAM.encode())
    unit = np.array(
        [
            [
                np.random.default_rng(
                    np.random.SeedSequence([seed, key, zlib.crc32(name.encode())])
                ).random()
                for name in names
            ]
            for seed in seeds
        ],
        dtype=np.float64,
    )
    values = from_unit(names, unit)
    return [{n: float(v) for n, v in zip(names, row, strict=True)} for row in values]


def describe(spec: Any, names: Sequence[str]) -> dict[str, Any]:
    """What the JSON reports of ``vary``: as given, the parameters drawn, and the stream."""
    given = spec if isinstance(spec, str) or spec is None else ",".join(spec)
    return {"given": given, "parameters": list(names), "stream": STREAM, "prior": "declared"}
