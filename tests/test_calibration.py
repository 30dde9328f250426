"""The targets' wiring to the evidence base, the leader rule's loss, the optuna quick fit.

The fit's distance itself is tested in tests/test_refit.py."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.params import BY_NAME, FREE_PARAMETERS
from greatterror.model.targets import TARGETS


def test_every_target_is_a_sourced_fact_with_a_value() -> None:
    evidence = load_evidence()
    for target in TARGETS:
        assert evidence.value(target.fact_id) > 0, target.fact_id
        assert evidence.facts[target.fact_id].source


def test_free_parameters_are_declared() -> None:
    for name in FREE_PARAMETERS:
        assert name in BY_NAME


def test_leader_rule_targets_are_the_scripted_decisions() -> None:
    from greatterror.calibration.leader_rule import record_dates

    dates = record_dates()
    assert dates[("chief_change", "yezhov")].isoformat() == "1936-09-26"
    assert dates[("halt", None)].isoformat() == "1938-11-17"
    assert dates[("launch_operation", "national")].isoformat() == "1937-07-25"
    assert ("set_limits", None) not in dates and ("limit_increase", None) not in dates
    assert not [key for key in dates if key[0] == "extend_operation"]
    # the rule takes the execution lists with Yezhov's appointment, not as a decision
    assert not [key for key in dates if key[0] == "execution_lists"]
    # nor the closed letter of 29 July 1936, which the rule's appointment of Yezhov brings
    assert not [key for key in dates if key[0] == "closed_letter"]


def test_a_decision_never_taken_counts_nearer_the_end_the_nearer_its_signal_came() -> None:
    """The loss has a slope where the rule takes no decision (review of 5 Dec 2026, F1: with a
    constant penalty the search stayed on a plateau, the special troikas never called)."""
    from greatterror.calibration.leader_rule import never_taken

    end = dt.date(1940, 12, 31)
    assert never_taken(end, 0.0) == end + dt.timedelta(days=365)
    assert never_taken(end, 1.0) == end
    assert never_taken(end, 0.9) < never_taken(end, 0.5) < never_taken(end, 0.1)
    assert never_taken(end, 7.0) == end and never_taken(end, -1.0) == never_taken(end, 0.0)


def test_the_thresholds_are_fitted_on_seeds_of_the_fitting_range() -> None:
    from greatterror.calibration.leader_rule import simulation_seeds
    from greatterror.calibration.seeds import VALIDATION_SEEDS, is_fit_seed

    seeds = simulation_seeds(1, 3)
    assert len(set(seeds)) == 3 and all(is_fit_seed(s) for s in seeds)
    assert not set(seeds) & set(VALIDATION_SEEDS)


def test_leader_rule_loss_counts_a_decision_never_taken_after_the_end() -> None:
    from greatterror.calibration.leader_rule import _run, record_dates
    from greatterror.calibration.leader_rule import loss as date_loss

    evidence = load_evidence()
    never = {
        "leader_expand_threshold": 1.0,
        "leader_methods_threshold": 1.0,
        "leader_mass_threshold": 1.0,
        "leader_national_threshold": 1.0,
    }
    # nothing is ever decided: each of the ten decisions is missed
    assert date_loss(never, 0.001, 3, evidence) > (1940 - 1938) * 365
    taken, nearest = _run(never, 0.001, 3, evidence)
    assert not taken
    # how near each came is recorded for the first decisions the rule could take
    for key in ("chief_change:yezhov", "physical_methods", "launch_operation:kulak_00447"):
        assert 0.0 < nearest[key] < 1.0, (key, nearest)
    assert set(nearest) <= {f"{a}:{d}" if d else a for a, d in record_dates()}


def test_leader_rule_fit_searches_inside_the_priors_and_writes_its_block(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The simulation is replaced by a known loss; the block it writes is read back by the
    scenario loader, and writing twice replaces the block instead of adding a second."""
    pytest.importorskip("optuna")
    import shutil

    from greatterror.calibration import leader_rule
    from greatterror.paths import scenarios_dir

    def fake(args: tuple[dict[str, float], float, int]) -> float:
        return abs(math.log(args[0]["leader_mass_threshold"] / 0.01)) * 100

    monkeypatch.setattr(leader_rule, "_evaluate", fake)
    start = {name: float(BY_NAME[name].default) for name in leader_rule.FREE}
    best, value = leader_rule.fit(start, 0.0001, 1, budget=15)
    assert value < fake(({**start}, 0.0, 0))
    # the line searches reach what TPE's few trials did not: a grid point near the optimum
    _, lined_value = leader_rule.fit(start, 0.0001, 1, budget=3, line_points=25)
    assert lined_value <= fake(({**start}, 0.0, 0)) and lined_value < 25.0
    mass = leader_rule.optuna_space(["leader_mass_threshold"])["leader_mass_threshold"]
    grid = leader_rule.line_grid(mass, 25)
    assert len(grid) == 25 and grid[0] == mass.low and abs(grid[-1] - mass.high) < 1e-12
    for name, v in best.items():
        assert BY_NAME[name].low <= v <= BY_NAME[name].high
    path = tmp_path / "endogenous.toml"
    shutil.copyfile(scenarios_dir() / "endogenous.toml", path)
    leader_rule.write(best, value, "test", path)
    taken = {("chief_change", "yezhov"): dt.date(1937, 3, 8)}
    leader_rule.write(best, value, "test again", path, taken=taken)
    text = path.read_text(encoding="utf-8")
    assert text.count(leader_rule.BEGIN) == 1 and "test again" in text
    assert "chief_change yezhov: record 1936-09-26, rule 1937-03-08" in text
    assert "halt: record 1938-11-17, rule never" in text
    import tomllib

    written = tomllib.loads(text)["parameters"]
    assert {k: written[k] for k in leader_rule.FREE} == pytest.approx(best)


@pytest.mark.parametrize(
    ("flag", "value"), [("--budget", "0"), ("--workers", "0"), ("--scale", "0")]
)
def test_leader_rule_refuses_bad_settings_before_any_run(flag: str, value: str) -> None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "greatterror.calibration.leader_rule", flag, value, "--write"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert flag in done.stderr and "Traceback" not in done.stderr


def test_optuna_quick_fit_starts_at_the_scenario_and_keeps_inside_the_priors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The simulation is replaced by a known loss, so optuna's search itself is checked."""
    pytest.importorskip("optuna")
    from greatterror.calibration import search

    def fake(args: tuple[str, dict[str, float], float, int]) -> float:
        params = args[1]
        return (math.log(params["names_per_confession"] / 0.5)) ** 2 + params["names_acted_on"]

    monkeypatch.setattr(search, "_evaluate", fake)
    start = {"names_per_confession": 2.0, "names_acted_on": 0.4}
    trials = search.fit(start, 0.0001, 1, budget=12, workers=1, log=lambda _: None)
    assert len(trials) == 12
    assert trials[0].params == start
    best = min(trials, key=lambda t: t.loss)
    assert best.loss < trials[0].loss
    for t in trials:
        assert 0 <= t.params["names_per_confession"] <= 5
        assert 0 <= t.params["names_acted_on"] <= 1
