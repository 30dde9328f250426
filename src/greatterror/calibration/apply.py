"""Choose the point of a stored fit and write it into a scenario file, with its provenance.

Which point. A scenario runs at one set of values, so a fit must hand over one
point. The posterior median of each parameter is not used: medians taken one
parameter at a time need not form a set that was ever simulated, and where
parameters trade off (the naming cascade's ``names_per_confession`` against
``names_acted_on``, for instance) they can fall between the ridges the
posterior lies on. Nor is the single accepted particle with the smallest
distance used as it stands: it was selected on one simulation's noise. The
rule is: take the ``candidates`` particles of the last generation with the
smallest distances, re-run each on ``seeds`` other fitting seeds
(``seeds.recheck_seeds``: new populations and streams, never validation
seeds), and keep the one whose median distance (``statistics.
archival_distance``, the ABC distance at its floor) is smallest.

The file is rewritten only in its ``[parameters]`` table: the fitted values
are written in full, preceded by a comment naming the date, the database,
the fit's settings and the re-check. A value the scenario sets for a
parameter the fit did not vary is kept (for the historical scenario: two
fixed parameters whose defaults lie outside the priors of the hypothesis
scenarios that extend it; data/parameters.csv says which); every other
parameter keeps the default of data/parameters.csv. The new text is checked by loading it as a
scenario before it replaces the file, so a failed apply leaves it unchanged.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.abc import FitSettings
from greatterror.calibration.seeds import population_seed, recheck_seeds
from greatterror.calibration.simulator import FitModel, warm
from greatterror.calibration.statistics import archival_distance
from greatterror.errors import GreatterrorError
from greatterror.model.params import BY_NAME


class ApplyError(GreatterrorError, ValueError):
    """The scenario file cannot take the fit's values; the message says why."""


@dataclass(frozen=True)
class Candidate:
    values: dict[str, float]
    fit_distance: float  # the distance pyabc accepted it at (adaptive weights)
    distances: tuple[float, ...] = ()  # on each re-check seed

    @property
    def median(self) -> float:
        return float(np.median(self.distances)) if self.distances else float("inf")


def best_particles(history: Any, count: int) -> list[Candidate]:
    """The ``count`` particles of the last generation with the smallest distances."""
    population = history.get_population(t=history.max_t)
    particles = sorted(population.particles, key=lambda p: p.distance)[:count]
    return [
        Candidate({str(k): float(v) for k, v in dict(p.parameter).items()}, float(p.distance))
        for p in particles
    ]


def _recheck_one(args: tuple[str, float, int, list[dict[str, float]]]) -> list[float]:
    """The distances of each candidate on one re-check seed (one worker, one population)."""
    scenario, scale, seed, candidates = args
    model = FitModel(scenario, scale, seed)
    warm(scenario, scale, seed)
    bands = model.bands()  # a runaway run's statistics are its stand-ins (simulator.py)
    return [archival_distance(model(values), bands) for values in candidates]


def recheck(
    settings: FitSettings, candidates: Sequence[Candidate], seeds: int, workers: int = 1
) -> list[Candidate]:
    """Each candidate with its distances on ``seeds`` fresh fitting seeds, best first."""
    fresh = recheck_seeds(settings.seed, seeds)
    jobs = [(settings.scenario, settings.scale, s, [c.values for c in candidates]) for s in fresh]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(min(workers, len(jobs))) as pool:
            per_seed = list(pool.map(_recheck_one, jobs))
    else:
        per_seed = [_recheck_one(j) for j in jobs]
    out = [
        Candidate(c.values, c.fit_distance, tuple(row[i] for row in per_seed))
        for i, c in enumerate(candidates)
    ]
    return sorted(out, key=lambda c: c.median)


def _value_text(name: str, value: float) -> str:
    if BY_NAME[name].integer:
        return f"{name} = {round(value)}"
    return f"{name} = {float(value)!r}"


def parameters_block(values: dict[str, float], provenance: Sequence[str]) -> str:
    """The ``[parameters]`` table: provenance comment lines, then the values in full."""
    lines = ["[parameters]", *(f"# {line}" for line in provenance)]
    lines += [_value_text(name, values[name]) for name in sorted(values)]
    return "\n".join(lines) + "\n"


def replace_parameters(text: str, block: str) -> str:
    """``text`` with its ``[parameters]`` table (header to the next table) replaced by ``block``."""
    match = re.search(r"^\[parameters\][^\n]*\n", text, flags=re.MULTILINE)
    if match is None:
        raise ApplyError("the scenario file has no [parameters] table to replace")
    following = re.search(r"^\[", text[match.end() :], flags=re.MULTILINE)
    end = match.end() + following.start() if following else len(text)
    return text[: match.start()] + block + "\n" + text[end:]


def write_scenario(path: Path, values: dict[str, float], provenance: Sequence[str]) -> None:
    """Write the values into the scenario file at ``path``, checked before it is replaced."""
    from greatterror.model.scenario import ScenarioError, load_scenario

    unknown = [n for n in values if n not in BY_NAME]
    if unknown:
        raise ApplyError(f"parameters: unknown parameters {', '.join(unknown)}")
    text = path.read_text(encoding="utf-8")
    kept = tomllib.loads(text).get("parameters", {})
    values = {**{k: float(v) for k, v in kept.items() if k not in values}, **values}
    new = replace_parameters(text, parameters_block(values, provenance))
    tmp = path.with_name(f".{path.name}.apply-{os.getpid()}.toml")
    try:
        tmp.write_text(new, encoding="utf-8")
        try:
            load_scenario(tmp)
        except ScenarioError as exc:
            raise ApplyError(f"the new scenario would not load: {exc}") from None
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def provenance(
    settings: FitSettings,
    db: Path,
    history: Any,
    chosen: Candidate,
    candidates: int,
    seeds: Sequence[int],
) -> list[str]:
    """The comment that says where the values come from."""
    return [
        f"Fitted by ABC-SMC (greatterror calibrate, pyabc) on {dt.date.today().isoformat()}:",
        f"database {db.name}, scenario {settings.scenario}, scale 1:{1 / settings.scale:,.0f},",
        f"fit seed {settings.seed} (population seed {population_seed(settings.seed)}), "
        f"{settings.particles} particles,",
        f"{history.max_t + 1} generations, {history.total_nr_simulations} simulations, "
        f"greatterror {settings.version}.",
        f"Values: the best of the last generation's {candidates} closest particles, re-run on",
        f"fitting seeds {', '.join(map(str, seeds))} (median distance {chosen.median:.2f}; "
        "greatterror.calibration.apply).",
        "Written by `greatterror calibrate apply`; docs/calibration.md. Parameters that are",
        "not free keep the defaults of data/parameters.csv, or the value below where its",
        "basis column says why.",
    ]
