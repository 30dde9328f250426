"""The engine's interface: one day at a time, runs to a date, an inspectable and timed loop."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.population.build import build_population

SCALE, SEED = 0.0001, 4


@pytest.fixture(scope="module")
def parts():
    return load_scenario("historical"), build_population(SCALE, SEED), load_evidence()


def _sim(parts) -> Simulation:
    scenario, population, evidence = parts
    return Simulation(scenario, population, SEED, evidence)


def _state(sim: Simulation) -> list[np.ndarray]:
    c = sim.cases
    return [
        sim.ledger.counts.copy(),
        sim.ledger.backlog.copy(),
        c.status.copy(),
        c.arrest_day.copy(),
        c.sentence_day.copy(),
        np.array([sim.world.signals.named_yesterday, sim.inst.threat, sim.world.camps.w]),
    ]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_steps_equal_a_run_until_the_same_day(parts) -> None:
    n = 1000  # past the start of the mass operations (August 1937)
    stepped = _sim(parts)
    for _ in range(n):
        stepped.step()
    ran = _sim(parts).run(until=n)
    assert stepped.day == ran.day == n
    assert _same(_state(stepped), _state(ran))
    assert stepped.ledger.counts.sum() > 0


def test_a_run_in_pieces_equals_one_run(parts) -> None:
    whole = _sim(parts).run()
    pieces = _sim(parts)
    pieces.run(until=dt.date(1937, 8, 4))  # inclusive: that day has been simulated
    assert pieces.day == (dt.date(1937, 8, 5) - pieces.start).days
    pieces.step()
    pieces.run(until=1500)
    pieces.run()
    assert pieces.day == whole.day == whole.days
    assert _same(_state(pieces), _state(whole))
    assert whole.trials == pieces.trials and whole.policy.log == pieces.policy.log


def test_until_outside_the_scenario_or_in_the_past_is_refused(parts) -> None:
    sim = _sim(parts)
    sim.run(until=10)
    with pytest.raises(ValueError, match="already past"):
        sim.run(until=5)
    with pytest.raises(ValueError, match="outside the scenario"):
        sim.run(until=dt.date(1941, 1, 1))
    with pytest.raises(ValueError, match="outside the scenario"):
        sim.run(until=-1)
    with pytest.raises(TypeError, match="until"):
        sim.run(until="1937-08-05")  # type: ignore[arg-type]
    assert sim.day == 10
    sim.run(until=10)  # nothing left to do up to that day: a no-op
    assert sim.day == 10


def test_step_past_the_end_is_refused(parts) -> None:
    sim = _sim(parts).run()
    with pytest.raises(RuntimeError, match="reached its end"):
        sim.step()


def test_the_loop_is_a_plan_with_timings(parts) -> None:
    sim = _sim(parts)
    names = sim.loop.names
    assert names[0] == "exogenous_events" and names[-1] == "end_of_day"
    for entry in sim.loop.plan():
        assert entry.name in names
        assert all(isinstance(x, str) for x in entry.mechanisms + entry.params)
        assert entry.writes or entry.name == "end_of_day"
    assert set(sim.loop.timings) == set(names)
    assert all(t == 0.0 for t in sim.loop.timings.values())
    sim.run(until=200)
    # a component that cannot act in this run (its gate's mechanisms all off) is not called
    acting = {c.name for c in sim.loop.acting(sim.engine)}
    assert "end_of_day" in acting and len(acting) >= len(names) - 8
    assert all((t > 0.0) == (name in acting) for name, t in sim.loop.timings.items())
    assert "end_of_day" in repr(sim.loop)


def test_progress_is_called_with_each_day(parts) -> None:
    seen: list[int] = []
    sim = _sim(parts)
    sim.run(until=5, progress=seen.append)
    sim.run(until=8, progress=seen.append)
    assert seen == list(range(8))
