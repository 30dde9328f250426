"""Peer benchmark: greatterror against the same reduced rules written in Mesa 3.

Usage:
    python bench/peers/compare_mesa.py                      # 1:10,000 and 1:1,000, seeds 1-10
    python bench/peers/compare_mesa.py --scales 0.0001 --seeds 3   # a quick check
    python bench/peers/compare_mesa.py --mesa-max-scale 0.0001     # Mesa at the small size only

Needs the optional ``bench`` extra (``pip install -e .[bench]``: Mesa 3 and SciPy).

Both engines run bench/peers/reduced.toml: Order 00447 with its regional
limits and its dated course, the troika's daily throughput, and
interrogations that name colleagues, every other mechanism off (the rules,
and where greatterror states them: docs/performance.md). For each scale and seed both start
from greatterror's population of that seed (peer_inputs.py); the random
draws of the run itself are each engine's own.

Printed, per scale:
- yearly arrests, death sentences and camp sentences (the troika's
  categories 1 and 2, and the few sentences of the Special Board and the
  courts on the cases of people named after the order's end in their
  region) in full-population people: mean and standard deviation over
  the seeds for each engine, Welch's t-test and the Mann-Whitney U test per
  row, and whether any difference survives Holm's correction at 5%;
- the speed: seconds to set up (greatterror: the simulation object; Mesa:
  creating the agents) and to run (wall time, and the run's CPU time in this
  process, which a loaded machine inflates less), and the throughput in
  agent-days per second of the run, with the ratio. An agent-day is one person of the
  sampled mass population for one simulated day, counted the same way for
  both engines (the population the reduced rules can reach; greatterror
  also carries the elite layer, which these rules never touch).

Timings are medians over the seeds, measured in this process one run after
another; the population build is not timed (it is the same for both).
This is a benchmark, not a test: record its output in docs/performance.md
with the command, the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from peer_inputs import SCENARIO, build_inputs, load_reduced_scenario  # noqa: E402

from greatterror.evidence.loader import load_evidence  # noqa: E402
from greatterror.population.build import build_population  # noqa: E402

QUANTITIES = ("arrested", "death_sentences", "camp")
ALPHA = 0.05


@dataclass
class EngineRuns:
    name: str
    yearly: list[dict[str, dict[str, float]]] = field(default_factory=list)  # per seed
    setup_s: list[float] = field(default_factory=list)
    run_s: list[float] = field(default_factory=list)
    run_cpu_s: list[float] = field(default_factory=list)  # CPU time of this process


def run_greatterror(pop: Any, seed: int, evidence: Any) -> tuple[dict, float, float, float]:
    """One run of greatterror on a built population, through its Python API.

    Returns the yearly counts, the seconds to set up the engine (its world,
    registers and loop; built on first use), the seconds of the run and its CPU seconds.
    """
    import greatterror as gt

    sim = gt.Sim(str(SCENARIO), population=pop, seed=seed, evidence=evidence)
    t0 = time.perf_counter()
    sim.engine  # noqa: B018 - built here so that the run is timed on its own
    t1, c1 = time.perf_counter(), time.process_time()
    sim.run()
    t2, c2 = time.perf_counter(), time.process_time()
    summary = sim.results.summary
    yearly = {
        year: {q: float(row[q]) for q in QUANTITIES} for year, row in summary["yearly"].items()
    }
    return yearly, t1 - t0, t2 - t1, c2 - c1


def run_mesa(inputs: Any, seed: int, agent_steps: bool) -> tuple[dict, float, float, float]:
    """One run of the Mesa model: yearly counts from its DataCollector, set-up and run seconds,
    and the run's CPU seconds."""
    from mesa_terror import TerrorModel

    t0 = time.perf_counter()
    model = TerrorModel(inputs, seed=seed, agent_steps=agent_steps)
    t1, c1 = time.perf_counter(), time.process_time()
    model.run()
    t2, c2 = time.perf_counter(), time.process_time()
    frame = model.datacollector.get_model_vars_dataframe()
    frame["year"] = [(inputs.start + dt.timedelta(days=int(d))).year for d in frame["day"]]
    sums = frame.groupby("year")[["arrested", "convicted_cat1", "convicted_camp"]].sum()
    yearly = {
        str(year): {
            "arrested": float(row["arrested"]),
            "death_sentences": float(row["convicted_cat1"]),
            "camp": float(row["convicted_camp"]),
        }
        for year, row in sums.iterrows()
    }
    return yearly, t1 - t0, t2 - t1, c2 - c1


def holm(pvalues: list[float]) -> list[bool]:
    """Which hypotheses Holm's step-down procedure rejects at ``ALPHA``."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    reject = [False] * len(pvalues)
    for rank, i in enumerate(order):
        if pvalues[i] > ALPHA / (len(pvalues) - rank):
            break
        reject[i] = True
    return reject


def compare(a: EngineRuns, b: EngineRuns) -> bool:
    """Print the outputs table with both tests; True if no difference survives Holm."""
    from scipy import stats

    years = sorted({y for runs in (a, b) for r in runs.yearly for y in r})
    rows = []
    for year in years:
        for q in QUANTITIES:
            xa = [r.get(year, {}).get(q, 0.0) for r in a.yearly]
            xb = [r.get(year, {}).get(q, 0.0) for r in b.yearly]
            if max(xa + xb) == 0:
                continue
            if statistics.pstdev(xa) == 0 and statistics.pstdev(xb) == 0:
                p_t = 1.0 if statistics.mean(xa) == statistics.mean(xb) else 0.0
            else:
                p_t = float(stats.ttest_ind(xa, xb, equal_var=False).pvalue)
            p_u = float(stats.mannwhitneyu(xa, xb, alternative="two-sided").pvalue)
            rows.append((year, q, xa, xb, p_t, p_u))
    reject_t = holm([r[4] for r in rows])
    reject_u = holm([r[5] for r in rows])
    print(
        f"| year | output | {a.name}: mean (sd) | {b.name}: mean (sd) | difference "
        "| Welch t p | Mann-Whitney p |"
    )
    print("|---|---|---|---|---|---|---|")
    for (year, q, xa, xb, p_t, p_u), rt, ru in zip(rows, reject_t, reject_u, strict=True):
        ma, mb = statistics.mean(xa), statistics.mean(xb)
        diff = (mb - ma) / ma if ma else float("nan")
        flag = " *" if (rt or ru) else ""
        print(
            f"| {year} | {q} | {ma:,.0f} ({_sd(xa):,.0f}) | {mb:,.0f} ({_sd(xb):,.0f}) "
            f"| {diff:+.1%} | {p_t:.3f} | {p_u:.3f}{flag} |"
        )
    same = not any(reject_t) and not any(reject_u)
    print(
        f"\nTests: two-sided Welch t-test and Mann-Whitney U per row, {len(a.yearly)} vs "
        f"{len(b.yearly)} seeds, Holm's correction over the {len(rows)} rows at {ALPHA:.0%}. "
        + (
            "Conclusion: no difference beyond Monte Carlo noise."
            if same
            else "Conclusion: the rows marked * differ beyond Monte Carlo noise."
        )
    )
    return same


def _sd(x: list[float]) -> float:
    return statistics.stdev(x) if len(x) > 1 else 0.0


def speed(runs: list[EngineRuns], people: int, days: int) -> None:
    runs = [r for r in runs if r.run_s]
    agent_days = people * days
    print(f"\nSpeed: {people:,} agents x {days} days = {agent_days:,} agent-days per run")
    print(
        "| engine | set-up s (median) | run s (median) | run CPU s (median) "
        "| agent-days per s (run) |"
    )
    print("|---|---|---|---|---|")
    rate = {}
    for r in runs:
        setup, run = statistics.median(r.setup_s), statistics.median(r.run_s)
        cpu = statistics.median(r.run_cpu_s)
        rate[r.name] = agent_days / run
        print(f"| {r.name} | {setup:.3f} | {run:.3f} | {cpu:.3f} | {rate[r.name]:,.0f} |")
    first = runs[0].name
    for other in runs[1:]:
        print(
            f"Ratio {first} / {other.name} (agent-days per second of the run): "
            f"{rate[first] / rate[other.name]:,.1f}; of set-up and run together: "
            f"{_total(other) / _total(runs[0]):,.1f}"
        )


def _total(runs: EngineRuns) -> float:
    return statistics.median(s + r for s, r in zip(runs.setup_s, runs.run_s, strict=True))


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, "
        f"Python {platform.python_version()}, load average {load:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        default=[0.0001, 0.001],
        help="sampling fractions (default 0.0001 0.001, i.e. 1:10,000 and 1:1,000)",
    )
    parser.add_argument("--seeds", type=int, default=10, help="seeds 1..N (default 10)")
    parser.add_argument(
        "--mesa-max-scale",
        type=float,
        default=0.001,
        help="run the event-driven Mesa model only at scales up to this (default 0.001)",
    )
    parser.add_argument(
        "--agent-steps-max-scale",
        type=float,
        default=0.0001,
        help="run the Mesa model with every agent activated daily only at scales up to this "
        "(default 0.0001: a run at 1:1,000 takes 5-8 minutes)",
    )
    args = parser.parse_args(argv)
    if args.seeds < 2:
        parser.error("--seeds: at least 2 are needed for the tests")
    for scale in args.scales:
        if not 1e-5 <= scale <= 1:
            parser.error(f"--scales: {scale} is outside 1e-05..1")
    missing = [m for m in ("mesa", "scipy") if importlib.util.find_spec(m) is None]
    if missing:
        parser.error(
            f"{', '.join(missing)} not installed; install the optional extra: "
            'python3 -m pip install -e ".[bench]"'
        )
    import mesa

    import greatterror

    print(f"machine: {machine()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"greatterror {greatterror.__version__}, Mesa {mesa.__version__}")
    scenario = load_reduced_scenario()
    evidence = load_evidence()
    seeds = range(1, args.seeds + 1)
    for scale in args.scales:
        gt_runs = EngineRuns("greatterror")
        event_runs = EngineRuns("Mesa, event-driven")
        steps_runs = EngineRuns("Mesa, agent steps")
        variants = [
            (event_runs, False, scale <= args.mesa_max_scale),
            (steps_runs, True, scale <= args.agent_steps_max_scale),
        ]
        people = days = 0
        for seed in seeds:
            pop = build_population(scale, seed)
            _add(gt_runs, run_greatterror(pop, seed, evidence))
            inputs = build_inputs(scale, seed, scenario, pop)
            people, days = inputs.people, inputs.days
            for runs, agent_steps, wanted in variants:
                if wanted:
                    _add(runs, run_mesa(inputs, seed, agent_steps))
            print(f"  scale {scale:g}, seed {seed} done", file=sys.stderr, flush=True)
        print(f"\n## Scale 1:{1 / scale:,.0f} ({scenario.start} to {scenario.end})")
        for runs, _, wanted in variants:
            if wanted:
                print(f"\n### greatterror and {runs.name}\n")
                compare(gt_runs, runs)
            else:
                print(f"\n{runs.name}: not run at this scale (see --help).")
        speed([gt_runs, event_runs, steps_runs], people, days)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


def _add(runs: EngineRuns, result: tuple[dict, float, float, float]) -> None:
    yearly, setup, run, cpu = result
    runs.yearly.append(yearly)
    runs.setup_s.append(setup)
    runs.run_s.append(run)
    runs.run_cpu_s.append(cpu)


if __name__ == "__main__":
    sys.exit(main())
