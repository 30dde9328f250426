"""Each `greatterror evidence` command, as a user calls it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from greatterror import __version__
from greatterror.cli.app import app

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"greatterror {__version__}"


def test_every_command_has_help() -> None:
    for cmd in (
        [],
        ["evidence"],
        *[
            ["evidence", c]
            for c in (
                "list",
                "show",
                "search",
                "timeline",
                "trials",
                "limits",
                "sources",
                "summary",
            )
        ],
    ):
        result = run(*cmd, "--help")
        assert result.exit_code == 0, cmd
        assert "Usage" in result.output


def test_show_limit_json() -> None:
    result = run("evidence", "show", "G3-lim-cat1", "--json")
    assert result.exit_code == 0, result.output
    fact = json.loads(result.output)
    assert fact["value"] == 75950
    assert fact["sources"] and fact["sources"][0]["key"] == fact["source"][0]
    assert fact["sources"][0]["title"]


def test_show_says_where_a_fact_is_used() -> None:
    fact = json.loads(run("evidence", "show", "G1-1937-death", "--json").output)
    assert "calibration target: death sentences 1937" in fact["used_in"]
    event = json.loads(run("evidence", "show", "G12-16", "--json").output)
    assert any(
        u.startswith("scenario historical: set_limits on 1937-07-30") for u in event["used_in"]
    )


def test_show_table_names_source() -> None:
    result = run("evidence", "show", "G2-shot")
    assert result.exit_code == 0
    assert "681,692" in result.output


def test_show_unknown_fact() -> None:
    result = run("evidence", "show", "NOPE")
    assert result.exit_code == 2
    assert "no fact with id 'NOPE'" in result.output


def test_timeline_window_json() -> None:
    result = run("evidence", "timeline", "--from", "1937-07", "--to", "1937-09", "--json")
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    ids = {e["id"] for e in events}
    assert {"G12-15", "G12-16", "G12-18", "G12-21"} <= ids  # orders 00439, 00447, 00485, 00593
    assert all("1937-07-01" <= e["date"] <= "1937-09-30" for e in events)
    titles = " ".join(e["title"] for e in events)
    assert "00447" in titles and "00485" in titles


def test_timeline_bad_date() -> None:
    result = run("evidence", "timeline", "--from", "July 1937")
    assert result.exit_code == 2
    assert "--from: 'July 1937' is not a date; allowed: YYYY, YYYY-MM or YYYY-MM-DD" in " ".join(
        result.output.split()
    )
    for short in ("37", "937-01", "1937-8"):  # a year of two or three digits is not read as one
        result = run("evidence", "timeline", "--to", short)
        assert result.exit_code == 2, result.output
        assert f"--to: {short!r} is not a date" in result.output


def test_list_group_json() -> None:
    result = run("evidence", "list", "--group", "yearly_nkvd", "--json")
    assert result.exit_code == 0
    facts = json.loads(result.output)
    assert facts and all(f["group"] == "yearly_nkvd" for f in facts)
    assert any(f["id"] == "G1-1937-death" and f["value"] == 353074 for f in facts)


def test_list_table() -> None:
    result = run("evidence", "list")
    assert result.exit_code == 0
    assert "G1-1937-conv" in result.output


def test_search() -> None:
    result = run("evidence", "search", "Tukhachevsky", "--json")
    assert result.exit_code == 0
    hits = json.loads(result.output)
    assert any(h["id"] == "G7-tukh-trial" for h in hits)


def test_trials_json() -> None:
    result = run("evidence", "trials", "--json")
    assert result.exit_code == 0
    trials = {t["id"]: t for t in json.loads(result.output)}
    assert trials["trial_of_16_1936"]["death_sentences"] == 16
    assert trials["trial_of_17_1937"]["defendants"] == 17
    assert trials["military_1937"]["death_sentences"] == 8
    named = {d["name"] for d in trials["trial_of_16_1936"]["named_defendants"]}
    assert any("Zinoviev" in n for n in named)


def test_limits_json() -> None:
    result = run("evidence", "limits", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    codes = {r["region_code"]: r for r in data["initial"]}
    assert codes["belorussian_ssr"]["cat1"] == 2000
    assert data["increases"]


def test_sources_and_summary() -> None:
    result = run("evidence", "sources", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.output)) > 10
    result = run("evidence", "summary", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["counts"]["facts"] > 200
    for cmd in ("sources", "summary", "trials", "limits"):
        assert run("evidence", cmd).exit_code == 0
