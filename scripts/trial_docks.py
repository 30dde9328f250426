"""Why a hypothesis's show trials have empty docks: the trials' group over time, one run.

A comparison particle of a hypothesis whose Trial of the Sixteen has one defendant is run
again as the comparison runs it (``simulator.FitModel``'s population and simulation seed),
and the Sixteen's group (the prominent former oppositionists outside the 1934 Central
Committee, ``trial_cases.in_group(..., "united_centre")``) is counted by status on dates
around the Kirov wave and the opening of the Sixteen's case (180 days before 24 August
1936), then each trial's dock, list and case are printed. Written for docs/hypotheses.md,
"The show trials' empty docks under H1 and H2 (branch dock16, 7 December 2026)".

    python scripts/trial_docks.py hypotheses/h1_intentional --values median \\
        --screen docs/sensitivity-2026-12-06b/screen.json --label H1 --seed 151 \\
        [--set oppositionist_weight=5 --set vengeance_hazard=0]

``--values file`` runs the scenario file's values; ``median`` draws every free parameter at
its prior median (z = 0 on the comparison's logistic scale), with the screen's fixed values
if ``--screen`` is given. ``--set`` values are set on top and left out of the simulation seed
(``FitModel.fixed``), so runs that differ by ``--set`` only share their seeds.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

from greatterror.calibration.compare import hypothesis_priors, logistic_values
from greatterror.calibration.seeds import SeedRangeError, check_fit_seed
from greatterror.calibration.simulator import simulated_value, simulation_seed, warm
from greatterror.model.params import ParameterError, coerce
from greatterror.model.scenario import ScenarioError, load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.trial_cases import in_group
from greatterror.preflight import PreflightError, check_scale
from greatterror.vocabulary import STATUSES

DATES = ("1934-12-01", "1935-01-15", "1935-06-30", "1936-02-25", "1936-08-23", "1937-01-29")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--values", choices=("file", "median"), default="file")
    ap.add_argument("--screen", default="", help="screen.json whose fixed values to apply")
    ap.add_argument("--label", default="", help="the hypothesis's id in the screen (H1, ...)")
    ap.add_argument("--seed", type=int, default=151, help="the comparison's fit seed")
    ap.add_argument("--scale", type=float, default=0.001)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    a = ap.parse_args(argv)
    # every option is checked before the run (exit 2, one line naming it)
    try:
        load_scenario(a.scenario)
        check_scale(a.scale)
        check_fit_seed(a.seed)
    except (ScenarioError, PreflightError, SeedRangeError) as exc:
        ap.error(str(exc))
    if a.label and not a.screen:
        ap.error("--label: names a hypothesis of --screen; give --screen too")
    fixed: dict[str, float] = {}
    if a.screen:
        try:
            screen = json.loads(Path(a.screen).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            ap.error(f"--screen: {a.screen} cannot be read as JSON ({exc})")
        labels = screen.get("hypotheses", {}) if isinstance(screen, dict) else {}
        if a.label not in labels:
            ap.error(
                f"--label: {a.label!r} is not a hypothesis of {a.screen}; allowed: {', '.join(labels)}"
            )
        fixed = dict(labels[a.label]["fixed"])
    pairs = [s.split("=", 1) for s in a.set]
    if any(len(p) != 2 for p in pairs):
        ap.error("--set: expected NAME=VALUE with a number")
    try:  # each value checked against its parameter's declaration, as a scenario's are
        extra = {k: coerce(k, v) for k, v in pairs}
    except ParameterError as exc:
        ap.error(f"--set: {exc}")
    values: dict[str, float] = {}
    if a.values == "median":
        names, priors = hypothesis_priors(a.scenario, 1.0, fixed)
        values = logistic_values(names, priors, dict.fromkeys(names, 0.0))
    chosen, evidence, population = warm(a.scenario, a.scale, a.seed)
    overrides = {k: simulated_value(k, v) for k, v in values.items()}
    seed = simulation_seed(a.seed, overrides)
    overrides.update({k: simulated_value(k, v) for k, v in {**fixed, **extra}.items()})
    sim = Simulation(chosen, population, seed, evidence, overrides)
    w = sim.world
    heads = w.registers.elite_heads.astype(np.int64)
    group = heads[in_group(w.people, heads, "united_centre")]
    print(f"{a.scenario} {a.values} {extra}: the Sixteen's group holds {len(group)}")
    for day in DATES:
        sim.run(until=dt.date.fromisoformat(day))
        counts = collections.Counter(STATUSES[s] for s in w.cases.status[group].tolist())
        print(f"  {day}", dict(sorted(counts.items())))
    sim.run()
    for t in w.trials:
        print(
            f"  {t['id']}: dock {t['defendants']}, listed {t['listed']}, "
            f"case {t['case_members']}, brought back {t['brought_back']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
