"""The shipped hypothesis scenarios, found by id (``H1``) or by name (``h1_intentional``).

Each description is derived from the scenario file and the mechanism
registry, so that what ``greatterror hypotheses show`` prints is what a run
of the scenario uses: the switches after the file has been laid over its
base, the starting values of the parameters, and the gaps the file declares.
"""

from __future__ import annotations

from typing import Any

from greatterror.model.hypothesis_check import check_hypothesis, implemented_ids, switches_of
from greatterror.model.mechanisms import MECHANISMS
from greatterror.model.params import BY_NAME
from greatterror.model.scenario import Scenario, ScenarioError, load_scenario
from greatterror.paths import scenarios_dir

#: The folder of scenarios/ that holds the hypothesis scenarios.
FOLDER = "hypotheses"

#: Scenarios of the folder that check the comparison rather than explain the terror: H1e is
#: H1 with the centre's decisions taken by the leader's rule, to measure what H1 owes to
#: the record's dated decisions (docs/hypotheses.md). Listed and shown like the others, and
#: compared when named, but left out of a comparison that names none, which would otherwise
#: give one claim two shares of the prior.
CHECKS = ("H1e",)


def hypothesis_scenarios() -> list[Scenario]:
    """Every shipped hypothesis scenario, in the order of their ids."""
    out = []
    for path in sorted((scenarios_dir() / FOLDER).glob("*.toml")):
        scenario = check_hypothesis(load_scenario(f"{FOLDER}/{path.stem}"))
        if scenario.hypothesis is None:
            raise ScenarioError(
                f"{path.name}: hypothesis: missing; every file in {FOLDER}/ needs one"
            )
        out.append(scenario)
    return sorted(out, key=lambda s: s.hypothesis.id if s.hypothesis else "")


def explanations() -> list[Scenario]:
    """The hypothesis scenarios a comparison takes when none is named: all but the checks."""
    return [s for s in hypothesis_scenarios() if s.hypothesis and s.hypothesis.id not in CHECKS]


def find_hypothesis(key: str) -> Scenario:
    """A hypothesis scenario by id (``H1``, ``h1``), name or ``hypotheses/`` path."""
    wanted = key.strip().removeprefix(f"{FOLDER}/").lower()
    scenarios = hypothesis_scenarios()
    for scenario in scenarios:
        assert scenario.hypothesis is not None
        if wanted in (scenario.hypothesis.id.lower(), scenario.name):
            return scenario
    allowed = ", ".join(
        f"{s.hypothesis.id} ({s.name})" for s in scenarios if s.hypothesis is not None
    )
    raise ScenarioError(f"hypothesis: unknown hypothesis {key!r}; allowed: {allowed}")


def _mechanisms(scenario: Scenario) -> list[dict[str, Any]]:
    assert scenario.hypothesis is not None
    hyp, switches, done = scenario.hypothesis, switches_of(scenario), implemented_ids()
    departed = {d.mechanism for d in hyp.departures}
    rows = []
    for m in MECHANISMS:
        implemented = m.id in done
        rows.append(
            {
                "id": m.id,
                "switch": m.switch,
                "title": m.title,
                "role": hyp.role(m.id),
                "implemented": implemented,
                "on": bool(switches[m.switch]) if implemented else None,
                "departure": m.id in departed,
            }
        )
    return rows


def describe(scenario: Scenario) -> dict[str, Any]:
    """Everything ``hypotheses show`` reports about one hypothesis scenario, as plain data."""
    hyp = scenario.hypothesis
    if hyp is None:
        raise ScenarioError(f"{scenario.origin}: hypothesis: missing; not a hypothesis scenario")
    mechanisms = _mechanisms(scenario)
    values = scenario.parameter_values()
    priors = []
    for name, prior in scenario.priors.items():
        spec = BY_NAME[name]
        priors.append(
            {
                "parameter": name,
                "mechanism": spec.mechanism,
                "prior": prior.describe(spec.low, spec.high),
                "kind": prior.kind,
                "args": list(prior.args),
                "start": values[name],
                "note": prior.note,
            }
        )
    needed = [r for r in mechanisms if r["role"] in ("core", "secondary")]
    return {
        "id": hyp.id,
        "title": hyp.title,
        "scenario": f"{FOLDER}/{scenario.name}",
        "extends": scenario.extends,
        "policy": scenario.policy,
        "statement": hyp.statement,
        "reference": hyp.reference,
        "base": hyp.base,
        "sources": [s.model_dump() for s in hyp.sources],
        "mechanisms": {
            "core": list(hyp.core),
            "secondary": list(hyp.secondary),
            "absent": list(hyp.absent),
            "on": [r["id"] for r in mechanisms if r["on"] is True],
            "off": [r["id"] for r in mechanisms if r["on"] is False],
            "missing": [r["id"] for r in needed if not r["implemented"]],
            "table": mechanisms,
        },
        "departures": [d.model_dump() for d in hyp.departures],
        "gaps": [g.model_dump() for g in hyp.gaps],
        "priors": priors,
        "fingerprints": hyp.fingerprints.model_dump(),
    }
