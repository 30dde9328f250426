"""A run records what made it, and comparisons and ensembles do not mix runs that differ.

The project's standard (docs/outputs.md): a run's seeds, parameters,
switches, scenario and code are stored with its results; ``compare`` shows
every setting in which runs differ and ``report --ensemble`` refuses runs
that differ in anything but the seed; reports written into a run folder
afterwards keep the folder checkable.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.model.scenario import load_scenario
from greatterror.paths import scenarios_dir
from greatterror.provenance import (
    _tree_hash,
    code_identity,
    identity_differences,
    same_code,
    scenario_source,
)
from greatterror.results.compare import unpaired
from greatterror.results.rundir import MARKER_FILE, check_output_dir, folder_problem

runner = CliRunner()
SCALE = "0.0001"


def invoke(*args: str):
    return runner.invoke(app, list(args))


def text(result) -> str:
    return " ".join(result.output.split())


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def run(out: Path, *extra: str) -> str:
    result = invoke("run", *extra, "--scale", SCALE, "--out", str(out))
    assert result.exit_code == 0, result.output
    return summary_of(out)["run_id"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Seed 21; seed 21 with M12 off and a parameter set to the scenario's own value;
    seed 21 of a copy of historical.toml with another end; seed 22 (an ensemble member)."""
    root = tmp_path_factory.mktemp("provenance")
    own = load_scenario("historical").parameter_values()["names_per_confession"]
    copy_file = root / "historical_copy.toml"
    text_in = (scenarios_dir() / "historical.toml").read_text(encoding="utf-8")
    lines = [
        "end = 1939-12-31" if line.startswith("end = ") else line for line in text_in.splitlines()
    ]
    copy_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = {name: root / name for name in ("a", "m12off", "copy", "seed22")}
    run(out["a"], "--seed", "21")
    run(out["m12off"], "--seed", "21", "--set", "M12=OFF", "--set", f"names_per_confession={own}")
    run(out["copy"], str(copy_file), "--seed", "21")
    run(out["seed22"], "--seed", "22")
    return out


def test_overrides_hold_what_was_given_including_switches(runs: dict[str, Path]) -> None:
    summary = summary_of(runs["m12off"])
    own = load_scenario("historical").parameter_values()["names_per_confession"]
    # a value equal to the scenario's is still what the user gave
    assert summary["overrides"] == {"names_per_confession": own}
    assert summary["mechanism_overrides"] == {"denunciation": False}
    assert summary["mechanisms"]["denunciation"] is False
    plain = summary_of(runs["a"])
    assert plain["overrides"] == {} and plain["mechanism_overrides"] == {}
    listed = {r["run_id"]: r for r in json.loads(invoke("runs", "list", "--json").output)}
    assert listed[summary["run_id"]]["mechanism_overrides"] == {"denunciation": False}
    shown = text(invoke("runs", "show", summary["run_id"]))
    assert "M12=off" in shown and "overrides: none" not in shown
    assert "greatterror/scenarios/historical.toml" in shown and "population seed 21" in shown


def test_compare_shows_switches_and_scenario_content(runs: dict[str, Path]) -> None:
    a, off, cp = (summary_of(runs[k])["run_id"] for k in ("a", "m12off", "copy"))
    data = json.loads(invoke("compare", a, off, "--json").output)
    names = [d["name"] for d in data["parameter_differences"]]
    assert names == ["mechanism denunciation"]
    assert data["parameter_differences"][0]["values"] == ["on", "off"]
    assert data["unpaired"] == []
    table = invoke("compare", a, off, "--out", str(runs["a"].parent / "cmp.png"))
    assert "Settings that differ" in table.output and "denunciation" in table.output
    data = json.loads(invoke("compare", a, cp, "--json").output)
    names = [d["name"] for d in data["parameter_differences"]]
    assert names == ["scenario content (hash)", "scenario end"]
    # same name: only the content tells the copy from the shipped scenario
    assert summary_of(runs["copy"])["scenario"] == "historical"
    assert summary_of(runs["copy"])["scenario_source"]["path"].endswith("historical_copy.toml")


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ("m12off", "mechanism denunciation (on against off)"),
        ("copy", "scenario content (hash)"),
        ("a", "is the run itself"),
    ],
)
def test_an_ensemble_refuses_runs_that_differ(
    runs: dict[str, Path], other: str, message: str
) -> None:
    result = invoke("report", str(runs["a"]), "--ensemble", str(runs[other]))
    assert result.exit_code == 2 and message in text(result), result.output


def test_an_ensemble_refuses_the_same_seeds(runs: dict[str, Path], tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(runs["seed22"], twin)
    result = invoke(
        "report", str(runs["a"]), "--ensemble", str(runs["seed22"]), "--ensemble", str(twin)
    )
    assert result.exit_code == 2 and "the same seeds" in text(result)


def test_an_ensemble_refuses_a_folder_its_marker_does_not_vouch_for(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    """The other runs' summary.json are read only from folders whose marker (written last by
    the run) names every file with its digest: an edited summary or a folder without a marker
    is refused, as the run's own folder is when its marker no longer matches."""
    edited = tmp_path / "edited"
    shutil.copytree(runs["seed22"], edited)
    summary = json.loads((edited / "summary.json").read_text(encoding="utf-8"))
    summary["yearly"]["1937"]["convicted"] *= 2
    (edited / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    result = invoke("report", str(runs["a"]), "--ensemble", str(edited))
    assert result.exit_code == 2 and "was changed after the run wrote it" in text(result)
    unmarked = tmp_path / "unmarked"
    shutil.copytree(runs["seed22"], unmarked)
    (unmarked / MARKER_FILE).unlink()
    result = invoke("report", str(runs["a"]), "--ensemble", str(unmarked))
    assert result.exit_code == 2 and f"holds no readable {MARKER_FILE}" in text(result)
    own = invoke("report", str(edited))
    assert own.exit_code == 2 and "run_dir:" in text(own) and "was changed" in text(own)


def test_derived_reports_are_recorded_and_the_folder_stays_checkable(
    runs: dict[str, Path],
) -> None:
    out = runs["a"]
    summary = summary_of(out)
    own_report = (out / "report.html").read_bytes()
    result = invoke("report", str(out), "--ensemble", str(runs["seed22"]))
    assert result.exit_code == 0, result.output
    assert invoke("report", str(out), "--interactive").exit_code == 0
    assert (out / "report.html").read_bytes() == own_report  # the run's own page is kept
    marker = json.loads((out / MARKER_FILE).read_text(encoding="utf-8"))
    derived = marker["derived"]
    assert set(derived) == {"report-ensemble.html", "report-interactive.html"}
    assert derived["report-ensemble.html"]["members"] == [
        {"run_id": summary_of(runs["seed22"])["run_id"], "seed": 22}
    ]
    assert folder_problem(out, summary["run_id"], summary["content_hash"]) is None
    check_output_dir(out, overwrite=True)  # --overwrite accepts the folder
    shown = json.loads(invoke("runs", "show", summary["run_id"], "--json").output)
    assert shown["folder_note"] is None
    rebuilt = invoke("runs", "rebuild", str(out.parent))
    assert rebuilt.exit_code == 0 and str(out) not in rebuilt.output
    # a derived page edited afterwards is caught like any other file
    page = out / "report-interactive.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    problem = folder_problem(out, summary["run_id"], summary["content_hash"])
    assert problem is not None and "report-interactive.html was changed" in problem
    page.unlink()
    assert "report-interactive.html is missing" in str(folder_problem(out, summary["run_id"], None))


def test_the_population_seed_is_recorded_and_compared() -> None:
    import greatterror as gt

    population = gt.Population.build(scale=0.0001, seed=1)
    summary = gt.Sim("historical", population=population, seed=2).run().results.summary
    assert summary["seed"] == 2
    assert summary["population"]["seed"] == 1 and summary["population"]["scale"] == 0.0001
    own = copy.deepcopy(summary)
    own["population"]["seed"] = 2  # what gt.Sim(..., seed=2) builds
    assert unpaired([summary, own]) == ["population (seed 1, 2)"]


def test_the_scenario_hash_follows_its_content() -> None:
    historical = load_scenario("historical")
    shorter = historical.model_copy(update={"end": historical.end.replace(year=1939)})
    assert scenario_source(historical) == scenario_source(load_scenario("historical"))
    assert scenario_source(shorter)["hash"] != scenario_source(historical)["hash"]
    assert scenario_source(historical)["path"] == "greatterror/scenarios/historical.toml"


def test_code_identity_tells_code_apart(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = _tree_hash(tmp_path, "*.py")
    (tmp_path / "a.py").write_text("x = 2\n")
    assert _tree_hash(tmp_path, "*.py") != before
    code = code_identity()
    assert set(code) == {"version", "commit", "dirty", "source", "data"}
    assert len(code["source"]) == 64 and len(code["data"]) == 64
    if shutil.which("git") and (Path(__file__).parents[1] / ".git").exists():
        assert code["commit"] and isinstance(code["dirty"], bool)
    changed = {**code, "source": "0" * 64}
    assert not same_code(code, changed)
    assert same_code(code, {**code, "commit": "another commit, same source and data"})
    base = {"scale": 0.01, "seed": 1, "population": {}, "version": "0.1.0", "code": code}
    assert unpaired([base, base]) == []
    assert unpaired([base, {**base, "code": changed}])[0].startswith("code (")


def test_a_summary_without_a_field_is_not_taken_as_equal() -> None:
    new = {"scenario": "historical", "mechanisms": {"denunciation": True}}
    old = {"scenario": "historical"}
    rows = identity_differences([new, old])
    assert rows == [{"name": "mechanism denunciation", "kind": "mechanism", "values": ["on", None]}]


def test_counterfactual_json_carries_provenance(monkeypatch: pytest.MonkeyPatch) -> None:
    from greatterror.api import paired as paired_module

    def fake_pair(base, counterfactual, scale, seed, base_pars, cf_pars):
        year = {"1937": {"arrests": 100.0, "death_sentences": 10.0, "gulag_deaths": 5.0}}
        return {"seed": seed, "historical": year, "counterfactual": year, "first_difference": None}

    monkeypatch.setattr(paired_module, "run_pair", fake_pair)
    result = invoke("counterfactual", "no_kirov", "--seeds", "1-2", "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    provenance = json.loads(result.stdout)["provenance"]
    assert len(provenance["id"]) == len("20261204-221808-fac020")
    assert provenance["code"] == code_identity() and provenance["seeds"] == [1, 2]
    assert provenance["scenarios"]["base"] == scenario_source(load_scenario("historical"))
    assert provenance["scenarios"]["counterfactual"]["path"].endswith("no_kirov.toml")


def test_sensitivity_json_carries_provenance(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("SALib")
    from greatterror.calibration import simulator
    from greatterror.calibration.statistics import CALIBRATION_IDS

    def fake(self: object, parameters: dict[str, float]) -> dict[str, float]:
        return dict.fromkeys(CALIBRATION_IDS, parameters["names_acted_on"])

    monkeypatch.setattr(simulator.FitModel, "__call__", fake)
    result = invoke(
        "sensitivity", "historical", "--samples", "2", "--scale", SCALE, "--workers", "1", "--json"
    )
    assert result.exit_code == 0, result.output
    provenance = json.loads(result.stdout)["provenance"]
    assert provenance["version"] and provenance["code"] == code_identity()
    assert provenance["scenarios"]["scenario"] == scenario_source(load_scenario("historical"))
    assert provenance["seeds"] == [1] and provenance["scale"] == float(SCALE)


def test_simulate_records_the_overrides_as_given() -> None:
    """The path of calibration and the baseline (model/run.py): not every parameter as an
    override, and the switches given apart."""
    from greatterror.model.run import simulate

    summary = simulate(
        load_scenario("historical"), 0.0001, 1, {"names_acted_on": 0.1}, mechanisms={"M12": False}
    ).summary
    assert summary["overrides"] == {"names_acted_on": 0.1}
    assert summary["mechanism_overrides"] == {"denunciation": False}
    assert summary["parameters"]["names_acted_on"] == 0.1
