"""A comparison's particle, old code against new, draw by draw: CPU and the statistics.

Usage: python bench/bench_particle_paired.py OLD/src NEW/src [--scale 0.001]
[--hypothesis H6] [--draws 4] [--rounds 2] [--draw-seed 1]

Each round runs one process per tree (the order alternating between rounds), as a forked
pyabc worker runs a particle: ``compare.hypothesis_model`` (the hypothesis's model on the
logistic scale of its priors, population built once, before the clock), one particle not
counted (Numba's cache is loaded on a process's first run), then ``--draws`` particles at
draws from the standard logistic prior (the same draws in every process), each timed by
``time.process_time``. Prints each tree's CPU a particle, the new/old ratio draw by draw,
and whether the two trees' statistics are equal (a SHA-256 of their JSON): a speed change
of the fit must leave them so. Runaway draws (stopped early, cheap) count as they come.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np


def child(scale: float, hypothesis: str, draws: int, draw_seed: int) -> None:
    from greatterror.calibration.compare import hypothesis_model
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.model.hypothesis_catalog import FOLDER, find_hypothesis

    scenario = f"{FOLDER}/{find_hypothesis(hypothesis).name}"
    model, _ = hypothesis_model(scenario, scale, 1, 1.0, CALIBRATION_IDS)
    rng = np.random.default_rng(draw_seed)
    zs = [
        dict(zip(model.names, rng.logistic(size=len(model.names)).tolist(), strict=True))
        for _ in range(draws + 1)
    ]
    model(zs[0])  # the first run loads the kernels from Numba's cache: not counted
    cpu, stats = [], []
    for z in zs[1:]:
        c = time.process_time()
        stats.append(model(z))
        cpu.append(time.process_time() - c)
    digest = hashlib.sha256(json.dumps(stats, sort_keys=True).encode()).hexdigest()[:16]
    print(json.dumps({"cpu": cpu, "stats": digest}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--scale", type=float, default=0.001)
    parser.add_argument("--hypothesis", default="H6")
    parser.add_argument("--draws", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--draw-seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.scale, args.hypothesis, args.draws, args.draw_seed)
        return
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    trees = {"old": args.old, "new": args.new}
    cpu: dict[str, list[list[float]]] = {"old": [], "new": []}
    digests: dict[str, set[str]] = {"old": set(), "new": set()}
    for r in range(args.rounds):
        for label in ("old", "new") if r % 2 == 0 else ("new", "old"):
            env = dict(os.environ, PYTHONPATH=os.path.abspath(trees[label]))
            command = [sys.executable, __file__, args.old, args.new, "--child"]
            command += ["--scale", str(args.scale), "--hypothesis", args.hypothesis]
            command += ["--draws", str(args.draws), "--draw-seed", str(args.draw_seed)]
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            cpu[label].append(result["cpu"])
            digests[label].add(result["stats"])
            print(
                f"round {r + 1} {label}: CPU a particle {', '.join(f'{c:.3f}' for c in result['cpu'])}"
            )
    old, new = np.array(cpu["old"]), np.array(cpu["new"])
    ratio = new / old
    print(
        f"1:{1 / args.scale:,.0f}, {args.hypothesis}, {args.draws} draws x {args.rounds} rounds: "
        f"CPU a particle, mean old {old.mean():.3f} s, new {new.mean():.3f} s "
        f"(difference {old.mean() - new.mean():.3f} s); median of the new/old ratios "
        f"{np.median(ratio):.3f} (quartiles {np.quantile(ratio, 0.25):.3f}, "
        f"{np.quantile(ratio, 0.75):.3f})"
    )
    same = digests["old"] == digests["new"] and len(digests["old"]) == 1
    print(
        f"statistics: old {sorted(digests['old'])}, new {sorted(digests['new'])}: "
        f"{'equal' if same else 'DIFFERENT'}"
    )
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
