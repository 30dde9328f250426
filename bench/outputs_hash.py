"""A hash of everything a run produces, to check that a speed change keeps the outputs equal.

Usage: ``python bench/outputs_hash.py [scale] [seeds] [scenario]`` (defaults 0.001 1,3
historical; ``scenario`` is a name or a scenario file, such as
``src/greatterror/scenarios/hypotheses/h5_fifth_column.toml``).

For each seed it runs the scenario on one population (built with seed 1) and prints a
SHA-256 hash of the whole ``summary.json`` content, the ledger's arrays (counts, channel
backlogs and decisions, Gulag flows and stocks, prison series) and every case array, and
a hash of the summary alone. Run it with the old code and the new code (for example the
old commit unpacked with ``git archive`` and put first on ``PYTHONPATH``): equal hashes
mean bit-for-bit equal outputs. The summary's ``code`` block (the version, commit and
hashes of the source and data that made the run) is left out: it names the code, so it
differs between any two versions, and it is not an output.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import fields

import numpy as np

from greatterror.model.state import Cases

LEDGER = ("counts", "backlog", "decided", "gulag", "stock", "held", "prisons", "holding")
#: every case array (``model/state.Cases``), read from the class so that a field added later is
#: hashed too (review15 F9: ``returned``, ``social_order`` and ``first_category`` had been left
#: out). A change of a field's encoding (``returned`` stored as the day plus one since branch
#: speed10) shows as a difference: compare such a change by its readers' outputs.
CASES = tuple(f.name for f in fields(Cases))


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.001
    seeds = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "1,3").split(",")]
    scenario = sys.argv[3] if len(sys.argv) > 3 else "historical"
    import greatterror as gt

    print(f"greatterror from {gt.__file__}")
    pop = gt.Population.build(scale, 1)
    for seed in seeds:
        sim = gt.Sim(scenario, seed=seed, population=pop).run()
        outputs = {k: v for k, v in sim.results.summary.items() if k != "code"}
        text = json.dumps(outputs, sort_keys=True, default=str).encode()
        whole = hashlib.sha256(text)
        engine = sim.engine
        for name in LEDGER:
            whole.update(np.ascontiguousarray(getattr(engine.ledger, name)).tobytes())
        whole.update(np.ascontiguousarray(engine.ledger.crowding_days).tobytes())
        for name in CASES:
            whole.update(getattr(engine.cases, name).tobytes())
        summary = hashlib.sha256(text).hexdigest()[:16]
        print(f"{scenario} scale {scale:g} seed {seed}: all {whole.hexdigest()[:16]}, "
              f"summary {summary}")  # fmt: skip


if __name__ == "__main__":
    main()
