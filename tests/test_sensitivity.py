"""`greatterror sensitivity`: the SALib pipeline over the priors, and its input checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app

pytest.importorskip("SALib")
runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "fast"], "--method: 'fast' is not allowed; allowed values: morris, sobol"),
        (["--samples", "1"], "--samples: 1 is too small"),
        (["--scale", "0"], "--scale: 0 is out of range"),
        (["--workers", "0"], "--workers: 0 is too small"),
        (["--method", "sobol", "--samples", "6"], "not a power of 2"),
        (["--parameters", "bogus"], "--parameters: 'bogus' is not a parameter"),
        (["--parameters", "exile_share"], "--parameters: 'exile_share' names one parameter"),
        (["--parameters", "exile_share,exile_share"], "names a parameter twice"),
        (["--parameters", " , "], "names nothing"),
        (
            ["--parameters", "exile_share,regions_start_operation"],
            "--parameters: 'regions_start_operation' is a setting of the model",
        ),
        (
            ["--parameters", "held_after_region_end,exile_share"],
            "--parameters: 'held_after_region_end' is a setting of the model",
        ),
        (
            ["--parameters", "fixed-priors,leader_mass_threshold"],
            "allowed: free, fixed-priors, unsourced, or fixed parameters with a prior that are "
            "not settings",
        ),
    ],
)
def test_bad_sensitivity_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["sensitivity", "historical", *args, "--out", str(tmp_path / "s")])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "s").exists()


def test_the_screen_and_vary_share_one_fixed_priors_set() -> None:
    """Chores21: ``--parameters fixed-priors`` screened the 26 settings of the model (hypothesis
    switches and parameters, other scenarios' parameters, structural switches) that ``--vary
    fixed-priors`` never draws; both now take ``screen_set.fixed_priors``."""
    from greatterror.api.vary import vary_names
    from greatterror.calibration.screen_set import (
        choose,
        fixed_priors,
        is_setting,
        settings,
        switched_off,
    )
    from greatterror.model.scenario import load_scenario

    historical = load_scenario("historical")
    screened = choose("fixed-priors", switched_off(historical.mechanisms))
    assert screened is not None and screened == fixed_priors()
    assert screened == vary_names("fixed-priors", (historical,))
    assert not any(is_setting(n) for n in screened)
    assert not set(settings()) & set(screened)
    assert "regions_start_operation" not in screened and "exile_share" in screened


def test_morris_ranks_the_one_parameter_the_output_depends_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The simulation is replaced by a known function of two parameters, so the
    design, the mapping through the priors and the analysis are checked exactly."""
    from greatterror.calibration import simulator
    from greatterror.calibration.statistics import CALIBRATION_IDS

    def fake(self: object, parameters: dict[str, float]) -> dict[str, float]:
        value = 10.0 * parameters["names_acted_on"] + parameters["gulag_mortality"]
        return dict.fromkeys(CALIBRATION_IDS, value)

    monkeypatch.setattr(simulator.FitModel, "__call__", fake)
    result = runner.invoke(
        app,
        [
            "sensitivity",
            "historical",
            "--samples",
            "4",
            "--scale",
            "0.0001",
            "--workers",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    ranking = [r["name"] for r in payload["ranking"]]
    assert ranking[:2] == ["names_acted_on", "gulag_mortality"]
    assert all(r["mu_star"] == 0 for r in payload["ranking"][2:])
    assert payload["runs"] == 4 * (len(ranking) + 1)
    table = runner.invoke(
        app,
        [
            "sensitivity",
            "historical",
            "--samples",
            "2",
            "--scale",
            "0.0001",
            "--workers",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert table.exit_code == 0, table.output
    assert (tmp_path / "sensitivity_morris.png").stat().st_size > 0


def test_sobol_reports_both_indices_with_their_intervals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Sobol run gives S1 and ST each with its 95% interval (at the small N a
    screening affords, the intervals say which indices are told from zero), and
    a parameter the output does not depend on gets a total index of exactly zero."""
    from greatterror.calibration import sensitivity, simulator
    from greatterror.calibration.statistics import CALIBRATION_IDS

    def fake(self: object, parameters: dict[str, float]) -> dict[str, float]:
        return dict.fromkeys(CALIBRATION_IDS, 10.0 * parameters["names_acted_on"])

    monkeypatch.setattr(simulator.FitModel, "__call__", fake)
    result = sensitivity.analyse("historical", "sobol", 8, 0.0001, 1, 1)
    ranking = result["ranking"]
    assert result["runs"] == 8 * (len(ranking) + 2)
    assert ranking[0]["name"] == "names_acted_on" and ranking[0]["ST"] > 0.5
    for row in ranking:
        assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(row)
        assert row["S1_conf"] >= 0 and row["ST_conf"] >= 0
    assert all(r["ST"] == 0 for r in ranking[1:])


def test_morris_keeps_a_normal_prior_off_its_far_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Morris's levels 0 and 1 become the 0.5% and 99.5% quantiles of a normal prior,
    not its 1e-12 tails (seven standard deviations out), while a uniform prior's
    levels still reach the ends of its support."""
    from greatterror.calibration import sensitivity, simulator
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.model.params import BY_NAME

    seen: list[dict[str, float]] = []

    def fake(self: object, parameters: dict[str, float]) -> dict[str, float]:
        seen.append(dict(parameters))
        return dict.fromkeys(CALIBRATION_IDS, parameters["nonpolitical_sentences_per_year"] / 1e6)

    monkeypatch.setattr(simulator.FitModel, "__call__", fake)
    result = sensitivity.analyse("historical", "morris", 4, 0.0001, 1, 1)
    normal = BY_NAME["nonpolitical_sentences_per_year"].prior
    assert normal.kind == "normal"
    low, high = normal.frozen().ppf([0.005, 0.995])
    drawn = [s["nonpolitical_sentences_per_year"] for s in seen]
    assert min(drawn) == pytest.approx(low) and max(drawn) == pytest.approx(high)
    uniform = BY_NAME["names_acted_on"].prior
    assert uniform.kind == "uniform"
    acted = [s["names_acted_on"] for s in seen]
    assert min(acted) == pytest.approx(uniform.args[0], abs=1e-9)
    assert max(acted) == pytest.approx(uniform.args[1])
    assert result["ranking"][0]["name"] == "nonpolitical_sentences_per_year"


def test_fixed_parameters_are_screened_over_their_priors(monkeypatch: pytest.MonkeyPatch) -> None:
    """--parameters with fixed names moves only those, each over its declared prior,
    and ranks the one the (stand-in) output depends on first."""
    from greatterror.calibration import simulator
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.model.params import BY_NAME

    seen: list[dict[str, float]] = []

    def fake(self: object, parameters: dict[str, float]) -> dict[str, float]:
        seen.append(dict(parameters))
        return dict.fromkeys(CALIBRATION_IDS, 1.0 + 5.0 * parameters["exile_share"])

    monkeypatch.setattr(simulator.FitModel, "__call__", fake)
    names = ["army_ties_delay", "exile_share", "vigilance_half_life"]
    result = runner.invoke(
        app,
        [
            *["sensitivity", "historical", "--parameters", ",".join(names), "--samples", "4"],
            *["--scale", "0.0001", "--workers", "1", "--json"],
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["parameters"] == names
    assert payload["runs"] == 4 * (len(names) + 1)
    assert payload["ranking"][0]["name"] == "exile_share"
    assert all(r["mu_star"] == 0 for r in payload["ranking"][1:])
    assert all(set(s) == set(names) for s in seen)
    for name in names:
        spec = BY_NAME[name]
        assert not spec.free
        low, high = spec.prior.support
        drawn = [s[name] for s in seen]
        assert low - 1e-9 <= min(drawn) and max(drawn) <= high + 1e-9
        assert max(drawn) > min(drawn)


def test_unsourced_set_is_read_from_the_basis_column() -> None:
    """`unsourced` takes the fixed priors whose basis says they have no source, and leaves
    out sourced values, free parameters and hypothesis switches."""
    from greatterror.calibration.screen_set import (
        UNSOURCED,
        choose,
        fixed_with_prior,
        switched_off,
    )
    from greatterror.model.params import BY_NAME
    from greatterror.model.scenario import load_scenario

    off = switched_off(load_scenario("historical").mechanisms)
    assert "M25" in off and "M23" not in off
    chosen = choose("unsourced", off)
    assert chosen is not None
    assert choose("free") is None
    assert "dissident_detection_rate" in choose("unsourced")  # M25, which historical turns off
    assert "dissident_detection_rate" not in chosen
    assert choose("unsourced,dissident_detection_rate", off) == (
        *chosen,
        "dissident_detection_rate",
    )
    assert set(chosen) <= set(fixed_with_prior())
    assert all(UNSOURCED.search(BY_NAME[n].basis) for n in chosen)
    assert "exile_share" in chosen and "grave_charge_death_ratio" in chosen  # NOT FOUND
    assert "oso_exile_share" not in chosen  # sourced (Zemskov 1991)
    assert "requests_granted_as_asked" not in chosen  # a hypothesis setting
    assert "held_after_region_end" not in chosen  # a structural switch (review20 F2)
    assert "leader_mass_threshold" not in chosen  # the endogenous scenario's
    assert "base_unmarked_arrest_rate" not in chosen  # free


def test_a_tiny_screen_of_two_fixed_priors_runs_the_model() -> None:
    """The real simulation at 1:10,000 on a design of two trajectories: the pipeline
    accepts fixed parameters as overrides end to end."""
    from greatterror.calibration import sensitivity

    result = sensitivity.analyse(
        "historical", "morris", 2, 0.0001, 1, 1, ("exile_share", "execution_delay")
    )
    assert result["runs"] == 6
    assert {r["name"] for r in result["ranking"]} == {"exile_share", "execution_delay"}
    assert all(r["mu_star"] >= 0 for r in result["ranking"])


def test_the_desk_capacity_is_screened_where_the_scenario_reads_through_the_desk() -> None:
    """The desk's capacity is tagged M02 but acts where ``centre_reading = "desk"`` (branch
    desk2), some report reaches the desk (M01, M02, M24 or M25) and something reads the
    threat (M03, or the leader's rule of an endogenous policy): under H5, whose M02 is off,
    it is an unsourced prior that moves the reading; under the historical scenario's linear
    reading, under H6 (no report reaches the centre) and under H1 and H2 (scripted, M03 off:
    the threat is only logged) it moves only the seed and is left out (review24 F2); H1e,
    H1's rule with M03 off, reads it through its leader."""
    from greatterror.calibration.screen_set import choose, scenario_structure, switched_off
    from greatterror.model.scenario import load_scenario

    def unsourced(name: str) -> tuple[str, ...]:
        s = load_scenario(name)
        chosen = choose("unsourced", switched_off(s.mechanisms, scenario_structure(s)))
        assert chosen is not None
        return chosen

    h5 = load_scenario("h5_fifth_column")
    assert "M02" in switched_off(h5.mechanisms) and h5.centre_reading == "desk"
    assert "centre_reading_capacity" in unsourced("h1e_intentional_rule")
    for left in ("h6_kirov_pretext", "h1_intentional", "h2_bureaucratic"):
        assert "centre_reading_capacity" not in unsourced(left), left
    # without the policy the reader is not known, and the capacity is counted (as before)
    h1 = load_scenario("h1_intentional")
    assert "centre_reading_capacity" not in switched_off(h1.mechanisms, {"centre_reading": "desk"})
    assert "centre_reading_capacity" in unsourced("h5_fifth_column")
    assert "centre_reading_capacity" in unsourced("h3_misperception_cascade")
    assert "centre_reading_capacity" not in unsourced("historical")


def test_free_in_a_list_is_the_hypothesis_own_free_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--parameters free,x` on a hypothesis screens the parameters its comparison draws
    (``compare.hypothesis_priors``) plus x; before 6 Dec 2026 "free" in a list was the 11
    declared free parameters, whatever the scenario freed in its ``[priors]`` table."""
    from greatterror.calibration import sensitivity
    from greatterror.calibration.compare import hypothesis_priors

    seen: dict[str, object] = {}

    def fake(scenario: str, method: str, samples: int, *args: object) -> dict[str, object]:
        seen["names"] = args[-1]
        return {"runs": 0, "ranking": [], "scenario": scenario, "method": method}

    monkeypatch.setattr(sensitivity, "analyse", fake)
    scenario = "hypotheses/h7_besieged_city"
    drawn, _ = hypothesis_priors(scenario)
    control = "report_false_positive_share"  # M02, which H7 switches off: moves only the seed
    result = runner.invoke(
        app, ["sensitivity", scenario, "--parameters", f"free,{control}", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert seen["names"] == (*drawn, control)
    # 11 declared free parameters, H7's three of threat and, since 7 December 2026, the
    # leader's rule (four thresholds, the shortest run, the weight of cost)
    assert len(drawn) == 20 and "threat_half_life" in drawn and "leader_cost_weight" in drawn
    # a fixed parameter that H7's [priors] table frees is not "fixed" there
    from greatterror.calibration.screen_set import choose

    assert "threat_half_life" not in (choose("fixed-priors", (), drawn) or ())
