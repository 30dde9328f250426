"""`greatterror calibrate apply PATH --scenario NAME` and `calibrate show PATH --check`.

Both read a stored fit; ``apply`` writes its chosen point into a scenario file
(calibration/choose.py says how the point is chosen and judged on one scale,
calibration/apply.py writes it; a shipped scenario's file only with ``--force``, since the
apply gate runs in scripts/refit_historical.py), ``--check`` runs the posterior predictive
check (calibration/check.py). Every option is checked before any simulation
runs or any file is touched.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from greatterror.cli.output import (
    console,
    emit_json,
    error_console,
    fail,
    print_table,
    warn_of_runs,
)
from greatterror.preflight import check_scale


def _at_least(option: str, value: int, low: int) -> None:
    if value < low:
        fail(f"{option}: {value} is too small; allowed: a whole number of at least {low}")


def load_stored_fit(path: Path) -> tuple[Any, Any]:
    """A stored fit's settings and history; a clear error (exit 2) if it is not one or is empty."""
    from greatterror.calibration.abc import FitError
    from greatterror.calibration.posterior import load_fit
    from greatterror.calibration.problem import MissingExtraError

    try:
        settings, history = load_fit(path)
    except (FitError, MissingExtraError) as exc:
        fail(str(exc).replace("--db: ", "path: "))
    if history.max_t < 0:
        fail(f"path: {path} holds no completed generation yet")
    return settings, history


def refuse_shipped(file: Path, force: bool) -> None:
    """Refuse to write a shipped scenario's file without ``--force`` (exit code 2).

    ``apply`` writes its chosen point whatever the comparison with the values it replaces
    says; the gate that decides whether a fit may replace the shipped values
    (calibration/gate.py: a margin on fresh seeds, a paired check at 1:100, the validity
    check) runs only in scripts/refit_historical.py, which writes a candidate copy first.
    Writing the shipped file here would skip it (review14 F7).
    """
    from greatterror.paths import scenarios_dir

    root = scenarios_dir().resolve()
    if force or not file.resolve().is_relative_to(root):
        return
    fail(
        f"--scenario: {file} is a shipped scenario; writing it here skips the apply gate "
        "(calibration/gate.py). Write a candidate file instead (e.g. --scenario "
        "fit_candidate.toml) and let scripts/refit_historical.py's gate decide, or give "
        "--force to write it without the gate"
    )


def apply(
    path: Path,
    target: str | None,
    candidates: int,
    recheck: int,
    workers: int,
    as_json: bool,
    force: bool = False,
) -> None:
    from greatterror.calibration.apply import (
        ApplyError,
        check_writable,
        provenance,
        write_scenario,
    )
    from greatterror.calibration.choose import (
        RULE,
        best_particles,
        choosing_distance,
        choosing_terms,
        judge,
        noise_report,
        report_row,
        run_distances,
    )
    from greatterror.calibration.choose import recheck as run_recheck
    from greatterror.calibration.gate import margin_of
    from greatterror.calibration.seeds import recheck_seeds
    from greatterror.calibration.simulator import FitModel
    from greatterror.calibration.weights import generation_weights
    from greatterror.model.scenario import ScenarioError, load_scenario
    from greatterror.model.scenario_files import resolve_path, shipped_path
    from greatterror.provenance import code_change

    if not target:
        fail("--scenario: give the scenario file to write, e.g. --scenario fit_candidate.toml")
    _at_least("--candidates", candidates, 1)
    _at_least("--recheck", recheck, 1)
    _at_least("--workers", workers, 1)
    try:  # a bare name as the run reads it: a shipped scenario, or the run's message
        file = resolve_path(target)
    except ScenarioError as exc:  # the run's words, under this command's option name
        fail("--" + str(exc))
    if not file.exists():  # a candidate file is written into, not made
        fail(
            f"--scenario: {file} does not exist; apply writes the chosen point into an existing "
            "scenario file, so copy the fitted scenario there first, e.g. "
            f"cp {shipped_path('historical')} {file}"
        )
    try:
        written = load_scenario(file)
    except ScenarioError as exc:
        fail(str(exc))
    settings, history = load_stored_fit(path)
    refuse_shipped(file, force)  # after the fit is read, before any simulation or write
    try:  # a folder it cannot write to: found now, not after the re-check's runs
        check_writable(file)
    except ApplyError as exc:
        fail(f"--scenario: {exc}")
    check_held(settings, written, file)  # a conditional fit's held values, before any run
    if changed := code_change(settings.code):  # on stderr: --json's output stays JSON
        error_console.print(
            f"Note: the fit was {changed}; its particles are re-checked with this code"
        )
    _note_scenario_change(settings, "its particles are re-checked with the scenario as it is now")
    bands = FitModel(settings.scenario, settings.scale, settings.seed, settings.targets).bands()
    weights, source = generation_weights(path, history, settings.targets)
    rechecked = run_recheck(settings, best_particles(history, candidates, bands), recheck, workers)
    shipped = _incumbent(settings, rechecked[0].values, recheck, workers)
    ranked, shipped_distance, noise = judge(rechecked, shipped, bands)  # one spread for all
    best = ranked[0]
    seeds = recheck_seeds(settings.seed, recheck)
    incumbent = {
        "values": shipped.values,
        "choosing_distance": shipped_distance,
        "choosing_terms": choosing_terms(shipped, bands, noise),
        "recheck_choosing": list(run_distances(shipped, bands, noise)),
        "recheck": list(shipped.recheck_archival(bands)),
        "recheck_median": shipped.median(bands),
    }
    chosen = (choosing_distance(best, bands, noise), best.median(bands))
    said = provenance(settings, path, history, chosen, len(ranked), seeds)
    try:
        write_scenario(file, best.values, said + _held(settings, file))
    except ApplyError as exc:
        fail(f"--scenario: {exc}")
    rows = [report_row(c, bands, weights, noise) for c in ranked]
    report = {
        "scenario": str(file),
        "rule": RULE,
        "recheck_seeds": list(seeds),
        "scale": settings.scale,
        "generation": history.max_t,
        "weights_source": source,
        "candidates": rows,
        "incumbent": incumbent,
        "noise": noise_report(noise, bands),
    }
    # on the runs that chose the point: biased in its favour; the gate re-tests on fresh seeds
    margin = margin_of(report)
    report["margin"] = {
        "on": "the re-check runs that chose the point (not the apply gate's test)",
        "holds": margin.holds,
        "improvement": margin.mean,
    } | {
        key: None if math.isnan(x) else x  # one re-check seed: no error to estimate
        for key, x in (
            ("standard_error", margin.se),
            ("k", margin.k),
            ("lower_bound", margin.lower),
        )
    }
    if as_json:
        emit_json(report)
        return
    _print_candidates(rows, seeds, history.max_t, source)
    console.print(
        f"The fitted scenario's own values ({settings.scenario}) on the same seeds: "
        f"choosing distance {incumbent['choosing_distance']:.2f} (median archival distance "
        f"{incumbent['recheck_median']:.2f})"
    )
    console.print(
        "Margin over them on the runs that chose the point (biased in its favour; the "
        "refit's gate 1, calibration/gate.py, tests it on fresh seeds): "
        f"{'holds' if margin.holds else 'does NOT hold'}: {margin.numbers()}"
    )
    console.print(f"Chosen by the rule: {RULE}. The first is written into {file}")


def _note_scenario_change(settings: Any, then: str) -> None:
    """A note on stderr (not a refusal) when the fit's scenario changed since it started."""
    from greatterror.calibration.abc import FitError, scenario_change

    try:
        changed = scenario_change(settings)
    except FitError as exc:
        fail(f"path: {exc}")
    if changed:
        error_console.print(f"Note: {changed}; {then}", highlight=False)


def check_held(settings: Any, written: Any, file: Path) -> None:
    """A conditional fit's values are conditional on the values it held (``settings.held``):
    exit code 2, before any run, if the fit's scenario, whose runs re-check the particles, or
    the file ``apply`` writes only the varied values into no longer sets those values."""
    from greatterror.calibration.problem import held_changes
    from greatterror.model.scenario import ScenarioError, load_scenario

    if not settings.held:  # a fit of every free parameter holds nothing
        return
    try:
        fitted = load_scenario(settings.scenario)
    except ScenarioError as exc:
        fail(f"path: the fit's scenario {settings.scenario!r} no longer loads: {exc}")
    if changed := held_changes(settings.held, fitted):
        fail(
            f"path: the conditional fit held values its scenario {settings.scenario!r} no "
            f"longer sets: {', '.join(changed)}; its particles would be re-checked with "
            "other values than they were fitted with"
        )
    if changed := held_changes(settings.held, written):
        fail(
            f"--scenario: {file} sets {', '.join(changed)}; apply writes only a conditional "
            "fit's varied values, which hold given the values it held: write into a copy of "
            f"the file of {settings.scenario!r} that the fit held them in"
        )


def _held(settings: Any, file: Path) -> list[str]:
    """A conditional fit's note on the values it held (calibration/apply.py ``held_lines``)."""
    from greatterror.calibration.apply import held_lines, stated_provenance
    from greatterror.calibration.problem import scenario_problem
    from greatterror.model.scenario import load_scenario

    free, _ = scenario_problem(load_scenario(settings.scenario))
    held = [n for n in free if n not in settings.free]
    return held_lines(settings.free, held, stated_provenance(file.read_text(encoding="utf-8")))


def _incumbent(settings: Any, names: dict[str, float], recheck: int, workers: int) -> Any:
    """The fitted scenario's own values re-run on the re-check seeds, to be judged by the rule.

    A fit is worth applying only if its chosen point is closer to the record than the values it
    would replace, on the same seeds and scale, by the same distance with the same pooled
    spread; scripts/refit_historical.py's gate (calibration/gate.py) asks for a margin beyond
    the noise on fresh seeds, not on these runs, which chose the point.
    """
    from greatterror.calibration.choose import Candidate
    from greatterror.calibration.choose import recheck as run_recheck
    from greatterror.model.scenario import load_scenario

    shipped = load_scenario(settings.scenario).parameters
    values = {k: float(shipped[k]) for k in names if k in shipped}
    (rerun,) = run_recheck(settings, [Candidate(values, float("nan"))], recheck, workers)
    return rerun


_SOURCES = {
    "recorded": "recorded by the fit",
    "recovered": "recovered from the stored distances",
    "none": "not available: the stored particles do not determine them",
}


def _print_candidates(rows: list[dict[str, Any]], seeds: Any, t: int, source: str) -> None:
    def runs(numbers: list[float]) -> str:
        return ", ".join(f"{d:.2f}" for d in numbers)

    table = []
    for i, r in enumerate(rows):
        arch, adapt = r["archival"], r["last_generation_weights"]
        table.append(
            [
                i + 1,
                f"{r['accepted_distance']:.2f}",
                f"{arch['acceptance_run']:.2f}",
                runs(arch["recheck"]),
                f"{r['choosing_distance']:.2f}",
                f"{arch['recheck_median']:.2f}",
                "n/a" if adapt is None else f"{adapt['acceptance_run']:.2f}",
                "n/a" if adapt is None else runs(adapt["recheck"]),
            ]
        )
    print_table(
        f"Candidates re-run on fitting seeds {', '.join(map(str, seeds))}: distances on one scale",
        [
            "rank",
            "accepted at (pyabc)",
            "archival: acceptance run",
            "archival: re-check runs",
            "choosing distance (the rule)",
            "archival: re-check median",
            f"generation-{t} weights: acceptance run",
            f"generation-{t} weights: re-check runs",
        ],
        table,
        caption=(
            "archival: statistics.archival_distance (each target over its archival tolerance); "
            "choosing distance: each target's median over the re-check runs over its tolerance "
            "and the median's standard error (calibration/choose.py); "
            f"generation-{t} weights: the adaptive weights the last generation was accepted "
            f"with, {_SOURCES[source]}"
        ),
    )
    for i, r in enumerate(rows):
        missed = r["outside_band_on_recheck"]
        text = "; ".join(f"{m['id']} {m['runs']}/{m['of']} x{m['factor']:.3g}" for m in missed)
        console.print(f"{i + 1}. outside the band on the re-check: {text or 'none'}")
    console.print("(runs outside / re-check runs, x median simulated over the nearer band edge)")


def check_posterior(path: Path, draws: int, scale: float, workers: int, as_json: bool) -> None:
    from greatterror.calibration.check import posterior_check

    _at_least("--draws", draws, 1)
    _at_least("--workers", workers, 1)
    check_scale(scale)
    settings, _ = load_stored_fit(path)
    _note_scenario_change(settings, "the draws are run with the scenario as it is now")
    result = posterior_check(path, draws=draws, scale=scale, workers=workers)
    warn_of_runs(result["warnings"], result["runs"])  # stderr, in both modes
    if as_json:
        emit_json(result)
        return

    _print_check(result, draws, scale)


def _print_check(result: dict[str, Any], draws: int, scale: float) -> None:
    """The posterior check's three tables: the in-sample targets, the validation figures never
    fitted, and the checks of in-sample quantities on other sources (``Measure.checks``),
    which are not out of sample and are counted apart (as scripts/validate_historical.py)."""
    from greatterror.calibration.check import format_value, split_validation

    def cells(r: dict[str, Any]) -> list[str]:
        unit = r.get("unit")

        def v(x: float) -> str:
            return format_value(x, unit)

        band = f"{v(r['low'])}–{v(r['high'])}" if r["low"] != r["high"] else ""
        return [
            r["id"],
            v(r["record"]),
            band,
            v(r["median"]),
            f"{v(r['p05'])}–{v(r['p95'])}",
            "yes" if r["median_ok"] else "no",
            f"{r['share_ok']:.2f}",
            "yes" if r["record_in_band"] else "no",
        ]

    head = [
        "figure",
        "record",
        "range",
        "median",
        "5–95%",
        "median within ±20% or range",
        "share of draws so",
        "record in 5–95%",
    ]
    note = f"{draws} draws, scale 1:{1 / scale:,.0f}, validation seeds {result['seeds']}"
    out_of_sample, checks = split_validation(result["validation"])
    print_table(f"In-sample targets ({note})", head, [cells(r) for r in result["in_sample"]])
    print_table(
        f"Validation figures, never fitted ({note})", head, [cells(r) for r in out_of_sample]
    )
    print_table(
        f"Checks of in-sample quantities on other sources, not counted out of sample ({note})",
        [*head, "repeats"],
        [[*cells(r), ", ".join(r["repeats"])] for r in checks],
    )
    for what, rows in (
        ("in-sample targets", result["in_sample"]),
        ("validation figures", out_of_sample),
        ("checks of in-sample quantities", checks),
    ):
        ok = sum(r["median_ok"] for r in rows)
        console.print(f"{ok} of {len(rows)} {what}: median within ±20% or inside the range")
