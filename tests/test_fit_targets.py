"""The fit's particle reads a run's targets without the rest of its summary, to the same values.

``FitModel.__call__`` (each ABC particle, and each row of a reference table) builds only the
summary's blocks the targets read (``model.summary.target_rows``) and does not time the
day's steps (``Loop.timed``), where until 7 December 2026 it built the whole summary
(``build_summary``) of a timed run (docs/performance-log.md, branch ``fitspeed``). The
statistics a fit stores must not change: for the same values they are compared, float for
float, with those of the fit before the change, made here step by step.
"""

from __future__ import annotations

from typing import Any

import pytest

from greatterror.calibration.simulator import (
    FitModel,
    run_or_stop,
    simulated_value,
    simulation_seed,
    warm,
)
from greatterror.calibration.statistics import CALIBRATION_IDS, excess_log_ratios

SCALE = 0.0001


def statistics_before(model: FitModel, values: dict[str, float]) -> dict[str, Any]:
    """The particle's full summary and statistics as ``FitModel.__call__`` made them before."""
    from greatterror.model.sim import Simulation
    from greatterror.model.summary import build_summary

    chosen, evidence, population = warm(model.scenario, model.scale, model.seed)
    overrides = {k: simulated_value(k, v) for k, v in values.items()}
    seed = simulation_seed(model.seed, overrides)
    sim = Simulation(chosen, population, seed, evidence, overrides)
    assert sim.loop.timed
    assert run_or_stop(sim, population, evidence) is None
    sim.run()
    summary = build_summary(sim, chosen.name)
    return {"summary": summary, "statistics": excess_log_ratios(summary, model.bands())}


@pytest.mark.parametrize(
    ("scenario", "values"),
    [
        ("historical", {"names_per_confession": 0.5, "denunciation_rate": 1e-4}),
        ("hypotheses/h6_kirov_pretext", {}),
    ],
)
def test_the_fit_reads_the_targets_of_the_full_summary(
    scenario: str, values: dict[str, float]
) -> None:
    model = FitModel(scenario, SCALE, 1)
    before = statistics_before(model, values)
    rows = model.targets(values)
    assert rows == before["summary"]["targets"]
    assert [r["id"] for r in rows] == [r["id"] for r in before["summary"]["targets"]]
    statistics = model(values)
    assert statistics == before["statistics"]
    assert set(statistics) == set(CALIBRATION_IDS)
    assert any(r["simulated"] > 0 for r in rows)  # a run with events, not an empty one


def test_a_process_freezes_what_it_holds_after_its_first_particle_but_never_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a process's first particle, what it still holds (Numba's kernels, a forked
    worker's pyabc objects) is frozen out of the collector, so that the collection after
    each particle stops traversing it; the run itself is freed first, never frozen."""
    import gc

    from greatterror.calibration import simulator
    from greatterror.model.engine import Engine
    from greatterror.model.world import World

    model = FitModel("historical", SCALE, 1)
    model({})
    monkeypatch.setattr(simulator, "_FROZEN_IN", [])  # as in a newly forked worker
    held = [[] for _ in range(1000)]  # alive across the particle, as a worker's objects are
    # other tests' runs may be alive in this process: only a run made by this particle counts
    # (type(), not isinstance(): a dead weak proxy among the objects raises ReferenceError
    # when isinstance() looks through it)
    # objects an earlier test in this process froze are invisible to gc.get_objects() until
    # unfrozen: unfreeze them first, or they would be counted below as this particle's
    gc.unfreeze()
    runs_before = {id(o) for o in gc.get_objects() if issubclass(type(o), World | Engine)}
    before = gc.get_freeze_count()
    model({})
    assert gc.get_freeze_count() >= before + len(held)
    gc.unfreeze()  # the frozen objects, back in the collector's sight for the check
    try:
        frozen_runs = [
            o
            for o in gc.get_objects()
            if issubclass(type(o), World | Engine) and id(o) not in runs_before
        ]
    finally:
        gc.freeze()
    assert frozen_runs == []
