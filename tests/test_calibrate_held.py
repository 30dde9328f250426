"""A conditional fit's held values (``calibrate --free``): stored with its settings, and used or
checked by every reader of the fit, never taken from whatever the scenario file says later.

No fit and no simulation: the stored settings are stood in for (tests/test_calibrate_conditional.py
runs a tiny fit).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_calibrate_apply_write import _Settings as _StoppingSettings
from test_calibrate_apply_write import stand_in_fit
from typer.testing import CliRunner

from greatterror.calibration import abc
from greatterror.calibration.abc import FitError, FitSettings, check_resume
from greatterror.calibration.apply import held_lines, stated_provenance
from greatterror.calibration.problem import held_changes, held_values, scenario_problem
from greatterror.cli import calibrate_apply
from greatterror.cli.app import app
from greatterror.model.scenario import load_scenario
from greatterror.model.scenario_files import shipped_path

runner = CliRunner()
VARIED = "trial_death_share_late"
OTHER = "album_death_share"


def _historical() -> tuple[tuple[str, ...], tuple[tuple[str, float], ...]]:
    chosen = load_scenario("historical")
    free, _ = scenario_problem(chosen)
    return free, held_values(chosen, (VARIED,))


def _moved(tmp_path: Path, name: str = OTHER) -> Path:
    """A copy of the historical scenario's file with ``name`` set otherwise."""
    path = tmp_path / "moved.toml"
    text = shipped_path("historical").read_text(encoding="utf-8")
    lines = [
        f"{name} = 0.5" if line.startswith(f"{name} = ") else line for line in text.split("\n")
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_the_held_values_are_the_scenarios_other_free_parameters() -> None:
    free, held = _historical()
    values = load_scenario("historical").parameter_values()
    assert [n for n, _ in held] == [n for n in free if n != VARIED]
    assert dict(held) == {n: float(values[n]) for n in free if n != VARIED}
    assert held_values(load_scenario("historical"), free) == ()  # a fit of them all holds none


def test_the_held_values_survive_the_databases_json() -> None:
    _, held = _historical()
    settings = FitSettings("historical", 0.001, 1, 4, (VARIED,), held=held)
    assert FitSettings.from_json(settings.to_json()).held == held
    raw = json.loads(settings.to_json())
    del raw["held"]  # a database from before the field
    assert FitSettings.from_json(json.dumps(raw)).held == ()


def test_a_scenario_that_moved_a_held_value_is_named(tmp_path: Path) -> None:
    _, held = _historical()
    assert held_changes(held, load_scenario("historical")) == []
    (change,) = held_changes(held, load_scenario(_moved(tmp_path)))
    assert change.startswith(f"{OTHER} = 0.5 (the fit held it at ")


def test_resume_refuses_a_conditional_fit_whose_held_values_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, held = _historical()
    stored = FitSettings("historical", 0.001, 1, 4, (VARIED,), held=held)
    monkeypatch.setattr(abc, "stored_settings", lambda db: stored)
    check_resume(stored, tmp_path / "fit.db")  # the same values: resumed
    moved = dict(held) | {OTHER: 0.5}
    now = FitSettings("historical", 0.001, 1, 4, (VARIED,), held=tuple(moved.items()))
    with pytest.raises(FitError) as err:
        check_resume(now, tmp_path / "fit.db")
    assert str(err.value).startswith("--resume: the fit held values its scenario no longer sets")
    assert f"{OTHER} = 0.5 now, held at {dict(held)[OTHER]!r}" in str(err.value)


class _Settings(_StoppingSettings):
    """A conditional fit's settings whose ``code`` raises ``Reached`` once apply's checks pass."""

    scenario = "historical"
    free = (VARIED,)
    held = _historical()[1]


def test_apply_refuses_a_file_that_does_not_hold_the_fits_held_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = stand_in_fit(tmp_path, monkeypatch, _Settings())
    path = _moved(tmp_path)
    before = path.read_bytes()
    result = runner.invoke(app, ["calibrate", "apply", str(db), "--scenario", str(path)])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"--scenario: {path} sets {OTHER} = 0.5 (the fit held it at" in flat
    assert "Reached" not in result.output and path.read_bytes() == before
    same = tmp_path / "same.toml"
    same.write_bytes(shipped_path("historical").read_bytes())
    result = runner.invoke(app, ["calibrate", "apply", str(db), "--scenario", str(same)])
    assert "Reached" in result.output  # the held values agree: apply goes on


def test_apply_refuses_a_fit_whose_scenario_moved_its_held_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "fit.db"
    db.write_bytes(b"stands in for a fit")
    settings = _Settings()
    settings.held = tuple((dict(_Settings.held) | {OTHER: 0.5}).items())
    monkeypatch.setattr(calibrate_apply, "load_stored_fit", lambda path: (settings, None))
    path = tmp_path / "candidate.toml"
    path.write_bytes(shipped_path("historical").read_bytes())
    result = runner.invoke(app, ["calibrate", "apply", str(db), "--scenario", str(path)])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert "path: the conditional fit held values its scenario 'historical' no longer sets" in flat
    assert f"{OTHER} = {dict(_Settings.held)[OTHER]!r} (the fit held it at 0.5)" in flat


def _applied(text: str, varied: list[str], held: list[str], fit: str) -> str:
    """``text`` with its [parameters] comment replaced as apply replaces it."""
    said = [f"Fitted by {fit}", *held_lines(varied, held, stated_provenance(text))]
    head, _, rest = text.partition("[parameters]\n")
    values = "".join(line + "\n" for line in rest.split("\n") if line and not line.startswith("#"))
    return head + "[parameters]\n" + "".join(f"# {line}\n" for line in said) + values


def test_a_conditional_fit_applied_again_does_not_nest_its_own_provenance() -> None:
    text = "[parameters]\n# Fitted by the full fit\na = 1.0\n"
    once = _applied(text, ["a"], ["b"], "fit 1")
    twice = _applied(once, ["a"], ["b"], "fit 1 again")
    assert stated_provenance(twice) == [
        "Fitted by fit 1 again",
        "Conditional fit: only a varied; the other free parameters",
        "(b) were held at the file's values, whose provenance read:",
        "  Fitted by the full fit",
    ]
    wider = _applied(once, ["a", "b"], ["c"], "fit 2")
    assert stated_provenance(wider)[-1] == "  Fitted by the full fit"
    # a fit of another parameter held fit 1's value: fit 1's provenance is kept, nested
    other = _applied(once, ["b"], ["a"], "fit 3")
    assert stated_provenance(other)[3:] == [
        "  Fitted by fit 1",
        "  Conditional fit: only a varied; the other free parameters",
        "  (b) were held at the file's values, whose provenance read:",
        "    Fitted by the full fit",
    ]
