"""H1e, H1 under the leader's rule: it differs from H1 only where its file says (the base, and
the plan mode with its own parameters, issue 10), and the comparison takes it when named
(review13 objection 1: the timeline-as-input confound)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from typer.testing import CliRunner

import greatterror as gt
from greatterror.cli.app import app
from greatterror.cli.compare_hypotheses import _resolve
from greatterror.model.hypothesis_catalog import CHECKS, find_hypothesis, hypothesis_scenarios
from greatterror.model.hypothesis_check import switches_of
from greatterror.model.leader_plan import PARAMS as PLAN_PARAMS
from greatterror.model.params import BY_NAME
from greatterror.model.scenario import POLICY_ACTIONS, load_scenario
from greatterror.paths import scenarios_dir

runner = CliRunner()


def _raw(name: str) -> dict[str, Any]:
    path = scenarios_dir() / "hypotheses" / f"{name}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


#: The plan's parameters (model/leader_plan.py): H1e's own, which H1 takes from the record.
PLAN = set(PLAN_PARAMS)


def _not_plan(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if k not in PLAN}


def test_h1e_is_h1_extending_endogenous() -> None:
    h1, h1e = _raw("h1_intentional"), _raw("h1e_intentional_rule")
    assert (h1["extends"], h1e["extends"]) == ("historical", "endogenous")
    assert h1e["mechanisms"] == h1["mechanisms"]
    for table in ("parameters", "priors"):
        assert _not_plan(h1e[table]) == h1[table], table
    # the centre acts on its plan, and every parameter of the plan but the switch has a prior
    assert h1e["parameters"]["centre_plan"] == 1
    assert set(h1e["priors"]) - set(h1["priors"]) == PLAN - {"centre_plan"}
    # the claim, sources, roles, departures and fingerprints are H1's; id, title, base and the
    # gap on the centre's decisions say what is different
    same = {k: v for k, v in h1["hypothesis"].items() if k not in ("id", "title", "base", "gaps")}
    assert {k: h1e["hypothesis"][k] for k in same} == same
    assert h1e["hypothesis"]["id"] == "H1e"
    assert "not a new explanation" in h1e["hypothesis"]["base"]
    assert [g["mechanism"] for g in h1e["hypothesis"]["gaps"]] == ["M16"]


def test_h1e_loaded_differs_only_in_policy_and_the_rule_thresholds() -> None:
    h1, h1e = find_hypothesis("H1"), find_hypothesis("h1e_intentional_rule")
    assert switches_of(h1e) == switches_of(h1)
    assert (h1.policy, h1e.policy) == ("scripted", "endogenous")
    assert _not_plan(h1e.priors) == h1.priors
    a, b = h1.parameter_values(), h1e.parameter_values()
    differing = {k for k in a if a[k] != b[k]}
    assert differing <= set(_raw("../endogenous")["parameters"]) | PLAN, differing
    # the plan starts at its priors' medians, which are the declared defaults
    for name in PLAN - {"centre_plan"}:
        prior = h1e.priors[name]
        lo, hi = prior.args
        median = (lo + hi) / 2 if prior.kind == "uniform" else (lo * hi) ** 0.5
        assert b[name] == pytest.approx(median, rel=0.01), name
        assert b[name] == BY_NAME[name].default, name
    # the dated decisions of the record are not inputs of H1e; the exogenous events are the
    # endogenous scenario's
    assert not any(e.action in POLICY_ACTIONS for e in h1e.events)
    assert h1e.events == load_scenario("endogenous").events


def test_compare_takes_h1e_when_named_and_not_by_default() -> None:
    scenarios, labels = _resolve(["H1", "H1e"])
    assert labels == ("H1", "H1e")
    assert scenarios == ("hypotheses/h1_intentional", "hypotheses/h1e_intentional_rule")
    _, default = _resolve([])
    everything = [s.hypothesis.id for s in hypothesis_scenarios() if s.hypothesis]
    assert list(default) == [h for h in everything if h not in CHECKS]
    assert "H1e" in everything and "H1e" not in default


def test_cli_lists_and_shows_h1e() -> None:
    listed = runner.invoke(app, ["hypotheses", "list"])
    assert listed.exit_code == 0 and "H1e" in listed.output
    shown = runner.invoke(app, ["hypotheses", "show", "H1e"])
    assert shown.exit_code == 0, shown.output
    assert "endogenous" in shown.output


def test_h1e_runs_at_one_in_ten_thousand() -> None:
    pop = gt.Population.build(scale=0.0001, seed=1)
    sim = gt.Sim("hypotheses/h1e_intentional_rule", population=pop, seed=1).run()
    summary = sim.results.summary
    assert summary["scenario"] == "h1e_intentional_rule"
    assert summary["policy_mode"] == "endogenous"
    assert summary["mechanisms"] == switches_of(find_hypothesis("H1"))
    # every decision of the centre is the rule's, in its plan mode, at the plan's starting values
    assert all(d["by"] == "leader_plan" for d in summary["policy"])
    launches = [d["date"] for d in summary["policy"] if d["detail"] == "kulak_00447"]
    assert launches == ["1938-04-02"]
    assert summary["yearly"]["1937"]["arrested"] > 0
