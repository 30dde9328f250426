"""The run report: key findings first, misses marked, small numbers visible, ensembles, plotly."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest
from test_results import make_summary, write_out_dir

from greatterror.results import figures, figures_purges
from greatterror.results.captions import captions
from greatterror.results.findings import headline, judge, judge_all
from greatterror.results.report import (
    INTERACTIVE_REPORT_FILE,
    _figures,
    _findings,
    _run_line,
    render_pngs,
    write_report,
)
from greatterror.results.tables import read_channels, read_timeseries


def _summary() -> dict[str, Any]:
    summary = make_summary()
    summary["run_id"] = "20261203-071140-447b83"
    summary["parameters"]["names_per_confession"] = 494.4647988719828
    summary["parameters"]["share"] = 0.123456789
    summary["targets"].append(
        {
            "id": "G3-final-conv",
            "label": "convicted under Order 00447",
            "archival": 767000.0,
            "simulated": 500000.0,
            "ratio": 500000.0 / 767000.0,
        }
    )
    return summary


def test_judge_range_and_miss() -> None:
    point = {"id": "x", "label": "x", "archival": 100.0, "simulated": 115.0}
    j = judge(point)
    assert j.inside is None and j.miss is False and j.ratio == pytest.approx(1.15)
    assert judge({**point, "simulated": 130.0}).miss is True
    ranged = judge({**point, "simulated": 160.0}, low=90.0, high=170.0)
    assert ranged.inside is True and ranged.miss is False  # inside a wide range is no miss
    below = judge({**point, "simulated": 85.0}, low=90.0, high=170.0)
    assert below.inside is False and below.miss is False
    assert judge({**point, "archival": None}).miss is None


def test_ranges_come_from_the_evidence_when_the_summary_lacks_them() -> None:
    judged = {j.id: j for j in judge_all(_summary())}
    assert (judged["G3-final-conv"].low, judged["G3-final-conv"].high) == (750000.0, 820000.0)
    assert judged["G3-final-conv"].miss is True
    assert [j.id for j in headline(list(judged.values()))] == ["G2-shot", "G3-final-conv"]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One static report, written once: drawing its figures takes seconds."""
    directory = tmp_path_factory.mktemp("report")
    write_out_dir(directory, _summary())
    return write_report(directory).read_text(encoding="utf-8")


def test_report_opens_with_findings_and_ends_with_rounded_parameters(page: str) -> None:
    order = [
        page.index('id="findings"'),
        page.index('id="contents"'),
        page.index('id="fig-yearly"'),
        page.index('id="targets"'),
        page.index('id="policy"'),
        page.index('id="run"'),
    ]
    assert order == sorted(order)
    findings = page[order[0] : order[1]]
    assert "20261203-071140-447b83" in findings
    assert re.search(r'<tr class="miss"><td>G3-final-conv</td>.*?>miss</td></tr>', findings)
    assert "convicted under Order 00447 (0.65)" in findings
    assert "750,000–820,000" in findings
    for anchor in ("findings", "fig-elites", "targets", "run"):
        assert f'href="#{anchor}"' in page[order[1] : order[2]]
    parameters = page[order[5] :]
    assert "494.4647988719828" not in page and '<td class="num">494</td>' in parameters
    assert '<td class="num">0.1235</td>' in parameters


def test_report_without_run_id_says_so() -> None:
    assert "Run id: not recorded in this summary" in _run_line(make_summary(), 0)


def test_small_numbers_are_visible_in_the_figures(tmp_path: Path) -> None:
    summary = _summary()
    yearly = figures.yearly_figure(summary["yearly"], summary["targets"])
    assert all(ax.get_yscale() == "log" for ax in yearly.axes)
    targets = [{"id": "G7-cc-shot", "label": "CC shot", "archival": 98.0, "simulated": 93.0}]
    elites = figures_purges.elites_figure(summary["elites"], targets)
    assert len(elites.axes) == len(summary["elites"])  # one axis per group
    cc = elites.axes[0]
    assert cc.get_ylim()[1] < 200  # the Central Committee's 139 fill its own panel
    texts = {t.get_text() for ax in elites.axes for t in ax.texts}
    assert {"139", "98", "93", "archival 98"} <= texts
    assert "not\nreported" in texts  # the congress has no 'shot' figure


def test_ensemble_bands_in_the_report(tmp_path: Path) -> None:
    summary = _summary()
    members = []
    for k, factor in enumerate((0.9, 1.0, 1.1)):
        member = copy.deepcopy(summary)
        member["seed"] = k + 1
        for target in member["targets"]:
            target["simulated"] *= factor
        for row in member["yearly"].values():
            row["convicted"] *= factor
        members.append(member)
    bands = figures.yearly_bands(members)
    low, high = bands["1937"]["convicted"]
    assert low < summary["yearly"]["1937"]["convicted"] < high
    judged = judge_all(summary, members)
    page = _findings(summary, judged, len(members))
    assert "ensemble 10–90%" in page and "ensemble of 3 runs" in page
    assert "10-90% band of the 3 runs" in captions(summary, 3)["yearly"]
    band = {j.id: j.band for j in judged}["G2-shot"]
    assert band is not None and band[0] < 681000.0 < band[1]


def test_parallel_rendering_gives_the_same_pictures(tmp_path: Path) -> None:
    summary = _summary()
    write_out_dir(tmp_path, summary)
    every = _figures(
        summary,
        read_timeseries(tmp_path / "timeseries.parquet"),
        read_channels(tmp_path / "channels.parquet"),
    )
    builders = {k: every[k] for k in ("backlog", "elites", "trials")}  # the cheap ones
    serial = render_pngs(builders, workers=1)
    parallel = render_pngs(builders, workers=2)
    assert list(serial) == list(parallel)
    assert all(p.startswith(b"\x89PNG") for p in parallel.values())
    assert {k: len(v) for k, v in serial.items()} == {k: len(v) for k, v in parallel.items()}


def _figure_if_sigterm_default() -> Any:
    import signal

    import matplotlib.pyplot as plt

    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        raise RuntimeError("a drawing process kept an inherited SIGTERM handler")
    figure, _ = plt.subplots()
    return figure


@pytest.mark.skipif(
    not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores"
)
def test_drawing_processes_die_on_sigterm_whatever_handler_they_inherit() -> None:
    """The output worker sets a SIGTERM handler that raises SystemExit; a drawing process that
    inherited it could outlive ``Pool.terminate`` and hang the command (seen in a test run,
    5 Dec 2026). The pool's initializer restores the default action."""
    import signal

    def _raise(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    before = signal.signal(signal.SIGTERM, _raise)
    try:
        pngs = render_pngs({"a": _figure_if_sigterm_default, "b": _figure_if_sigterm_default})
    finally:
        signal.signal(signal.SIGTERM, before)
    assert all(p.startswith(b"\x89PNG") for p in pngs.values())


def test_interactive_report_is_self_contained(tmp_path: Path) -> None:
    write_out_dir(tmp_path, _summary())
    path = write_report(tmp_path, interactive=True)
    assert path.name == INTERACTIVE_REPORT_FILE
    assert (tmp_path / "report.html").exists() is False  # the static one is written separately
    page = path.read_text(encoding="utf-8")
    assert page.count('class="plotly-graph-div"') == 8
    assert not re.search(r'<script[^>]+src="https?:', page)  # plotly.js embedded, no CDN
    assert 'id="findings"' in page and "20261203-071140-447b83" in page


def test_report_command_checks_its_input(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from greatterror.cli.app import app

    runner = CliRunner()
    missing = runner.invoke(app, ["report", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "holds no summary.json" in missing.output
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    write_out_dir(tmp_path / "a", make_summary())
    write_out_dir(tmp_path / "b", make_summary(scenario="endogenous"))
    unmarked = runner.invoke(
        app, ["report", str(tmp_path / "a"), "--ensemble", str(tmp_path / "b")]
    )
    assert unmarked.exit_code == 2 and "holds no readable greatterror-run.json" in unmarked.output
    from greatterror.results.rundir import write_marker

    write_marker(tmp_path / "b", "run-b", "hash-b", "2026-12-05T00:00:00")
    foreign = runner.invoke(app, ["report", str(tmp_path / "a"), "--ensemble", str(tmp_path / "b")])
    assert (
        foreign.exit_code == 2
        and "differs from" in foreign.output
        and "scenario (historical against endogenous)" in " ".join(foreign.output.split())
    )
    assert not (tmp_path / "a" / "report.html").exists()
