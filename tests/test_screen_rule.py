"""The hypotheses' screen rule (calibration/screen_rule.py) on designs whose answer is known."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("SALib")

NAMES = ["approval_probability", "album_death_share", "courts_death_share"]
RUNAWAY = 400.0


def _result(distance: Any, samples: int = 6) -> dict[str, Any]:
    from greatterror.calibration.problem import salib_problem
    from greatterror.calibration.sensitivity import design

    unit = design("morris", samples, 3, salib_problem(NAMES))
    y = [float(distance(row)) for row in unit]
    return {
        "parameters": NAMES,
        "samples": samples,
        "seed": 3,
        "distances": y,
        "runaway_distance": RUNAWAY,
        "ranking": [{"name": n, "mu_star": 0.0, "mu_star_conf": 0.0} for n in NAMES],
    }


def test_steps_split_the_threshold_from_the_finished_effect() -> None:
    """A distance of 30 per unit of the first parameter, a runaway wherever the second is 1:
    the first's finished steps measure 30 exactly, the third has no effect, and only the
    second's steps cross the threshold."""
    from greatterror.calibration.screen_rule import steps

    rows = {
        r["name"]: r for r in steps(_result(lambda u: RUNAWAY if u[1] == 1 else 10 + 30 * u[0]))
    }
    first, second, third = (rows[n] for n in NAMES)
    assert first["steps"] == second["steps"] == third["steps"] == 6
    assert first["threshold_steps"] == 0 and third["threshold_steps"] == 0
    # the second's own steps: 1/3 <-> 1 crosses the threshold, 0 <-> 2/3 does not
    assert second["threshold_steps"] > 0 and second["both_runaway_steps"] == 0
    assert second["threshold_steps"] + second["finished_steps"] == second["steps"]
    assert first["mu_star_finished"] == pytest.approx(30.0)
    assert first["mu_star_finished_conf"] == pytest.approx(0.0, abs=1e-9)
    assert abs(first["mean_finished"]) == pytest.approx(30.0)
    assert third["mu_star_finished"] == pytest.approx(0.0)
    both = first["both_runaway_steps"] + first["finished_steps"]
    assert both == first["steps"]


def _row(name: str, mu: float | None, conf: float = 1.0, threshold: int = 0, n: int = 8) -> dict:
    return {
        "name": name,
        "mu_star_finished": mu,
        "mu_star_finished_conf": conf,
        "threshold_steps": threshold,
        "finished_steps": n,
    }


def test_the_rule_keeps_and_fixes_as_written() -> None:
    from greatterror.calibration.screen_rule import decide

    rows = [
        _row("big", 100.0),
        _row("edge", 50.0, threshold=1),  # a runaway end: kept
        _row("few", 1.0, n=2),  # too few finished steps to judge
        _row("noisy", 9.0),  # below the control's 10
        _row("clear", 11.0, conf=0.0),  # upper end 11: kept
        _row("idle", 500.0, threshold=2),  # its mechanism is off: fixed whatever its numbers
        _row("control", 10.0),
    ]
    out = decide(rows, controls=["control"], idle=["idle"])
    assert out["noise_reference"] == 500.0  # the idle parameter is a control too
    out = decide([r for r in rows if r["name"] != "idle"], controls=["control"])
    assert out["noise_reference"] == 10.0 and out["largest_mu_star_finished"] == 100.0
    keep = {d["name"]: d["keep"] for d in out["parameters"]}
    assert "control" not in keep
    assert keep == {
        "big": True,
        "edge": True,
        "few": True,
        "noisy": False,
        "clear": True,
    }
    rows[1] = _row("edge", 40.0, threshold=1)
    keep = {d["name"]: d["keep"] for d in decide(rows, ["control"], ["idle"])["parameters"]}
    assert keep["idle"] is False and keep["edge"] is True
    # kept by its threshold step; its finished steps alone would have fixed it (not the rule)
    rows[1] = _row("edge", 5.0, threshold=1)
    edge = next(d for d in decide(rows, ["control"])["parameters"] if d["name"] == "edge")
    assert edge["keep"] is True and edge["finished_keep"] is False
    assert edge["finished_reason"].startswith("noise")
    with pytest.raises(ValueError, match="controls: nowhere not in the screen"):
        decide(rows, ["nowhere"])


def test_the_rule_at_its_boundaries() -> None:
    """review24b F7: μ*_fin equal to N is fixed (keeping needs "above"), an upper end equal to
    10% of M is kept ("at or above"), a small effect above N is fixed by the 10% test, and
    with no finished control step there is no noise reference: refused, not decided."""
    from greatterror.calibration.screen_rule import decide

    rows = [
        _row("big", 100.0),
        _row("at_noise", 1.0, conf=50.0),  # equal to N: fixed, however wide its interval
        _row("small", 5.0, conf=2.0),  # above N 1, upper end 7 < 10% of 100: fixed
        _row("at_share", 8.0, conf=2.0),  # upper end 10.0 = 10% of 100: kept
        _row("control", 1.0),
    ]
    out = decide(rows, controls=["control"])
    assert out["noise_reference"] == 1.0 and out["largest_mu_star_finished"] == 100.0
    decided = {d["name"]: d for d in out["parameters"]}
    assert decided["at_noise"]["keep"] is False
    assert decided["at_noise"]["reason"].startswith("noise")
    assert decided["small"]["keep"] is False and decided["small"]["reason"].startswith("small")
    assert decided["at_share"]["keep"] is True and decided["big"]["keep"] is True
    unfinished = [*rows[:-1], _row("control", None, n=0)]
    with pytest.raises(ValueError, match="noise reference: none of control has a finished step"):
        decide(unfinished, controls=["control"])


def test_prior_medians_are_the_comparison_priors_half_quantile() -> None:
    from greatterror.calibration.screen_rule import prior_medians

    medians = prior_medians(
        "hypotheses/h7_besieged_city", ["approval_probability", "threat_per_conspiracy"]
    )
    assert medians["approval_probability"] == pytest.approx(0.5)  # uniform(0, 1)
    # H7's log-uniform prior: the geometric midpoint of its ends
    from greatterror.calibration.compare import hypothesis_priors

    names, priors = hypothesis_priors("hypotheses/h7_besieged_city")
    low, high = dict(zip(names, priors, strict=True))["threat_per_conspiracy"].args
    assert medians["threat_per_conspiracy"] == pytest.approx(np.sqrt(low * high))
    with pytest.raises(ValueError, match="not among its free parameters"):
        prior_medians("hypotheses/h7_besieged_city", ["exile_share"])
