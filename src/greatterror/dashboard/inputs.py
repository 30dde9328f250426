"""Inputs generated from the schemas: parameters (range, unit, basis) and mechanism switches.

Nothing here is written by hand per parameter: the rows come from
``model.params.PARAMETERS`` and ``model.mechanisms.MECHANISMS``, so a new
parameter appears on the page with its range and basis as soon as it is
declared. Values are checked with the same function the command line uses
(``params.coerce``), and a value out of range is shown with the message that
names the allowed values.
"""

from __future__ import annotations

import math
from functools import lru_cache

import solara

from greatterror.dashboard.engine import (
    SCALES,
    InputProblem,
    check_value,
    implemented_mechanisms,
    parameter_groups,
    shipped_scenarios,
)
from greatterror.dashboard.text import Prose
from greatterror.model.params import BY_NAME, Param


@lru_cache(maxsize=8)
def scenario_values(name: str) -> dict[str, float]:
    """The scenario's own parameter values (a fitted scenario differs from the defaults)."""
    from greatterror.model.scenario import load_scenario

    return dict(load_scenario(name).parameter_values())


@lru_cache(maxsize=8)
def scenario_switches(name: str) -> dict[str, bool]:
    from greatterror.model.components import resolve_switches
    from greatterror.model.scenario import load_scenario

    return resolve_switches(load_scenario(name))


#: positions of a slider; a slider moves in steps, the exact value is typed beside it
STEPS = 1000


def _logarithmic(spec: Param) -> bool:
    """A log-uniform prior gets a slider that moves in equal ratios, where its range allows."""
    return spec.prior.kind == "loguniform" and spec.low > 0


def position_of(spec: Param, value: float) -> int:
    """Where a value sits on its slider: on a log scale for log-uniform priors."""
    value = min(max(value, spec.low), spec.high)
    if spec.high == spec.low:
        return 0
    if _logarithmic(spec):
        share = math.log(value / spec.low) / math.log(spec.high / spec.low)
    else:
        share = (value - spec.low) / (spec.high - spec.low)
    return round(share * STEPS)


def value_at(spec: Param, position: int) -> float:
    share = position / STEPS
    if _logarithmic(spec):
        value = spec.low * (spec.high / spec.low) ** share
    else:
        value = spec.low + share * (spec.high - spec.low)
    value = float(f"{value:.4g}")  # a slider gives round numbers; the box takes any
    if spec.integer:
        value = float(round(value))
    return min(max(value, spec.low), spec.high)


def input_errors(scenario: str, pars: dict[str, float]) -> list[str]:
    errors = []
    for name, value in pars.items():
        try:
            check_value(name, value)
        except InputProblem as exc:
            errors.append(str(exc))
    if scenario not in shipped_scenarios():
        errors.append(f"scenario: {scenario!r} is not a shipped scenario")
    return errors


@solara.component
def ParameterRow(
    name: str, scenario: str, pars: solara.Reactive[dict[str, float]], disabled: bool
) -> None:
    spec = BY_NAME[name]
    base = scenario_values(scenario).get(name, spec.default)
    value = pars.value.get(name, base)

    def set_value(new: float | None) -> None:
        if new is None:
            return
        updated = dict(pars.value)
        if new == base:
            updated.pop(name, None)
        else:
            updated[name] = float(new)
        pars.value = updated

    position = position_of(spec, value)
    error = ""
    try:
        check_value(name, value)
    except InputProblem as exc:
        error = str(exc)
    with solara.Card(margin=0, elevation=0, classes=["gt-param"], style="padding: 4px 8px"):
        Prose(
            f"**{name}** ({spec.mechanism}): {spec.meaning}. Range {spec.low:g} to "
            f"{spec.high:g} {spec.unit}; basis: {spec.basis}."
        )
        solara.SliderInt(
            name,
            value=position,
            min=0,
            max=STEPS,
            on_value=lambda p: set_value(value_at(spec, p)) if p != position else None,
            disabled=disabled,
            thumb_label=False,
        )
        solara.InputFloat(
            f"{name} (exact value)",
            value=value,
            on_value=set_value,
            disabled=disabled,
            classes=[f"gt-input-{name}"],
            style="max-width: 16em",
        )
        if error:
            solara.Error(error, classes=["gt-input-error"])


@solara.component
def ParameterEditor(
    scenario: str, pars: solara.Reactive[dict[str, float]], disabled: bool = False
) -> None:
    groups = parameter_groups()
    labels = {
        key: f"{key}: {len(members)} parameter{'s' if len(members) > 1 else ''}"
        for key, members in groups.items()
    }
    chosen = solara.use_reactive(next(iter(labels.values())))
    changed = len(pars.value)
    Prose(
        f"Parameters ({sum(len(g) for g in groups.values())} in {len(groups)} groups, by "
        f"mechanism; {changed} changed from the scenario's values)."
    )
    solara.Select("parameter group", values=list(labels.values()), value=chosen)
    key = next(k for k, v in labels.items() if v == chosen.value)
    for spec in groups[key]:
        ParameterRow(spec.name, scenario, pars, disabled)
    if changed:
        solara.Button(
            "Reset all parameters", on_click=lambda: pars.set({}), text=True, disabled=disabled
        )


@solara.component
def MechanismSwitches(
    scenario: str, switches: solara.Reactive[dict[str, bool]], disabled: bool = False
) -> None:
    base = scenario_switches(scenario)
    Prose("Mechanisms (M-ids of the seed texts); switching one off removes it.")
    for m in implemented_mechanisms():
        on = switches.value.get(m.id, base.get(m.switch, True))

        def flip(new: bool, mid: str = m.id, default: bool = base.get(m.switch, True)) -> None:
            updated = dict(switches.value)
            if new == default:
                updated.pop(mid, None)
            else:
                updated[mid] = new
            switches.value = updated

        solara.Switch(
            label=f"{m.id} {m.switch}: {m.title}",
            value=on,
            on_value=flip,
            disabled=disabled,
        )


@solara.component
def ScaleAndSeed(
    scale: solara.Reactive[str], seed: solara.Reactive[int], disabled: bool = False
) -> None:
    with solara.Row(style="align-items: center"):
        Prose("Scale (simulated share of the population):")
        solara.ToggleButtonsSingle(value=scale, values=list(SCALES))
        solara.InputInt("seed", value=seed, disabled=disabled, style="max-width: 10em")


@solara.component
def ScenarioPicker(scenario: solara.Reactive[str], disabled: bool = False) -> None:
    solara.Select("scenario", values=shipped_scenarios(), value=scenario, disabled=disabled)
