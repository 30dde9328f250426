"""`calibrate apply`'s write names the file the user gave, never its temporary copy.

write_scenario writes the new text to a temporary file beside the scenario file, loads it, and
renames it into place. A failure there named that temporary file (``.NAME.apply-PID.toml``),
which the user never gave and which is gone when the error is read; a folder the command
cannot write to was found only after the re-check's simulations. No fit and no simulation
here: the failure is made by a folder standing where the temporary file goes, which stops
the write whatever the user's rights (root's too).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_cli_verbs import said
from typer.testing import CliRunner

from greatterror.calibration.apply import ApplyError, write_scenario
from greatterror.cli import calibrate_apply
from greatterror.cli.app import app
from greatterror.model.params import FREE_PARAMETERS
from greatterror.model.scenario_files import shipped_path

runner = CliRunner()


def _candidate(tmp_path: Path) -> Path:
    path = tmp_path / "fit_candidate.toml"
    path.write_bytes(shipped_path("historical").read_bytes())
    return path


def _blocked(path: Path) -> Path:
    """A folder where write_scenario puts its temporary file (calibration/apply.temporary)."""
    folder = path.with_name(f".{path.name}.apply-{os.getpid()}.toml")
    folder.mkdir()
    return folder


def test_a_failed_write_names_the_users_file(tmp_path: Path) -> None:
    path = _candidate(tmp_path)
    before = path.read_bytes()
    folder = _blocked(path)
    with pytest.raises(ApplyError) as err:
        write_scenario(path, {next(iter(FREE_PARAMETERS)): 1e-4}, ["a test"])
    assert str(err.value).startswith(f"{path} cannot be written"), err.value
    assert ".apply-" not in str(err.value)
    assert path.read_bytes() == before
    assert folder.is_dir()  # not ours to remove


def test_a_value_the_scenario_refuses_is_reported_against_the_users_file(tmp_path: Path) -> None:
    path = _candidate(tmp_path)
    before = path.read_bytes()
    free = next(iter(FREE_PARAMETERS))
    with pytest.raises(ApplyError) as err:
        write_scenario(path, {free: -5.0}, ["a test"])
    assert f"fit_candidate.toml: parameters.{free}: -5 is out of range" in str(err.value)
    assert ".apply-" not in str(err.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit_candidate.toml"]


class Reached(Exception):
    """Raised where apply goes on after its checks (the fit's code note)."""


class _Settings:
    """A stored fit of every free parameter (nothing held) whose ``code`` stops apply."""

    held = ()

    @property
    def code(self) -> str:
        raise Reached


def stand_in_fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: object) -> Path:
    """A database file that apply reads as a stored fit with ``settings`` (and no history)."""
    db = tmp_path / "fit.db"
    db.write_bytes(b"stands in for a fit")
    monkeypatch.setattr(calibrate_apply, "load_stored_fit", lambda path: (settings, None))
    return db


def test_apply_refuses_a_file_it_cannot_write_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = stand_in_fit(tmp_path, monkeypatch, _Settings())
    path = _candidate(tmp_path)
    before = path.read_bytes()
    _blocked(path)
    result = runner.invoke(app, ["calibrate", "apply", str(db), "--scenario", str(path)])
    assert result.exit_code == 2, result.output
    assert said(result).startswith(f"error: --scenario: {path} cannot be written"), said(result)
    assert ".apply-" not in said(result) and "Reached" not in result.output
    assert path.read_bytes() == before


def test_the_written_file_keeps_its_permissions(tmp_path: Path) -> None:
    """The file is replaced by a new one (a rename); it keeps the mode it had, not the umask's."""
    path = _candidate(tmp_path)
    path.chmod(0o640)
    free = next(iter(FREE_PARAMETERS))
    write_scenario(path, {free: 1e-4}, ["a test"])
    assert path.stat().st_mode & 0o777 == 0o640
    assert "# a test" in path.read_text(encoding="utf-8")
