"""Which parameters a sensitivity screen ranks: the free ones, or fixed ones over their priors.

A fit learns only the free parameters, but the outputs also rest on the fixed
ones, most of them stated priors without a source (data/parameters.csv, column
``basis``). Screening a fixed parameter over its declared prior says how much
the distance to the record would move if that missing figure were different:
it ranks the missing figures by their weight, not by what a fit could learn.

The selection of the unsourced priors reads the ``basis`` column, the only
place the data file says whether a value has a source: a basis that says
"no sourced value", "NOT FOUND", "a stated prior" or "a prior over an assumed
range" is unsourced, unless it opens by saying it is sourced ("Sourced, fixed",
"Prior with a sourced basis": such a basis may still say NOT FOUND of a detail,
as oso_exile_share does of the Special Board's split by year). Hypothesis switches and the parameters of other
scenarios' mechanisms ("a hypothesis setting", "a hypothesis parameter", "not
used in the historical scenario", "fitted for the endogenous scenario only")
are left out: they are not missing historical figures. So are the structural
switches (unit "switch", such as held_after_region_end): a switch chooses between
two encodings of the model, and a screen or a band that flips it 50/50 mixes them.
``settings()`` names both kinds. ``fixed_priors()`` is the one definition of the
"fixed-priors" set, the fixed parameters with a prior less the settings; every set
leaves the settings out and naming one is refused, in ``greatterror sensitivity
--parameters`` and in ``--vary`` (api/vary.py) alike. So are the parameters
of mechanisms the scenario switches off (the ``mechanism`` column against the
scenario's ``[mechanisms]`` table): there a parameter moves only the
simulation's seed, which is hashed from the parameter values as in a fit. A parameter
that acts under a scenario's structural setting rather than a mechanism switch
(``BY_SETTING``: the desk's capacity acts where ``centre_reading = "desk"``, some report
reaches the desk and something reads the threat it makes) follows that setting instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from greatterror.model.params import BY_NAME, FREE_PARAMETERS, PARAMETERS
from greatterror.model.scenario import Scenario

#: The named sets ``--parameters`` accepts besides a comma-separated list of names.
SETS = ("free", "fixed-priors", "unsourced")
#: A basis saying the value has no source (matched case-insensitively).
UNSOURCED = re.compile(
    r"no sourced value|no sourced bound|not found|a stated prior|a prior over an assumed range",
    re.IGNORECASE,
)
#: A basis that opens by saying the value is sourced.
SOURCED = re.compile(r"^\s*(sourced|prior with a sourced basis)", re.IGNORECASE)
#: A basis saying the parameter is a hypothesis switch or another scenario's mechanism.
NOT_A_FIGURE = re.compile(
    r"hypothesis setting|hypothesis parameter|not used in the historical scenario"
    r"|endogenous scenario only",
    re.IGNORECASE,
)


class ActsUnder:
    """Where a ``BY_SETTING`` parameter acts: the scenario's ``field`` is ``value``, one of
    the ``sources`` mechanisms is on (something reaches what it governs), and one of the
    ``readers`` mechanisms is on or the scenario's policy is one of ``policies`` (something
    reads what it makes)."""

    def __init__(
        self,
        field: str,
        value: str,
        sources: tuple[str, ...],
        readers: tuple[str, ...],
        policies: tuple[str, ...],
    ) -> None:
        self.field, self.value = field, value
        self.sources, self.readers, self.policies = sources, readers, policies

    def idle(self, off: Collection[str], structure: Mapping[str, str]) -> bool:
        """Whether the parameter moves only the seed in a scenario whose idle mechanisms are
        ``off`` and whose fields are ``structure`` (a missing policy counts as a reader)."""
        policy = structure.get("policy")
        read = policy is None or policy in self.policies or any(m not in off for m in self.readers)
        return (
            structure.get(self.field) != self.value
            or all(m in off for m in self.sources)
            or not read
        )


#: Parameters that act under a scenario's structural setting, not under their mechanism
#: column's switch. The desk's capacity is tagged M02 in data/parameters.csv, but the desk
#: reads M01's namings and M24's and M25's discoveries as well (model/centre_reading.py,
#: branch desk2), and the threat it makes is read by M03 (the arrest rate) and by the
#: leader's rule of an endogenous policy only (model/steps_policy.py, Perception; in a
#: scripted scenario with M03 off it is only written to the policy log): elsewhere it moves
#: only the seed (review24 F2: H1, H2 and H6 counted it).
BY_SETTING: dict[str, ActsUnder] = {
    "centre_reading_capacity": ActsUnder(
        "centre_reading", "desk", ("M01", "M02", "M24", "M25"), ("M03",), ("endogenous",)
    )
}


class ScreenSetError(ValueError):
    """A ``--parameters`` value names no set, an unknown parameter or one without a prior."""


def fixed_with_prior() -> tuple[str, ...]:
    """Every fixed parameter whose declared prior is a distribution (not 'fixed')."""
    return tuple(p.name for p in PARAMETERS if not p.free and p.prior.kind != "fixed")


def is_setting(name: str) -> bool:
    """Whether a parameter chooses the model rather than measures history: a hypothesis
    setting or another scenario's parameter (``NOT_A_FIGURE`` in its basis), or a switch."""
    p = BY_NAME[name]
    return p.unit == "switch" or NOT_A_FIGURE.search(p.basis) is not None


def settings() -> tuple[str, ...]:
    """The fixed parameters with a prior that are settings (``is_setting``), not figures."""
    return tuple(name for name in fixed_with_prior() if is_setting(name))


def fixed_priors() -> tuple[str, ...]:
    """The "fixed-priors" set: the fixed parameters with a prior that are not settings
    (``is_setting``), the missing or uncertain historical figures a screen or a draw moves."""
    return tuple(name for name in fixed_with_prior() if not is_setting(name))


def unsourced_priors(off: Collection[str] = ()) -> tuple[str, ...]:
    """The fixed parameters with a prior whose basis marks them unsourced (module docstring),
    leaving out those ``off`` leaves idle (``switched_off``): there they move nothing but the
    simulation's seed."""
    return tuple(
        name
        for name in fixed_with_prior()
        if UNSOURCED.search(BY_NAME[name].basis)
        and not SOURCED.search(BY_NAME[name].basis)
        and not is_setting(name)
        and acts(name, off)
    )


def acts(name: str, off: Collection[str]) -> bool:
    """Whether parameter ``name`` acts in a scenario whose idle ids are ``off``
    (``switched_off``): by its own name for a parameter of ``BY_SETTING``, otherwise by its
    mechanism column."""
    if name in BY_SETTING:
        return name not in off
    return BY_NAME[name].mechanism not in off


def switched_off(
    mechanisms: Mapping[str, bool], structure: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """What a scenario leaves idle: the ids of the mechanisms its ``[mechanisms]`` table (or
    their defaults) turn off, and the names of the ``BY_SETTING`` parameters idle under
    ``structure`` (the scenario's fields, ``scenario_structure``) and those mechanisms
    (``ActsUnder.idle``). Without ``structure`` none of those parameters is counted idle."""
    from greatterror.model.mechanisms import MECHANISMS

    off = [m.id for m in MECHANISMS if not mechanisms.get(m.switch, m.default)]
    if structure is not None:
        off.extend(name for name, where in BY_SETTING.items() if where.idle(off, structure))
    return tuple(off)


def scenario_structure(scenario: Scenario) -> dict[str, str]:
    """The scenario's fields that ``BY_SETTING`` reads: its reading of reports and its policy."""
    return {"centre_reading": scenario.centre_reading, "policy": scenario.policy}


def expand(
    spec: str,
    off: Collection[str] = (),
    *,
    field: str = "--parameters",
    sets: Collection[str] = SETS,
    fitted: Collection[str] = (),
    free: Sequence[str] = FREE_PARAMETERS,
) -> tuple[str, ...]:
    """The parameters a comma-separated ``spec`` names, each set of ``sets`` expanded in place.

    ``free`` is the scenario's free set (``problem.scenario_problem``: the declared free
    parameters plus those its ``[priors]`` table frees): "free" expands to it, and the sets of
    fixed parameters leave it out, so that "free,x" on a hypothesis screens the parameters
    its comparison draws, plus x (before 6 Dec 2026 it screened the 11 declared ones).

    Items are parameter names (each with a prior that is a distribution) or the named sets.
    ``fitted`` are parameters a fit learns: left out of a set's expansion, and refused when
    named (``--vary`` draws only fixed parameters; a fit's own uncertainty is its posterior).
    A setting (``is_setting``: a hypothesis switch or parameter, another scenario's
    parameter, a structural switch) is in no set and refused when named: a screen's design
    point or a run's draws must not mix hypotheses. Errors name ``field`` and the values it
    allows.
    """
    every: dict[str, tuple[str, ...]] = {
        "free": tuple(free),
        "fixed-priors": tuple(n for n in fixed_priors() if n not in free),
        "unsourced": tuple(n for n in unsourced_priors(off) if n not in free),
    }
    allowed = f"{', '.join(sets)}, or a comma-separated list of parameter names"
    items = [n.strip() for n in spec.split(",") if n.strip()]
    if not items:
        raise ScreenSetError(f"{field}: {spec!r} names nothing; allowed: {allowed}")
    names: list[str] = []
    for item in items:
        if item in sets:
            names.extend(n for n in every[item] if n not in fitted)
            continue
        if item in every:
            raise ScreenSetError(f"{field}: {item!r} is not allowed here; allowed: {allowed}")
        if item not in BY_NAME:
            raise ScreenSetError(
                f"{field}: {item!r} is not a parameter; allowed: {', '.join(sets)}, "
                "or names from `greatterror params`"
            )
        if item in fitted:
            raise ScreenSetError(
                f"{field}: {item!r} is a free parameter, fitted to the record; its uncertainty "
                f"is the posterior's (--posterior); allowed: {', '.join(sets)}, or fixed "
                "parameters with a prior"
            )
        if is_setting(item):
            raise ScreenSetError(
                f"{field}: {item!r} is a setting of the model (a hypothesis switch or parameter, "
                "another scenario's parameter, or a structural switch), not a missing "
                "historical figure; set it in the scenario or counterfactual instead; "
                f"allowed: {', '.join(sets)}, or fixed parameters with a prior that are not "
                "settings (`greatterror params`)"
            )
        if BY_NAME[item].prior.kind == "fixed":
            raise ScreenSetError(
                f"{field}: {item!r} has the prior 'fixed', so it has no prior range; "
                f"allowed: {', '.join(sets)}, or parameters with a prior (`greatterror params`)"
            )
        names.append(item)
    if len(set(names)) != len(names):
        raise ScreenSetError(f"{field}: {spec!r} names a parameter twice")
    return tuple(names)


def choose(
    spec: str, off: Collection[str] = (), free: Sequence[str] = FREE_PARAMETERS
) -> tuple[str, ...] | None:
    """The parameters ``spec`` names; None for 'free' alone (the scenario's own free set).

    ``spec`` is a comma-separated list whose items are parameter names (each with a prior
    that is a distribution) or the sets of SETS, expanded in place (``expand``): "unsourced,x"
    screens the unsourced priors and x, say a parameter of a switched-off mechanism as a
    control that moves only the seed. ``off`` are the mechanisms the scenario switches off,
    ``free`` the scenario's free parameters.
    """
    if spec.strip() == "free":
        return None
    names = expand(spec, off, free=free)
    if len(names) < 2:
        raise ScreenSetError(
            f"--parameters: {spec!r} names one parameter; a screen needs at least 2"
        )
    return names
