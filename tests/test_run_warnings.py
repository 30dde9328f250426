"""A run's warnings reach every user (chores22): ``Results.warnings`` reads them from the
summary, ``Ensemble.warnings`` and ``Paired.warnings`` count them over many runs, and the
commands print one line per warning (with how many runs had it for many runs)."""

from __future__ import annotations

import doctest
from typing import Any

import pytest
from typer.testing import CliRunner

import greatterror as gt
from greatterror.api import paired as paired_module
from greatterror.api.results import (
    SUMMARY_WARNINGS,
    Results,
    count_warnings,
    summary_warnings,
    warning_kinds,
)
from greatterror.cli.app import app

CAPACITY = "the NKVD's capacity to arrest held arrests back on 3 region-days from 1937-08-05"
HELD = "cases held for a sanction at the run's end, neither sentenced nor released (no halt)"
BOTH = {
    "nkvd_capacity": {"bound_region_days": 3, "warning": CAPACITY},
    "limit_requests": {"held_for_sanction": {"at_end": 12.0, "warning": HELD}},
}
NONE = {
    "nkvd_capacity": {"bound_region_days": 0, "warning": None},
    "limit_requests": {"held_for_sanction": {"at_end": 0.0, "warning": None}},
}
CAPACITY_KIND, HELD_KIND = (general for _, general in SUMMARY_WARNINGS)


def _results(summary: dict[str, Any]) -> Results:
    return Results(summary, None, None)  # type: ignore[arg-type]


def test_a_summary_with_both_warnings() -> None:
    assert _results(BOTH).warnings == [CAPACITY, HELD]
    assert warning_kinds(BOTH) == [CAPACITY_KIND, HELD_KIND]


@pytest.mark.parametrize("summary", [NONE, {}, {"limit_requests": {}}])
def test_a_summary_without_warnings(summary: dict[str, Any]) -> None:
    """None when nothing bound; an older summary without the blocks warns of nothing."""
    assert _results(summary).warnings == []
    assert summary_warnings(summary) == []


def test_the_warnings_are_read_from_the_summary_not_stored() -> None:
    summary = {**NONE}
    results = _results(summary)
    assert results.warnings == []
    summary["nkvd_capacity"] = {"warning": CAPACITY}
    assert results.warnings == [CAPACITY]
    with pytest.raises(AttributeError):
        results.warnings = []  # type: ignore[misc]


def test_many_runs_count_each_warning_once_per_run() -> None:
    runs = [warning_kinds(s) for s in (BOTH, NONE, BOTH, {"nkvd_capacity": {"warning": "x"}})]
    assert count_warnings(runs) == {CAPACITY_KIND: 3, HELD_KIND: 2}
    assert count_warnings([[], []]) == {}


def test_the_ensemble_counts_its_runs_warnings() -> None:
    ens = gt.Ensemble("historical", scale=0.0001, seeds=[1, 2, 3], workers=1)
    asks = (lambda: ens.warnings, lambda: ens.runaways, ens.targets, ens.bands, ens.yearly)
    for ask in asks:  # {} read as "no run warned" or "no run ran away"
        with pytest.raises(gt.SimError, match="the ensemble has not run; call run"):
            ask()
    with pytest.raises(gt.SimError, match=r"^runaways: the ensemble has not run"):
        ens.runaways  # noqa: B018
    ens.summaries = [BOTH, NONE, BOTH]
    assert ens.warnings == {CAPACITY_KIND: 2, HELD_KIND: 2}
    assert ens.runaways == {}  # after a run in which none ran away: {}


def test_the_pairs_warnings_before_run_are_refused() -> None:
    pairs = gt.Paired("no_kirov", scale=0.0001, seeds=[1])
    asks = (lambda: pairs.warnings, pairs.differences, lambda: pairs.runs, lambda: pairs.runaways)
    for ask in asks:  # {} read as "no run warned", 0 runs as "every run failed"
        with pytest.raises(gt.SimError, match="the pairs have not run; call run"):
            ask()


@pytest.mark.parametrize(
    "make",
    [
        lambda: gt.Ensemble("historical", scale=0.0001, seeds=[1], workers=1),
        lambda: gt.Paired("no_kirov", scale=0.0001, seeds=[1], workers=1),
    ],
    ids=["Ensemble", "Paired"],
)
def test_the_refusal_before_run_is_documented_where_the_api_is_read(make: Any) -> None:
    """The class's example (run by the doctests, tests/test_api.py and test_counterfactuals.py)
    and the property's docstring show the error ``.warnings`` raises before ``run()``, in its
    words; it was documented in docs/outputs.md only."""
    made = make()
    with pytest.raises(gt.SimError) as err:
        made.warnings  # noqa: B018
    said = str(err.value)
    assert said.endswith("not run; call run() first")
    examples = doctest.DocTestParser().get_examples(type(made).__doc__)
    assert any(e.exc_msg is not None and said in e.exc_msg for e in examples)
    assert said in " ".join(type(made).warnings.__doc__.split())


def _pair(seed: int, base: dict[str, Any], counterfactual: dict[str, Any]) -> dict[str, Any]:
    yearly = {"1937": {"arrests": 10.0, "death_sentences": 5.0, "gulag_deaths": 1.0}}
    return {
        "seed": seed,
        "historical": yearly,
        "counterfactual": yearly,
        "first_difference": None,
        "warnings": {"base": warning_kinds(base), "counterfactual": warning_kinds(counterfactual)},
    }


def test_the_counterfactual_command_prints_one_line_per_warning(monkeypatch) -> None:
    """Through the CLI, with the pairs' runs replaced: 3 pairs, 6 runs, the capacity warning
    in 3 of them and the held cases in 1; one line each, never one per run."""
    given = {1: (BOTH, NONE), 2: (NONE, NONE), 3: ({"nkvd_capacity": {"warning": "x"}},) * 2}

    def fake_pair(base, counterfactual, scale, seed, *args, **kwargs):
        return _pair(seed, *given[seed])

    monkeypatch.setattr(paired_module, "run_pair", fake_pair)
    result = CliRunner().invoke(
        app,
        [
            "counterfactual",
            "earlier_halt",
            "--seeds",
            "1-3",
            "--scale",
            "0.0001",
            "--workers",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    err = " ".join(result.stderr.split())
    assert f"warning (3 of 6 runs): {CAPACITY_KIND}" in err
    assert f"warning (1 of 6 runs): {HELD_KIND}" in err
    assert err.count("runs):") == 2
    import json

    payload = json.loads(result.stdout)
    assert payload["runs_finished"] == 6
    assert {"warning": CAPACITY_KIND, "runs": 3} in payload["warnings"]


def test_a_run_without_warnings_prints_none(monkeypatch) -> None:
    monkeypatch.setattr(
        paired_module, "run_pair", lambda b, c, sc, seed, *a: _pair(seed, NONE, NONE)
    )
    result = CliRunner().invoke(
        app, ["counterfactual", "earlier_halt", "--seeds", "1", "--scale", "0.0001", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert "warning (" not in result.stderr
