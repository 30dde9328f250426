"""The mechanisms added for the hypothesis scenarios act in the direction their sources say.

M02, M10, M11, M24, M25, M27, M28 and M29 (docs/ODD.md section 7.15). Each
test runs a hypothesis scenario that switches the mechanism on, for as
many days as the effect needs, at 1:10,000, and compares it with the same
run with one parameter or switch changed. That the switches change a run at
all, and not before the mechanism can act, is tests/test_switches.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.fifth_column import guilt_summary, mechanism_counts
from greatterror.model.hypothesis_catalog import find_hypothesis
from greatterror.model.mechanisms import MechanismError
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.steps_vengeance import check_sources, killings_abroad
from greatterror.population.build import build_population
from greatterror.vocabulary import EV

SCALE, SEED = 0.0001, 2


@pytest.fixture(scope="module")
def parts():
    return build_population(SCALE, SEED), load_evidence()


def _run(parts, hypothesis: str, days: int, params=None, mechanisms=None) -> Simulation:
    population, evidence = parts
    scenario = find_hypothesis(hypothesis)
    return Simulation(scenario, population, SEED, evidence, params, mechanisms).run(until=days)


def _arrests(sim: Simulation) -> float:
    return float(sim.ledger.cube()[: sim.day, :, :, EV["arrested"]].sum())


def test_the_fifth_column_is_counted_among_those_arrested(parts) -> None:
    sim = _run(parts, "H5", 400)
    g = guilt_summary(sim)
    conspirators = sim.world.truth.conspirators
    elite = conspirators[sim.is_elite[conspirators]]
    assert len(elite) == 2000  # the scenario's starting value, at every scale
    assert set(elite.tolist()) <= set(sim.registers.elite_heads.tolist())
    assert 0 < g["conspirators"]["arrested"] <= g["conspirators"]["represented"]
    assert g["arrested_who_acted"] >= g["conspirators"]["arrested"]
    assert g["arrested_who_acted"] + g["arrested_who_did_not"] == pytest.approx(g["arrested"])
    assert 0 < g["elite_arrested_who_acted"] <= g["elite_arrested"]
    # the historical scenario has no one who really acted
    population, evidence = parts
    historical = Simulation(load_scenario("historical"), population, SEED, evidence).run(until=400)
    h = guilt_summary(historical)
    assert h["conspirators"]["people"] == 0 and h["arrested_who_acted"] == 0
    assert h["arrested_who_did_not"] == h["arrested"] > 0


def test_sabotage_falls_as_the_conspirators_are_found(parts) -> None:
    # many failures, so that the comparison is not noise; no search versus a thorough one
    base = {"plan_failure_rate": 0.5, "sabotage_true_share": 0.5}
    idle = _run(parts, "H5", 400, {**base, "conspirator_detection_rate": 0.0})
    hunt = _run(parts, "H5", 400, {**base, "conspirator_detection_rate": 3.0})
    # without a hunt of their own, conspirators are still caught by the purge of the elite
    found_idle = guilt_summary(idle)["conspirators"]["arrested"]
    assert guilt_summary(hunt)["conspirators"]["arrested"] > 1.5 * found_idle
    t_idle, t_hunt = idle.world.truth, hunt.world.truth
    assert t_hunt.sabotage / t_hunt.failures < 0.8 * (t_idle.sabotage / t_idle.failures)
    # where the conspirators stay at large, sabotage goes on and some real saboteurs are among
    # the managers arrested as wreckers (at 1:10,000 a thorough hunt can leave none to catch)
    assert guilt_summary(idle)["saboteurs_arrested"] > 0


def test_the_doctrine_suspects_good_workers_only_after_the_plenum(parts) -> None:
    scenario = find_hypothesis("H5")
    plenum = min((e.date - scenario.start).days for e in scenario.events if e.action == "plenum")
    params = {"plan_failure_rate": 0.5, "wrecking_attribution": 0.5}
    before = _run(parts, "H5", plenum, params)
    assert before.world.truth.doctrine_suspicions == 0
    after = before.run(until=plenum + 200)
    assert after.world.truth.doctrine_suspicions > 0


def test_false_reports_raise_perceived_threat(parts) -> None:
    """The leader's decisions are kept out (thresholds at the top of their range), and so is
    H3's start of Order 00447 from below (model/regional_start.py): a decision taken on a
    different day in the two runs (physical methods, Yezhov, a region's start) changes the
    namings that also feed the threat, and swamps the false reports' own share of it at
    1:10,000."""
    still: dict[str, float] = dict.fromkeys(
        ("leader_methods_threshold", "leader_expand_threshold", "leader_mass_threshold",
         "leader_national_threshold"),
        1.0,
    )  # fmt: skip
    still["regions_start_operation"] = 0.0
    honest = _run(parts, "H3", 200, {"report_false_positive_share": 0.0, **still})
    biased = _run(parts, "H3", 200, {"report_false_positive_share": 0.2, **still})
    assert not honest.world.policy.first_day and not biased.world.policy.first_day
    assert honest.world.truth.reports_false == 0 and biased.world.truth.reports_false > 0
    assert biased.inst.threat > honest.inst.threat


def test_personal_enemies_are_arrested_more_with_vengeance(parts) -> None:
    days = (dt.date(1937, 1, 1) - find_hypothesis("H1").start).days
    on = _run(parts, "H1", days)
    off = _run(parts, "H1", days, mechanisms={"M27": False})
    enemies = on.world.truth.enemies
    assert len(enemies) > 400  # every prominent oppositionist and a share of the congress
    taken_on = np.count_nonzero(on.cases.arrests[enemies])
    taken_off = np.count_nonzero(off.cases.arrests[enemies])
    assert taken_on > 1.2 * taken_off
    assert mechanism_counts(on)["personal_enemies"]["arrested"] == taken_on


def test_signals_of_restraint_lower_the_arrests(parts) -> None:
    common = {"signal_rate": 24.0, "signal_amplitude": 0.5}
    restraint = _run(parts, "H4", 300, {**common, "signal_restraint_share": 1.0})
    vigilance = _run(parts, "H4", 300, {**common, "signal_restraint_share": 0.0})
    assert restraint.world.truth.line < 0 < vigilance.world.truth.line
    assert restraint.world.truth.signals_vigilance == 0
    assert _arrests(restraint) < _arrests(vigilance)


def test_killings_abroad_are_sourced_and_counted_on_their_dates(parts) -> None:
    check_sources(frozenset(load_evidence().sources))
    rows = killings_abroad()
    assert [r.date for r in rows] == sorted(r.date for r in rows)
    trotsky = next(r for r in rows if r.victim == "Leon Trotsky")
    sim = _run(parts, "H6", (trotsky.date - find_hypothesis("H6").start).days + 1)
    counts = mechanism_counts(sim)["killings_abroad"]
    assert counts["established"] == 4 and counts["contested"] == 1  # Krivitsky is after 1940
    assert counts["list"][-1]["victim"] == "Leon Trotsky"


def test_the_report_says_how_many_of_those_arrested_really_acted() -> None:
    from greatterror.results.guilt import guilt_rows, guilt_text

    fate = {"people": 3, "represented": 3.0, "arrested": 2.0, "shot": 1.0}
    block = {
        "conspirators": fate,
        "dissidents": {"people": 0, "represented": 0.0, "arrested": 0.0, "shot": 0.0},
        "saboteurs_arrested": 0.0,
        "arrested": 200.0,
        "arrested_who_acted": 2.0,
        "arrested_who_did_not": 198.0,
        "elite_arrested": 50,
        "elite_arrested_who_acted": 2,
    }
    text = guilt_text({"fifth_column": block})
    assert text is not None and "Of the 200 people arrested" in text and "(1.00%)" in text
    assert guilt_rows({"fifth_column": block})[0][1:] == [3.0, 2.0, 1.0]
    none = {**block, "conspirators": block["dissidents"], "arrested_who_acted": 0.0}
    assert "draws no real conspirators" in (guilt_text({"fifth_column": none}) or "")
    assert guilt_text({}) is None  # a run written before the block existed


def test_switching_on_a_mechanism_the_model_lacks_is_refused(monkeypatch) -> None:
    """Every mechanism is implemented now; were one not, switching it on would be refused."""
    from greatterror.model import components

    rows = [
        dataclasses.replace(r, implemented=False, steps=()) if r.id == "M29" else r
        for r in components.mechanism_table()
    ]
    monkeypatch.setattr(components, "mechanism_table", lambda: rows)
    with pytest.raises(MechanismError, match=r"M29: M29 \(killings_abroad\) is not implemented"):
        components.resolve_switches(load_scenario("historical"), {"M29": True})
    # and an unimplemented mechanism is off by default, whatever its catalogue entry says
    assert components.default_switches()["killings_abroad"] is False
