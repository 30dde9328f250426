"""The centre's reading of the reports of enemies (model/centre_reading.py).

The desk: linear while it is far from full (the old reading), bounded by
``threat_per_conspiracy`` x desk however many reports come, the same threat for the same
history of reports whether they come as sampled people at 1:1,000 or at 1:100, and in an H3
run that used to run away the threat stays under the desk's bound; with the linear reading
(the historical scenario) nothing here is read. The reading is the scenario's
``centre_reading``: checked on loading (exit 2 from the CLI), "desk" in every hypothesis
scenario, and under H5 the two readings part at the first report.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from test_nkvd_capacity import RUNAWAY  # H3's runaway draw of 5 December 2026
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.model.centre_reading import desk, read_reports, reading, report
from greatterror.model.hypothesis_catalog import find_hypothesis, hypothesis_scenarios
from greatterror.model.scenario import load_scenario
from greatterror.model.scenario_files import ScenarioError
from greatterror.model.sim import Simulation
from greatterror.model.state import Institutions

P = {"centre_reading_capacity": 100.0, "threat_half_life": 365.0, "threat_per_conspiracy": 4.8e-5}


def _inst() -> Institutions:
    names = (
        "limit_cat1", "limit_cat2", "initial_cat1", "initial_cat2", "used_cat1", "used_cat2",
        "arrested_00447", "listed_cat1", "goal_00447", "goal_persons_00447",
    )  # fmt: skip
    return Institutions(**{k: np.zeros(1) for k in names}, last_request=np.zeros(1, np.int32))


def _decay(p: dict[str, float]) -> float:
    return float(0.5 ** (1.0 / p["threat_half_life"]))


def _history(inst: Institutions, p: dict[str, float], days: list[list[float]], read: bool) -> float:
    """Feed each day's reports (a list of sampled people's weights) and the day's reading."""
    for weights in days:
        for weight in weights:
            report(inst, p["threat_per_conspiracy"], weight, read)
        if read:
            read_reports(inst, p, _decay(p), 0.0)
        else:
            inst.threat *= _decay(p)
    return inst.threat


def test_far_from_full_the_desk_reads_as_before() -> None:
    """With a desk far larger than the reports, the threat is the old linear reading."""
    p = {**P, "centre_reading_capacity": 1e12}
    rng = np.random.default_rng(0)
    days = [list(rng.integers(0, 3, size=rng.integers(0, 4)) * 1000.0) for _ in range(400)]
    new, old = _inst(), _inst()
    # the old reading: each report raises the threat at once, the day's threat decays
    assert _history(new, p, days, read=True) == pytest.approx(
        _history(old, p, days, read=False), rel=1e-9
    )
    assert reading(10.0, P) == pytest.approx(P["threat_per_conspiracy"] * 10.0, rel=1e-4)


def test_the_threat_from_reports_is_bounded_by_the_desk() -> None:
    bound = P["threat_per_conspiracy"] * desk(P)
    assert desk(P) == pytest.approx(100.0 * 365.0 / math.log(2))
    for per_day in (1e2, 1e4, 1e6):
        inst = _inst()
        threat = _history(inst, P, [[per_day]] * 3000, read=True)
        assert threat <= bound
    # at a steady flow E the desk reads R (1 - exp(-E / R)) a day
    inst = _inst()
    _history(inst, P, [[50.0]] * 20000, read=True)
    assert inst.threat == pytest.approx(bound * -math.expm1(-inst.reports_read / desk(P)))
    assert inst.reports_read == pytest.approx(50.0 * _decay(P) / (1 - _decay(P)), rel=1e-3)
    # the old reading of a flow a hundred times the desk's is about a hundred times the bound
    assert _history(_inst(), P, [[1e4]] * 3000, read=False) > 90 * bound


def test_the_same_history_at_two_scales_gives_the_same_threat() -> None:
    """Reports of enemies in full-population numbers, as sampled people of weight 1,000
    (1:1,000) and of weight 100 (1:100): the same history, the same threat, on every day."""
    rng = np.random.default_rng(1)
    history = rng.integers(0, 40, size=900) * 1000  # full-population reports a day
    coarse, fine = _inst(), _inst()
    for full in history:
        _history(coarse, P, [[1000.0] * int(full // 1000)], read=True)
        _history(fine, P, [[100.0] * int(full // 100)], read=True)
        assert fine.threat == pytest.approx(coarse.threat, rel=1e-9)
    assert coarse.threat > 0.5 * P["threat_per_conspiracy"] * desk(P)


def test_other_sources_of_threat_decay_as_before() -> None:
    """A foreign crisis's threat (added to ``threat`` directly) decays with the half-life,
    and the desk's part is added to it."""
    inst = _inst()
    inst.threat = 0.3
    read_reports(inst, P, _decay(P), 0.0)
    assert inst.threat == pytest.approx(0.3 * _decay(P))
    report(inst, 0.0, 2000.0, read=True)
    read_reports(inst, P, _decay(P), 500.0)
    expected = 0.3 * _decay(P) ** 2 + reading(2000.0 * _decay(P) + 500.0, P)
    assert inst.threat == pytest.approx(expected)


@pytest.fixture(scope="module")
def parts():
    from greatterror.evidence.loader import load_evidence
    from greatterror.population.build import build_population

    return build_population(0.0001, 1), load_evidence()


def test_h3s_runaway_draw_stays_under_the_desk(parts) -> None:
    """H3's first prior draw of 5 December (docs/ppc-2026-12-05/hyp35*), whose threat reached
    7 after 30 days and 3,600 after 150 under the old reading: under the desk it stays below
    ``threat_per_conspiracy`` x desk plus the crises' share; with a desk a billion times wider
    it runs away as before (the allowed range's top, 1e9, is the old linear reading)."""
    population, evidence = parts
    scenario = find_hypothesis("H3")
    days = 150
    desk_run = Simulation(scenario, population, 1, evidence, RUNAWAY).run(until=days)
    wide = {**RUNAWAY, "centre_reading_capacity": 1e9}  # a desk that never fills
    wide_run = Simulation(scenario, population, 1, evidence, wide).run(until=days)
    p = desk_run.engine.params
    crises = p["threat_per_crisis"] * sum(
        e.tension for e in scenario.events if e.action == "foreign_crisis"
    )
    inst = desk_run.world.institutions
    assert 0 < inst.threat_read <= p["threat_per_conspiracy"] * desk(p)
    assert inst.threat <= inst.threat_read + crises + 1e-12
    assert wide_run.world.institutions.threat > 10 * inst.threat


def test_without_m02_nothing_is_read(parts) -> None:
    population, evidence = parts
    run = Simulation(load_scenario("historical"), population, 1, evidence).run(until=200)
    inst = run.world.institutions
    assert inst.reports_read == inst.reports_unread == inst.threat_read == 0.0
    assert inst.threat > 0


def _scenario(tmp_path: Path, reading: str) -> Path:
    path = tmp_path / "reading.toml"
    path.write_text(
        f'name = "reading"\ndescription = "x"\nextends = "historical"\ncentre_reading = "{reading}"\n',
        encoding="utf-8",
    )
    return path


def test_the_reading_is_checked(tmp_path: Path) -> None:
    """A value other than "desk" or "linear" is refused, naming the field and the values
    allowed; from the CLI with exit 2 and no run."""
    message = (
        "reading.toml: centre_reading: 'bounded' is not allowed; allowed values: desk or linear"
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tmp_path, "bounded"))
    assert str(err.value) == message
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["run", str(_scenario(tmp_path, "bounded")), "--scale", "0.0001", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists()
    assert load_scenario(_scenario(tmp_path, "desk")).centre_reading == "desk"


def test_one_reading_across_the_hypotheses() -> None:
    """Every hypothesis scenario reads through the desk, whatever its mechanisms; the fitted
    scenarios keep the linear reading they were fitted with."""
    for s in hypothesis_scenarios():
        assert s.centre_reading == "desk", s.name
    assert load_scenario("historical").centre_reading == "linear"
    assert load_scenario("endogenous").centre_reading == "linear"


def test_under_h5_the_readings_part_at_the_first_report(parts) -> None:
    """H5 (M02 off): read linearly, reports raise the threat at once; through the desk they
    are held in view and read at the next day's reading. The threat is the same until the
    first report reaches the centre, and the two part within a day of it (review24 F6: the
    test checked only that they differed by day 400, and that the linear run holds nothing,
    which it does by construction)."""
    population, evidence = parts
    h5 = find_hypothesis("H5")
    assert h5.centre_reading == "desk"
    linear = h5.model_copy(update={"centre_reading": "linear"})
    runs = [Simulation(s, population, 1, evidence) for s in (h5, linear)]
    first = parted = None
    for day in range(400):
        for run in runs:
            run.step()
        inst = runs[0].world.institutions
        held = inst.reports_read + inst.reports_unread
        threats = [r.world.institutions.threat for r in runs]
        if first is None and held == 0.0:
            assert threats[0] == threats[1], day
        elif first is None:
            first = day
        if parted is None and threats[0] != threats[1]:
            parted = day
        if first is not None and parted is not None:
            break
    assert first is not None and parted is not None
    assert first <= parted <= first + 1, (first, parted)
