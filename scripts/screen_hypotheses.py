"""The hypotheses' screen: which free parameters each keeps, from its Morris screen's JSON.

Usage: python scripts/screen_hypotheses.py [DIR] [--markdown]
(DIR defaults to docs/sensitivity-2026-12-06b; --markdown also prints docs/sensitivity.md's
tables, one per hypothesis)

DIR holds one ``morris_<ID>_seed1.json`` per screened hypothesis (``greatterror sensitivity
hypotheses/<scenario> --method morris --parameters free,<control> --json``). For each, this
writes ``morris_<ID>_steps.json`` (the steps against the runaway threshold, as
scripts/sensitivity_steps.py prints them) and then ``screen.json``: per hypothesis the
parameters kept and those fixed at their prior medians, with the numbers behind each
decision (``calibration/screen_rule.py``; the rule: docs/sensitivity.md, "Screening the
hypotheses' free parameters"). Controls are the screened parameters that are not among the
hypothesis's free ones; idle are its free parameters of a mechanism it switches off.
Hypotheses without a screen in DIR are listed as not screened. ``greatterror hypotheses
compare --screen DIR/screen.json`` reads the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ORDER = ("H1", "H1e", "H2", "H3", "H4", "H5", "H5b", "H6", "H7")


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--markdown"]
    if len(args) > 1 or any(a in ("-h", "--help") or a.startswith("-") for a in args):
        raise SystemExit(__doc__)
    folder = Path(args[0] if args else "docs/sensitivity-2026-12-06b")
    from greatterror.calibration import screen_rule
    from greatterror.calibration.compare import hypothesis_priors
    from greatterror.calibration.screen_set import acts, scenario_structure, switched_off
    from greatterror.model.scenario import load_scenario

    hypotheses: dict[str, Any] = {}
    missing = []
    for label in ORDER:
        path = folder / f"morris_{label}_seed1.json"
        if not path.exists() or path.stat().st_size == 0:
            missing.append(label)
            continue
        result = json.loads(path.read_text(encoding="utf-8"))
        scenario = result["scenario"]
        rows = screen_rule.steps(result)
        steps_file = folder / f"morris_{label}_steps.json"
        steps_file.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
        free, _ = hypothesis_priors(scenario)
        defined = load_scenario(scenario)
        off = switched_off(defined.mechanisms, scenario_structure(defined))
        controls = [n for n in result["parameters"] if n not in free]
        idle = [n for n in free if not acts(n, off)]
        if [n for n in result["parameters"] if n in free] != list(free):
            raise SystemExit(f"{path}: the screen's parameters are not {label}'s free ones")
        decided = screen_rule.decide(rows, controls, idle)
        # not the rule: the noise from the added control alone, without the idle parameters
        alone = screen_rule.decide(rows, controls, idle, reference=controls)
        flips = [
            d["name"]
            for d, a in zip(decided["parameters"], alone["parameters"], strict=True)
            if d["keep"] != a["keep"]
        ]
        fixed = [d["name"] for d in decided["parameters"] if not d["keep"]]
        medians = screen_rule.prior_medians(scenario, fixed)
        for d in decided["parameters"]:
            d["prior_median"] = medians.get(d["name"])
        hypotheses[label] = {
            "scenario": scenario,
            "screen": path.name,
            "steps": steps_file.name,
            # the commit the screen's JSON names (for the screens of 6 December: when the JSON
            # was written, at the run's end) and the one its run record gives at its start;
            # neither is called "commit", as they differ where commits landed mid-run
            "commit_named_in_json": result["provenance"]["code"]["commit"],
            "commit_at_start": run_record(folder, label).get("commit_at_start"),
            "run": run_record(folder, label),
            "runs": result["runs"],
            "runaways": result["runaways"],
            "free_before": len(free),
            "controls": controls,
            "idle": idle,
            "noise_reference": decided["noise_reference"],
            "largest_mu_star_finished": decided["largest_mu_star_finished"],
            "control_steps": [r for r in rows if r["name"] in controls],
            "noise_reference_added_control_only": alone["noise_reference"],
            "decided_otherwise_with_added_control_only": flips,
            "kept": [d["name"] for d in decided["parameters"] if d["keep"]],
            # not the rule: kept only by a single threshold step, which seed noise can make
            "kept_by_one_threshold_step_only": [
                d["name"]
                for d in decided["parameters"]
                if d["keep"] and d["threshold_steps"] == 1 and not d["finished_keep"]
            ],
            "fixed": medians,
            "parameters": decided["parameters"],
        }
    screen = {
        "what": "per hypothesis, the free parameters kept and those fixed at their prior "
        "medians after a Morris screen (10 trajectories, 1:1,000, seed 1); "
        "docs/sensitivity.md, 'Screening the hypotheses' free parameters'",
        "made_by": "python scripts/screen_hypotheses.py " + str(folder),
        "rule": {
            "min_finished_steps": screen_rule.MIN_FINISHED,
            "share_of_largest": screen_rule.SHARE_OF_LARGEST,
            "bootstrap_resamples": screen_rule.RESAMPLES,
            "bootstrap_seed": screen_rule.RESAMPLE_SEED,
        },
        "hypotheses": hypotheses,
        "not_screened": missing,
    }
    out = folder / "screen.json"
    out.write_text(json.dumps(screen, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{out}: {len(hypotheses)} screened, not screened: {', '.join(missing) or 'none'}")
    if "--markdown" in sys.argv[1:]:
        print(summary(hypotheses))
        for label, entry in hypotheses.items():
            print(markdown(label, entry))


def run_record(folder: Path, label: str) -> dict[str, Any]:
    """The run's record beside its JSON, if there: the commit at its start, start and end
    (UTC), load averages (``uptime``), and wall and CPU time (``/usr/bin/time -v``)."""
    out: dict[str, Any] = {}
    log = folder / f"morris_{label}_run.txt"
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.startswith("commit:"):
                out["commit_at_start"] = line.split()[1]
            for key in ("start", "end"):
                if line.startswith(f"{key}:"):
                    out[key] = line.split()[1]
                    out[f"load_{key}"] = line.split("load average:")[1].split("exit")[0].strip()
    timing = folder / f"morris_{label}_time.txt"
    if timing.exists():
        fields = dict(
            line.strip().split(": ", 1)
            for line in timing.read_text(encoding="utf-8").splitlines()
            if ": " in line
        )
        cpu = float(fields.get("User time (seconds)", 0)) + float(
            fields.get("System time (seconds)", 0)
        )
        out["cpu_seconds"] = round(cpu, 1)
        out["wall"] = fields.get("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    return out


def summary(hypotheses: dict[str, Any]) -> str:
    """The table of every screened hypothesis: cost, runaways, k before and after."""
    lines = [
        "| hypothesis | free before | kept | fixed | kept by one threshold step only | runs |"
        " runaways | noise reference | wall | CPU s | load start / end | commit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, e in hypotheses.items():
        run = e.get("run", {})
        lines.append(
            f"| {label} | {e['free_before']} | {len(e['kept'])} | {len(e['fixed'])} | "
            f"{len(e['kept_by_one_threshold_step_only'])} | {e['runs']} | {e['runaways']} | "
            f"{_num(e['noise_reference'])} | {run.get('wall', '?')} | "
            f"{run.get('cpu_seconds', '?')} | {run.get('load_start', '?').split(',')[0]} / "
            f"{run.get('load_end', '?').split(',')[0]} | {run.get('commit_at_start', '?')} |"
        )
    return "\n".join(lines) + "\n"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def markdown(label: str, entry: dict[str, Any]) -> str:
    """One hypothesis's table for docs/sensitivity.md, sorted by μ*."""
    lines = [
        f"**{label}** (`{entry['scenario']}`): {len(entry['kept'])} of {entry['free_before']} "
        f"kept; {entry['runaways']} of {entry['runs']} runs ran away; noise reference "
        f"{_num(entry['noise_reference'])} (controls: "
        + ", ".join(f"`{n}`" for n in (*entry["controls"], *entry["idle"]))
        + f"); largest finished μ* {_num(entry['largest_mu_star_finished'])}.",
        "",
        "| parameter | μ* | μ* ± | threshold steps | both runaways | finished | μ* there | ± |"
        " mean there | decision |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = sorted(entry["parameters"], key=lambda d: -d["mu_star"])
    rows += [{**r, "control": True} for r in entry["control_steps"]]
    for d in rows:
        if d.get("control"):
            decision = "control (seed only)"
        elif d["keep"]:
            decision = "keep (" + d["reason"].split(":")[0] + ")"
        else:
            decision = f"fix at {d['prior_median']:.4g} (" + d["reason"].split(":")[0] + ")"
        lines.append(
            f"| `{d['name']}` | {_num(d['mu_star'])} | {_num(d['mu_star_conf'])} | "
            f"{d['threshold_steps']} | {d['both_runaway_steps']} | {d['finished_steps']} | "
            f"{_num(d['mu_star_finished'])} | {_num(d['mu_star_finished_conf'])} | "
            f"{_num(d['mean_finished'])} | {decision} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
