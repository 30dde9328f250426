"""The hypothesis scenarios H1-H7, the variant H5b and the check H1e: loading, strict metadata, the
CLI, and runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import greatterror as gt
from greatterror.cli.app import app
from greatterror.model.hypothesis_catalog import describe, find_hypothesis, hypothesis_scenarios
from greatterror.model.hypothesis_check import check_hypothesis, implemented_ids, switches_of
from greatterror.model.mechanisms import BY_SWITCH, MECHANISMS
from greatterror.model.scenario import Event, ScenarioError, load_scenario
from greatterror.paths import scenarios_dir

runner = CliRunner()
IDS = ["H1", "H1e", "H2", "H3", "H4", "H5", "H5b", "H6", "H7"]
NAMES = [
    "h1_intentional",
    "h1e_intentional_rule",
    "h2_bureaucratic",
    "h3_misperception_cascade",
    "h4_weak_centre",
    "h5_fifth_column",
    "h5b_penetrated_nkvd",
    "h6_kirov_pretext",
    "h7_besieged_city",
]
IMPLEMENTED = implemented_ids()


def test_all_nine_load_with_their_mechanism_sets() -> None:
    scenarios = hypothesis_scenarios()
    assert [s.hypothesis.id for s in scenarios if s.hypothesis] == IDS
    assert [s.name for s in scenarios] == NAMES
    for s in scenarios:
        hyp = s.hypothesis
        assert hyp is not None
        assert s.extends in ("historical", "endogenous", "hypotheses/h5_fifth_column")
        switches = switches_of(s)
        departed = {d.mechanism: d.on for d in hyp.departures}
        for m in MECHANISMS:
            if m.id not in IMPLEMENTED:
                continue
            expected = departed.get(m.id)
            if expected is None and m.id in (*hyp.core, *hyp.secondary):
                expected = True
            if expected is None and m.id in hyp.absent:
                expected = False
            if expected is not None:
                assert switches[m.switch] is expected, (s.name, m.id)
        # every mechanism the hypothesis needs and the model lacks is declared as a gap
        needed = {m for m in (*hyp.core, *hyp.secondary) if m not in IMPLEMENTED}
        assert needed <= {g.mechanism for g in hyp.gaps}, s.name
        # every prior holds the value a run starts from
        values = s.parameter_values()
        for name, prior in s.priors.items():
            low, high = prior.args if prior.kind in ("uniform", "loguniform") else (0, 1e99)
            assert low <= values[name] <= high, (s.name, name)


def test_table_choices_the_docs_rely_on() -> None:
    """The switches docs/hypotheses.md describes: limits off under H3, H4 and H5; under H3
    and H4 the regions' requests are granted as asked, under H1 the centre's rule decides."""
    by_id = {s.hypothesis.id: s for s in hypothesis_scenarios() if s.hypothesis}
    assert switches_of(by_id["H4"])["limits_and_throughput"] is False
    assert switches_of(by_id["H5"])["limits_and_throughput"] is False
    assert switches_of(by_id["H5"])["amalgam_trials"] is False
    assert switches_of(by_id["H3"])["limits_and_throughput"] is False
    assert switches_of(by_id["H1"])["limits_and_throughput"] is True
    for h in ("H3", "H4"):
        assert by_id[h].parameter_values()["requests_granted_as_asked"] == 1.0
    assert by_id["H1"].parameter_values()["requests_granted_as_asked"] == 0.0
    assert by_id["H1"].policy == "scripted" and by_id["H3"].policy == "endogenous"

    # a scripted hypothesis keeps every dated event of the record
    def key(e: Event) -> tuple[Any, ...]:
        return (e.date, e.action, e.evidence, e.operation or "")

    record = sorted(load_scenario("historical").events, key=key)
    assert sorted(by_id["H1"].events, key=key) == record


@pytest.mark.parametrize(
    "name", ["hypotheses/h1_intentional", "h1_intentional", "hypotheses/h1_intentional"]
)
def test_loader_accepts_folder_and_bare_names(name: str) -> None:
    assert load_scenario(name).name == "h1_intentional"


def test_loader_lists_hypotheses_when_the_name_is_unknown() -> None:
    with pytest.raises(ScenarioError, match="hypotheses/h7_besieged_city"):
        load_scenario("h8_nothing")


def test_find_by_id_or_name() -> None:
    assert find_hypothesis("h3").name == "h3_misperception_cascade"
    assert find_hypothesis("H3").name == "h3_misperception_cascade"
    assert find_hypothesis("hypotheses/h4_weak_centre").hypothesis.id == "H4"  # type: ignore[union-attr]
    with pytest.raises(ScenarioError, match=r"allowed: H1 \(h1_intentional\)"):
        find_hypothesis("H9")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (scenarios_dir() / "hypotheses" / "h1_intentional.toml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "h1_variant.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'id = "H1"',
            'id = "H1"\nclaim = "x"',
            "hypothesis: unknown key 'claim'; allowed: id, title, statement",
        ),
        (
            'onset = "',
            'start = "x"\nonset = "',
            "hypothesis.fingerprints: unknown key 'start'; allowed: onset, stop, scale",
        ),
        ('id = "H1"', 'id = "H8"', "hypothesis.id: 'H8' is not allowed; allowed values: H1"),
        (
            'core = ["M04"',
            'core = ["M99", "M04"',
            "hypothesis.core: unknown mechanism 'M99'; allowed: M01 to M30",
        ),
        (
            'secondary = ["M05"',
            'secondary = ["M04", "M05"',
            "hypothesis.secondary: M04 is also listed in core",
        ),
        (
            'kind = "loguniform"\nargs = [1e-6, 1e-4]',
            'kind = "lognormal"\nargs = [1e-6, 1e-4]',
            "priors.denunciation_rate.kind: 'lognormal' is not allowed; allowed values: uniform",
        ),
        (
            'kind = "loguniform"\nargs = [1e-6, 1e-4]',
            'kind = "declared"\nargs = [1e-6, 1e-4]',
            "priors.denunciation_rate.args: the kind 'declared' takes the data file's arguments",
        ),
        (
            '[priors.denunciation_rate]\nkind = "loguniform"\nargs = [1e-6, 1e-4]',
            '[priors.no_such_rate]\nkind = "declared"',
            "priors.no_such_rate: unknown parameter; `greatterror params` lists them",
        ),
        (
            "args = [1e-6, 1e-4]",
            "args = [1e-6, 1e-4]\nbasis = 'x'",
            "priors.denunciation_rate: unknown key 'basis'; allowed: kind, args, note",
        ),
        (
            "args = [0.0, 1.5]",
            "args = [0.0, 9.0]",
            "priors.names_per_confession: support [0, 9] leaves the parameter's range [0, 5]",
        ),
        (
            "args = [1e-6, 1e-4]",
            "args = [1e-6, 1e-5]",
            "priors.denunciation_rate: the scenario runs with 4.7673e-05, outside the prior's support",
        ),
        (
            "threat_perception = false",
            "threat_perception = true",
            "mechanisms.threat_perception: M01 is absent in hypothesis H1, so it must be off",
        ),
        (
            "leader_vengeance = true",
            "leader_vengeance = false",
            "mechanisms.leader_vengeance: M27 is core in hypothesis H1, so it must be on",
        ),
        (
            'mechanism = "M23"\non = true',
            'mechanism = "M29"\non = true',
            "hypothesis.departures[0].mechanism: M29 is not in core, secondary or absent",
        ),
    ],
)
def test_bad_hypothesis_files_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    # the file's own tables are checked on loading; its agreement with the model before a run
    with pytest.raises(ScenarioError) as err:
        check_hypothesis(load_scenario(_variant(tmp_path, old, new)))
    assert message in str(err.value)
    assert str(err.value).startswith("h1_variant.toml: ")


def test_a_needed_mechanism_the_model_lacks_must_be_a_gap(monkeypatch) -> None:
    """Every mechanism is implemented now; were one not, a hypothesis needing it must say so."""
    from greatterror.model import hypothesis_check

    lacking = hypothesis_check.implemented_ids() - {"M27"}
    monkeypatch.setattr(hypothesis_check, "implemented_ids", lambda: lacking)
    with pytest.raises(
        ScenarioError, match=r"hypothesis\.gaps: M27 \(leader_vengeance\) is needed"
    ):
        check_hypothesis(load_scenario("hypotheses/h1_intentional"))


def test_a_run_of_an_inconsistent_hypothesis_is_refused_before_any_work(tmp_path: Path) -> None:
    path = _variant(tmp_path, "threat_perception = false", "threat_perception = true")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--scale", "0.0001", "--out", str(out)])
    assert result.exit_code == 2
    assert "mechanisms.threat_perception: M01 is absent in hypothesis H1" in " ".join(
        result.output.split()
    )
    assert not out.exists()
    with pytest.raises(gt.SimError, match="M01 is absent"):
        gt.Sim(str(path), scale=0.0001)


def test_a_prior_on_a_switched_off_mechanism_is_refused(tmp_path: Path) -> None:
    text = (scenarios_dir() / "hypotheses" / "h2_bureaucratic.toml").read_text(encoding="utf-8")
    prior = '[priors.denunciation_rate]\nkind = "uniform"\nargs = [0.0, 1e-4]\nnote = "x"\n\n'
    path = tmp_path / "h2.toml"
    path.write_text(text.replace("[hypothesis]\n", prior + "[hypothesis]\n", 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"priors\.denunciation_rate: its mechanism M12"):
        check_hypothesis(load_scenario(path))


def test_a_variant_of_a_hypothesis_keeps_priors_not_the_claim(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(
        'name = "v"\ndescription = "H4 with central limits, to see the gap"\n'
        'extends = "hypotheses/h4_weak_centre"\n[mechanisms]\nlimits_and_throughput = true\n',
        encoding="utf-8",
    )
    variant = load_scenario(path)
    assert variant.hypothesis is None
    assert variant.priors == find_hypothesis("H4").priors
    assert switches_of(variant)["limits_and_throughput"] is True


def test_describe_reports_missing_mechanisms_and_priors() -> None:
    info = describe(find_hypothesis("H5"))
    assert info["scenario"] == "hypotheses/h5_fifth_column"
    assert info["mechanisms"]["missing"] == []  # every mechanism is implemented
    assert "M07" in info["mechanisms"]["off"] and "M01" in info["mechanisms"]["on"]
    assert "M24" in info["mechanisms"]["on"]
    assert {g["mechanism"] for g in info["gaps"]} >= {"M07", "M16"}
    size = next(p for p in info["priors"] if p["parameter"] == "conspirators_elite")
    assert size["prior"] == "uniform(500, 5000)" and size["start"] == 2000
    prior = next(p for p in info["priors"] if p["parameter"] == "names_per_confession")
    assert prior["prior"] == "uniform(0, 1)" and prior["note"]
    assert set(info["fingerprints"]) == {
        "onset",
        "stop",
        "scale",
        "regional",
        "targets",
        "elite_vs_mass",
        "innocents",
    }


def test_cli_list_json_lists_h1_to_h7_and_the_variants() -> None:
    result = runner.invoke(app, ["hypotheses", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == IDS
    assert all(r["statement"] and r["sources"] and r["fingerprints"] for r in rows)
    table = runner.invoke(app, ["hypotheses", "list"])
    assert table.exit_code == 0 and "H7" in table.output


@pytest.mark.parametrize("key", ["H3", "h3_misperception_cascade"])
def test_cli_show(key: str) -> None:
    result = runner.invoke(app, ["hypotheses", "show", key, "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["id"] == "H3" and info["extends"] == "endogenous"
    assert any(g["mechanism"] == "M15" for g in info["gaps"])
    text = runner.invoke(app, ["hypotheses", "show", key])
    assert text.exit_code == 0, text.output
    flat = " ".join(text.output.split())
    assert "Predicted fingerprints" in flat and "cannot express" in flat
    assert "not implemented" not in flat  # every mechanism H3 needs is implemented


def test_cli_show_unknown_is_a_clean_error() -> None:
    result = runner.invoke(app, ["hypotheses", "show", "H9"])
    assert result.exit_code == 2
    assert "hypothesis: unknown hypothesis 'H9'; allowed: H1 (h1_intentional)" in " ".join(
        result.output.split()
    )


def test_every_shipped_scenario_is_package_data() -> None:
    """The package-data globs of pyproject.toml reach every scenario file, so a wheel ships them."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    package = root / "src" / "greatterror"
    shipped = {
        path
        for pattern in pyproject["tool"]["setuptools"]["package-data"]["greatterror"]
        for path in package.glob(pattern)
    }
    for path in (package / "scenarios").rglob("*.toml"):
        assert path in shipped, path.relative_to(package)


def test_switch_names_in_the_files_are_real() -> None:
    for path in (scenarios_dir() / "hypotheses").glob("*.toml"):
        import tomllib

        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(raw.get("mechanisms", {})) <= set(BY_SWITCH), path.name


def _final_00447(sim: gt.Sim) -> float:
    return float(sim.results.targets.set_index("id").loc["G3-final-conv", "simulated"])


def test_runs_at_one_in_ten_thousand(tmp_path: Path) -> None:
    """H1 through the API and H4 through the CLI, as the README's tour runs them."""
    pop = gt.Population.build(scale=0.0001, seed=1)
    h1 = gt.Sim("hypotheses/h1_intentional", population=pop, seed=1).run()
    assert h1.results.summary["mechanisms"]["threat_perception"] is False
    assert _final_00447(h1) > 0  # Order 00447 runs under H1
    # with central limits (M16) off, Order 00447 still starts: no ceiling, not no operation
    no_limits = gt.Sim(
        "hypotheses/h1_intentional", population=pop, seed=1, mechanisms={"M16": False}
    ).run(until="1937-09-01")
    assert h1.results.summary["operations"]["kulak_00447"]["arrested"] > 0
    assert "kulak_00447" in no_limits.engine.policy.operations

    out = tmp_path / "h4"
    # at 1:10,000 H4's chiefs read no surge from three sampled denunciations at its file's
    # values (model/regional_surge.py, docs/hypotheses.md): denunciations at the top of its
    # prior and the guard at one case, so that the regions start the operation
    surge = ["--set", "denunciation_rate=0.005", "--set", "regional_surge_min_cases=1"]
    result = runner.invoke(
        app,
        ["run", "hypotheses/h4_weak_centre", "--scale", "0.0001", "--out", str(out), *surge],
    )
    assert result.exit_code == 0, result.output
    written = json.loads((out / "summary.json").read_text())
    assert written["scenario"] == "h4_weak_centre"
    assert written["mechanisms"]["limits_and_throughput"] is False
    # H4's mass operation, set by the regions' requests (docs/hypotheses.md)
    assert written["operations"]["kulak_00447"]["arrested"] > 0
    # every answer is as asked (a request still pending at the halt has no answer)
    asked = written["limit_requests"]
    assert asked["by_kind"]["as_asked"] == asked["approvals"] > 0 and asked["refusals"] == 0


#: Every shipped hypothesis scenario, as `greatterror hypotheses list --json` gives them (its
#: rows are ``describe`` of these; test_cli_list_json_lists_h1_to_h7_and_the_variants holds the
#: list to IDS).
SHIPPED = [(row["id"], row["scenario"]) for row in map(describe, hypothesis_scenarios())]


@pytest.mark.parametrize(("hid", "scenario"), SHIPPED, ids=[h for h, _ in SHIPPED])
def test_each_shipped_hypothesis_runs_with_greatterror_run(
    tmp_path: Path, hid: str, scenario: str
) -> None:
    """Issue 10: each hypothesis scenario runs with `greatterror run`, as a user calls it, at
    1:10,000 (about 10 s of CPU each once compiled), and writes its summary under its own
    name with its own switches and parameter values; a file the loader accepts but the run
    cannot carry fails here."""
    out = tmp_path / hid
    result = runner.invoke(app, ["run", scenario, "--scale", "0.0001", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "summary.json").read_text())
    assert written["scenario"] == scenario.split("/")[-1]
    assert written["scale"] == 0.0001
    loaded = load_scenario(scenario)
    switches = switches_of(loaded)
    assert {k: written["mechanisms"][k] for k in switches} == switches
    # and its own parameter values (review33 F11: a run that kept the switches but dropped the
    # hypothesis's parameters would pass the checks above)
    assert loaded.parameters, f"{hid} sets no parameter: nothing checked"
    assert {k: written["parameters"][k] for k in loaded.parameters} == loaded.parameters


#: The leader's rule's parameters that every hypothesis deciding by the rule draws from the data
#: file's prior (docs/hypotheses.md, "The leader's thresholds drawn per hypothesis").
LEADER_DRAWN = (
    "leader_expand_threshold",
    "leader_methods_threshold",
    "leader_mass_threshold",
    "leader_national_threshold",
    "leader_min_operation_days",
)


@pytest.mark.parametrize(
    "scenario",
    [
        "hypotheses/h3_misperception_cascade",
        "hypotheses/h4_weak_centre",
        "hypotheses/h5_fifth_column",
        "hypotheses/h5b_penetrated_nkvd",
        "hypotheses/h7_besieged_city",
    ],
)
def test_the_leader_s_thresholds_are_drawn_from_the_data_file_s_prior(scenario: str) -> None:
    """The five scenarios draw each from the data file's prior: their files say ``declared``
    rather than copying it, so the hypotheses cannot come to hold different priors for the
    same unknown, and a fit or comparison draws them."""
    import tomllib

    from greatterror.calibration.compare import hypothesis_priors
    from greatterror.model.params import BY_NAME

    raw = tomllib.loads((scenarios_dir() / f"{scenario}.toml").read_text(encoding="utf-8"))
    written = raw.get("priors", {})

    names, priors = hypothesis_priors(scenario)
    drawn = dict(zip(names, priors, strict=True))
    # H7 has no prior of its own on the weight of cost either (H3, H4 and H5 have theirs)
    own = ("leader_cost_weight",) if scenario.endswith("h7_besieged_city") else ()
    for name in (*LEADER_DRAWN, *own):
        declared = BY_NAME[name].prior
        assert (drawn[name].kind, drawn[name].args) == (declared.kind, declared.args), name
        # H5b extends H5 and takes its priors from it
        if not scenario.endswith("h5b_penetrated_nkvd"):
            assert written[name] == {"kind": "declared", "note": written[name]["note"]}, name


def test_a_declared_prior_is_the_data_file_s_and_keeps_the_scenario_s_digest(
    tmp_path: Path,
) -> None:
    """``kind = "declared"`` reads as the data file's prior written out: the same scenario
    content, so the same digest as the copy a fit or comparison would have stored."""
    from greatterror.calibration.problem import scenario_digest
    from greatterror.model.params import BY_NAME

    spec = BY_NAME["denunciation_rate"].prior
    copied = _variant(
        tmp_path,
        'kind = "loguniform"\nargs = [1e-6, 1e-4]',
        f'kind = "{spec.kind}"\nargs = [{spec.args[0]!r}, {spec.args[1]!r}]',
    )
    text = copied.read_text(encoding="utf-8")
    declared = tmp_path / "h1_declared.toml"
    declared.write_text(
        text.replace(
            f'kind = "{spec.kind}"\nargs = [{spec.args[0]!r}, {spec.args[1]!r}]',
            'kind = "declared"',
        ),
        encoding="utf-8",
    )
    assert declared.read_text(encoding="utf-8") != text
    a, b = load_scenario(copied), load_scenario(declared)
    assert (b.priors["denunciation_rate"].kind, b.priors["denunciation_rate"].args) == (
        spec.kind,
        spec.args,
    )
    assert b.priors == a.priors
    assert scenario_digest(b, ()) == scenario_digest(a, ())


def test_a_declared_prior_needs_one_in_the_data_file(tmp_path: Path, monkeypatch) -> None:
    from greatterror.model.params import BY_NAME
    from greatterror.model.priors import Prior

    spec = BY_NAME["denunciation_rate"]
    fixed = spec.model_copy(
        update={"prior": Prior(kind="fixed", args=(), low=spec.low, high=spec.high)}
    )
    monkeypatch.setitem(BY_NAME, "denunciation_rate", fixed)
    path = _variant(tmp_path, 'kind = "loguniform"\nargs = [1e-6, 1e-4]', 'kind = "declared"')
    with pytest.raises(ScenarioError, match=r"priors\.denunciation_rate\.kind: data/parameters"):
        load_scenario(path)
