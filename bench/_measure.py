"""Run one measured job in this process and print a JSON line: seconds and peak RSS.

Each measurement runs in a fresh subprocess (see the bench scripts) so that
peak RSS belongs to that job alone.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main() -> None:
    kind, scale = sys.argv[1], float(sys.argv[2])
    started = time.perf_counter()
    if kind == "population":
        from greatterror.population.build import build_population

        pop = build_population(scale, 1)
        extra = {"people": len(pop), "array_bytes": pop.nbytes}
    elif kind == "run":
        from greatterror.model.run import simulate
        from greatterror.model.scenario import load_scenario

        result = simulate(load_scenario("historical"), scale, 1)
        extra = {"people": len(result.simulation.pop), "days": result.simulation.days}
    else:
        raise SystemExit(f"unknown job {kind!r}; allowed: population, run")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "job": kind,
                "scale": scale,
                "seconds": round(seconds, 3),
                "peak_rss_bytes": peak,
                **extra,
            }
        )
    )


if __name__ == "__main__":
    main()
