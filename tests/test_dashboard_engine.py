"""The dashboard's model side without a browser: checked inputs, limits, the run guard."""

from __future__ import annotations

import pytest

pytest.importorskip("solara", reason="needs the dashboard extra")

from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.cli.serve import _is_loopback, solara_environment
from greatterror.dashboard.compare_page import parse_changes
from greatterror.dashboard.engine import (
    InputProblem,
    RunRequest,
    TimeLimitExceeded,
    check_request,
    run_model,
)
from greatterror.dashboard.guard import RunGuard
from greatterror.dashboard.inputs import position_of, value_at
from greatterror.model.params import BY_NAME


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (RunRequest(scenario="../../etc/passwd"), "not a shipped scenario"),
        (RunRequest(scale=0.1), "scale: 0.1 is not allowed on this page"),
        (RunRequest(seed=-1), "seed: -1 is not allowed"),
        (RunRequest(pars={"base_arrest_rate": 5.0}), "base_arrest_rate: 5 is out of range"),
        (RunRequest(pars={"no_such": 1.0}), "no_such: unknown parameter"),
        (RunRequest(mechanisms={"M31": False}), "cannot be switched here"),
        (RunRequest(mechanisms={"M02": "on"}), "cannot be switched here"),
    ],
)
def test_bad_requests_are_refused_with_the_field_named(request_: RunRequest, message: str) -> None:
    with pytest.raises(InputProblem, match=message):
        check_request(request_)


def test_the_hypotheses_are_offered_as_scenarios() -> None:
    from greatterror.dashboard.engine import shipped_scenarios

    names = shipped_scenarios()
    assert names[:2] == ["endogenous", "historical"]
    assert "hypotheses/h1_intentional" in names and "counterfactuals/no_kirov" in names
    chosen = check_request(RunRequest(scenario="hypotheses/h1_intentional")).scenario
    assert chosen == "hypotheses/h1_intentional"


def test_the_time_limit_stops_a_run() -> None:
    with pytest.raises(TimeLimitExceeded, match="stopped after 0 s"):
        run_model(RunRequest(), time_limit=0.0)


def test_one_run_at_a_time_per_session() -> None:
    guard = RunGuard()
    with guard.hold("a"):
        assert guard.busy("a") and not guard.busy("b")
        with pytest.raises(InputProblem, match="one run at a time"), guard.hold("a"):
            pass
        with guard.hold("b"):
            pass
    assert not guard.busy("a")


def test_sliders_round_trip_on_a_log_scale() -> None:
    spec = BY_NAME["base_arrest_rate"]  # log-uniform from 1e-4 to 1e-2
    assert position_of(spec, spec.low) == 0 and position_of(spec, spec.high) == 1000
    assert position_of(spec, 1e-3) == 500  # the geometric middle
    assert value_at(spec, 500) == pytest.approx(1e-3)
    assert position_of(spec, 99.0) == 1000  # out-of-range values sit at the end


def test_compare_changes_are_parsed_and_checked() -> None:
    assert parse_changes("base_arrest_rate=0.002; ", "A") == {"base_arrest_rate": 0.002}
    with pytest.raises(InputProblem, match="expected name=value"):
        parse_changes("base_arrest_rate", "A parameters")


def test_serve_binds_localhost_and_checks_its_port() -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("localhost") and not _is_loopback("0.0.0.0")
    env = solara_environment("127.0.0.1", 8765)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_APP"] == "greatterror.dashboard.app"
    result = CliRunner().invoke(app, ["serve", "--port", "80"])
    assert result.exit_code == 2 and "--port: 80 is out of range" in result.output


def test_the_hypotheses_page_heading_names_every_hypothesis() -> None:
    """Review16 D9: the heading is read from the catalogue, so it names H1e and every id
    ``hypotheses list`` gives."""
    import json

    from greatterror.dashboard.hypotheses_page import heading

    listed = json.loads(CliRunner().invoke(app, ["hypotheses", "list", "--json"]).stdout)
    ids = [h["id"] for h in listed]
    assert {"H1", "H1e", "H5b", "H7"} <= set(ids)
    assert heading() == "Hypotheses " + ", ".join(ids)


def test_a_runs_warnings_are_shown_above_its_results() -> None:
    """The page's default run (historical, 1:10,000, seed 1) has the NKVD's capacity bound
    bind: its warning, the one ``gt.Sim.results.warnings`` and the command line give, is a
    neutral alert at the top of the results (rendered without a browser)."""
    import ipyvuetify as v
    import solara

    import greatterror as gt
    from greatterror.dashboard.engine import run_model
    from greatterror.dashboard.widgets import Results

    outcome = run_model(RunRequest())
    expected = gt.Sim("historical", scale=1e-4, seed=1).run().results.warnings
    assert outcome.warnings == expected
    assert any("nkvd_capacity" in w for w in expected)
    box, rc = solara.render(Results(outcome), handle_error=False)
    alerts = rc.find(v.Alert, class_="gt-run-warning").widgets
    assert [a.children for a in alerts] == [[f"Warning of this run: {w}"] for w in expected]
    assert all(a.type == "info" for a in alerts)  # neutral, not an error
    assert box.children[0].children[: len(alerts)] == alerts  # above the results


def test_a_run_without_warnings_shows_no_alert() -> None:
    import ipyvuetify as v
    import solara

    from greatterror.dashboard.engine import RunOutcome
    from greatterror.dashboard.widgets import RunWarnings

    quiet = RunOutcome(RunRequest(), {}, None, None, None, 1.0)  # type: ignore[arg-type]
    _, rc = solara.render(RunWarnings(quiet), handle_error=False)
    assert rc.find(v.Alert).widgets == []
    loud = RunOutcome(RunRequest(), {}, None, None, None, 1.0, ["a <b>bound</b>"])  # type: ignore[arg-type]
    _, rc = solara.render(RunWarnings(loud, "run B"), handle_error=False)
    assert rc.find(v.Alert).widgets[0].children == ["Warning of run B: a <b>bound</b>"]
