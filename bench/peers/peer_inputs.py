"""The inputs both engines share in the peer benchmark, as plain Python data.

The Mesa model (``mesa_terror.py``) must start from the same world as
greatterror, or the comparison would measure two populations instead of
two engines. This module reads that world once from greatterror's own
inputs, for a scale and seed, and hands it over as lists and dicts:

- the people the reduced rules can reach (the mass population): region,
  workplace, sex, age, whether they carry any register mark, whether they
  are on Order 00447's register, and the order's line their marks put them
  on (model/lines.py ``line_00447``; the Gulag's own unit is the camp line);
- the lines' tables: who of a line's register goes on its arrest lists
  (``accept[line][male]``), how far a name fits a case's line
  (``naming_fit[line][male]``), and the sex and age profile of the order's
  "other anti-Soviet elements", drawn from anyone in a region;
- per region: the Order 00447 limits of the order's appendix, the dated
  limit increases of the scenario, the NKVD officers (the operation's daily
  capacity), and which region holds the camps;
- the scenario's calendar (the day limits are set, the day the operation
  starts, the days it ends) and the parameters the reduced rules read.

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
from greatterror.model.lines import line_00447
from greatterror.model.order_start import start_delays
from greatterror.model.registers import build_registers
from greatterror.model.scenario import Scenario, load_scenario
from greatterror.population.build import build_population
from greatterror.population.codes import Elite
from greatterror.population.people import Population

SCENARIO = Path(__file__).resolve().parent / "reduced.toml"

#: The parameters the reduced rules read (data/parameters.csv declares them).
PARAMETERS = (
    "operation_pace",
    "operation_term_days",
    "first_blow_days",
    "overfill_target",
    "nkvd_capacity",
    "unmarked_share_00447",
    "kulak_investigation_days",
    "investigation_days",
    "confession_probability",
    "release_without_confession",
    "names_per_confession",
    "names_acted_on",
    "troika_capacity",
    "cat1_share_troika",
    "oso_capacity",
    "courts_capacity",
    "courts_death_share",
    "exile_share",
)
NKVD = int(Elite.NKVD_OFFICER | Elite.NKVD_LEADERSHIP)


@dataclass
class PeerInputs:
    scale: float
    seed: int
    start: dt.date
    days: int
    #: per mass person
    region: list[int]
    workplace: list[int]  # -1: none
    male: list[bool]
    age: list[int]
    marked: list[bool]  # carries any register mark (sends an ordinary case to the Special Board)
    on_register: list[bool]  # on Order 00447's register
    mark_line: list[int]  # the order's line of the person's marks (0: none)
    #: per line code, [woman, man]
    accept: list[list[float]]
    naming_fit: list[list[float]]
    #: Order 00447's "other anti-Soviet elements": line code, share of men, ages
    other_line: int
    other_male_share: float
    other_ages: tuple[int, int]
    #: per region
    region_codes: list[str]
    initial_cat1: list[float]
    initial_cat2: list[float]
    officers: list[float]
    camps_region: int
    #: days from the launch to the order's start in each region (model/order_start.py)
    start_delay: list[int]
    #: day -> [(region, extra cat1, extra cat2, whether the source gives both categories)]:
    #: the scenario's dated limit increases
    increases: dict[int, list[tuple[int, float, float, bool]]]
    set_limits_day: int
    launch_day: int
    #: the order's dated ends: (day, whether regions with a later dated increase go on)
    end_days: list[tuple[int, bool]]
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
    registers = build_registers(pop)
    camps = next((r.index for r in pop.regions if r.kind == "camps"), -1)
    on_register = np.zeros(n, dtype=bool)
    assert registers.kulak.groups.members is not None
    on_register[registers.kulak.groups.members] = True
    marks, region = pop["marks"][:n], pop["region"][:n]
    other = registers.specs["anti_soviet_other"]
    return PeerInputs(
        scale=scale,
        seed=seed,
        start=scenario.start,
        days=days,
        region=region.astype(int).tolist(),
        workplace=pop["workplace"][:n].astype(int).tolist(),
        male=pop["male"][:n].astype(bool).tolist(),
        age=pop["age"][:n].astype(int).tolist(),
        marked=(marks != 0).tolist(),
        on_register=on_register.tolist(),
        mark_line=line_00447(marks, region, camps, registers.mark_lines, 0).astype(int).tolist(),
        accept=registers.accept.tolist(),
        naming_fit=registers.naming_fit.tolist(),
        other_line=other.code,
        other_male_share=0.5 if other.male_share is None else float(other.male_share),
        other_ages=(other.age_low, other.age_high),
        region_codes=[r.code for r in pop.regions],
        initial_cat1=cat1.tolist(),
        initial_cat2=cat2.tolist(),
        officers=_officers(pop).tolist(),
        camps_region=camps,
        start_delay=start_delays(pop.regions).tolist(),
        increases=_increases(
            scenario, evidence, pop, increase_cat1_share(evidence.increases), days
        ),
        set_limits_day=_days(scenario, "set_limits", None, days)[0],
        launch_day=_days(scenario, "launch_operation", "kulak_00447", days)[0],
        end_days=[
            (day, bool(event.except_later_increases))
            for day, event in _events(scenario, "end_operation", "kulak_00447", days)
        ],
        params={name: float(params[name]) for name in PARAMETERS},
    )


def _events(scenario: Scenario, action: str, operation: str | None, days: int) -> list[Any]:
    """(day, event) of the scenario's events of ``action`` within its period, by day."""
    out = []
    for event in scenario.events:
        day = (event.date - scenario.start).days
        if event.action == action and event.operation == operation and 0 <= day < days:
            out.append((day, event))
    return sorted(out, key=lambda x: x[0])


def _days(scenario: Scenario, action: str, operation: str | None, days: int) -> list[int]:
    found = [day for day, _ in _events(scenario, action, operation, days)]
    if not found:
        raise ValueError(f"the scenario has no {action} event within its period")
    return found


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
) -> dict[int, list[tuple[int, float, float, bool]]]:
    """The scenario's limit increases, per day, spread over regions by population.

    A row given only as a total is split with ``limits.increase_cat1_share``; a
    republic's increase is shared among its regions by population; a row that leaves one
    category blank is marked as of unknown composition (model/steps_policy.py).
    """
    out: dict[int, list[tuple[int, float, float, bool]]] = {}
    regions = pop.regions
    for day, event in _events(scenario, "limit_increase", None, days):
        for row in evidence.increases:
            if row.fact_id != event.evidence or (event.region and row.region_code != event.region):
                continue
            c1, c2 = row.cat1, row.cat2
            if c1 is None and c2 is None and row.total is not None:
                c1 = row.total * cat1_share
                c2 = row.total - c1
            known = c1 is not None and c2 is not None
            targets = [r.index for r in regions if row.region_code in (r.code, r.republic)]
            if not targets:
                continue
            pops = np.array([regions[i].population for i in targets])
            for i, share in zip(targets, pops / pops.sum(), strict=True):
                out.setdefault(day, []).append(
                    (i, float(c1 or 0) * float(share), float(c2 or 0) * float(share), known)
                )
    return out
