"""A conditional fit (``calibrate --free``): only the named free parameters vary, the others are
held at the scenario's values, and ``apply`` says so in the provenance it writes.

The fit is tiny (4 particles, one generation at 1:10,000): it checks what is stored and
written, not the quality of a posterior.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.calibration.apply import held_lines, stated_provenance, still_held
from greatterror.calibration.problem import conditional_free
from greatterror.cli.app import app
from greatterror.model.params import FREE_PARAMETERS
from greatterror.model.scenario_files import shipped_path

pyabc = pytest.importorskip("pyabc")
runner = CliRunner()
VARIED = "trial_death_share_late"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no_such", "not free parameters of the scenario: no_such"),
        ("trial_dock_size", "not free parameters of the scenario: trial_dock_size"),  # fixed
        (" , ", "--free: empty"),
    ],
)
def test_a_bad_free_list_exits_2_naming_the_allowed_names(
    tmp_path: Path, text: str, message: str
) -> None:
    db = tmp_path / "fit.db"
    result = runner.invoke(app, ["calibrate", "historical", "--free", text, "--db", str(db)])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert message in flat and "allowed: a comma-separated list of" in flat
    assert not db.exists()


def test_free_is_refused_with_show(tmp_path: Path) -> None:
    db = tmp_path / "fit.db"
    db.write_bytes(b"")
    result = runner.invoke(app, ["calibrate", "show", str(db), "--free", VARIED])
    assert result.exit_code == 2 and "--free: only when fitting" in result.output


def test_the_varied_names_keep_the_scenarios_order() -> None:
    free = tuple(FREE_PARAMETERS)
    backwards = ",".join(reversed(free[:3]))
    assert conditional_free(backwards, free) == free[:3]


def test_the_held_values_keep_their_provenance() -> None:
    text = "[meta]\nname = 'x'\n\n[parameters]\n# Fitted by A\n# on day B\na = 1.0\n"
    before = stated_provenance(text)
    assert before == ["Fitted by A", "on day B"]
    lines = held_lines(["a"], ["b", "c"], before)
    assert lines[0].startswith("Conditional fit: only a varied") and "(b, c)" in lines[1]
    assert lines[2:] == ["  Fitted by A", "  on day B"]
    assert held_lines(["a", "b"], [], before) == []  # a fit of every free parameter adds nothing


def test_a_conditional_fit_varies_only_the_named_parameter_and_apply_says_so(
    tmp_path: Path,
) -> None:
    import json

    from greatterror.calibration.abc import stored_settings

    db = tmp_path / "fit.db"
    fit = ["calibrate", "historical", "--free", VARIED, "--particles", "4", "--generations", "1"]
    fit += ["--scale", "0.0001", "--workers", "1", "--db", str(db), "--quantile", "0.9"]
    result = runner.invoke(app, fit)
    assert result.exit_code == 0, result.output
    assert stored_settings(db).free == (VARIED,)
    history = pyabc.History(f"sqlite:///{db}", _id=1)
    frame, _ = history.get_distribution(m=0, t=history.max_t)
    assert list(frame.columns) == [VARIED]  # the particles hold only the varied parameter
    _the_held_values_go_with_every_draw(db, tmp_path)

    target = tmp_path / "historical.toml"
    shutil.copy(shipped_path("historical"), target)
    shipped_text = shipped_path("historical").read_text(encoding="utf-8")
    args = ["calibrate", "apply", str(db), "--scenario", str(target), "--workers", "1"]
    result = runner.invoke(app, [*args, "--candidates", "1", "--recheck", "1", "--json"])
    assert result.exit_code == 0, result.output
    (best,) = json.loads(result.output)["candidates"]
    assert set(best["values"]) == {VARIED}
    written_text = target.read_text(encoding="utf-8")
    written = tomllib.loads(written_text)["parameters"]
    kept = tomllib.loads(shipped_text)["parameters"]
    assert written[VARIED] == pytest.approx(best["values"][VARIED])
    assert {k: v for k, v in written.items() if k != VARIED} == {
        k: v for k, v in kept.items() if k != VARIED
    }
    said = stated_provenance(written_text)
    assert f"Conditional fit: only {VARIED} varied; the other free parameters" in said
    # the held values' own provenance is kept under the new one: the shipped file's, or,
    # where the shipped file is itself a conditional fit of the same parameter (since the refit
    # c1207b of 7 December 2026), the provenance nested in it, its own lines being of the value
    # now replaced
    kept_lines = still_held(stated_provenance(shipped_text), (VARIED,))
    assert kept_lines and said[-len(kept_lines) :] == [f"  {line}" for line in kept_lines]
    note = said.index(f"Conditional fit: only {VARIED} varied; the other free parameters")
    assert len(said) == note + 2 + len(kept_lines)  # nothing of the replaced value's lines


def _the_held_values_go_with_every_draw(db: Path, tmp_path: Path) -> None:
    """The fit stores the values it held; its readers use them (or say so), not the file's."""
    import greatterror as gt
    from greatterror.calibration import check
    from greatterror.calibration.abc import stored_settings
    from greatterror.calibration.problem import held_values
    from greatterror.model.scenario import load_scenario

    held = stored_settings(db).held
    assert held == held_values(load_scenario("historical"), (VARIED,)) and len(held) >= 1
    (draw,) = gt.posterior_draws(db, 1, 1).draws
    assert draw == dict(held) | {VARIED: draw[VARIED]}
    jobs: list[object] = []

    def ran(planned: list[tuple[str, float, int, dict[str, float]]], workers: int) -> list[object]:
        jobs.extend(planned)
        raise RuntimeError("no run")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(check, "run_jobs", ran)
        with pytest.raises(RuntimeError, match="no run"):
            check.posterior_check(db, draws=1, scale=0.0001)
    ((_, _, _, values),) = jobs
    assert values == dict(held) | {VARIED: values[VARIED]}
    result = runner.invoke(app, ["calibrate", "show", str(db), "--out", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert f"A conditional fit: only {VARIED} varied; the posterior is conditional" in flat
