"""`greatterror hypotheses compare --screen FILE`: a screen's fixed parameters in a comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from greatterror.calibration.compare import (
    RunSpec,
    build_compare_abc,
    hypothesis_priors,
    prior_record,
)
from greatterror.calibration.compare_settings import CompareSettings
from greatterror.cli.app import app

runner = CliRunner()
pyabc = pytest.importorskip("pyabc")
H6, H7 = "hypotheses/h6_kirov_pretext", "hypotheses/h7_besieged_city"


def _screen(tmp_path: Path, **change: Any) -> Path:
    screen: dict[str, Any] = {
        "hypotheses": {
            "H6": {"scenario": H6, "fixed": {"approval_probability": 0.5}},
            "H7": {"scenario": H7, "fixed": {"threat_half_life": 197.5, "album_death_share": 0.5}},
        }
    }
    for label, entry in change.items():
        if entry is None:
            del screen["hypotheses"][label]
        else:
            screen["hypotheses"][label] = entry
    path = tmp_path / "screen.json"
    path.write_text(json.dumps(screen), encoding="utf-8")
    return path


def _free(label: str) -> dict[str, float]:
    from greatterror.calibration.screen_rule import prior_medians

    scenario = H6 if label == "H6" else H7
    return prior_medians(scenario, hypothesis_priors(scenario)[0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"H7": None}, "hypotheses.H7: missing; the file screens H6"),
        ({"H7": {"scenario": H6, "fixed": {}}}, "hypotheses.H7.scenario: "),
        ({"H7": {"scenario": H7}}, "hypotheses.H7.fixed: missing or not an object"),
        ({"H7": {"scenario": H7, "fixed": {"exile_share": 0.1}}}, "fixed.exile_share: not one"),
        ({"H7": {"scenario": H7, "fixed": {"album_death_share": "x"}}}, "is not a number"),
        ({"H7": {"scenario": H7, "fixed": {"album_death_share": 2.0}}}, "outside its prior"),
        ({"H7": {"scenario": H7, "fixed": "all"}}, "hypotheses.H7.fixed: missing or not"),
        ({"H7": {"scenario": H7, "fixed": _free("H7")}}, "fixes every free parameter of H7"),
        ({"H7": {"scenario": H7, "fixed": {"album_death_share": 0.4}}}, "not its prior's median"),
        ({"H8": {"scenario": H7, "fixed": {}}}, "hypotheses.H8: not a hypothesis id"),
    ],
)
def test_a_bad_screen_file_exits_2_naming_the_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = _screen(tmp_path, **change)
    db = tmp_path / "cmp.db"
    result = runner.invoke(
        app, ["hypotheses", "compare", "H6", "H7", "--screen", str(path), "--db", str(db)]
    )
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert text.count("--screen:") == 1  # one line, naming the option and the field
    assert message in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["screen.json"]


def test_a_screen_file_that_is_not_json_or_not_a_screen(tmp_path: Path) -> None:
    for text, message in (("{", "not JSON"), ("[]", "hypotheses: missing")):
        path = tmp_path / "screen.json"
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["hypotheses", "compare", "H6", "H7", "--screen", str(path)])
        assert result.exit_code == 2 and message in result.output
    missing = runner.invoke(
        app, ["hypotheses", "compare", "H6", "H7", "--screen", str(tmp_path / "no.json")]
    )
    assert missing.exit_code == 2 and "cannot be read" in missing.output
    shown = runner.invoke(app, ["hypotheses", "compare", "show", "x.db", "--screen", "s.json"])
    assert shown.exit_code == 2 and "--screen" in shown.output


def test_the_fixed_parameters_are_set_not_drawn_and_stored(tmp_path: Path) -> None:
    """The screen's values go into the settings (a resume with another screen is refused),
    out of each hypothesis's prior and its stored priors, and into every run of its model."""
    from greatterror.calibration.compare_screen import load_screen

    fixed, provenance = load_screen(_screen(tmp_path), (H6, H7), ("H6", "H7"))
    assert fixed == (
        ("H6", (("approval_probability", 0.5),)),
        ("H7", (("album_death_share", 0.5), ("threat_half_life", 197.5))),
    )
    assert len(provenance["sha256"]) == 64
    settings = CompareSettings.from_json(
        CompareSettings(
            (H6, H7), ("H6", "H7"), 0.0001, 1, 3, 1, (), fixed=fixed, screen=provenance
        ).to_json()
    )
    assert settings.fixed == fixed and settings.screen == provenance
    unscreened = CompareSettings((H6, H7), ("H6", "H7"), 0.0001, 1, 3, 1, ())
    assert any(d.startswith("fixed:") for d in unscreened.differences(settings))
    assert CompareSettings.from_json(unscreened.to_json()).fixed == ()

    record = json.loads(prior_record(settings, 1.0))
    assert "album_death_share" not in record["H7"] and "threat_half_life" not in record["H7"]
    assert len(record["H7"]) == len(hypothesis_priors(H7)[0]) - 2
    assert "approval_probability" not in record["H6"]

    abc = build_compare_abc(settings, RunSpec(1, 1, 1.0), pyabc.sampler.SingleCoreSampler())
    model = abc.models[1].sample_function
    assert "threat_half_life" not in model.names and "threat_per_crisis" in model.names
    assert model.fit.fixed == (("album_death_share", 0.5), ("threat_half_life", 197.5))
    assert set(abc.parameter_priors[1].keys()) == set(model.names)


def test_the_console_report_names_the_screen(capsys: pytest.CaptureFixture[str]) -> None:
    """review24b F1: the report says a screen was used, its SHA-256 and how many it fixed."""
    from greatterror.cli.compare_show import print_summary

    sha = "ab" * 32
    settings = {"labels": ["H6", "H7"], "particles": 3, "scale": 0.001}
    settings |= {"screen": {"file": "s.json", "sha256": sha}}
    settings["fixed"] = [["H6", [["a", 0.5]]], ["H7", [["b", 1.0], ["c", 2.0]]]]
    summary: dict[str, Any] = {"settings": settings, "runs": [], "runs_planned": 1}
    summary |= {"read_up_to_generation": None, "stability": {}, "prior_sensitivity": []}
    summary["separation"] = []
    print_summary(summary)
    text = " ".join(capsys.readouterr().out.split())
    assert f"screen: s.json (sha256 {sha}): H6 1 fixed, H7 2 fixed" in text
    assert "prior scales apply to the kept parameters" in text


FIXED = (
    ("H6", (("approval_probability", 0.5),)),
    ("H7", (("album_death_share", 0.5), ("threat_half_life", 197.5))),
)


def _settings(fixed: Any = FIXED, sha: str | None = "a" * 64) -> CompareSettings:
    screen = None if sha is None else {"file": "screen.json", "sha256": sha}
    return CompareSettings(
        (H6, H7), ("H6", "H7"), 0.0001, 1, 3, 1, (), fixed=fixed, screen=screen if fixed else None
    )


def test_the_check_runs_the_fixed_parameters_at_the_screens_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review24b F3: `compare check` draws the kept parameters and sets the fixed ones to the
    screen's values in every job (not the scenario's own values)."""
    import numpy as np

    from greatterror.calibration import check, compare_check

    settings = _settings()
    spec = RunSpec(1, 1, 1.0)
    monkeypatch.setattr(compare_check, "load_runs", lambda db, g: (settings, [(spec, None)]))
    monkeypatch.setattr(compare_check, "posterior_repeats", lambda runs: (0, runs))
    monkeypatch.setattr(compare_check, "stored_priors", lambda db, run: None)
    monkeypatch.setattr(compare_check, "pooled_posterior", lambda used, m: ([], np.array([])))
    jobs: list[Any] = []

    class Stop(Exception):
        pass

    def run_jobs(planned: list[Any], workers: int) -> None:
        jobs.extend(planned)
        raise Stop

    monkeypatch.setattr(check, "run_jobs", run_jobs)  # check_plans runs them
    with pytest.raises(Stop):
        compare_check.compare_check(tmp_path / "cmp.db", draws=2)
    assert [job[0] for job in jobs] == [H6, H6, H7, H7]
    for scenario, _, _, values in jobs:
        screened = dict(settings.fixed_of("H6" if scenario == H6 else "H7"))
        assert screened and all(values[n] == v for n, v in screened.items())
        names, _ = hypothesis_priors(scenario)
        assert set(values) == set(names)  # the kept ones drawn, the fixed ones set


def test_a_resume_with_another_screen_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review24b F3/F4: check_resume, and run_compare with resume, refuse another screen's
    values, and another file (SHA-256) with the same values, before any simulation."""
    from greatterror.calibration import compare_settings
    from greatterror.calibration.abc import FitError
    from greatterror.calibration.compare import run_compare

    db = tmp_path / "cmp.db"
    monkeypatch.setattr(compare_settings, "stored_compare", lambda path: _settings())
    compare_settings.check_resume(_settings(), db)  # the same screen: accepted
    for other, field in ((_settings(fixed=()), "fixed:"), (_settings(sha="b" * 64), "screen:")):
        with pytest.raises(FitError, match=field):
            compare_settings.check_resume(other, db)
        with pytest.raises(FitError, match=field):
            run_compare(other, db, 1, resume=True)
    assert not db.exists()


def test_the_prior_scaled_runs_keep_the_fixed_parameters(tmp_path: Path) -> None:
    """review24b F3: a prior-scaled run of a screened comparison scales the kept parameters'
    priors and sets the fixed ones to the screen's values (the unscaled prior's median)."""
    settings = _settings()
    abc = build_compare_abc(settings, RunSpec(2, 1, 2.0), pyabc.sampler.SingleCoreSampler())
    model = abc.models[1].sample_function
    assert "album_death_share" not in model.names and "threat_half_life" not in model.names
    assert model.fit.fixed == (("album_death_share", 0.5), ("threat_half_life", 197.5))
    names, declared = hypothesis_priors(H7, 1.0, ("album_death_share", "threat_half_life"))
    assert model.names == names
    assert any(a != b for a, b in zip(model.priors, declared, strict=True))  # scaled by 2
    record = json.loads(prior_record(settings, 2.0))
    assert "album_death_share" not in record["H7"] and "approval_probability" not in record["H6"]


def test_the_shipped_screen_passes_the_check() -> None:
    """review24b F4: every value of docs/sensitivity-2026-12-06b/screen.json is its prior's
    median, so the file passes the median check for all nine hypotheses."""
    from greatterror.calibration.compare_screen import load_screen
    from greatterror.model.hypothesis_catalog import FOLDER, hypothesis_scenarios

    chosen = [s for s in hypothesis_scenarios() if s.hypothesis is not None]
    path = Path(__file__).parents[1] / "docs" / "sensitivity-2026-12-06b" / "screen.json"
    fixed, _ = load_screen(
        path,
        tuple(f"{FOLDER}/{s.name}" for s in chosen),
        tuple(s.hypothesis.id for s in chosen if s.hypothesis is not None),
    )
    assert len(fixed) == 9 and sum(len(pairs) for _, pairs in fixed) == 89
