"""A fit stores the digest of its scenario's resolved content (``FitSettings.scenario_hash``,
``problem.scenario_digest``): ``calibrate --resume`` refuses a scenario file changed since the
fit started (a fixed value, an event, a prior), which would mix two models' simulations in one
posterior; a file in which only the fitted values moved (``calibrate apply``) still resumes, and
a database made before the field resumes unchecked. The hypothesis comparison likewise.

One tiny fit for the module (4 particles, one generation at 1:10,000, on a copy of the
historical scenario's file); the rest stands in stored settings.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.calibration import abc, compare_settings
from greatterror.calibration.abc import FitError, FitSettings, scenario_change
from greatterror.calibration.compare_settings import CompareSettings, scenario_hashes
from greatterror.calibration.problem import scenario_digest
from greatterror.cli.app import app
from greatterror.model.params import FREE_PARAMETERS
from greatterror.model.scenario import load_scenario
from greatterror.model.scenario_files import shipped_path

pyabc = pytest.importorskip("pyabc")
runner = CliRunner()
FIXED = "denunciation_rate"  # set by the historical file, not fitted
VARIED = "trial_death_share_late"


def _set(text: str, name: str, value: str) -> str:
    lines = text.split("\n")
    (i,) = [i for i, line in enumerate(lines) if line.startswith(f"{name} = ")]
    lines[i] = f"{name} = {value}"
    return "\n".join(lines)


@contextmanager
def _edited(path: Path, name: str, value: str) -> Iterator[None]:
    text = path.read_text(encoding="utf-8")
    path.write_text(_set(text, name, value), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def fit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A one-generation fit of a copy of the historical scenario's file: (database, file)."""
    folder = tmp_path_factory.mktemp("digest")
    scenario, db = folder / "historical_copy.toml", folder / "fit.db"
    shutil.copy(shipped_path("historical"), scenario)
    result = runner.invoke(app, [*_fit_args(scenario, db)[:-1]])
    assert result.exit_code == 0, result.output
    return db, scenario


def _fit_args(scenario: Path, db: Path) -> list[str]:
    args = ["calibrate", str(scenario), "--particles", "4", "--generations", "1"]
    return [*args, "--scale", "0.0001", "--workers", "1", "--db", str(db), "--resume"]


def test_the_fit_stores_its_scenarios_digest(fit: tuple[Path, Path]) -> None:
    db, scenario = fit
    stored = abc.stored_settings(db)
    assert FIXED not in FREE_PARAMETERS and VARIED in FREE_PARAMETERS
    assert stored.scenario_hash == scenario_digest(load_scenario(scenario), FREE_PARAMETERS)
    assert scenario_change(stored) is None


def test_resume_refuses_a_scenario_file_changed_since(fit: tuple[Path, Path]) -> None:
    db, scenario = fit
    before = db.read_bytes()
    with _edited(scenario, FIXED, "5e-05"):
        result = runner.invoke(app, _fit_args(scenario, db))
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"--resume: the scenario '{scenario}' changed since the fit started" in flat
    assert "start a new --db" in flat
    assert db.read_bytes() == before  # nothing written


def test_resume_takes_the_file_unchanged_or_with_only_its_fitted_values_moved(
    fit: tuple[Path, Path],
) -> None:
    db, scenario = fit
    result = runner.invoke(app, _fit_args(scenario, db))  # one generation stored: no new run
    assert result.exit_code == 0, result.output
    with _edited(scenario, VARIED, "0.5"):  # what `calibrate apply` rewrites: no particle reads it
        assert scenario_change(abc.stored_settings(db)) is None
        result = runner.invoke(app, _fit_args(scenario, db))
    assert result.exit_code == 0, result.output


def test_show_check_only_notes_a_changed_scenario(
    fit: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from greatterror.calibration import check

    db, scenario = fit
    monkeypatch.setattr(check, "posterior_check", lambda *a, **k: check.run_warnings([]))
    args = ["calibrate", "show", str(db), "--check", "--json", "--scale", "0.0001"]
    with _edited(scenario, FIXED, "5e-05"):
        result = runner.invoke(app, [*args, "--draws", "1", "--workers", "1"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert f"Note: the scenario '{scenario}' changed since the fit started" in flat


def test_a_database_from_before_the_digest_loads_and_resumes_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = json.loads(FitSettings("historical", 0.001, 1, 4, FREE_PARAMETERS).to_json())
    del raw["scenario_hash"]
    old = FitSettings.from_json(json.dumps(raw))
    assert old.scenario_hash is None and old.free == FREE_PARAMETERS
    assert scenario_change(old) is None
    monkeypatch.setattr(abc, "stored_settings", lambda db: old)
    abc.check_resume(old, tmp_path / "fit.db")  # no digest stored: no check


def test_the_refit_script_refuses_a_changed_scenario_before_step_1(
    refit_script,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    module = refit_script()
    ran: list[object] = []
    monkeypatch.setattr(module, "_run_steps", lambda *a: ran.append(a))
    monkeypatch.setattr(module, "_finish", lambda *a: ran.append(a))
    chosen = load_scenario("historical")
    stored = abc.new_settings("historical", chosen, 0.003, 1, 60, FREE_PARAMETERS)
    monkeypatch.setattr(abc, "stored_settings", lambda db: stored)
    db = tmp_path / "fit.db"
    db.write_bytes(b"")
    argv = ["refit_historical.py", "--db", str(db), "--resume"]
    monkeypatch.setattr(sys, "argv", argv)
    module.main()  # the same scenario: reaches the steps
    assert len(ran) == 2
    ran.clear()
    moved = dataclasses.replace(stored, scenario_hash="0" * 64)
    monkeypatch.setattr(abc, "stored_settings", lambda db: moved)
    with pytest.raises(SystemExit) as stop:
        module.main()
    assert stop.value.code == 2 and ran == []
    assert "--resume: the scenario 'historical'" in capsys.readouterr().err


def test_a_comparison_refuses_a_hypothesis_whose_file_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "h.toml"
    shutil.copy(shipped_path("historical"), copy)
    scenarios = (str(copy),)
    settings = CompareSettings(
        scenarios, ("H1",), 0.001, 1, 4, 1, (), scenario_hashes=scenario_hashes(scenarios)
    )
    assert CompareSettings.from_json(settings.to_json()) == settings
    monkeypatch.setattr(compare_settings, "stored_compare", lambda db: settings)
    db = tmp_path / "compare.db"
    compare_settings.check_resume(settings, db)
    with _edited(copy, VARIED, "0.5"):  # a free parameter: drawn by every particle
        compare_settings.check_resume(settings, db)
    with _edited(copy, FIXED, "5e-05"), pytest.raises(FitError) as err:
        compare_settings.check_resume(settings, db)
    assert str(err.value).startswith(f"--resume: the scenario of H1 ({copy}) changed")
    raw = json.loads(settings.to_json())
    del raw["scenario_hashes"]  # a database from before the field
    old = CompareSettings.from_json(json.dumps(raw))
    assert old.scenario_hashes is None
    monkeypatch.setattr(compare_settings, "stored_compare", lambda db: old)
    with _edited(copy, FIXED, "5e-05"):
        compare_settings.check_resume(old, db)
