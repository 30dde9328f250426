"""``vary``: fixed parameters drawn from their priors in ``gt.Paired``, ``gt.Ensemble`` and
``greatterror counterfactual --vary`` (api/vary.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import greatterror as gt
from greatterror.api import paired as paired_module
from greatterror.api.vary import prior_draws, vary_names
from greatterror.cli.app import app
from greatterror.model.params import BY_NAME, FREE_PARAMETERS
from greatterror.model.priors import Prior
from greatterror.model.scenario import load_scenario

runner = CliRunner()


def unsourced() -> tuple[str, ...]:
    historical = load_scenario("historical")
    return vary_names("unsourced", (historical,))


def test_draws_are_inside_the_priors_differ_between_seeds_and_repeat() -> None:
    names = unsourced()
    assert len(names) > 50 and not set(names) & set(FREE_PARAMETERS)
    draws = prior_draws(names, [1, 2, 3, 4])
    for draw in draws:
        assert list(draw) == list(names)
        for name, value in draw.items():
            spec = BY_NAME[name]
            low, high = spec.prior.support
            assert max(low, spec.low) <= value <= min(high, spec.high), name
            if spec.integer:
                assert value == round(value), name
    for name in names:
        spec = BY_NAME[name]
        values = {d[name] for d in draws}
        if not spec.integer:  # a continuous prior: four seeds, four values
            assert len(values) == 4, name
    assert sum(draws[0][n] != draws[1][n] for n in names) > 0.9 * len(names)
    assert prior_draws(names, [1, 2, 3, 4]) == draws  # the seed fixes the draw
    # a parameter's draw is its own stream's: the same whatever else is drawn beside it
    assert prior_draws(["exile_share"], [3]) == [{"exile_share": draws[2]["exile_share"]}]


def test_no_set_draws_a_setting_of_the_model() -> None:
    """Review20 F1, F2: a band must not mix hypotheses or encodings of the model, so neither
    set draws a hypothesis switch or parameter, another scenario's parameter or a switch,
    under the historical scenario or under H3, whose own switch is regions_start_operation."""
    from greatterror.calibration.screen_set import fixed_with_prior, is_setting, settings

    for scenario in ("historical", "hypotheses/h3_misperception_cascade"):
        scenarios = (load_scenario(scenario),)
        for spec in ("fixed-priors", "unsourced"):
            assert not any(is_setting(n) for n in vary_names(spec, scenarios)), (scenario, spec)
        every = vary_names("fixed-priors", scenarios)
        assert "regions_start_operation" not in every and "centre_plan" not in every
        assert "requests_granted_as_asked" not in every and "held_after_region_end" not in every
        assert "regional_surge_ratio" not in every and "leader_mass_threshold" not in every
        assert "exile_share" in every
    assert {"regions_start_operation", "held_after_region_end", "plan_cat1_share"} <= set(
        settings()
    )
    assert len(settings()) == 26 and len(fixed_with_prior()) - len(settings()) == 132
    for name in settings():
        with pytest.raises(gt.SimError, match="is a setting of the model"):
            vary_names(name, (load_scenario("historical"),))


def test_the_sets_leave_out_free_and_switched_off_parameters() -> None:
    names = unsourced()
    assert "exile_share" in names
    assert "dissident_detection_rate" not in names  # M25, which historical switches off
    everything = vary_names("fixed-priors", (load_scenario("historical"),))
    assert set(names) < set(everything)
    assert vary_names(["exile_share", "execution_delay"], (load_scenario("historical"),)) == (
        "exile_share",
        "execution_delay",
    )
    # a posterior's names are left out of a set: its draw gives them
    fitted = vary_names("unsourced", (load_scenario("historical"),), fitted={"exile_share"})
    assert fitted == tuple(n for n in names if n != "exile_share")


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("bogus", "--vary: 'bogus' is not a parameter; allowed: unsourced, fixed-priors"),
        ("approval_probability", "--vary: 'approval_probability' is a free parameter"),
        ("free", "--vary: 'free' is not allowed here; allowed: unsourced, fixed-priors"),
        ("exile_share,exile_share", "--vary: 'exile_share,exile_share' names a parameter twice"),
        (" , ", "--vary: ' , ' names nothing; allowed: unsourced, fixed-priors"),
        ("regions_start_operation", "--vary: 'regions_start_operation' is a setting of the model"),
        ("requests_granted_as_asked", "--vary: 'requests_granted_as_asked' is a setting"),
        ("held_after_region_end", "--vary: 'held_after_region_end' is a setting of the model"),
    ],
)
def test_bad_vary_exits_2_before_any_run(vary: str, message: str, monkeypatch) -> None:
    def no_run(*args, **kwargs):
        raise AssertionError("a pair ran")

    monkeypatch.setattr(paired_module, "run_pair", no_run)
    result = runner.invoke(app, ["counterfactual", "no_kirov", "--vary", vary, "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_a_parameter_without_a_prior_is_refused(monkeypatch) -> None:
    record_pairs(monkeypatch)
    spec = BY_NAME["exile_share"]
    fixed = Prior(kind="fixed", args=(), low=spec.low, high=spec.high)
    monkeypatch.setitem(BY_NAME, "exile_share", spec.model_copy(update={"prior": fixed}))
    result = runner.invoke(app, ["counterfactual", "no_kirov", "--vary", "exile_share"])
    assert result.exit_code == 2
    assert "--vary: 'exile_share' has the prior 'fixed'" in " ".join(result.output.split())


def test_the_api_checks_vary() -> None:
    with pytest.raises(gt.SimError, match="vary: expected a string or a list of strings"):
        gt.Paired("no_kirov", seeds=[1], vary=5)  # type: ignore[arg-type]
    # a parameter the posterior's draws give is not drawn from its prior as well
    with pytest.raises(gt.SimError, match="vary: 'exile_share' is a free parameter"):
        gt.Paired("no_kirov", seeds=[1], draws=[{"exile_share": 0.5}], vary="exile_share")
    with pytest.raises(gt.SimError, match="vary: exile_share also set in pars"):
        gt.Ensemble(seeds=[1], pars={"exile_share": 0.5}, vary="unsourced")


def record_pairs(monkeypatch) -> list[tuple[dict, dict]]:
    """run_pair replaced by one that keeps what each run of a pair was given."""
    given: list[tuple[dict, dict]] = []

    def fake_pair(base, counterfactual, scale, seed, base_pars, cf_pars, *stop):
        given.append((base_pars, cf_pars))
        year = {"1937": {"arrests": 1.0, "death_sentences": 0.0, "gulag_deaths": 0.0}}
        return {"seed": seed, "historical": year, "counterfactual": year, "first_difference": None}

    monkeypatch.setattr(paired_module, "run_pair", fake_pair)
    return given


def test_both_runs_of_a_pair_share_its_draw_beside_the_posterior_draw(monkeypatch) -> None:
    given = record_pairs(monkeypatch)
    posterior = [{"approval_probability": 0.3}, {"approval_probability": 0.4}]
    pairs = gt.Paired(
        "limits_frozen_1937",
        seeds=[5, 6],
        draws=posterior,
        vary="exile_share,after_fact_share",
        workers=1,
    ).run()
    draws = prior_draws(["exile_share", "after_fact_share"], [5, 6])
    assert pairs.prior_draws == draws and draws[0] != draws[1]
    for (base, cf), post, draw, pair in zip(given, posterior, draws, pairs.pairs, strict=True):
        assert base == {**post, **draw}  # the posterior draw and the prior draw combine
        # the counterfactual sets approval_probability and after_fact_share itself
        assert cf == {"exile_share": draw["exile_share"]}
        assert pair["parameters"] == base and pair["prior_draws"] == draw


def test_without_vary_the_pairs_are_given_what_they_were_before(monkeypatch) -> None:
    given = record_pairs(monkeypatch)
    posterior = [{"names_per_confession": 1.5}]
    pairs = gt.Paired("no_kirov", seeds=[1], draws=posterior, workers=1).run()
    assert given == [(posterior[0], posterior[0])]
    assert pairs.vary == () and "prior_draws" not in pairs.pairs[0]
    result = runner.invoke(app, ["counterfactual", "no_kirov", "--seeds", "1", "--json"])
    out = json.loads(result.stdout)
    assert "vary" not in out and out["pairs"][0]["parameters"] == {}
    assert set(out["pairs"][0]) == {"seed", "first_difference", "parameters"}


def test_the_same_seeds_give_the_same_pairs_at_one_and_two_workers() -> None:
    """Real runs at 1:10,000: the drawn values reach the runs, are reported in the JSON, and
    the output does not depend on the worker count."""
    outs = []
    for workers in ("1", "2"):
        result = runner.invoke(
            app,
            [
                "counterfactual",
                "no_national_operations",
                "--scale",
                "0.0001",
                "--seeds",
                "1,2",
                "--vary",
                "unsourced",
                "--workers",
                workers,
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        out = json.loads(result.stdout)
        out.pop("provenance")  # its run id and time
        outs.append(out)
    assert outs[0] == outs[1]
    out = outs[0]
    names = unsourced()
    assert out["vary"]["given"] == "unsourced" and out["vary"]["parameters"] == list(names)
    draws = prior_draws(names, [1, 2])
    for pair, draw in zip(out["pairs"], draws, strict=True):
        assert pair["prior_draws"] == draw and pair["parameters"] == draw
    rows = {(r["period"], r["measure"]): r for r in out["differences"]}
    assert rows[("1936", "arrests")]["difference"] == 0.0  # still paired before the change


def stop_the_first_run(monkeypatch) -> None:
    """run_or_stop replaced by one that stops the first run it is given and runs the rest."""
    from greatterror.calibration import simulator

    calls: list[int] = []

    def fake(sim, population, evidence):
        calls.append(1)
        if len(calls) == 1:
            return "day 30: 9 held"
        sim.run()
        return None

    monkeypatch.setattr(simulator, "run_or_stop", fake)


def test_an_ensemble_records_each_seeds_draw_and_leaves_a_runaway_out(monkeypatch) -> None:
    stop_the_first_run(monkeypatch)
    ens = gt.Ensemble(scale=0.0001, seeds=[1, 2], workers=1, vary="exile_share,execution_delay")
    ens.run()
    assert ens.prior_draws == prior_draws(["exile_share", "execution_delay"], [1, 2])
    assert ens.runaways == {1: "day 30: 9 held"} and len(ens.summaries) == 1
    summary, draw = ens.summaries[0], ens.prior_draws[1]
    assert summary["seed"] == 2 and {k: summary["parameters"][k] for k in draw} == draw
    assert ens.bands()["runs"].iloc[0] == 1 and set(ens.targets()["seed"]) == {2}


def test_a_runaway_pair_is_stopped_and_left_out_of_the_bands(monkeypatch) -> None:
    stop_the_first_run(monkeypatch)
    pairs = gt.Paired("no_kirov", scale=0.0001, seeds=[1, 2], workers=1, vary="exile_share")
    pairs.run()
    assert pairs.runaways == {1: "base run, day 30: 9 held"}
    assert pairs.pairs[0]["parameters"] == pairs.prior_draws[0]  # its draw is still reported
    assert set(pairs.differences()["seed"]) == {2}
    assert (pairs.bands()["pairs"] == 1).all()


def test_the_runaway_rule_is_the_fits() -> None:
    """``run_or_stop`` with the fit's limit lowered below what any run holds: it stops at
    the first check after the start (cheap: one month at 1:10,000)."""
    from greatterror.calibration import simulator

    sim = gt.Sim(scale=0.0001, seed=1)
    limit = simulator.RUNAWAY_FACTOR
    try:
        simulator.RUNAWAY_FACTOR = 0.0
        stopped = simulator.run_or_stop(sim.engine, sim.population, sim.evidence)
    finally:
        simulator.RUNAWAY_FACTOR = limit
    assert stopped is not None and stopped.startswith("day ") and stopped.endswith(" held")
    assert sim.engine.day <= 2 * simulator.CHECK_DAYS + 1


def test_when_every_pair_runs_away_the_command_says_so(monkeypatch) -> None:
    from greatterror.calibration import simulator

    monkeypatch.setattr(simulator, "run_or_stop", lambda sim, population, evidence: "day 0: 9 held")
    result = runner.invoke(
        app,
        ["counterfactual", "no_kirov", "--scale", "0.0001", "--seeds", "1", "--vary",
         "exile_share", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "every pair ran away" in " ".join(result.output.split())
