"""A hypothesis scenario checked against what this version of the model implements.

The file's own tables are checked when it is loaded (``model/hypothesis.py``).
What depends on the model is checked here, before any run of a hypothesis
scenario (``api/options.py``) and whenever the catalogue lists one:

- every implemented core or secondary mechanism is switched on and every
  absent one off, unless a departure says otherwise and why;
- a departure names a mechanism that has a switch to set;
- every core or secondary mechanism the model does not implement is declared
  as a gap, so that users see what the scenario cannot express;
- no prior is given for a parameter whose mechanism is switched off, since a
  fit would move it to no effect.

This module sits above the scenario loader, so that the source of "which
mechanisms are implemented" can change without the loader depending on it.
"""

from __future__ import annotations

from greatterror.model.components import mechanism_table, resolve_switches
from greatterror.model.mechanisms import BY_SWITCH, MECHANISMS
from greatterror.model.params import BY_NAME
from greatterror.model.scenario import Scenario, ScenarioError


def implemented_ids() -> frozenset[str]:
    """The M-ids this version implements, from the components' declarations (with
    ``switches_of``, the only places that ask the model)."""
    return frozenset(row.id for row in mechanism_table() if row.implemented)


def switches_of(scenario: Scenario) -> dict[str, bool]:
    """The switches a run of the scenario starts with: the defaults, then the file's."""
    return resolve_switches(scenario)


def _problem(scenario: Scenario) -> str | None:
    hyp = scenario.hypothesis
    if hyp is None:
        return None
    implemented = implemented_ids()
    switches = switches_of(scenario)
    for i, dep in enumerate(hyp.departures):
        if dep.mechanism not in implemented:
            return (
                f"hypothesis.departures[{i}].mechanism: {dep.mechanism} is not implemented, "
                f"so it has no switch to set"
            )
    gaps = {g.mechanism for g in hyp.gaps}
    for m in MECHANISMS:
        if m.id in (*hyp.core, *hyp.secondary) and m.id not in implemented and m.id not in gaps:
            return (
                f"hypothesis.gaps: {m.id} ({m.switch}) is needed but not implemented; "
                f"add a gap saying what is missing"
            )
        want = hyp.expected_switch(m.id)
        if m.id in implemented and want is not None and bool(switches[m.switch]) != want:
            state = "on" if want else "off"
            return (
                f"mechanisms.{m.switch}: {m.id} is {hyp.role(m.id)} in hypothesis {hyp.id}, "
                f"so it must be {state}; switch it {state} or add a departure with its reason"
            )
    by_id = {m.id: m for m in MECHANISMS}
    for name in scenario.priors:
        mech = by_id.get(BY_NAME[name].mechanism)
        if mech is not None and mech.switch in BY_SWITCH and not switches[mech.switch]:
            return (
                f"priors.{name}: its mechanism {mech.id} ({mech.switch}) is switched off "
                f"in this scenario; remove the prior or switch the mechanism on"
            )
    return None


def check_hypothesis(scenario: Scenario) -> Scenario:
    """The scenario, if its hypothesis agrees with the model; a ScenarioError naming the field."""
    problem = _problem(scenario)
    if problem:
        raise ScenarioError(f"{scenario.origin}: {problem}")
    return scenario
