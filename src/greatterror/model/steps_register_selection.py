"""Step 9 (M13, M23; the operations of M16 and M18): arrests from the NKVD's registers.

One component, as the NKVD's one daily selection from its registers: ordinary work on
the registered and unregistered, Order 00447's mass operation and the national
operations share the day's intensity and hand cases over to one another (ordinary work
gives way while an operation runs). Order 00447's own arithmetic (its goal, pace, first
blow and lines) is in model/operation_00447.py, since it is the one operation with
regional limits; this module keeps the general register draws and the national lines.
Each draw samples a number of arrests per region first and then who they are.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.fast_draws import poisson_counts
from greatterror.model.loop import Component
from greatterror.model.nkvd_capacity import capacity_left, take_ordinary, within_capacity
from greatterror.model.operation_00447 import arrests_00447
from greatterror.model.order_start import start_delays
from greatterror.model.registers import Registers
from greatterror.model.world import World
from greatterror.vocabulary import LINES_OF, LN

#: the day's means of ordinary work, which the officers' capacity bounds (``within_capacity``)
ORDINARY = ("kulak", "unmarked")
#: the national operations: those with lines other than Order 00447
NATIONAL_OPS = frozenset(op for op in LINES_OF if op != "kulak_00447")


class RegisterSelection(Component):
    """Step 9 (M13, M23; the operations of M16 and M18): arrests from the NKVD's registers.

    Ordinary work arrests a small share of registered people all the time;
    the mass operation arrests towards each region's limit, within its
    officers' capacity; national operations arrest from their nationality's
    register while they run (launched only if M16 or M18 is on).
    """

    name = "register_selection"
    mechanisms = ("M13", "M23")
    params = (
        "base_arrest_rate",
        "base_unmarked_arrest_rate",
        "national_op_rate",
        "nkvd_capacity",
        "operation_pace",
        "operation_term_days",
        "list_compile_days",
        "first_blow_days",
        "ordinary_during_operation",
        "overfill_target",
        "regions_start_operation",
        "unmarked_share_00447",
    )
    reads = ("people", "registers", "cases", "policy", "institutions", "intensity")
    writes = ("cases", "camps", "institutions")

    def __init__(self) -> None:
        self._rates_of: tuple[Engine, Registers] | None = None
        self._base: dict[str, np.ndarray] = {}
        self._delays: np.ndarray | None = None

    def _daily_base(self, e: Engine, reg: Registers) -> dict[str, np.ndarray]:
        """The per-region daily rates before today's intensity: ``rate / 365 * sizes`` for each
        of the day's Poisson means below, the first two factors of each product, computed once
        a run (the parameters and the registers' sizes do not change during a run)."""
        if self._rates_of is None or self._rates_of[0] is not e or self._rates_of[1] is not reg:
            p = e.params
            self._base = {
                "kulak": p["base_arrest_rate"] / 365.0 * reg.kulak.sizes(),
                "unmarked": p["base_unmarked_arrest_rate"] / 365.0 * reg.region_size,
                **{
                    line: p["national_op_rate"] / 365.0 * reg.lines[line].sizes()
                    for lines in LINES_OF.values()
                    for line in lines
                    if line in reg.lines
                },
            }
            self._rates_of = (e, reg)
        return self._base

    def step(self, w: World, e: Engine, day: int) -> None:
        p, reg, pol, inst = e.params, w.registers, w.policy, w.institutions
        intensity = w.levers.intensity
        base = self._daily_base(e, reg)
        # the day's means first, so that the officers' capacity bounds their sum in each
        # region (``within_capacity``); the draws then follow in their old order
        mass_operation = ("kulak_00447" in pol.operations) & ~inst.op_closed
        # the operations' officers and channels take over ordinary work's cases; after
        # Order 00447's end the national operations, which ran on with the album
        # procedure to 1 August 1938, took in people of any nationality (Petrov and
        # Roginsky 1997), so they absorb ordinary work's cases as it did
        national = not pol.operations.isdisjoint(NATIONAL_OPS)
        ordinary = np.where(mass_operation | national, p["ordinary_during_operation"], 1.0)
        means: dict[str, np.ndarray] = {}
        if self.on(e, "M23"):
            # while the mass operation runs, the registered are its targets, not ordinary
            # work's (region by region: Order 00447 ended on different dates, steps_policy.py);
            # base["kulak"] * intensity * ~mass_operation is, in the same order of operations,
            # p["base_arrest_rate"] / 365.0 * reg.kulak.sizes() * intensity * ~mass_operation
            means["kulak"] = base["kulak"] * intensity * ~mass_operation
            # p["base_unmarked_arrest_rate"] / 365.0 * reg.region_size * intensity * ordinary
            means["unmarked"] = base["unmarked"] * intensity * ordinary
        for op, lines in LINES_OF.items() if national else ():
            if op not in pol.operations or op == "kulak_00447":
                continue
            for line in lines:
                # p["national_op_rate"] / 365.0 * sizes * intensity
                means[line] = base[line] * intensity
        # ordinary work only: the national lines are finite lists worked for the orders' terms
        # (what the denunciations acted on today took of it first, ``capacity_left``)
        capacity = capacity_left(w, e, day)
        ordinary_means = {k: means[k] for k in ORDINARY if k in means}
        bounded = within_capacity(ordinary_means, capacity, inst, day)
        take_ordinary(w, day, bounded)
        means.update(bounded)
        if self.on(e, "M23"):
            rng = e.rng.register
            # counts per region as rng.poisson(lam), in distribution (model/fast_draws.py)
            n, counts = poisson_counts(rng, means["kulak"])
            if n:
                e.arrest(day, reg.kulak.draw(counts, rng), "ordinary")
            n, counts = poisson_counts(rng, means["unmarked"])
            if n:
                e.arrest(day, reg.draw_ordinary(counts, w.people, rng), "ordinary")
        if "kulak_00447" in pol.operations:
            if self._delays is None or len(self._delays) != len(inst.op_closed):
                self._delays = start_delays(w.people.regions)
            arrests_00447(w, e, day, self._delays, self.on(e, "M13"))
        if not national:  # (no national operation runs: the loop below would skip each)
            return
        rng = e.rng.national
        for op, lines in LINES_OF.items():
            if op not in pol.operations or op == "kulak_00447":
                continue
            for line in lines:
                n, counts = poisson_counts(rng, means[line])
                if n == 0:
                    continue
                arrested = e.arrest(day, reg.draw_listed(reg.lines[line], counts, rng), op)
                w.cases.line[arrested] = LN[line]
