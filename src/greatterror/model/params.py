"""Every model parameter, declared once in data/parameters.csv and checked here.

The file gives each parameter's default, allowed range, unit, prior, basis,
meaning, mechanism, whether it is a whole number, and whether the historical
fit treats it as free. Keeping the declarations as data means the list of
free parameters, the priors handed to pyabc, optuna and SALib, and the table
in docs/ODD.md all come from one place and cannot drift apart.

Scenario files and ``--set`` only ever *override* these declarations; an
unknown name, a wrong type or a value out of range is refused with the
allowed range, before anything runs or is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from greatterror.errors import GreatterrorError
from greatterror.evidence.csvrows import read_rows
from greatterror.evidence.errors import DataFileError
from greatterror.model.priors import Prior, PriorKind
from greatterror.paths import data_dir

PARAMETERS_FILE = "parameters.csv"


class ParameterError(GreatterrorError, ValueError):
    """A parameter override is invalid; the message names the field and the allowed values."""


class ParamRow(BaseModel):
    """One row of data/parameters.csv as written: ``prior_args`` is space-separated numbers."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    default: float
    low: float
    high: float
    unit: str
    prior: PriorKind
    prior_args: str | None = None
    free: bool
    integer: bool
    mechanism: str = Field(pattern=r"^(M\d\d|Gulag)$")
    basis: str
    meaning: str


class Param(BaseModel):
    """A parameter's declaration; ``prior`` is truncated to [low, high]."""

    model_config = ConfigDict(frozen=True)
    name: str
    default: float
    low: float
    high: float
    unit: str
    basis: str
    meaning: str
    mechanism: str
    prior: Prior
    integer: bool = False
    free: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Param:
        if not self.low <= self.default <= self.high:
            raise ValueError(
                f"default: {self.default:g} lies outside the range [{self.low:g}, {self.high:g}]"
            )
        if self.integer and not float(self.default).is_integer():
            raise ValueError(f"default: {self.default:g} is not a whole number")
        problem = self.prior.problem()
        if problem:
            raise ValueError(f"prior: {problem}")
        if self.free and self.prior.kind == "fixed":
            raise ValueError("free: a free parameter needs a prior other than 'fixed'")
        return self

    @classmethod
    def from_row(cls, row: ParamRow) -> Param:
        try:
            args = tuple(float(a) for a in (row.prior_args or "").split())
        except ValueError:
            raise ValueError(
                f"prior_args: expected numbers separated by spaces, got {row.prior_args!r}"
            ) from None
        prior = Prior(kind=row.prior, args=args, low=row.low, high=row.high)
        fields = row.model_dump(exclude={"prior", "prior_args"})
        return cls(**fields, prior=prior)


def load_parameters(path: Path | None = None) -> tuple[Param, ...]:
    """Read and check the declarations; a bad row raises DataFileError naming line and field."""
    path = path or data_dir() / PARAMETERS_FILE
    params: list[Param] = []
    seen: set[str] = set()
    for line, row in read_rows(path, ParamRow):
        try:
            param = Param.from_row(row)
        except ValidationError as exc:
            message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            field, _, problem = message.partition(": ")
            raise DataFileError(path.name, line, field, problem) from None
        except ValueError as exc:  # prior_args that are not numbers
            field, _, problem = str(exc).partition(": ")
            raise DataFileError(path.name, line, field, problem) from None
        if param.name in seen:
            raise DataFileError(path.name, line, "name", f"{param.name!r} is declared twice")
        seen.add(param.name)
        params.append(param)
    return tuple(params)


PARAMETERS: tuple[Param, ...] = load_parameters()
BY_NAME: dict[str, Param] = {p.name: p for p in PARAMETERS}
#: The parameters the historical fit varies, in file order.
FREE_PARAMETERS: tuple[str, ...] = tuple(p.name for p in PARAMETERS if p.free)


def coerce(name: str, raw: Any) -> float:
    """Check one override against its declaration; return the typed value."""
    spec = BY_NAME.get(name)
    if spec is None:
        close = [n for n in BY_NAME if n.split("_")[0] == name.split("_")[0]][:5]
        hint = f"; similar: {', '.join(close)}" if close else ""
        raise ParameterError(
            f"{name}: unknown parameter{hint}; `greatterror params` lists them all"
        )
    if isinstance(raw, bool):
        raise ParameterError(
            f"{name}: expected a number in [{spec.low:g}, {spec.high:g}], got {raw!r}"
        )
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{name}: expected a number in [{spec.low:g}, {spec.high:g}], got {raw!r}"
        ) from None
    if spec.integer and not value.is_integer():
        raise ParameterError(
            f"{name}: expected a whole number in [{spec.low:g}, {spec.high:g}], got {raw!r}"
        )
    if not (spec.low <= value <= spec.high):
        raise ParameterError(
            f"{name}: {value:g} is out of range; allowed values: {spec.low:g} to {spec.high:g} {spec.unit}"
        )
    return value


def resolve(overrides: dict[str, Any]) -> dict[str, float]:
    """Defaults with the given overrides applied, every value checked."""
    values = {p.name: p.default for p in PARAMETERS}
    for name, raw in overrides.items():
        values[name] = coerce(name, raw)
    return values


def clip(name: str, value: float) -> float:
    """A candidate value kept inside its parameter's declared range."""
    spec = BY_NAME[name]
    return float(min(max(value, spec.low), spec.high))
