"""One test per implemented mechanism switch: off changes nothing before it can act, and
changes the run after.

Each switched-off run is stepped day by day next to a fingerprint of the
historical run with every switch on (the ledger's day and the day's levers
and perceptions). Before the first day the mechanism can act (read from
the scenario's dated events, not typed in) the two must agree exactly; from
then on they must differ at some day. The runs stop at the first difference.

The mechanisms the historical scenario switches off (those added for the
hypothesis scenarios) are tested the same way in a hypothesis scenario that
switches them on, the run with the switch on and the run with it off stepped
side by side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.components import mechanism_table, resolve_switches
from greatterror.model.hypothesis_catalog import find_hypothesis
from greatterror.model.mechanisms import SWITCH_OF
from greatterror.model.scenario import Scenario, load_scenario
from greatterror.model.sim import Simulation
from greatterror.population.build import build_population

SCALE, SEED = 0.0001, 2
#: M26 is neutral (weight 1) in the historical scenario; both runs use a weight that acts
PARAMS = {"revolutionary_generation_weight": 3.0}


def _day_of(scenario: Scenario, pick: Callable[[object], bool]) -> int:
    return min((e.date - scenario.start).days for e in scenario.events if pick(e))


def _launch(*ops: str) -> Callable[[object], bool]:
    return lambda e: e.action == "launch_operation" and e.operation in ops  # type: ignore[attr-defined]


def _action(name: str) -> Callable[[object], bool]:
    return lambda e: e.action == name  # type: ignore[attr-defined]


NATIONAL = ("national_polish", "national_german", "national_harbin", "national_latvian")
MASS = ("kulak_00447", *NATIONAL, "national_other")
#: The first day each mechanism can act, from the scenario's events (0: from the start).
FIRST_ACT: dict[str, Callable[[Scenario], int]] = {
    "M01": lambda s: 0,  # threat from the first names given under interrogation
    "M03": lambda s: 0,
    "M04": lambda s: _day_of(s, _action("kirov_murder")),
    "M05": lambda s: 0,
    "M06": lambda s: _day_of(s, _action("physical_methods")),
    "M07": lambda s: 0,  # prisoners are held for the first trial from the start
    "M08": lambda s: _day_of(s, lambda e: e.action == "chief_change" and e.chief == "yezhov"),  # type: ignore[attr-defined]
    "M09": lambda s: _day_of(s, lambda e: e.vigilance > 0),  # type: ignore[attr-defined]
    "M12": lambda s: 0,
    "M13": lambda s: 0,
    "M14": lambda s: 0,  # a regional secretary may be an oppositionist, open from the Kirov murder
    "M15": lambda s: _day_of(s, _launch("kulak_00447")),
    "M16": lambda s: _day_of(s, _launch("kulak_00447")),
    # the law of 1 December 1934: the courts' death share follows vigilance (model/collegium.py)
    "M17": lambda s: min(_day_of(s, _action("kirov_murder")), _day_of(s, _launch(*MASS))),
    "M18": lambda s: _day_of(s, _launch(*NATIONAL, "national_other")),
    "M19": lambda s: _day_of(s, _action("families_order")),
    "M20": lambda s: min(_day_of(s, _action("kirov_murder")), _day_of(s, lambda e: bool(e.opens))),  # type: ignore[attr-defined]
    "M21": lambda s: _day_of(s, lambda e: e.action == "chief_change" and e.chief == "yezhov"),  # type: ignore[attr-defined]
    "M22": lambda s: _day_of(s, _action("halt")),
    "M23": lambda s: 0,
    "M26": lambda s: min(_day_of(s, _action("kirov_murder")), _day_of(s, lambda e: bool(e.opens))),  # type: ignore[attr-defined]
    "M30": lambda s: 0,
}


def _killing_abroad(s: Scenario) -> int:
    from greatterror.model.steps_vengeance import killings_abroad

    return min((k.date - s.start).days for k in killings_abroad() if k.date >= s.start)


#: Mechanisms off in the historical scenario: the hypothesis that switches each on (as core
#: or secondary), and the first day it can act there.
IN_HYPOTHESIS: dict[str, tuple[str, Callable[[Scenario], int]]] = {
    "M02": ("H3", lambda s: 1),  # reports yesterday's arrests
    "M10": ("H5", lambda s: _day_of(s, _action("plenum"))),
    "M11": ("H5", lambda s: 0),
    "M24": ("H5", lambda s: 0),
    "M25": ("H5", lambda s: 0),
    "M27": (
        "H1",
        lambda s: min(_day_of(s, _action("kirov_murder")), _day_of(s, lambda e: bool(e.opens))),
    ),  # type: ignore[attr-defined]
    "M28": ("H4", lambda s: 0),
    "M29": ("H6", _killing_abroad),
}
IMPLEMENTED = [row.id for row in mechanism_table() if row.implemented]
_HISTORICAL_ON = resolve_switches(load_scenario("historical"))
ON_IN_HISTORICAL = [m for m in IMPLEMENTED if _HISTORICAL_ON[SWITCH_OF[m]]]


def fingerprint(sim: Simulation, day: int) -> str:
    """The ledger's counts of ``day`` and the state the next day starts from."""
    _, n_reg, n_op, n_ev = sim.ledger.shape
    size = n_reg * n_op * n_ev
    block = sim.ledger.counts[day * size : (day + 1) * size]
    inst, levers = sim.inst, sim.world.levers
    scalars = np.array(
        [inst.threat, inst.vigilance, inst.war, levers.intensity, levers.campaign,
         levers.confession_p, levers.naming_mean, sim.world.signals.named_yesterday,
         *(q.weight for q in inst.queues), len(sim.world.truth.abroad)]
    )  # fmt: skip
    return hashlib.sha1(block.tobytes() + scalars.tobytes()).hexdigest()


def first_difference(a: Simulation, b: Simulation, days: int) -> int | None:
    """The first day on which two runs stepped side by side differ (None: none in ``days``
    days); both stop there."""
    for day in range(days):
        a.step()
        b.step()
        if fingerprint(a, day) != fingerprint(b, day):
            return day
    return None


@pytest.fixture(scope="module")
def parts():
    return load_scenario("historical"), build_population(SCALE, SEED), load_evidence()


@pytest.fixture(scope="module")
def baseline(parts) -> list[str]:
    scenario, population, evidence = parts
    sim = Simulation(scenario, population, SEED, evidence, PARAMS)
    out = []
    for day in range(sim.days):
        sim.step()
        out.append(fingerprint(sim, day))
    return out


def test_every_implemented_switch_has_its_first_day() -> None:
    assert sorted(FIRST_ACT) == sorted(ON_IN_HISTORICAL)
    assert sorted(IN_HYPOTHESIS) == sorted(set(IMPLEMENTED) - set(ON_IN_HISTORICAL))


@pytest.mark.parametrize("mechanism", ON_IN_HISTORICAL)
def test_switching_off_changes_nothing_before_and_something_after(
    mechanism: str, parts, baseline: list[str]
) -> None:
    scenario, population, evidence = parts
    first = FIRST_ACT[mechanism](scenario)
    sim = Simulation(scenario, population, SEED, evidence, PARAMS, {mechanism: False})
    differs = None
    for day in range(sim.days):
        sim.step()
        if fingerprint(sim, day) != baseline[day]:
            differs = day
            break
    assert differs is not None, f"switching {mechanism} off changed nothing"
    assert differs >= first, f"{mechanism} off changed day {differs}, before it can act ({first})"


#: at 1:10,000 M25's dissidents are a Poisson draw of mean about 1 (``dissident_share`` 1e-4
#: of about 10,000 sampled adults): a seed may draw none, and then the switch changes nothing
#: (seed 2 did once the officers' households moved the population's draws, branch army37);
#: ten times the share gives it people to act on
SMALL_SCALE_OVERRIDES: dict[str, dict[str, float]] = {"M25": {"dissident_share": 0.001}}


@pytest.mark.parametrize("mechanism", sorted(IN_HYPOTHESIS))
def test_hypothesis_mechanism_off_changes_nothing_before_and_something_after(
    mechanism: str, parts
) -> None:
    _, population, evidence = parts
    hypothesis, first_act = IN_HYPOTHESIS[mechanism]
    scenario = find_hypothesis(hypothesis)
    assert resolve_switches(scenario)[SWITCH_OF[mechanism]], f"{mechanism} is off in {hypothesis}"
    first = first_act(scenario)
    pars = SMALL_SCALE_OVERRIDES.get(mechanism)
    on = Simulation(scenario, population, SEED, evidence, pars)
    off = Simulation(scenario, population, SEED, evidence, pars, {mechanism: False})
    differs = first_difference(on, off, on.days)
    assert differs is not None, f"switching {mechanism} off in {hypothesis} changed nothing"
    assert differs >= first, f"{mechanism} off changed day {differs}, before it can act ({first})"
