"""The parameter declarations in data/parameters.csv, their priors and what is derived from them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.evidence.errors import DataFileError
from greatterror.model import params_doc
from greatterror.model.params import (
    BY_NAME,
    FREE_PARAMETERS,
    PARAMETERS,
    ParameterError,
    load_parameters,
    resolve,
)
from greatterror.model.scenario import load_scenario
from greatterror.paths import data_dir

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
runner = CliRunner()


def test_every_prior_is_proper_and_inside_the_range() -> None:
    for p in PARAMETERS:
        assert p.prior.problem() is None, p.name
        if p.prior.kind == "fixed":
            continue
        dist = p.prior.frozen()
        # proper: the whole mass lies in the declared range, and draws land there
        assert dist.cdf(p.low) == pytest.approx(0.0, abs=1e-12), p.name
        assert dist.cdf(p.high) == pytest.approx(1.0, abs=1e-12), p.name
        draws = dist.rvs(size=200, random_state=np.random.default_rng(0))
        assert np.all((draws >= p.low) & (draws <= p.high)), p.name
        assert np.isfinite(dist.logpdf(draws)).all(), p.name


def test_the_impossible_log_uniform_priors_are_fixed() -> None:
    for name in ("denunciation_rate", "threat_per_conspiracy"):
        prior = BY_NAME[name].prior
        assert prior.kind == "loguniform" and prior.args[0] > 0
        assert BY_NAME[name].low == 0.0  # switching the channel off stays allowed by --set


def test_a_log_uniform_prior_from_zero_is_refused(tmp_path: Path) -> None:
    source = (data_dir() / "parameters.csv").read_text(encoding="utf-8")
    line = next(r for r in source.splitlines() if r.startswith("denunciation_rate,"))
    broken = source.replace(line, line.replace("loguniform,1e-06 0.005", "loguniform,0 0.005"))
    path = tmp_path / "parameters.csv"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 5, field 'prior'.*above 0"):
        load_parameters(path)


def test_a_default_outside_its_range_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "parameters.csv"
    shutil.copy(data_dir() / "parameters.csv", path)
    text = path.read_text(encoding="utf-8").replace(
        "base_arrest_rate,0.0012,", "base_arrest_rate,0.5,"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 2, field 'default'"):
        load_parameters(path)


def test_free_parameters_are_the_ones_the_historical_scenario_fits() -> None:
    """The scenario sets every free parameter; it sets a fixed one only where the data
    file's basis says why (its default lies outside a hypothesis scenario's prior)."""
    scenario = load_scenario("historical")
    assert set(FREE_PARAMETERS) <= set(scenario.parameters)
    for name in set(scenario.parameters) - set(FREE_PARAMETERS):
        assert "historical.toml keeps" in BY_NAME[name].basis, name
    assert all(BY_NAME[n].prior.kind != "fixed" for n in FREE_PARAMETERS)


def test_scenario_values_lie_inside_the_prior_support() -> None:
    values = load_scenario("historical").parameter_values()
    for name in FREE_PARAMETERS:
        low, high = BY_NAME[name].prior.support
        assert low <= values[name] <= high, name


def test_overrides_are_still_checked() -> None:
    assert resolve({"names_per_confession": "1.5"})["names_per_confession"] == 1.5
    with pytest.raises(ParameterError, match="allowed values: 0 to 5"):
        resolve({"names_per_confession": 9})


def test_odd_parameter_section_matches_the_data_file() -> None:
    text = ODD.read_text(encoding="utf-8")
    assert params_doc.splice(text) == text, "run python scripts/update_odd_tables.py"
    assert f"All {len(PARAMETERS)} parameters" in text
    assert f"{len(FREE_PARAMETERS)} are free" in text


def test_params_cli_shows_a_scenario_beside_the_defaults() -> None:
    result = runner.invoke(app, ["params", "--scenario", "historical", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    # the scenario's own values, whatever a refit wrote into it (scenarios/historical.toml)
    own = load_scenario("historical").parameters
    assert "album_death_share" in own
    assert rows["album_death_share"]["value"] == float(own["album_death_share"])
    assert rows["album_death_share"]["default"] == BY_NAME["album_death_share"].default
    assert rows["album_death_share"]["set_by_scenario"] is True
    for name, value in own.items():
        assert rows[name]["value"] == float(value) and rows[name]["set_by_scenario"], name
    assert rows["vigilance_per_trial"]["set_by_scenario"] is False
    table = runner.invoke(app, ["params", "--scenario", "historical", "--free"])
    assert table.exit_code == 0 and "historical" in table.output
    bad = runner.invoke(app, ["params", "--scenario", "no_such"])
    assert bad.exit_code == 2 and "shipped scenarios" in bad.output
    md = runner.invoke(app, ["params", "--markdown"])
    assert md.output.strip() == params_doc.markdown().strip()


def test_library_problem_definitions_cover_the_free_parameters() -> None:
    pytest.importorskip("pyabc")
    pytest.importorskip("optuna")
    from greatterror.calibration.problem import (
        from_unit,
        optuna_space,
        pyabc_prior,
        salib_problem,
    )

    prior = pyabc_prior()
    draw = prior.rvs()
    assert set(draw.keys()) == set(FREE_PARAMETERS)
    for name in FREE_PARAMETERS:
        assert np.isfinite(prior.pdf({**draw}))
        assert BY_NAME[name].low <= draw[name] <= BY_NAME[name].high
    space = optuna_space(["denunciation_rate"])
    assert space["denunciation_rate"].log and space["denunciation_rate"].low == 1e-6
    problem = salib_problem()
    assert problem["names"] == list(FREE_PARAMETERS)
    values = from_unit(problem["names"], np.full((1, problem["num_vars"]), 0.5))
    k = problem["names"].index("base_unmarked_arrest_rate")
    assert values[0, k] == pytest.approx((1e-5 * 1e-2) ** 0.5)  # the geometric midpoint


def test_a_hypothesis_scenarios_priors_replace_the_declared_ones_in_the_fit() -> None:
    pytest.importorskip("pyabc")
    from greatterror.calibration.problem import pyabc_prior, scenario_problem

    scenario = load_scenario("hypotheses/h1_intentional")
    names, priors = scenario_problem(scenario)
    assert set(FREE_PARAMETERS) <= set(names)
    assert set(scenario.priors) <= set(names)  # a parameter with a prior is fitted
    assert priors["names_per_confession"].support == (0.0, 1.5)
    prior = pyabc_prior(names, priors)
    draws = [prior.rvs()["names_per_confession"] for _ in range(50)]
    assert max(draws) <= 1.5  # the scenario's uniform(0, 1.5), not the declared (0, 5)


def test_the_validation_notes_count_the_parameters_as_the_data_do() -> None:
    """Review16 D1: docs/validation.md's notes (hand-written, kept when the tables are
    regenerated) count the fixed parameters that keep their defaults; the counts come from
    data/parameters.csv and the historical scenario's [parameters] table."""
    import re
    import tomllib

    from greatterror.model.scenario_files import shipped_path

    text = (ODD.parent / "validation.md").read_text(encoding="utf-8")
    said = re.search(r"The other\s+(\d+) of the (\d+) parameters keep their defaults", text)
    assert said, "the sentence was reworded: update this test"
    fixed = [p.name for p in PARAMETERS if not p.free]
    assert (int(said[1]), int(said[2])) == (len(fixed), len(PARAMETERS))
    shipped = tomllib.loads(shipped_path("historical").read_text(encoding="utf-8"))
    set_fixed = [name for name in shipped["parameters"] if name in fixed]
    # "... except the one that historical.toml fixes at an earlier fit's value"
    assert set_fixed == ["denunciation_rate"]
    assert "except the one that historical.toml fixes" in " ".join(text.split())


def test_the_sensitivity_notes_count_the_fixed_priors_as_the_data_do() -> None:
    """Review16 D8: docs/sensitivity.md's notes (kept when its table is regenerated) count the
    fixed parameters with a prior that ``--parameters fixed-priors`` screens, and all of them."""
    import re

    from greatterror.calibration.screen_set import fixed_priors, fixed_with_prior

    text = " ".join((ODD.parent / "sensitivity.md").read_text(encoding="utf-8").split())
    said = re.search(
        r"The (\d+) fixed parameters with a prior that are not settings: `--parameters "
        r"fixed-priors` \(of (\d+) fixed parameters with a prior",
        text,
    )
    assert said, "the sentence was reworded: update this test"
    assert int(said[1]) == len(fixed_priors())
    assert int(said[2]) == len(fixed_with_prior())
