"""The inputs both engines share in the peer benchmark, as plain Python data.

The Mesa model (``mesa_terror.py``) must start from the same world as
greatterror, or the comparison would measure two populations instead of
two engines. This module reads that world once from greatterror's own
inputs, for a scale and seed, and hands it over as lists and dicts:

- the people the reduced rules can reach (the mass population): region,
  workplace and whether a register mark puts them on the Order 00447 register;
- per region: the Order 00447 limits of the order's appendix, the dated
  limit increases of the scenario, the NKVD officers (the operation's daily
  capacity), and which region holds the camps;
- the scenario's calendar (the day limits are set, the day the operation
  starts) and the parameters the reduced rules read.

The elite layer (about 245,000 people kept at full size at every scale) is
left out: in the reduced rules no one draws from it and no mass workplace
holds its members, so nothing in either engine can touch it.

Only data crosses here; every rule is written in the Mesa model itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.evidence.loader import load_evidence
from greatterror.model.limits import increase_cat1_share, initial_limits
from greatterror.model.registers import KULAK_OPERATION_MARKS
from greatterror.model.scenario import Scenario, load_scenario
from greatterror.population.build import build_population
from greatterror.population.codes import Elite
from greatterror.population.people import Population

SCENARIO = Path(__file__).resolve().parent / "reduced.toml"

#: The parameters the reduced rules read (greatterror/model/params.py declares them).
PARAMETERS = (
    "operation_pace",
    "overfill_target",
    "nkvd_capacity",
    "unmarked_share_00447",
    "kulak_investigation_days",
    "confession_probability",
    "names_per_confession",
    "names_acted_on",
    "troika_capacity",
    "cat1_share_troika",
)
NKVD = int(Elite.NKVD_OFFICER | Elite.NKVD_LEADERSHIP)


@dataclass
class PeerInputs:
    scale: float
    seed: int
    start: dt.date
    days: int
    #: per mass person: region index, workplace (-1: none), on the Order 00447 register
    region: list[int]
    workplace: list[int]
    on_register: list[bool]
    #: per region
    region_codes: list[str]
    initial_cat1: list[float]
    initial_cat2: list[float]
    officers: list[float]
    camps_region: int
    #: day -> [(region, extra cat1, extra cat2)]: the scenario's dated limit increases
    increases: dict[int, list[tuple[int, float, float]]]
    set_limits_day: int
    launch_day: int
    params: dict[str, float]

    @property
    def people(self) -> int:
        return len(self.region)


def load_reduced_scenario(path: Path = SCENARIO) -> Scenario:
    return load_scenario(path)


def build_inputs(
    scale: float,
    seed: int,
    scenario: Scenario | None = None,
    population: Population | None = None,
) -> PeerInputs:
    """The shared world for ``scale`` and ``seed`` (greatterror's population of that seed)."""
    scenario = scenario or load_reduced_scenario()
    evidence = load_evidence()
    pop = population or build_population(scale, seed)
    params = scenario.parameter_values()
    days = (scenario.end - scenario.start).days + 1
    n = pop.n_mass
    cat1, cat2 = initial_limits(pop, evidence)
    return PeerInputs(
        scale=scale,
        seed=seed,
        start=scenario.start,
        days=days,
        region=pop["region"][:n].astype(int).tolist(),
        workplace=pop["workplace"][:n].astype(int).tolist(),
        on_register=((pop["marks"][:n] & int(KULAK_OPERATION_MARKS)) != 0).tolist(),
        region_codes=[r.code for r in pop.regions],
        initial_cat1=cat1.tolist(),
        initial_cat2=cat2.tolist(),
        officers=_officers(pop).tolist(),
        camps_region=next((r.index for r in pop.regions if r.kind == "camps"), -1),
        increases=_increases(
            scenario, evidence, pop, increase_cat1_share(evidence.increases), days
        ),
        set_limits_day=_first_day(scenario, "set_limits", None, days),
        launch_day=_first_day(scenario, "launch_operation", "kulak_00447", days),
        params={name: float(params[name]) for name in PARAMETERS},
    )


def _first_day(scenario: Scenario, action: str, operation: str | None, days: int) -> int:
    for event in scenario.events:
        day = (event.date - scenario.start).days
        if event.action == action and event.operation == operation and 0 <= day < days:
            return day
    raise ValueError(f"the scenario has no {action} event within its period")


def _officers(pop: Population) -> np.ndarray:
    """NKVD officers per region (heads of elite-layer rows); the camps get the mean."""
    elite = pop["elite"]
    heads = np.flatnonzero((elite != 0) & ((elite & int(Elite.ELITE_FAMILY)) == 0))
    officers = np.bincount(
        pop["region"][heads[(elite[heads] & NKVD) != 0]], minlength=len(pop.regions)
    ).astype(float)
    camps = [r.index for r in pop.regions if r.kind == "camps"]
    officers[camps] = officers[officers > 0].mean()
    return officers


def _increases(
    scenario: Scenario, evidence: Any, pop: Population, cat1_share: float, days: int
) -> dict[int, list[tuple[int, float, float]]]:
    """The scenario's limit increases, per day, spread over regions by population.

    A row given only as a total is split with ``limits.increase_cat1_share``; a
    republic's increase is shared among its regions by population.
    """
    out: dict[int, list[tuple[int, float, float]]] = {}
    regions = pop.regions
    for event in scenario.events:
        day = (event.date - scenario.start).days
        if event.action != "limit_increase" or not 0 <= day < days:
            continue
        for row in evidence.increases:
            if row.fact_id != event.evidence or (event.region and row.region_code != event.region):
                continue
            c1, c2 = row.cat1, row.cat2
            if c1 is None and c2 is None and row.total is not None:
                c1 = row.total * cat1_share
                c2 = row.total - c1
            targets = [r.index for r in regions if row.region_code in (r.code, r.republic)]
            if not targets:
                continue
            pops = np.array([regions[i].population for i in targets])
            for i, share in zip(targets, pops / pops.sum(), strict=True):
                out.setdefault(day, []).append(
                    (i, float(c1 or 0) * float(share), float(c2 or 0) * float(share))
                )
    return out
