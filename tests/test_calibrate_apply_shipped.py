"""`greatterror calibrate apply` refuses to write a shipped scenario's file without --force
(review14 F7): the apply gate (calibration/gate.py) runs only in scripts/refit_historical.py,
which writes a candidate copy, so writing the shipped file here would skip it. No fit and no
simulation: the stored fit is stood in for, and the refusal comes before anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_calibrate_apply_write import _Settings, stand_in_fit
from test_cli_verbs import said
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.model.scenario_files import shipped_path

runner = CliRunner()


@pytest.fixture
def fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return stand_in_fit(tmp_path, monkeypatch, _Settings())


@pytest.mark.parametrize("target", ["historical", "shipped file", "hypotheses/h1_intentional"])
def test_apply_refuses_a_shipped_scenario_without_force(fit: Path, target: str) -> None:
    name = str(shipped_path("historical")) if target == "shipped file" else target
    file = shipped_path("historical" if target == "shipped file" else target)
    before = file.read_bytes()
    result = runner.invoke(app, ["calibrate", "apply", str(fit), "--scenario", name])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "is a shipped scenario" in text and "skips the apply gate" in text
    assert "--force" in text and "fit_candidate.toml" in text
    assert file.read_bytes() == before


def test_force_and_candidate_paths_get_past_the_refusal(fit: Path, tmp_path: Path) -> None:
    candidate = tmp_path / "fit_candidate.toml"
    candidate.write_bytes(shipped_path("historical").read_bytes())
    for args in (["--scenario", "historical", "--force"], ["--scenario", str(candidate)]):
        result = runner.invoke(app, ["calibrate", "apply", str(fit), *args])
        assert "internal error: Reached" in result.output  # the app's report of an exception
        assert "is a shipped scenario" not in result.output


def test_the_help_example_writes_a_candidate() -> None:
    result = runner.invoke(app, ["calibrate", "--help"])
    text = " ".join(result.output.split())
    assert "calibrate apply fit.db --scenario fit_candidate.toml" in text
    assert "--scenario historical" not in text


def test_an_unknown_bare_name_gets_the_runs_message(fit: Path) -> None:
    """A bare name is read as the run reads it (scenario_files.resolve_path): an unknown one is
    refused with the list of shipped scenarios, not as a missing file in the package; the
    message names this command's option, --scenario, where the run's names its argument."""
    result = runner.invoke(app, ["calibrate", "apply", str(fit), "--scenario", "nosuch"])
    assert result.exit_code == 2, result.output
    run = runner.invoke(app, ["run", "nosuch"])
    assert run.exit_code == 2, run.output
    assert said(result) == said(run).replace("error: scenario:", "error: --scenario:", 1)
    assert "--scenario: unknown scenario 'nosuch'; shipped scenarios: " in said(result)
    assert "does not exist" not in said(result)
