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

The case flags (``Cases.flags``, one bit each since branch flags: model/case_flags.py) are
hashed unpacked, one boolean array per flag under the name of the boolean array it
replaced, and in that array's old place among the fields (``CASES``): the hash of a run
before the packing and after it is the same for the same outputs.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import fields

import numpy as np

from greatterror.model.case_flags import FLAGS
from greatterror.model.state import Cases

LEDGER = ("counts", "backlog", "decided", "gulag", "stock", "held", "prisons", "holding")
#: every case array (``model/state.Cases``) in the order of the fields before the flags were
#: packed (branch flags), each flag of ``Cases.flags`` by its old name (``case_flags.FLAGS``).
#: Checked against the class so that a field added later is hashed too (review15 F9:
#: ``returned``, ``social_order`` and ``first_category`` had been left out): ``main`` stops
#: on a field missing here. A change of a field's encoding (``returned`` stored as the day
#: plus one since branch speed10) shows as a difference: compare such a change by its
#: readers' outputs.
CASES = (
    "status", "op", "arrest_day", "sentence_day", "confessed", "linked", "arrests",
    "release_day", "colony", "line", "named", "holding", "social_order", "first_category",
    "returned",
)  # fmt: skip


def case_array(cases: Cases, name: str) -> np.ndarray:
    """The case array ``name``: a field of ``Cases``, or one flag unpacked to booleans."""
    if name in FLAGS:
        return cases.unpacked(FLAGS[name])
    return np.asarray(getattr(cases, name))


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.001
    seeds = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "1,3").split(",")]
    scenario = sys.argv[3] if len(sys.argv) > 3 else "historical"
    import greatterror as gt

    unhashed = {f.name for f in fields(Cases)} - {"flags"} - set(CASES)
    if unhashed or set(FLAGS) - set(CASES):
        raise SystemExit(f"outputs_hash.py: add {sorted(unhashed)} to CASES")

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
            whole.update(case_array(engine.cases, name).tobytes())
        summary = hashlib.sha256(text).hexdigest()[:16]
        print(f"{scenario} scale {scale:g} seed {seed}: all {whole.hexdigest()[:16]}, "
              f"summary {summary}")  # fmt: skip


if __name__ == "__main__":
    main()
