"""Warm in-process runs of two codes, paired run by run, on a shared and loaded machine.

Usage: ``python bench/bench_paired.py OLD_SRC NEW_SRC [scale] [pairs] [seed]`` (defaults
0.001 15 1), for example with the old commit unpacked by ``git archive OLD | tar -x -C
/tmp/old`` and ``NEW_SRC`` the worktree's ``src``.

Two worker processes, each importing one code (its ``src`` first on ``sys.path``), build
the population and evidence once and run one warm-up (in four rounds of fresh workers,
started in turn); then the driver asks them for one
run each in turn (old then new in even pairs, new then old in odd ones), so that each pair
of runs meets about the same load and the order of the two does not favour either. Each run is ``gt.Sim("historical", population=pop).run()`` as in
``bench/bench_inprocess.py``, timed in CPU seconds (``time.process_time``); the summary's
hash (without its ``code`` block, which names the code) is checked equal for every run of
both codes (a speed change must keep the outputs).
Prints the median CPU seconds of each code, the median of the per-pair ratios new/old, the
load average before and after, and the same for each component's CPU time (the workers
time each step with ``time.process_time_ns`` in place of the loop's wall clock). ``bench_inprocess.py`` measures one code per block of
repeats, so a change of load between the blocks shows as a change of code; here it cannot.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

#: rounds of fresh workers (the pairs are split among them)
ROUNDS = 4

WORKER = r"""
import collections, gc, hashlib, json, sys, time
scale, seed = float(sys.argv[1]), int(sys.argv[2])
import greatterror as gt
from greatterror.evidence.loader import load_evidence
from greatterror.model.loop import Loop
steps = collections.Counter()
def run_day(self, world, engine, day):  # CPU time per component (replaces the wall clock)
    clock = time.process_time_ns
    for component in self.acting(engine):
        t0 = clock()
        component.step(world, engine, day)
        steps[component.name] += clock() - t0
Loop.run_day = run_day
pop = gt.Population.build(scale, seed)
ev = load_evidence()
def once():
    gc.collect()
    steps.clear()
    c0 = time.process_time()
    sim = gt.Sim("historical", seed=seed, population=pop, evidence=ev).run()
    cpu = time.process_time() - c0
    # the summary's "code" block names the code (its commit and source hashes): not an output
    outputs = {k: v for k, v in sim.results.summary.items() if k != "code"}
    text = json.dumps(outputs, sort_keys=True, default=str)
    return cpu, hashlib.sha256(text.encode()).hexdigest()[:16]
once()
print("ready", flush=True)
for line in sys.stdin:
    cpu, digest = once()
    print(f"{cpu:.4f} {digest} {json.dumps(dict(steps))}", flush=True)
"""


def _worker(src: str, scale: float, seed: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src))
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(scale), str(seed)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit(f"worker for {src} did not start")
    return proc


def _run(proc: subprocess.Popen[str]) -> tuple[float, str, dict[str, int]]:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("run\n")
    proc.stdin.flush()
    cpu, digest, steps = proc.stdout.readline().split(maxsplit=2)
    return float(cpu), digest, json.loads(steps)


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    old_src, new_src = sys.argv[1], sys.argv[2]
    scale = float(sys.argv[3]) if len(sys.argv) > 3 else 0.001
    pairs = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    load_before = os.getloadavg()
    olds: list[float] = []
    news: list[float] = []
    steps: dict[str, list[tuple[int, int]]] = {}
    digests = set()
    for r in range(ROUNDS):
        # fresh workers each round, started in turn: two workers of one code differ by a few
        # per cent on this machine (where each process lands), which must not count as code
        if r % 2 == 0:
            old, new = _worker(old_src, scale, seed), _worker(new_src, scale, seed)
        else:
            new, old = _worker(new_src, scale, seed), _worker(old_src, scale, seed)
        for i in range(r * pairs // ROUNDS, (r + 1) * pairs // ROUNDS):
            # old first in even pairs, new first in odd ones, so an effect of the order cancels
            first, second = (old, new) if i % 2 == 0 else (new, old)
            runs = {first: _run(first), second: _run(second)}
            (cpu_old, d_old, old_steps), (cpu_new, d_new, new_steps) = runs[old], runs[new]
            olds.append(cpu_old)
            news.append(cpu_new)
            digests.update((d_old, d_new))
            for name in old_steps.keys() | new_steps.keys():
                pair = (old_steps.get(name, 0), new_steps.get(name, 0))
                steps.setdefault(name, []).append(pair)
        for proc in (old, new):
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait()
    if len(digests) != 1:
        raise SystemExit(f"the summaries differ: {sorted(digests)}")
    ratios = [n / o for o, n in zip(olds, news, strict=True)]
    print(f"scale {scale:g} seed {seed}: {pairs} pairs, summary hash {digests.pop()}")
    print(f"  load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"  old cpu median {statistics.median(olds):.3f} s (min {min(olds):.3f})")
    print(f"  new cpu median {statistics.median(news):.3f} s (min {min(news):.3f})")
    q = statistics.quantiles(ratios, n=4)
    print(f"  new/old per pair: median {statistics.median(ratios):.3f}", end="")
    print(f" (quartiles {q[0]:.3f}, {q[2]:.3f})")
    print("  CPU ms per component: old, new (medians), new/old (median of the per-pair ratios)")
    rows = sorted(steps.items(), key=lambda kv: -statistics.median(o for o, _ in kv[1]))
    for name, pairs_ns in rows:
        o = statistics.median(o for o, _ in pairs_ns) / 1e6
        n = statistics.median(n for _, n in pairs_ns) / 1e6
        if o or n:
            r = statistics.median(b / a for a, b in pairs_ns if a) if o else float("nan")
            print(f"    {name:<22} {o:8.1f} {n:8.1f}  {r:.3f}")


if __name__ == "__main__":
    main()
