"""The sizes of the operations' lines in data/population/lines.csv (issue 9, item 2).

A drawn line's size is either sourced (a scholarly source beyond the order itself, no size
prior) or NOT FOUND (the note says so and the prior is uniform over the stated range). Every
size lies in its range, every source key names a bibliography entry with an author, a title
and a year, and no size equals an operation's arrest or conviction total (sizes are inputs;
those totals are outputs the model is compared with). Reads CSV files only: fast.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.paths import population_data_dir

EVIDENCE = population_data_dir().parent / "evidence"
#: Keys that name an order or directive, not a count of its lines.
ORDER_KEY = re.compile(r"^order\d+$")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def lines() -> list[dict[str, str]]:
    return _rows(population_data_dir() / "lines.csv")


@pytest.fixture(scope="module")
def sources() -> dict[str, dict[str, str]]:
    rows = _rows(EVIDENCE / "sources.csv") + _rows(EVIDENCE / "sources_population.csv")
    return {row["key"]: row for row in rows}


def _num(cell: str) -> float | None:
    return float(cell) if cell.strip() else None


def test_every_size_lies_in_its_stated_range(lines) -> None:
    for row in lines:
        value, low, high = _num(row["value"]), _num(row["value_low"]), _num(row["value_high"])
        if row["kind"] != "drawn":
            assert value is None, f"{row['line']}: a {row['kind']} line's size is its register's"
            continue
        assert value is not None and low is not None and high is not None, row["line"]
        assert 0 < low <= value <= high, f"{row['line']}: {value} outside {low}-{high}"


def test_a_size_is_either_sourced_or_marked_not_found_with_its_prior(lines) -> None:
    for row in lines:
        if row["kind"] != "drawn":
            continue
        low, high = int(float(row["value_low"])), int(float(row["value_high"]))
        size_prior = f"uniform({low},{high})" in row["prior"].replace(" ", "")
        if "Size NOT FOUND" in row["note"]:
            assert size_prior, f"{row['line']}: NOT FOUND needs the prior uniform({low},{high})"
        else:
            assert not size_prior, f"{row['line']}: a sourced size has no size prior"
            counts = [k for k in row["source"].split(";") if not ORDER_KEY.match(k)]
            assert counts and counts != ["none"], f"{row['line']}: only the order is cited"
            assert row["confidence"] in ("medium", "high"), row["line"]


def test_every_source_of_a_line_is_a_full_bibliography_entry(lines, sources) -> None:
    for row in lines:
        for key in row["source"].split(";"):
            if key == "none":
                continue
            entry = sources[key]
            assert entry["authors"] and entry["title"], f"{row['line']}: {key}"
            if entry["kind"] not in ("archival_document", "order"):
                assert entry["year"], f"{row['line']}: {key} has no year"


def test_no_size_is_an_operations_arrest_or_conviction_total(lines) -> None:
    evidence = load_evidence()
    outputs = {
        fact.value
        for fact in evidence.facts.values()
        if fact.group in ("national_lines", "national_operations", "totals_validation")
        and fact.value is not None
        and fact.unit == "persons"
    }
    assert len(outputs) > 5
    for row in lines:
        if row["kind"] == "drawn":
            assert float(row["value"]) not in outputs, row["line"]


def test_the_sourced_sizes_match_the_population_marginals(lines) -> None:
    marginals = {r["id"]: r for r in _rows(population_data_dir() / "marginals.csv")}
    harbin = next(r for r in lines if r["line"] == "har_cer")
    assert float(harbin["value"]) == float(marginals["pop_harbin_returnees_1937"]["value"])


def test_the_line_register_context_facts_are_sourced() -> None:
    evidence = load_evidence()
    context = [f for f in evidence.facts.values() if f.group == "line_registers"]
    assert {f.id for f in context} >= {"LN-wsib-register-070837", "LN-fin-defectors-1930-32"}
    for fact in context:
        assert fact.id.startswith("LN-") and fact.value and fact.note
        assert "not an input of the model" in fact.note
        assert all(key in evidence.sources for key in fact.source)
