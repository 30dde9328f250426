"""The penetrated NKVD (variant H5b, model/penetration.py): when it acts, and what it counts.

Runs at 1:10,000. The variant's switch is its option of M24,
``nkvd_penetration_share``: at 0 (H5) nothing is drawn and nothing happens.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.evidence.loader import load_evidence
from greatterror.model.fifth_column import guilt_summary
from greatterror.model.hypothesis_catalog import find_hypothesis
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.population.build import build_population
from greatterror.results.guilt import guilt_rows, guilt_text
from greatterror.vocabulary import EV, OP, Status

SCALE, SEED = 0.0001, 2
#: many provocateurs who arrest often, so that a short run has something to count
BUSY = {"nkvd_penetration_share": 0.2, "provocateur_arrest_rate": 1000.0}


@pytest.fixture(scope="module")
def parts():
    return build_population(SCALE, SEED), load_evidence()


def _sim(parts, params=None, mechanisms=None, scenario="H5b") -> Simulation:
    population, evidence = parts
    return Simulation(find_hypothesis(scenario), population, SEED, evidence, params, mechanisms)


def _fingerprint(sim: Simulation, day: int) -> str:
    """The ledger's counts of ``day`` and the perceptions the next day starts from."""
    _, n_reg, n_op, n_ev = sim.ledger.shape
    size = n_reg * n_op * n_ev
    block = sim.ledger.counts[day * size : (day + 1) * size]
    inst = sim.inst
    scalars = np.array([inst.threat, inst.vigilance, sim.world.levers.campaign])
    return hashlib.sha1(block.tobytes() + scalars.tobytes()).hexdigest()


def _acted(sim: Simulation) -> bool:
    t = sim.world.truth
    return bool(t.provoked or t.exposed)


def test_the_option_changes_nothing_before_it_first_acts_and_something_after(parts) -> None:
    # without the hunt the provocateurs' first act is their first arrest, weeks into the run
    on = _sim(parts, {"conspirator_detection_rate": 0.0})
    off = _sim(parts, {"conspirator_detection_rate": 0.0, "nkvd_penetration_share": 0.0})
    assert on.engine.params["nkvd_penetration_share"] == 0.05  # the scenario's starting value
    first = differs = None
    for day in range(on.days):
        on.step()
        off.step()
        if first is None and _acted(on):
            first = day
        if _fingerprint(on, day) != _fingerprint(off, day):
            differs = day
            break
    assert first is not None and differs is not None, "the penetrated NKVD changed nothing"
    assert first > 0 and differs == first, (first, differs)
    # drawn on the first day among the NKVD's officers, from a stream of their own
    provocateurs = on.world.truth.provocateurs
    assert len(provocateurs) > 0 and set(provocateurs) <= set(on.world.cadres.officers)
    assert len(off.world.truth.provocateurs) == 0
    assert not _acted(off)


def test_it_is_part_of_m24_and_off_in_the_historical_scenario(parts) -> None:
    without = _sim(parts, BUSY, {"M24": False}).run(until=200)
    assert len(without.world.truth.provocateurs) == 0 and not _acted(without)
    population, evidence = parts
    historical = Simulation(load_scenario("historical"), population, SEED, evidence)
    assert historical.engine.params["nkvd_penetration_share"] == 0.0
    assert not historical.engine.switch("M24")
    block = guilt_summary(historical.run(until=200))["provocation"]
    assert block["officers"]["people"] == 0 and block["arrests"] == 0.0


def test_arrests_on_the_conspiracy_s_behalf_are_conserved_and_stop_with_the_provocateurs(
    parts,
) -> None:
    # many real dissidents, so that some of the people the provocateurs arrest really acted;
    # no hunt, so that the provocateurs stay at work until they are arrested below
    params = {**BUSY, "dissident_share": 0.01, "conspirator_detection_rate": 0.0}
    sim = _sim(parts, params).run(until=300)
    t = sim.world.truth
    free = t.provocateurs[sim.cases.status[t.provocateurs] == Status.FREE]
    assert len(t.provoked) > 0 and len(free) > 0
    # once every provocateur has been arrested, nobody is arrested on their behalf
    sim.engine.arrest(sim.day, free, "elite")
    batches = len(t.provoked)
    sim.run(until=sim.day + 90)
    assert len(t.provoked) == batches
    block = guilt_summary(sim)["provocation"]
    people = np.concatenate(t.provoked)
    weights = sim.weights(people)
    guilty = set(t.guilty().tolist())
    acted = np.array([p in guilty for p in people.tolist()])
    # conspirators (and dissidents) plus innocent people make up the arrests, counted apart
    assert block["arrests"] == pytest.approx(float(weights.sum()))
    assert block["arrests_who_acted"] == pytest.approx(float(weights[acted].sum()))
    assert block["arrests_who_did_not"] == pytest.approx(float(weights[~acted].sum()))
    assert block["arrests_who_acted"] + block["arrests_who_did_not"] == pytest.approx(
        block["arrests"]
    )
    assert block["arrests_who_acted"] > 0 and block["arrests_who_did_not"] > 0
    # they arrest in the mass population, as ordinary NKVD cases, and are counted in the ledger
    assert not sim.is_elite[people].any()
    arrested_ordinary = sim.ledger.cube()[: sim.day, :, OP["ordinary"], EV["arrested"]].sum()
    assert arrested_ordinary >= block["arrests"]
    # every provocateur was arrested, none by the hunt; each counts as a real conspirator
    officers = block["officers"]
    assert officers["arrested"] == officers["represented"] == len(t.provocateurs)
    assert block["exposed_by_hunt"] == 0
    summary = guilt_summary(sim)
    assert summary["elite_arrested_who_acted"] >= len(t.provocateurs)


def test_a_run_of_h5b_reports_the_provocation(tmp_path: Path) -> None:
    out = tmp_path / "h5b"
    result = CliRunner().invoke(
        app,
        ["run", "hypotheses/h5b_penetrated_nkvd", "--scale", "0.0001", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "h5b_penetrated_nkvd"
    block = summary["fifth_column"]["provocation"]
    assert block["officers"]["people"] > 0 and block["exposed_by_hunt"] > 0
    assert block["arrests"] == pytest.approx(
        block["arrests_who_acted"] + block["arrests_who_did_not"]
    )
    assert summary["parameters"]["nkvd_penetration_share"] == 0.05
    text = guilt_text(summary) or ""
    assert "NKVD officers as conspirators (variant H5b)" in text
    assert any(row[0] == "penetrated NKVD officers (M24, H5b)" for row in guilt_rows(summary))
