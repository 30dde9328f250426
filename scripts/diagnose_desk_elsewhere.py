"""Would the centre's desk matter where the reports are read linearly (H5, H5b, H7)?

Since branch hyp37 the centre reads the reports of uncovered enemies through a desk of finite
size (``model/centre_reading.py``), but only with biased reporting (M02) on, that is under H3
and H4. Under H5 and H5b the namings acted on (M01) and the real discoveries (M24, M25), and
under H7 the namings, still raise the threat one by one (review F18; docs/hypotheses-log.md,
"The desk elsewhere"). This diagnostic asks of a hypothesis scenario's prior draws, drawn as
the prior predictive check draws them (``prior_predictive_hypotheses.py``: same draws, fit seed
and simulation seeds):

- ``stock``: the reports a desk would hold in view, S (full-population reports fading with
  ``threat_half_life``, counted as ``centre_reading.read_reports`` counts them), against the
  desk D = ``centre_reading_capacity`` x ``threat_half_life`` / ln 2: the largest S/D of each
  run, and S every 182 days from the start (1 December 1934). Where S/D is well above 1 the
  desk binds: at S = D it reads 0.63 D, 63% of the linear reading, at S = 3 D 32%.

``check`` (the prior predictive check with every report read through the desk, by patches of
the model's modules in this process) was retired in review24 (F3): since branch desk2 the
switch exists (the scenario's ``centre_reading``) and every hypothesis scenario reads through
the desk as shipped, so ``scripts/prior_predictive_hypotheses.py`` is that check; and the
patches had stopped doing what they said (``Perception`` decides the reading with
``centre_reading.through_desk``, no longer by asking about M02, and ``steps_signals`` imports
its own ``report``), so on a scenario read linearly they would have mixed the two readings.
Its record, of the linear reading at commit 06ea28c, is in docs/hypotheses-log.md ("The desk
elsewhere"). ``check`` now exits 2 with one line saying where the check is.

``stock`` wraps, for this process only, the perception step and ``fifth_column.report`` to count
S beside the run: since branch desk2 it counts beside a desk run (the scenarios as shipped).

    python scripts/diagnose_desk_elsewhere.py stock --only H5,H5b,H7 --draws 10
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from greatterror.calibration.simulator import FitModel, RunawayRun
from greatterror.model import fifth_column, steps_policy
from greatterror.model.hypothesis_catalog import FOLDER, hypothesis_scenarios


def _ppc() -> ModuleType:
    path = Path(__file__).resolve().parent / "prior_predictive_hypotheses.py"
    spec = importlib.util.spec_from_file_location("prior_predictive_hypotheses", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # registered under its name, so that a pool pickles its ``run_one`` as this module's
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Stock:
    """The reports a desk would hold in view, counted beside a linear run."""

    def __init__(self) -> None:
        self.stock, self.unread, self.largest, self.half_life = 0.0, 0.0, 0.0, 1.0
        self.series: list[float] = []
        report, step = fifth_column.report, steps_policy.Perception.step

        def counted_report(inst: Any, per: float, weight: float, read: bool) -> None:
            self.unread += weight
            report(inst, per, weight, read)

        def counted_step(component: Any, w: Any, e: Any, day: int) -> None:
            named = w.signals.named_yesterday if component.on(e, "M01") else 0.0
            self.half_life = float(e.params["threat_half_life"])
            self.stock = (self.stock + self.unread) * 0.5 ** (1.0 / self.half_life) + named
            self.unread = 0.0
            self.largest = max(self.largest, self.stock)
            if day % 182 == 0:
                self.series.append(self.stock)
            step(component, w, e, day)

        fifth_column.report = counted_report  # type: ignore[assignment]
        steps_policy.Perception.step = counted_step  # type: ignore[method-assign, assignment]

    def reset(self) -> None:
        self.stock, self.unread, self.largest, self.half_life = 0.0, 0.0, 0.0, 1.0
        self.series = []


def stock(only: Sequence[str], draws: int, scale: float, seed: int, capacity: float) -> None:
    """One line per draw: runaway or not, the largest S, D, their ratio, S twice a year."""
    ppc, count = _ppc(), Stock()
    print("| hyp. | draw | run | largest S | desk D | S/D | S every 182 days (thousands) |")
    print("|---|---|---|---|---|---|---|")
    for k, s in enumerate(hypothesis_scenarios()):
        label = s.hypothesis.id if s.hypothesis else s.name
        if label not in only:
            continue
        scenario = f"{FOLDER}/{s.name}"
        for i, values in enumerate(ppc.draws_of(scenario, k, draws, 0)):
            count.reset()
            try:
                FitModel(scenario, scale, seed).summary(values)
                run = "finished"
            except RunawayRun:
                run = "runaway"
            desk = capacity * count.half_life / math.log(2)
            series = ", ".join(f"{v / 1000:.0f}" for v in count.series)
            print(
                f"| {label} | {i + 1} | {run} | {count.largest:,.0f} | {desk:,.0f} "
                f"| {count.largest / desk:.2f} | {series} |",
                flush=True,
            )


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("stock", "check"):
        print("usage: diagnose_desk_elsewhere.py stock|check [options]", file=sys.stderr)
        raise SystemExit(2)
    if args[0] == "check":
        print(
            "error: check was retired (review24 F3): every hypothesis scenario reads through the"
            " desk as shipped; run scripts/prior_predictive_hypotheses.py",
            file=sys.stderr,
        )
        raise SystemExit(2)
    ap = argparse.ArgumentParser(prog="diagnose_desk_elsewhere.py stock")
    ap.add_argument("--only", default="H5,H5b,H7")
    ap.add_argument("--draws", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.001)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--capacity", type=float, default=100.0, help="centre_reading_capacity")
    a = ap.parse_args(args[1:])
    stock([h.strip() for h in a.only.split(",")], a.draws, a.scale, a.seed, a.capacity)


if __name__ == "__main__":
    main()
