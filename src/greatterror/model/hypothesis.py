"""The ``[hypothesis]`` and ``[priors]`` tables of a scenario file.

A hypothesis scenario (``scenarios/hypotheses/``) expresses one of the
competing explanations H1-H7 of the project's reference on the seed texts
(shared/reference/seed_system.md, section 3) as configuration: which
mechanisms it rests on, which it denies, the priors of the parameters it
constrains, and where this version of the model cannot yet express it.
The tables are strictly typed so that a misspelt key is an error naming
the allowed keys, not a silently ignored line.

What can be checked from the file and the parameter declarations alone is
checked here, when the file is loaded. Whether the switches agree with the
hypothesis, and whether every mechanism it needs but the model lacks is
declared as a gap, depends on what the model implements; that is checked
in ``model/hypothesis_check.py``, before any run of the scenario.

The priors follow the format of the parameter declarations: a kind
(``uniform``, ``loguniform``, ``normal``, ``beta``) and its arguments, with
a note giving the prior's basis; or the kind ``declared`` without arguments, which takes the
parameter's prior from the data file (data/parameters.csv) when the file is read
(``declared_priors``): a scenario that must draw a parameter it has no prior of its own for
says so without copying the data file's. A scenario's prior is meant to replace the
declared prior of that parameter when the scenario is fitted:
``greatterror calibrate`` and ``greatterror sensitivity`` do so, and fit every
parameter given a prior here besides the declared free ones
(``calibration/problem.scenario_problem``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from greatterror.model.mechanisms import MECHANISMS
from greatterror.model.params import BY_NAME

BY_ID = {m.id: m for m in MECHANISMS}


class StrictTable(BaseModel):
    """A TOML table whose unknown keys are refused with the list of allowed ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _only_known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(cls.model_fields))
            if unknown:
                raise ValueError(
                    f"unknown key {unknown[0]!r}; allowed: {', '.join(cls.model_fields)}"
                )
        return data


def _check_ids(value: list[str]) -> list[str]:
    for mid in value:
        if mid not in BY_ID:
            raise ValueError(f"unknown mechanism {mid!r}; allowed: M01 to M30")
    if len(set(value)) != len(value):
        raise ValueError("a mechanism is listed twice")
    return value


class ScenarioPrior(StrictTable):
    """The prior of one parameter under this scenario, and why."""

    kind: Literal["uniform", "loguniform", "normal", "beta"]
    args: tuple[float, float]
    note: str = Field(min_length=1)

    def problem(self, low: float, high: float) -> str | None:
        """Why the prior is improper or leaves the range [low, high]; None when it is sound."""
        a, b = self.args
        if not (math.isfinite(a) and math.isfinite(b)):
            return "args must be finite numbers"
        if self.kind in ("uniform", "loguniform"):
            if not a < b:
                return f"{self.kind} needs args [A, B] with A < B, got {a:g} and {b:g}"
            if self.kind == "loguniform" and a <= 0:
                return f"loguniform needs A above 0, got {a:g}"
            if a < low or b > high:
                return f"support [{a:g}, {b:g}] leaves the parameter's range [{low:g}, {high:g}]"
        elif self.kind == "normal" and not b > 0:
            return f"normal needs args [MU, SIGMA] with SIGMA > 0, got {b:g}"
        elif self.kind == "beta" and not (a > 0 and b > 0):
            return f"beta needs args [ALPHA, BETA] both above 0, got {a:g} and {b:g}"
        return None

    def support(self, low: float, high: float) -> tuple[float, float]:
        """The interval the prior puts its mass on (normal and beta: the parameter's range)."""
        if self.kind in ("uniform", "loguniform"):
            return (self.args[0], self.args[1])
        return (low, high)

    def describe(self, low: float, high: float) -> str:
        a, b = self.args
        if self.kind == "normal":
            return f"normal({a:g}, {b:g}) in [{low:g}, {high:g}]"
        if self.kind == "beta":
            return f"beta({a:g}, {b:g}) on [{low:g}, {high:g}]"
        return f"{self.kind}({a:g}, {b:g})"


class Source(StrictTable):
    """An author or text the hypothesis comes from, with the passages that state it."""

    author: str = Field(min_length=1)
    work: str = Field(min_length=1)
    passages: str = Field(min_length=1, description="seed-text line references, e.g. F003:81")


class Departure(StrictTable):
    """A mechanism whose switch differs from the seed table's reading, and why."""

    mechanism: str
    on: bool
    reason: str = Field(min_length=1)

    @field_validator("mechanism")
    @classmethod
    def _known(cls, value: str) -> str:
        return _check_ids([value])[0]


class Gap(StrictTable):
    """Something the hypothesis needs that this version of the model cannot express."""

    mechanism: str
    what: str = Field(min_length=1)

    @field_validator("mechanism")
    @classmethod
    def _known(cls, value: str) -> str:
        return _check_ids([value])[0]


class Fingerprints(StrictTable):
    """What the hypothesis predicts that data could check (seed_system.md section 3)."""

    onset: str = Field(min_length=1, description="how and when the terror starts")
    stop: str = Field(min_length=1, description="how and why it stops")
    scale: str = Field(min_length=1, description="what sets its size")
    regional: str = Field(min_length=1, description="regional variation and over-fulfilment")
    targets: str = Field(min_length=1, description="who is targeted, and when")
    elite_vs_mass: str = Field(min_length=1, description="the elite's share against the mass's")
    innocents: str = Field(
        min_length=1, description="the share of those arrested who were innocent"
    )


class Hypothesis(StrictTable):
    """One competing explanation, as the scenario expresses it."""

    id: Literal["H1", "H1e", "H2", "H3", "H4", "H5", "H5b", "H6", "H7"]
    title: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    reference: str = Field(min_length=1, description="where seed_system.md states it")
    base: str = Field(min_length=1, description="why the scenario extends the base it extends")
    sources: list[Source] = Field(min_length=1)
    core: list[str] = Field(min_length=1)
    secondary: list[str] = Field(default_factory=list)
    #: the table's "–": absent from the hypothesis or denied by it
    absent: list[str] = Field(default_factory=list)
    departures: list[Departure] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    fingerprints: Fingerprints

    @field_validator("core", "secondary", "absent")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        return _check_ids(value)

    @model_validator(mode="after")
    def _disjoint(self) -> Hypothesis:
        lists = {"core": self.core, "secondary": self.secondary, "absent": self.absent}
        seen: dict[str, str] = {}
        for name, ids in lists.items():
            for mid in ids:
                if mid in seen:
                    raise ValueError(f"{name}: {mid} is also listed in {seen[mid]}")
                seen[mid] = name
        for i, dep in enumerate(self.departures):
            if dep.mechanism not in seen:
                raise ValueError(
                    f"departures[{i}].mechanism: {dep.mechanism} is not in core, secondary or absent"
                )
        return self

    def role(self, mid: str) -> str:
        """core, secondary, absent, or unaddressed (kept as in the base scenario)."""
        for name in ("core", "secondary", "absent"):
            if mid in getattr(self, name):
                return name
        return "unaddressed"

    def expected_switch(self, mid: str) -> bool | None:
        """The switch the hypothesis asks for; None where it leaves the base's setting."""
        for dep in self.departures:
            if dep.mechanism == mid:
                return dep.on
        role = self.role(mid)
        if role == "unaddressed":
            return None
        return role != "absent"


def check_priors(priors: Mapping[str, ScenarioPrior], values: Mapping[str, float]) -> None:
    """Each prior names a parameter, is proper, and contains the value the scenario runs with."""
    for name, prior in priors.items():
        spec = BY_NAME.get(name)
        if spec is None:
            raise ValueError(f"priors.{name}: unknown parameter; `greatterror params` lists them")
        problem = prior.problem(spec.low, spec.high)
        if problem:
            raise ValueError(f"priors.{name}: {problem}")
        low, high = prior.support(spec.low, spec.high)
        value = values[name]
        if not (low <= value <= high):
            raise ValueError(
                f"priors.{name}: the scenario runs with {value:g}, outside the prior's support "
                f"[{low:g}, {high:g}]; set parameters.{name} inside it"
            )


#: the kinds a ``[priors.NAME]`` table may give; ``declared`` is read as the data file's
PRIOR_TABLE_KINDS = ("uniform", "loguniform", "normal", "beta", "declared")


def declared_priors(raw: Any) -> Any:
    """The ``[priors]`` tables as written, each of kind ``declared`` given the data file's
    kind and arguments for its parameter.

    Why: a scenario that draws a parameter for which no text gives a number (the leader's
    thresholds under H3, H4, H5, H5b and H7) should draw it from the prior every other
    scenario uses, and a copy of that prior in each file could drift from the data file
    unseen. The prior is resolved when the file is read, so the scenario's content, and
    with it the digest that fits and comparisons store, is the same as with the prior
    written out."""
    if not isinstance(raw, Mapping):
        return raw
    return {
        name: _declared(str(name), table)
        if isinstance(table, Mapping) and table.get("kind") == "declared"
        else _known_kind(str(name), table)
        for name, table in raw.items()
    }


def _known_kind(name: str, table: Any) -> Any:
    kind = table.get("kind") if isinstance(table, Mapping) else None
    if isinstance(kind, str) and kind not in PRIOR_TABLE_KINDS:
        raise ValueError(
            f"{name}.kind: {kind!r} is not allowed; allowed values: "
            f"{', '.join(PRIOR_TABLE_KINDS)} (the data file's prior)"
        )
    return table


def _declared(name: str, table: Mapping[str, Any]) -> dict[str, Any]:
    if "args" in table:
        raise ValueError(
            f"{name}.args: the kind 'declared' takes the data file's arguments; leave args "
            "out, or give another kind with its args"
        )
    spec = BY_NAME.get(name)
    if spec is None:
        raise ValueError(f"{name}: unknown parameter; `greatterror params` lists them")
    if spec.prior.kind == "fixed":
        raise ValueError(
            f"{name}.kind: data/parameters.csv declares no prior for {name} (it is fixed); "
            "give a kind (uniform, loguniform, normal, beta) and its args"
        )
    return {**table, "kind": spec.prior.kind, "args": list(spec.prior.args)}
