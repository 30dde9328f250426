"""A hash of a built population, to check that a change of the build keeps it equal.

Usage: ``python bench/population_hash.py [scale] [seeds] [threads]`` (defaults 0.01, 1, 1).

For each seed it builds ``gt.Population.build(scale, seed)`` and prints a SHA-256 hash of
every array it holds: each person attribute (``attrs``, by name), the household and
workplace bounds and members, the workplace regions, and the scalars (``n_mass``, the
number of people). Run it with the old code and the new code (for example the old commit
unpacked with ``git archive`` and put first on ``PYTHONPATH``): equal hashes mean a
bit-for-bit equal population. ``bench/outputs_hash.py`` hashes what a run makes of it.
"""

from __future__ import annotations

import hashlib
import sys

import numpy as np


def population_hash(pop) -> str:  # type: ignore[no-untyped-def]
    """SHA-256 (16 hex digits) of every array and count of ``pop``, each with its name,
    dtype and shape, so that a change of dtype or of length shows as well."""
    digest = hashlib.sha256()
    arrays = {f"attrs.{name}": pop.attrs[name] for name in sorted(pop.attrs)}
    arrays["households.indptr"] = pop.households.indptr
    arrays["workplaces.indptr"] = pop.workplaces.indptr
    arrays["workplace_region"] = pop.workplace_region
    if pop.households.members is not None:
        arrays["households.members"] = pop.households.members
    if pop.workplaces.members is not None:
        arrays["workplaces.members"] = pop.workplaces.members
    for name, array in arrays.items():
        a = np.ascontiguousarray(array)
        digest.update(f"{name} {a.dtype} {a.shape}".encode())
        digest.update(a.tobytes())
    digest.update(f"n_mass {pop.n_mass} people {len(pop)}".encode())
    return digest.hexdigest()[:16]


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.01
    seeds = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "1").split(",")]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    import greatterror as gt

    for seed in seeds:
        pop = gt.Population.build(scale, seed, threads=threads)
        print(
            f"scale {scale:g} seed {seed}: {len(pop):,} people, population {population_hash(pop)}"
        )


if __name__ == "__main__":
    main()
