"""scripts/prior_predictive_hypotheses.py: the draws are the comparison's, reproducible, and
inside the priors; the table reads; a wrong --only is refused before any run."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from script_module import load_script

from greatterror.calibration.compare import hypothesis_priors

ROOT = Path(__file__).resolve().parents[1]
H3 = "hypotheses/h3_misperception_cascade"


def _script() -> ModuleType:
    return load_script("prior_predictive_hypotheses.py", "ppc")


def test_the_draws_are_reproducible_and_inside_every_prior() -> None:
    ppc = _script()
    first = ppc.draws_of(H3, 4, 5, 0)
    assert first == ppc.draws_of(H3, 4, 5, 0)
    assert first != ppc.draws_of(H3, 4, 5, 1)
    names, priors = hypothesis_priors(H3)
    for values in first:
        assert set(values) == set(names)
        for name, prior in zip(names, priors, strict=True):
            low, high = prior.support
            assert low <= values[name] <= high, name


def test_the_table_has_a_line_per_draw_runaways_included() -> None:
    ppc = _script()
    rows = [
        {"hypothesis": "H3", "draw": 1, "runaway": "day 60: 10 held"},
        {
            "hypothesis": "H3",
            "draw": 2,
            "runaway": "",
            "distance": 12.345,
            "peak": "1937",
            "start": "",
            "end": "",
            "halt": "",
            "conv37_38": 0.5,
            "death37_38": 0.25,
        },
    ]
    lines = ppc.table(rows).splitlines()
    assert len(lines) == 4
    assert "runaway (day 60: 10 held)" in lines[2]
    assert "| 12.3 | 1937 | never | - | none | 0.50 | 0.25 |" in lines[3]


def test_an_unknown_hypothesis_is_refused_before_any_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        _script().main(["--only", "H9", "--draws", "1"])
    assert stop.value.code == 2
    assert "--only: unknown H9" in capsys.readouterr().err


def test_the_summary_counts_runaways_and_the_draws_in_the_window() -> None:
    ppc = _script()
    done = {"runaway": "", "distance": 10.0, "peak": "1937", "start": "1937-08", "end": ""}
    rows = [
        {"hypothesis": "H1", "draw": 1, **done, "conv37_38": 0.9, "death37_38": 0.8},
        {"hypothesis": "H1", "draw": 2, **done, "start": "1934-12", "peak": "1935",
         "conv37_38": 0.1, "death37_38": 0.0},
        {"hypothesis": "H1", "draw": 3, "runaway": "day 60: 9 held"},
    ]  # fmt: skip
    line = ppc.summary(rows).splitlines()[2]
    assert line.startswith("| H1 | 3 | 1 | 10-10 | 1/2 | 1/2 | 1934-12 to 1937-08 |")
    assert "0.10-0.90" in line and "0.00-0.80" in line


def test_a_set_value_is_refused_unless_known_in_range_and_not_drawn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ppc = _script()
    assert ppc.parse_set(["centre_reading_capacity=10"]) == (("centre_reading_capacity", 10.0),)
    assert ppc.parse_set(["halt_review_days=90"]) == (("halt_review_days", 90.0),)
    refused = {
        "nonsense=1": "nonsense: unknown parameter",
        "centre_reading_capacity": "is not NAME=VALUE",
        "centre_reading_capacity=1": "out of range",
        "centre_reading_capacity=y": "expected a number",
        "halt_review_days=90.5": "expected a whole number",  # an integer parameter (F9)
        "x=y": "x: unknown parameter",
    }
    for bad, why in refused.items():
        with pytest.raises(SystemExit) as stop:
            ppc.parse_set([bad])
        assert stop.value.code == 2
        assert why in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # drawn in H3: --set would replace the draw
        ppc.main(["--only", "H3", "--draws", "1", "--set", "threat_per_conspiracy=1e-5"])
    assert stop.value.code == 2
    assert "threat_per_conspiracy is drawn in H3" in capsys.readouterr().err


def test_a_fixed_value_reaches_the_run_but_not_its_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    """``FitModel.fixed``: the same draw runs with the same simulation seed, the value moved."""
    import greatterror.calibration.simulator as simulator
    import greatterror.model.sim as sim

    class Built(Exception):
        pass

    seen: list[tuple[int, dict[str, float]]] = []

    def build(scenario: object, population: object, seed: int, evidence: object, overrides: dict[str, float]) -> None:  # fmt: skip
        seen.append((seed, dict(overrides)))
        raise Built

    monkeypatch.setattr(sim, "Simulation", build)
    monkeypatch.setattr(simulator, "warm", lambda *_: ("scenario", None, None))
    values = {"threat_per_conspiracy": 1e-5}
    for fixed in ((), (("centre_reading_capacity", 10.0),)):
        with pytest.raises(Built):
            simulator.FitModel(H3, 0.001, 1, fixed=fixed).summary(values)
    assert seen[0][0] == seen[1][0]
    assert seen[0][1] == values
    assert seen[1][1] == {**values, "centre_reading_capacity": 10.0}
    # an integer parameter's fixed value is rounded as a drawn one is (review23 F9)
    with pytest.raises(Built):
        simulator.FitModel(H3, 0.001, 1, fixed=(("halt_review_days", 90.4),)).summary(values)
    assert seen[2] == (seen[0][0], {**values, "halt_review_days": 90.0})


def test_a_row_gives_the_national_launch_and_how_near_each_decision_came() -> None:
    """Review24 F1: the month the national operations were launched (the first of their
    launches in the policy log) and ``leader_nearest`` for the decisions of ``NEAREST`` (None
    for one the run never recorded), so that a decision a bounded threat cannot reach is seen."""
    import datetime as dt
    from types import SimpleNamespace

    import numpy as np

    from greatterror.vocabulary import EV, OP

    ppc = _script()
    per_day_op = np.zeros((400, len(OP), len(EV)))
    per_day_op[100, OP["kulak_00447"], EV["arrested"]] = 1.0
    per_day_op[300, OP["kulak_00447"], EV["convicted_camp"]] = 1.0
    sim = SimpleNamespace(
        start=dt.date(1934, 12, 1), ledger=SimpleNamespace(sums=lambda: (0, 0, 0, per_day_op))
    )
    summary = {
        "yearly": {"1935": {"convicted": 1}},
        "operations": {"kulak_00447": {"convicted": 1.0}},
        "policy": [
            {"date": "1935-03-10", "action": "launch_operation", "detail": "kulak_00447"},
            {"date": "1935-06-02", "action": "launch_operation", "detail": "national_polish"},
            {"date": "1935-06-02", "action": "launch_operation", "detail": "national_german"},
        ],
        "leader_nearest": {"launch_operation:kulak_00447": 1.0, "halt": 0.25},
    }
    row = ppc.shape(sim, summary)
    assert row["start"] == "1935-03" and row["national"] == "1935-06" and row["halt"] == ""
    assert row["nearest"]["launch_operation:kulak_00447"] == 1.0
    assert row["nearest"]["halt"] == 0.25 and row["nearest"]["launch_operation:national"] is None
    summary["policy"] = summary["policy"][:1]
    assert ppc.shape(sim, summary)["national"] == ""


def test_one_draw_runs_and_reads_its_shape() -> None:
    """A draw runs through the comparison's model and reads the run's shape (the override of
    ``FitModel._run`` once fell behind its signature and every draw failed)."""
    ppc = _script()
    scenario = "hypotheses/h7_besieged_city"
    values = ppc.draws_of(scenario, 8, 1, 0)[0]
    row = ppc.run_one(("H7", scenario, 1, 0.0001, 1, values, ()))
    assert row["runaway"] == ""
    assert row["distance"] > 0 and row["peak"] in {str(y) for y in range(1934, 1941)}
    assert set(row["nearest"]) == set(ppc.NEAREST)
    assert row["conv37_38"] > 0 and row["death37_38"] >= 0
