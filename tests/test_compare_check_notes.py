"""The notes under `hypotheses compare check`'s tables: a changed scenario is said whatever the
code did, and a version difference only when no code change is reported (the code note covers
it). A scenario note inserted into that if/elif once silenced the version note and let it
print beside the code note."""

from __future__ import annotations

from typing import Any

from greatterror.cli.compare_check import _compare_notes


def _result(**changes: Any) -> dict[str, Any]:
    base = {
        "generation": 1,
        "repeats_used": [1, 2],
        "repeats_not_at_that_generation": [],
        "priors_checked": True,
        "code_change": None,
        "version": "0.1.0",
        "fitted_with_version": "0.1.0",
        "scenario_change": [],
    }
    return base | changes


def _said(notes: list[str], word: str) -> bool:
    return any(word in n for n in notes)


def test_the_version_note_stands_when_no_code_change_is_reported() -> None:
    notes = _compare_notes(_result(fitted_with_version="0.0.9", scenario_change=["H1 (h1.toml)"]))
    assert _said(notes, "fitted with greatterror 0.0.9") and _said(notes, "H1 (h1.toml)")


def test_a_code_change_replaces_the_version_note_and_keeps_the_scenario_note() -> None:
    notes = _compare_notes(
        _result(code_change="made by code X", fitted_with_version="0.0.9", scenario_change=["H2"])
    )
    assert _said(notes, "made by code X") and not _said(notes, "fitted with greatterror")
    assert _said(notes, "the scenario of H2 changed since the comparison started")


def test_nothing_changed_adds_no_note() -> None:
    assert _compare_notes(_result()) == ["posterior: generation 1 of repeats 1, 2"]
