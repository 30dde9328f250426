"""Do two versions of the code give the same outputs in distribution? (over many seeds)

Usage: ``python bench/equivalence.py OLD_SRC [NEW_SRC] [--seeds 12] [--scale 0.001]
[--first-seed 1] [--alpha 0.05] [--json FILE]``

For a speed change that alters the random numbers drawn but must not alter the rules (for
example a count drawn as a total and then split, model/fast_draws.py), equal hashes
(bench/outputs_hash.py) cannot be asked for; the two codes' runs must instead agree within
Monte Carlo noise. ``OLD_SRC`` and ``NEW_SRC`` are ``src`` directories (the old one
typically a commit unpacked with ``git archive COMMIT | tar -x -C DIR``, then ``DIR/src``;
``NEW_SRC`` defaults to this checkout's ``src``). Each code runs, in a subprocess of its
own (one worker), the historical scenario on seeds ``first_seed .. first_seed+seeds-1``,
all on one population built with seed 1 at ``scale`` (both codes build the same one), and
records every in-sample target (``sim.results.targets``, simulated value), every
validation figure of the summary (``calibration.holdout``) and the male shares of the
summary's demography (arrested, convicted and shot, all and by operation).

For each figure the two samples are compared by Welch's t test and by the Mann-Whitney U
test (two-sided), and the Welch p-values are corrected for the number of figures by
Holm's step-down method (family-wise error rate ``alpha``). The table gives the means,
the ratio new/old, both raw p-values and the Holm-adjusted one; a figure is flagged when
its adjusted p-value is below ``alpha``. Figures constant in both samples are reported
without a test, and flagged if the two constants differ. The exit code is 1 if any figure is flagged, else 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def collect(scale: float, seeds: list[int]) -> dict[str, list[float]]:
    """Run the seeds with the ``greatterror`` on ``sys.path``; figure -> value per seed."""
    import greatterror as gt
    from greatterror.calibration.holdout import holdout_values

    pop = gt.Population.build(scale, 1)
    out: dict[str, list[float]] = {}
    for seed in seeds:
        sim = gt.Sim("historical", seed=seed, population=pop).run()
        summary = sim.results.summary
        figures: dict[str, float] = {}
        for row in sim.results.targets.itertuples():
            figures[f"target {row.id}"] = float(row.simulated)
        for key, value in holdout_values(summary).items():
            figures[f"validation {key}"] = float(value)
        for event, by_op in summary["demography"].items():
            for op, d in by_op.items():
                if isinstance(d, dict) and d.get("male_share") is not None:
                    figures[f"male share {event} {op}"] = float(d["male_share"])
        for name, value in figures.items():
            out.setdefault(name, []).append(value)
        print(f"  seed {seed} done", file=sys.stderr, flush=True)
    return out


def _run(src: Path, scale: float, seeds: list[int]) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--collect",
        "--scale",
        str(scale),
        "--seed-list",
        ",".join(map(str, seeds)),
    ]
    print(f"running {len(seeds)} seeds with {src}", file=sys.stderr, flush=True)
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (same order as given)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def compare(
    old: dict[str, list[float]], new: dict[str, list[float]], alpha: float
) -> list[dict[str, Any]]:
    """One row per figure present in both: means, ratio, Welch and Mann-Whitney p, Holm p."""
    import numpy as np
    from scipy import stats

    rows: list[dict[str, Any]] = []
    for name in sorted(set(old) & set(new)):
        a, b = np.asarray(old[name], float), np.asarray(new[name], float)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if len(a) < 2 or len(b) < 2:
            continue
        row: dict[str, Any] = {
            "figure": name,
            "old_mean": float(a.mean()),
            "new_mean": float(b.mean()),
            "ratio": float(b.mean() / a.mean()) if a.mean() != 0 else math.nan,
            "welch_p": None,
            "mw_p": None,
        }
        if a.std() > 0 or b.std() > 0:
            row["welch_p"] = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
            row["mw_p"] = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
        elif a[0] != b[0]:
            # constant in both codes but not equal (e.g. 20 defendants against 16): no test
            # is needed, and none could be made, to say that they differ
            row["flagged"] = True
        rows.append(row)
    tested = [r for r in rows if r["welch_p"] is not None]
    for r, p in zip(tested, holm([r["welch_p"] for r in tested]), strict=True):
        r["holm_p"] = p
        r["flagged"] = p < alpha
    return rows


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| figure | old mean | new mean | new/old | Welch p | Mann-Whitney p | Holm p |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        flag = " **differs**" if r.get("flagged") else ""
        lines.append(
            f"| {r['figure']}{flag} | {_fmt(r['old_mean'])} | {_fmt(r['new_mean'])} | "
            f"{_fmt(r['ratio'])} | {_fmt(r['welch_p'])} | {_fmt(r['mw_p'])} | "
            f"{_fmt(r.get('holm_p'))} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_src", nargs="?", type=Path)
    parser.add_argument("new_src", nargs="?", type=Path, default=HERE.parent / "src")
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=0.001)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--json", type=Path, help="write both samples and the rows here")
    parser.add_argument("--collect", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed-list", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.collect:
        seeds = [int(s) for s in args.seed_list.split(",")]
        print(json.dumps(collect(args.scale, seeds)))
        return
    if args.old_src is None:
        parser.error("OLD_SRC is required (a src directory of the old code)")
    for src in (args.old_src, args.new_src):
        if not (src / "greatterror" / "__init__.py").is_file():
            print(f"error: {src} is not a src directory holding greatterror", file=sys.stderr)
            raise SystemExit(2)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    old = _run(args.old_src.resolve(), args.scale, seeds)
    new = _run(args.new_src.resolve(), args.scale, seeds)
    rows = compare(old, new, args.alpha)
    n_tested = sum(1 for r in rows if r.get("holm_p") is not None)
    flagged = [r["figure"] for r in rows if r.get("flagged")]
    print(f"scale {args.scale:g}, seeds {seeds[0]}-{seeds[-1]} ({len(seeds)}), one population")
    print(f"(seed 1); {len(rows)} figures, {n_tested} tested; Holm over {n_tested} Welch tests,")
    print(f"family-wise alpha {args.alpha}; flagged: {', '.join(flagged) or 'none'}")
    print()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({"old": old, "new": new, "rows": rows}, indent=1))
    raise SystemExit(1 if flagged else 0)


if __name__ == "__main__":
    main()
