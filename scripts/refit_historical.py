"""Refit the historical scenario by ABC-SMC and regenerate everything that depends on it.

Usage: python scripts/refit_historical.py [--particles 60] [--generations 8] [--max-minutes 18]
                                          [--scale 0.003] [--workers 2] [--seed 1]
                                          [--db refit/historical.db]

One command, in this order (each step is an ordinary greatterror command, printed as it runs):

1. ``greatterror calibrate historical`` at 1:333 (``--scale 0.003``, the smallest scale at
   which the outputs do not depend on it: docs/calibration.md, "Scale"; a smaller one is
   warned about): ABC-SMC over the free parameters of data/parameters.csv, from their
   priors, on fitting seeds (calibration/seeds.py); no new generation starts after
   ``--max-minutes``.
2. ``greatterror calibrate apply DB --scenario CANDIDATE``: the best of the last
   generation's closest particles, re-run on other fitting seeds, written with a provenance
   comment into a candidate copy of src/greatterror/scenarios/historical.toml (beside DB);
   the shipped scenario's own values are re-run on the same seeds (calibration/choose.py).
   Then the gate (greatterror.calibration.gate, whose docstring says why each rule) decides
   whether the candidate replaces the shipped scenario; all three parts are evaluated and
   recorded, whichever fails:

   - gate 1, a margin at the fit's scale on fresh seeds: the chosen point and the shipped
     values are run again at ``--scale`` on the margin seeds 2,100,001-2,100,000 + n
     (calibration/seeds.py ``margin_seeds``; n = ``--recheck``, default 5, at least 2), not
     on the re-check seeds that chose the point (which would bias the test in its favour);
     on those runs the chosen point's choosing distance must be below the shipped values',
     and the per-seed differences of the two points' distances must pass a one-sided paired
     t-test at 5% (mean minus t(0.95; n - 1) standard errors above zero);
   - gate 2, not worse at the validation scale: both run at 1:100 on the gate seeds
     2,000,001-2,000,010 (calibration/seeds.py ``GATE_SEEDS``: above every fit's population
     seed, never the validation seeds 1-10), scored on the in-sample targets only; the mean
     over the seeds of the paired differences of the two points' per-seed choosing
     distances must not be negative (the number of targets passing is reported, not used);
   - the validity tests' key properties on the candidate's runs on the first three gate
     seeds (greatterror.calibration.validity: men at least 90% of those sentenced to death,
     no one under 12 arrested, under-16s under 1% of arrests, every operation victim on a
     line, terms expire).

   Only if all hold is the candidate copied over the shipped scenario. Otherwise the script
   skips steps 3 and 4, still runs 5, writes its section, and stops with exit code 3, naming
   each failing part with its numbers; the shipped scenario is left as it was.
3. ``python tests/make_baseline.py``: the regression baseline of tests/test_model.py,
   since the scenario's values changed.
   Then ``python -m greatterror.calibration.leader_rule --write``: the endogenous scenario's
   decision thresholds are refitted to the record's decision dates (optuna), since the
   perceived threat they are measured against comes from the society's parameters just
   changed (thresholds fitted before may never be crossed).
4. ``python scripts/validate_historical.py --scale 0.01 --seeds 10``: docs/validation.md's
   in-sample and out-of-sample tables over the validation seeds 1-10 at 1:100.
5. ``greatterror calibrate show DB --check``: the posterior predictive check (draws of the
   posterior on the validation seeds at --scale), and ``calibrate show DB`` for the posterior.

The section between the refit markers of docs/calibration.md is rewritten at the end of
every run, however it ended (applied, refused by the gate, or stopped by a failing step):
the outcome, the commands with the wall and CPU time of each step, the generations stored
(fewer than ``--generations`` when ``--max-minutes`` stopped the fit), the posterior, the
candidates of ``calibrate apply`` on one scale, the gate's numbers (whichever way it went),
and the check. Run it from the repository root with the package importable
(``pip install -e '.[calibrate]'``). A step that fails stops the script with its exit code
after the section is written; the database is kept, and ``--resume`` with the same settings
and a larger ``--generations`` continues the fit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from greatterror.calibration import gate
from greatterror.calibration.check import format_value, split_validation
from greatterror.calibration.dbfile import resume_problem
from greatterror.calibration.seeds import GATE_SEEDS, SeedRangeError, check_fit_seed
from greatterror.preflight import PreflightError, check_scale
from greatterror.scales import scale_warning

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "calibration.md"
BEGIN, END = "<!-- refit: generated by scripts/refit_historical.py -->", "<!-- /refit -->"
CLI = [sys.executable, "-m", "greatterror"]
SCENARIO = ROOT / "src" / "greatterror" / "scenarios" / "historical.toml"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _step(name: str, cmd: list[str], log: list[dict[str, Any]], capture: bool = False) -> str:
    shown = " ".join(shlex.quote(str(c)) for c in cmd).replace(sys.executable, "python")
    print(f"\n== {name}: {shown}", flush=True)
    wall, cpu = time.monotonic(), _children_cpu()
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=ROOT, text=True, stdout=subprocess.PIPE if capture else None
    )
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {proc.returncode}")
    took = {"step": name, "command": shown, "wall_s": time.monotonic() - wall}
    took["cpu_s"] = _children_cpu() - cpu
    log.append(took)
    print(f"   {took['wall_s']:.0f} s wall, {took['cpu_s']:.0f} s CPU", flush=True)
    return proc.stdout or ""


def _section(args: argparse.Namespace, log: list[dict[str, Any]], got: dict[str, Any]) -> str:
    """The section between the refit markers: whatever the steps produced, and how it ended."""
    show, check, applied = got.get("show"), got.get("check"), got.get("apply")
    lines = [
        BEGIN,
        "## Last refit of the historical scenario",
        "",
        "Written by `scripts/refit_historical.py` at the end of every run, however it ended.",
        "",
        f"`python scripts/refit_historical.py --particles {args.particles} --generations "
        f"{args.generations} --max-minutes {args.max_minutes:g} --workers {args.workers} "
        f"--seed {args.seed} --draws {args.draws} --candidates {args.candidates} "
        f"--recheck {args.recheck}{' --resume' if args.resume else ''}"
        f"{f' --free {args.free}' if args.free else ''}` ended on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} cores (load average before the run: {args.load}).",
        "",
        f"**Outcome: {_outcome(got)}.**",
        *(f"- {line}" for line in got.get("not_applied", [])),
        "",
        "| step | command | wall | CPU (children) |",
        "|---|---|---|---|",
        *(
            f"| {r['step']} | `{r['command']}` | {float(r['wall_s']) / 60:.1f} min | "
            f"{float(r['cpu_s']) / 60:.1f} min |"
            for r in log
        ),
        "",
    ]
    lines += _fit_lines(args, show) + _apply_lines(applied)
    lines += (got["gate"].lines() if "gate" in got else []) + _check_lines(check)
    lines.append(END)
    return "\n".join(lines)


def _fit_lines(args: argparse.Namespace, show: dict[str, Any] | None) -> list[str]:
    if not show:
        return ["The database holds no completed generation.", ""]
    gens = show["generations"]
    lines = [
        f"{len(gens)} of the {args.generations} generations asked for are stored"
        + (
            " (the fit stopped at `--max-minutes`, or was stopped; `--resume` with the same "
            "settings and a larger `--generations` continues it)."
            if len(gens) < args.generations
            else "."
        ),
        "",
        "| generation | epsilon | particles | simulations | acceptance | ESS |",
        "|---|---|---|---|---|---|",
        *(
            f"| {g['generation']} | {g['epsilon']:.3g} | {g['particles']} | {g['simulations']} | "
            f"{g['acceptance']:.2f} | {g['ess']:.1f} |"
            for g in gens
        ),
        "",
        "(Each generation's weights adapt, so the epsilons of different generations are not on "
        "one scale.) Posterior (last generation): median, 90% interval, and the prior mass of "
        "that interval (small: the data constrain the parameter).",
        "",
        "| parameter | median | 5% | 95% | prior median | prior mass |",
        "|---|---|---|---|---|---|",
        *(
            f"| `{r['name']}` | {r['median']:.4g} | {r['p05']:.4g} | {r['p95']:.4g} | "
            f"{r['prior_median']:.4g} | {r['prior_mass_of_interval']:.2f} |"
            for r in show["posterior"]
        ),
        "",
    ]
    return lines


def _apply_lines(applied: dict[str, Any] | None) -> list[str]:
    if not applied:
        return []
    t = applied["generation"]
    lines = [
        f"Candidates (`calibrate apply`, re-run on fitting seeds {applied['recheck_seeds']}; "
        f"chosen by the rule: {applied['rule']}). Distances on one scale: the choosing "
        "distance (calibration/choose.py; what the rule ranks by), archival "
        f"(`statistics.archival_distance`) and under generation {t}'s adaptive weights "
        f"({applied['weights_source']}).",
        "",
        "| rank | accepted at | archival: acceptance run | choosing distance (the rule) | "
        f"archival: re-check median | generation-{t} weights: re-check median | "
        "outside the band on the re-check |",
        "|---|---|---|---|---|---|---|",
    ]

    def choosing(row: dict[str, Any]) -> str:  # absent from an apply of an older version
        value = row.get("choosing_distance")
        return "n/a" if value is None else f"{value:.2f}"

    for i, c in enumerate(applied["candidates"]):
        adaptive = c["last_generation_weights"]
        missed = ", ".join(
            f"{m['id']} {m['runs']}/{m['of']} x{m['factor']:.2g}"
            for m in c["outside_band_on_recheck"]
        )
        lines.append(
            f"| {i + 1} | {c['accepted_distance']:.2f} | {c['archival']['acceptance_run']:.2f} | "
            f"{choosing(c)} | {c['archival']['recheck_median']:.2f} | "
            f"{'n/a' if adaptive is None else format(adaptive['recheck_median'], '.2f')} | "
            f"{missed or 'none'} |"
        )
    shipped = applied.get("incumbent")
    if shipped:
        lines.append(
            f"| shipped values | - | - | {choosing(shipped)} | {shipped['recheck_median']:.2f} | - | "
            "the values the fit would replace, re-run on the same seeds |"
        )
    return [*lines, ""]


def _check_lines(check: dict[str, Any] | None) -> list[str]:
    if not check:
        return ["The posterior predictive check did not run.", ""]
    lines = [
        f"Posterior predictive check: {check['draws']} draws at 1:{1 / check['scale']:,.0f} on "
        f"validation seeds {check['seeds']}.",
        "",
        "| figure | set | record | range | median | 5–95% | median passes | share of draws passing | record in 5–95% |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    out_of_sample, checks = split_validation(check["validation"])
    sets = (("in-sample", check["in_sample"]), ("validation", out_of_sample), ("check", checks))
    for kind, rows in sets:
        for r in rows:
            unit = r.get("unit")
            v = [
                format_value(r[k], unit) for k in ("record", "low", "high", "median", "p05", "p95")
            ]
            band = f"{v[1]}–{v[2]}" if r["low"] != r["high"] else ""
            lines.append(
                f"| {r['id']} | {kind} | {v[0]} | {band} | {v[3]} | {v[4]}–{v[5]} | "
                f"{'yes' if r['median_ok'] else 'no'} | {r['share_ok']:.2f} | "
                f"{'yes' if r['record_in_band'] else 'no'} |"
            )
    ok, held, rechecked = (sum(r["median_ok"] for r in rows) for _, rows in sets)
    lines += [
        "",
        f"In-sample: {ok} of {len(check['in_sample'])} medians within ±20% or inside the range; "
        f"validation (never fitted): {held} of {len(out_of_sample)}; checks of in-sample "
        f"quantities on other sources (set `check`, not out of sample): {rechecked} of "
        f"{len(checks)}. A figure passes when the median is within ±20% of the record or inside "
        "its archival range.",
    ]
    return lines


def gate_then_apply(
    candidate: Path,
    got: dict[str, Any],
    log: list[dict[str, Any]],
    workers: int = 1,
    target: Path | None = None,
) -> None:
    """Copy ``candidate`` over ``target`` (the shipped historical scenario) only if the gate
    lets it through (greatterror.calibration.gate: a margin beyond the noise at the fit's scale
    on fresh margin seeds, not worse at 1:100 on the gate seeds, and the validity check); else stop with
    exit code 3 and a message naming each failing comparison with its numbers, leaving
    ``target`` untouched. The verdict goes into ``got["gate"]`` for the section either way."""
    target = target or SCENARIO
    print(
        f"\n== 2b gate: {candidate} against {target}: at the fit's scale on the margin seeds, "
        f"and at 1:{round(1 / gate.SCALE)} on seeds {GATE_SEEDS[0]:,}-{GATE_SEEDS[-1]:,}",
        flush=True,
    )
    t0, c0 = time.perf_counter(), time.process_time() + _children_cpu()
    verdict = gate.judge_fit(got["apply"], candidate, target, workers)
    log.append(
        {
            "step": "2b gate",
            "command": "greatterror.calibration.gate.judge_fit",
            "wall_s": time.perf_counter() - t0,
            "cpu_s": time.process_time() + _children_cpu() - c0,
        }
    )
    got["gate"] = verdict
    print("\n".join("  " + line for line in verdict.lines() if line))
    failed = verdict.failures()
    if failed:
        lines = "\n".join("  " + line for line in failed)
        print(
            f"\nrefit NOT applied:\n{lines}\n{target} is unchanged; the fitted values are in "
            f"{candidate}. Refit longer or with more particles, or fix the mechanism "
            "(docs/calibration.md, 'Refitting the historical scenario').",
            file=sys.stderr,
        )
        raise SystemExit(3)
    shutil.copyfile(candidate, target)
    got["applied"] = True
    print(f"gate passed: {candidate} copied to {target}")


def _run_steps(
    args: argparse.Namespace,
    db: Path,
    fit: list[Any],
    workers: str,
    log: list[dict[str, Any]],
    got: dict[str, Any],
) -> None:
    """Steps 1-5; what they find goes into ``got`` for the section, whatever stops them."""
    _step("1 fit (ABC-SMC)", fit, log)
    candidate = db.with_name(db.stem + "_candidate.toml")
    shutil.copyfile(SCENARIO, candidate)
    apply_cmd = [*CLI, "calibrate", "apply", db, "--scenario", candidate, "--workers", workers]
    apply_cmd += ["--candidates", args.candidates, "--recheck", args.recheck, "--json"]
    got["apply"] = json.loads(_step("2 apply", apply_cmd, log, capture=True))
    try:
        gate_then_apply(candidate, got, log, args.workers)
    except SystemExit as refused:
        if refused.code != 3:
            raise
        got["not_applied"], got["why"] = got["gate"].failures(), got["gate"].why()
    if "not_applied" not in got:
        _step("3 regression baseline", [sys.executable, "tests/make_baseline.py"], log)
        leader = [sys.executable, "-m", "greatterror.calibration.leader_rule", "--write"]
        leader += ["--scale", args.scale, "--budget", args.leader_budget, "--workers", workers]
        leader += ["--seeds", args.leader_seeds]
        _step("3b leader thresholds", leader, log)
        validate = [sys.executable, "scripts/validate_historical.py", "--scale", "0.01"]
        _step("4 validation tables", [*validate, "--seeds", "10", "--workers", workers], log)
    got["check"] = _check(args, db, workers, log)


def _check(args: argparse.Namespace, db: Path, workers: str, log: list[dict[str, Any]]) -> Any:
    check_cmd = [*CLI, "calibrate", "show", db, "--check", "--draws", args.draws]
    check_cmd += ["--scale", args.scale, "--workers", workers, "--json"]
    return json.loads(_step("5 predictive check", check_cmd, log, capture=True))


def _finish(
    args: argparse.Namespace, db: Path, workers: str, log: list[dict[str, Any]], got: dict[str, Any]
) -> None:
    """Write the section of docs/calibration.md from whatever the steps produced.

    Runs however the steps ended: a fit stopped by ``--max-minutes`` or killed, a point
    refused by the gate (exit code 3) or a step that failed; the section says which.
    """
    try:
        got["show"] = json.loads(
            _step("6 posterior", [*CLI, "calibrate", "show", db, "--json"], log, capture=True)
        )
    except SystemExit:  # no completed generation to show
        got["show"] = None
    text = DOC.read_text(encoding="utf-8")
    section = _section(args, log, got)
    if BEGIN in text and END in text:
        text = text.split(BEGIN, 1)[0] + section + text.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    total = sum(float(r["wall_s"]) for r in log) / 60
    print(f"\nrefit ended in {total:.1f} min wall: {_outcome(got)}; docs/calibration.md updated")


def _outcome(got: dict[str, Any]) -> str:
    if "stopped" in got and "not_applied" not in got:
        done = (
            "the fitted point had been copied over the shipped scenario; the steps after it "
            "did not all run"
            if got.get("applied")
            else "nothing applied"
        )
        return f"stopped by a failing step ({got['stopped']}); {done}"
    if "not_applied" in got:
        why = got.get("why", "refused by the gate")
        return f"the fitted point was NOT applied ({why}); the shipped scenario is unchanged"
    return "the fitted point was applied; regression baseline and validation tables regenerated"


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Every option in its range before anything runs or is written (exit 2 and a message).

    A bad option used to reach step 1's ``calibrate``, whose refusal counted as a failing
    step: the script then wrote its record of "the refit" into docs/calibration.md, over
    the record of the last real refit, and made --db's folder.
    """
    least = {
        "particles": 2,
        "generations": 1,
        "workers": 1,
        "draws": 1,
        "candidates": 1,
        "recheck": 1,
        "leader_budget": 1,
        "leader_seeds": 1,
    }
    for name, low in least.items():
        value = getattr(args, name)
        if value < low:
            option = "--" + name.replace("_", "-")
            parser.error(
                f"{option}: {value} is too small; allowed: a whole number of at least {low}"
            )
    if not args.max_minutes > 0:  # (inf: no time limit, as ``calibrate`` allows)
        parser.error(
            f"--max-minutes: {args.max_minutes:g} is not allowed; allowed: a positive number"
        )
    try:
        check_scale(args.scale)
        check_fit_seed(args.seed)
    except (PreflightError, SeedRangeError) as exc:
        parser.error(str(exc))
    if args.free is not None:
        check_free(parser, args.free)
    check_db(parser, _db_path(args.db), args.resume)
    if args.resume:
        check_stored_fit(parser, args)


def check_free(parser: argparse.ArgumentParser, text: str) -> None:
    """--free as step 1's ``calibrate`` will judge it: only the scenario's free parameters."""
    from greatterror.calibration.problem import conditional_free, scenario_problem
    from greatterror.model.scenario import load_scenario

    try:
        conditional_free(text, scenario_problem(load_scenario("historical"))[0])
    except ValueError as exc:
        parser.error(str(exc))


def _db_path(db: Path) -> Path:
    return db if db.is_absolute() else ROOT / db


def check_db(parser: argparse.ArgumentParser, db: Path, resume: bool) -> None:
    """--db as step 1's ``calibrate`` will judge it, checked before any step: a refusal there
    counted as a failed step, and the record of the last refit in docs/calibration.md was
    written over (review34 F1). The folder may be missing: the script makes it."""
    problem = resume_problem(db, resume)
    if problem:
        parser.error(f"--db: {problem}")


def check_stored_fit(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """With --resume, the stored fit as step 1's ``calibrate`` will judge it before any step
    (calibration/abc.py ``check_resume``: its settings, held values, code, and the scenario
    file it started from): a refusal in step 1 would write over the last refit's record."""
    from greatterror.calibration.abc import FitError, check_resume, new_settings
    from greatterror.calibration.problem import (
        MissingExtraError,
        conditional_free,
        scenario_problem,
    )
    from greatterror.model.scenario import load_scenario

    chosen = load_scenario("historical")
    free = scenario_problem(chosen)[0]
    free = conditional_free(args.free, free) if args.free else free
    settings = new_settings("historical", chosen, args.scale, args.seed, args.particles, free)
    try:
        check_resume(settings, _db_path(args.db))
    except (FitError, MissingExtraError) as exc:
        parser.error(str(exc))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--particles", type=int, default=60)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--max-minutes", type=float, default=18.0)
    parser.add_argument("--scale", type=float, default=0.003)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=5)
    parser.add_argument("--recheck", type=int, default=5)
    parser.add_argument("--leader-budget", type=int, default=150)
    parser.add_argument("--leader-seeds", type=int, default=3, help="runs per leader-rule trial")
    parser.add_argument("--db", type=Path, default=Path("refit/historical.db"))
    parser.add_argument("--resume", action="store_true", help="continue the fit stored in --db")
    parser.add_argument(
        "--free",
        default=None,
        help="vary only these free parameters (comma-separated): a conditional fit, the others "
        "held at the shipped values (greatterror calibrate --free)",
    )
    args = parser.parse_args()
    check_args(parser, args)
    warning = scale_warning(args.scale)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    args.load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    db = _db_path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    workers = str(args.workers)
    log: list[dict[str, Any]] = []
    fit = [*CLI, "calibrate", "historical", "--particles", args.particles, "--generations"]
    fit += [args.generations, "--scale", args.scale, "--workers", workers, "--seed", args.seed]
    fit += ["--db", db, "--max-minutes", args.max_minutes, *(["--resume"] if args.resume else [])]
    fit += ["--free", args.free] if args.free else []
    got: dict[str, Any] = {}
    try:
        _run_steps(args, db, fit, workers, log, got)
    except SystemExit as stop:
        got["stopped"] = stop.code if isinstance(stop.code, str) else f"exit code {stop.code}"
        raise
    except Exception as error:  # e.g. a simulation of the gate: the section still says so
        got["stopped"] = f"{type(error).__name__}: {error}"
        raise
    finally:
        _finish(args, db, workers, log, got)
    if "not_applied" in got:
        raise SystemExit(3)


if __name__ == "__main__":
    main()
