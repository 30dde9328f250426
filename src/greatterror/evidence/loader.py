"""Load and cross-check the evidence base.

Row-level checks live in the schema; this module checks what no single row
can: that every cited key exists, that ids are unique, that linked facts
exist, and that archival sums hold (for example the republic limits of
Order 00447 adding up to the order's national totals).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from greatterror.evidence.csvrows import read_rows
from greatterror.evidence.errors import DataFileError
from greatterror.evidence.schema import (
    Fact,
    Limit,
    LimitIncrease,
    Source,
    SumCheck,
    TimelineEvent,
    Trial,
    TrialDefendant,
)
from greatterror.paths import evidence_dir

#: Facts that hold the national totals the republic limits must add up to.
LIMIT_TOTAL_FACTS = {"cat1": "G3-lim-cat1", "cat2": "G3-lim-cat2"}


@dataclass(frozen=True)
class Evidence:
    sources: dict[str, Source]
    facts: dict[str, Fact]
    timeline: list[TimelineEvent]
    trials: dict[str, Trial]
    defendants: list[TrialDefendant]
    limits: list[Limit]
    increases: list[LimitIncrease]
    sum_checks: list[SumCheck]
    digest: str = field(default="")

    def fact(self, fact_id: str) -> Fact:
        try:
            return self.facts[fact_id]
        except KeyError:
            raise KeyError(f"no fact with id {fact_id!r} in the evidence base") from None

    def value(self, fact_id: str) -> float:
        """The central value of a fact; an error if the fact has none."""
        fact = self.fact(fact_id)
        if fact.value is None:
            raise ValueError(f"fact {fact_id!r} has no numeric value")
        return fact.value


EVIDENCE_FILES = (
    "facts.csv",
    "timeline.csv",
    "trials.csv",
    "trial_defendants.csv",
    "limits.csv",
    "limit_increases.csv",
    "sum_checks.csv",
)


def data_files(directory: Path) -> list[Path]:
    """Every file the evidence base is built from, in a stable order."""
    return sorted(directory.glob("sources*.csv")) + [directory / n for n in EVIDENCE_FILES]


def digest_of(directory: Path) -> str:
    """A hash of the data files, used to rebuild the database when they change."""
    h = hashlib.sha256()
    for path in data_files(directory):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _label(directory: Path, name: str) -> str:
    return f"{directory.name}/{name}"


def _unique(rows: list[tuple[int, Any]], attr: str, label: str) -> None:
    seen: dict[str, int] = {}
    for line, row in rows:
        key = getattr(row, attr)
        if key in seen:
            raise DataFileError(
                label, line, attr, f"duplicate {attr} {key!r} (first on line {seen[key]})"
            )
        seen[key] = line


def _check_keys(
    rows: list[tuple[int, Any]], fields: tuple[str, ...], known: set[str], label: str, what: str
) -> None:
    for line, row in rows:
        for name in fields:
            value = getattr(row, name)
            keys = value if isinstance(value, list) else ([value] if value else [])
            for key in keys:
                if key not in known:
                    raise DataFileError(label, line, name, f"unknown {what} {key!r}")


M = TypeVar("M", bound=BaseModel)


def _load(directory: Path, name: str, model: type[M]) -> tuple[str, list[tuple[int, M]]]:
    label = _label(directory, name)
    path = directory / name
    if not path.exists():
        raise DataFileError(label, None, None, "file is missing")
    return label, read_rows(path, model, label)


def load_evidence(directory: Path | None = None) -> Evidence:
    """Read, validate and cross-check every evidence file."""
    directory = directory or evidence_dir()
    source_rows: list[tuple[int, Source]] = []
    seen_keys: dict[str, str] = {}
    for path in sorted(directory.glob("sources*.csv")):
        label = _label(directory, path.name)
        for line, src in read_rows(path, Source, label):
            if src.key in seen_keys:
                raise DataFileError(
                    label, line, "key", f"duplicate key {src.key!r} (also in {seen_keys[src.key]})"
                )
            seen_keys[src.key] = label
            source_rows.append((line, src))
    if not source_rows:
        raise DataFileError(
            _label(directory, "sources.csv"), None, None, "no bibliography file found"
        )
    sources = {src.key: src for _, src in source_rows}
    known_sources = set(sources)

    facts_label, fact_rows = _load(directory, "facts.csv", Fact)
    _unique(fact_rows, "id", facts_label)
    _check_keys(
        fact_rows, ("source", "low_source", "high_source"), known_sources, facts_label, "source key"
    )
    facts: dict[str, Fact] = {r.id: r for _, r in fact_rows}
    known_facts = set(facts)

    tl_label, tl_rows = _load(directory, "timeline.csv", TimelineEvent)
    _unique(tl_rows, "id", tl_label)
    _check_keys(tl_rows, ("source",), known_sources, tl_label, "source key")
    _check_keys(tl_rows, ("fact_id",), known_facts, tl_label, "fact id")

    tr_label, tr_rows = _load(directory, "trials.csv", Trial)
    _unique(tr_rows, "id", tr_label)
    _check_keys(tr_rows, ("source",), known_sources, tr_label, "source key")
    _check_keys(tr_rows, ("fact_id",), known_facts, tr_label, "fact id")
    trials: dict[str, Trial] = {r.id: r for _, r in tr_rows}

    df_label, df_rows = _load(directory, "trial_defendants.csv", TrialDefendant)
    _check_keys(df_rows, ("source",), known_sources, df_label, "source key")
    _check_keys(df_rows, ("trial_id",), set(trials), df_label, "trial id")
    _check_defendant_counts(df_rows, trials, df_label)

    lim_label, lim_rows = _load(directory, "limits.csv", Limit)
    _unique(lim_rows, "id", lim_label)
    _check_keys(lim_rows, ("source",), known_sources, lim_label, "source key")
    _check_keys(lim_rows, ("fact_ids",), known_facts, lim_label, "fact id")
    limits: list[Limit] = [r for _, r in lim_rows]
    _check_limit_sums(lim_rows, facts, lim_label)

    inc_label, inc_rows = _load(directory, "limit_increases.csv", LimitIncrease)
    _unique(inc_rows, "id", inc_label)
    _check_keys(inc_rows, ("source",), known_sources, inc_label, "source key")
    _check_keys(inc_rows, ("fact_id",), known_facts, inc_label, "fact id")

    sc_label, sc_rows = _load(directory, "sum_checks.csv", SumCheck)
    _unique(sc_rows, "id", sc_label)
    _check_keys(sc_rows, ("total", "parts"), known_facts, sc_label, "fact id")
    _check_fact_sums(sc_rows, facts, sc_label)

    return Evidence(
        sources=sources,
        facts=facts,
        timeline=sorted((r for _, r in tl_rows), key=lambda e: (e.date, e.id)),
        trials=trials,
        defendants=[r for _, r in df_rows],
        limits=limits,
        increases=[r for _, r in inc_rows],
        sum_checks=[r for _, r in sc_rows],
        digest=digest_of(directory),
    )


def _check_defendant_counts(
    rows: list[tuple[int, Any]], trials: dict[str, Trial], label: str
) -> None:
    """Named defendants may be fewer than the trial's count, never more."""
    counts: dict[str, int] = {}
    for line, row in rows:
        trial_id = row.trial_id
        counts[trial_id] = counts.get(trial_id, 0) + 1
        if counts[trial_id] > trials[trial_id].defendants:
            raise DataFileError(
                label,
                line,
                "trial_id",
                f"more named defendants than the {trials[trial_id].defendants} of trial {trial_id!r}",
            )


def _check_limit_sums(rows: list[tuple[int, Any]], facts: dict[str, Fact], label: str) -> None:
    """Republic limits add up to the order's totals; no region exceeds its republic."""
    top = [r for _, r in rows if r.level in ("republic", "camps")]
    for column, fact_id in LIMIT_TOTAL_FACTS.items():
        fact = facts.get(fact_id)
        if fact is None or fact.value is None:
            raise DataFileError(
                label, None, column, f"the national total fact {fact_id!r} is missing"
            )
        total = sum(getattr(r, column) or 0 for r in top)
        if total != fact.value:
            raise DataFileError(
                label,
                None,
                column,
                f"republic {column} limits add up to {total}, but fact {fact_id} gives {fact.value:.0f}",
            )
    by_code = {r.region_code: r for _, r in rows}
    for column in ("cat1", "cat2"):
        sums: dict[str, int] = {}
        for _, r in rows:
            if r.parent and getattr(r, column) is not None:
                sums[r.parent] = sums.get(r.parent, 0) + getattr(r, column)
        for parent, total in sums.items():
            parent_row = by_code.get(parent)
            if parent_row is None:
                continue
            cap = getattr(parent_row, column)
            if cap is not None and total > cap:
                line = next(ln for ln, r in rows if r.region_code == parent)
                raise DataFileError(
                    label,
                    line,
                    column,
                    f"the regions of {parent} add up to {total}, more than its limit {cap}",
                )


def _check_fact_sums(rows: list[tuple[int, Any]], facts: dict[str, Fact], label: str) -> None:
    for line, check in rows:
        total = facts[check.total]
        values = [facts[p].value for p in check.parts]
        if total.value is None or None in values:
            raise DataFileError(label, line, "parts", "every fact in a sum check needs a value")
        got = sum(v for v in values if v is not None)
        if got != total.value:
            raise DataFileError(
                label,
                line,
                "total",
                f"{' + '.join(check.parts)} = {got:.0f}, but {check.total} = {total.value:.0f}",
            )
