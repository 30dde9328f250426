"""Row models of the evidence files.

Each CSV file of ``data/evidence`` has one pydantic model here. The models
hold the controlled vocabularies (units, kinds, verdicts) so that a row with
an unexpected value fails at load time with the allowed values spelled out,
instead of surfacing later as a wrong figure in a report.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Unit = Literal[
    "persons",
    "persons_per_month",
    "percent",
    "million_rubles",
    "units",
    "multiple",
    "date",
    "event",
    "lists",
    "defendants",
]
Confidence = Literal["high", "medium", "low"]
SourceKind = Literal[
    "archival_document",
    "document_collection",
    "monograph",
    "article",
    "chapter",
    "census",
    "official_publication",
    "memoir",
    "press",
]
EventKind = Literal[
    "assassination",
    "decree",
    "order",
    "politburo_decision",
    "plenum",
    "trial",
    "chief_change",
    "operation_start",
    "operation_end",
    "deportation",
    "directive",
    "arrest",
    "execution",
    "halt",
    "foreign_crisis",
]
Verdict = Literal["death", "camp", "prison", "exile", "acquitted", "unknown"]
LimitLevel = Literal["republic", "region", "aggregate", "camps"]

KEY_PATTERN = r"^[a-z0-9_]+$"


def split_keys(raw: object) -> list[str]:
    """Cells that list several keys separate them with ';'."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(k) for k in raw]
    return [part.strip() for part in str(raw).split(";") if part.strip()]


class Row(BaseModel):
    # NaN and infinity are no archival figure, and "nan" would otherwise parse as a float
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


#: units whose values count people or things, and so cannot be negative
COUNT_UNITS = ("persons", "persons_per_month", "defendants", "lists", "units")


def check_not_negative(unit: str, values: dict[str, float | None]) -> None:
    """A count below zero is a typing error in a data file, never a figure."""
    if unit not in COUNT_UNITS:
        return
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name}: {value:g} is negative; a count in {unit} is 0 or more")


class Source(Row):
    key: str = Field(pattern=KEY_PATTERN)
    authors: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1900, le=2100)  # None: not identified
    publisher: str | None = None
    archive_ref: str | None = None
    kind: SourceKind
    note: str | None = None


class Fact(Row):
    id: str = Field(min_length=1)
    group: str = Field(pattern=KEY_PATTERN)
    quantity: str = Field(min_length=1)
    period_start: dt.date
    period_end: dt.date
    scope: str | None = None
    value: float | None = None
    value_low: float | None = None
    value_high: float | None = None
    unit: Unit
    source: list[str] = Field(min_length=1)
    low_source: list[str] = Field(default_factory=list)
    high_source: list[str] = Field(default_factory=list)
    confidence: Confidence
    note: str | None = None

    _split = field_validator("source", "low_source", "high_source", mode="before")(
        lambda v: split_keys(v)
    )

    @model_validator(mode="after")
    def _consistent(self) -> Fact:
        check_not_negative(
            self.unit,
            {"value": self.value, "value_low": self.value_low, "value_high": self.value_high},
        )
        if self.period_end < self.period_start:
            raise ValueError("period_end: is before period_start")
        low, high = self.value_low, self.value_high
        if low is not None and high is not None:
            if low > high:
                raise ValueError("value_low: is greater than value_high")
            if low != high and not (self.low_source and self.high_source):
                raise ValueError(
                    "low_source: a range needs low_source and high_source naming the source of each bound"
                )
        return self

    def all_sources(self) -> list[str]:
        return list(dict.fromkeys([*self.source, *self.low_source, *self.high_source]))


class TimelineEvent(Row):
    id: str = Field(min_length=1)
    date: dt.date
    end_date: dt.date | None = None
    kind: EventKind
    title: str = Field(min_length=1)
    fact_id: str | None = None
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


class Trial(Row):
    id: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    date_start: dt.date
    date_end: dt.date
    court: str | None = None
    defendants: int = Field(ge=1)
    death_sentences: int = Field(ge=0)
    other_sentences: int = Field(ge=0)
    fact_id: str | None = None
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))

    @model_validator(mode="after")
    def _verdicts_add_up(self) -> Trial:
        if self.death_sentences + self.other_sentences != self.defendants:
            raise ValueError("defendants: death_sentences + other_sentences must equal defendants")
        return self


class TrialDefendant(Row):
    trial_id: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    verdict: Verdict
    sentence_years: float | None = Field(default=None, ge=0)
    note: str | None = None
    source: list[str] = Field(min_length=1)

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


class Limit(Row):
    id: str = Field(min_length=1)
    region_code: str = Field(pattern=KEY_PATTERN)
    region_name: str = Field(min_length=1)
    level: LimitLevel
    parent: str | None = None
    cat1: int | None = Field(default=None, ge=0)
    cat2: int | None = Field(default=None, ge=0)
    total: int | None = Field(default=None, ge=0)
    cat1_low: int | None = Field(default=None, ge=0)
    cat1_high: int | None = Field(default=None, ge=0)
    fact_ids: list[str] = Field(default_factory=list)
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("fact_ids", "source", mode="before")(lambda v: split_keys(v))

    @model_validator(mode="after")
    def _total_matches(self) -> Limit:
        parts = (self.cat1, self.cat2, self.total)
        if None not in parts and self.cat1 + self.cat2 != self.total:  # type: ignore[operator]
            raise ValueError("total: cat1 + cat2 must equal total")
        return self


class LimitIncrease(Row):
    id: str = Field(min_length=1)
    date: dt.date
    region_code: str | None = None
    scope: str | None = None
    cat1: int | None = Field(default=None, ge=0)
    cat2: int | None = Field(default=None, ge=0)
    total: int | None = Field(default=None, ge=0)
    fact_id: str | None = None
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


class SumCheck(Row):
    """A sum the archival figures must satisfy, e.g. 1937 + 1938 = 1937-38."""

    id: str = Field(pattern=KEY_PATTERN)
    total: str = Field(min_length=1)
    parts: list[str] = Field(min_length=2)
    description: str = Field(min_length=1)

    _split = field_validator("parts", mode="before")(lambda v: split_keys(v))
