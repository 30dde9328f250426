"""Steps 8, 9 and 20: denunciations, register-based selection, and the purge of elites.

Every step samples a number of events per region (or per group) first and
then draws who they happen to; none of them passes over the population.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.central_committee import politburo_rows
from greatterror.model.engine import Engine
from greatterror.model.fast_draws import poisson_counts
from greatterror.model.kernels import thin
from greatterror.model.lines import line_00447, list_opening, opened_acceptance
from greatterror.model.loop import Component
from greatterror.model.opposition_register import arrest_register, register_of
from greatterror.model.order_start import first_blow, start_delays
from greatterror.model.registers import Registers
from greatterror.model.state import Institutions, Policy
from greatterror.model.steps_quota import from_below
from greatterror.model.world import World
from greatterror.population.codes import Cohort, Elite, Mark, Occupation
from greatterror.vocabulary import ARMY_FLAGS, ELITE_GROUPS, LINES_OF, LN


class Denunciation(Component):
    """Step 8 (M12, M13): people denounce someone at their workplace.

    Targets are drawn from the denouncer's workplace, weighted towards
    superiors (grievance) and towards people with register marks.
    """

    name = "denunciation"
    mechanisms = ("M12", "M13")
    params = (
        "denunciation_acted_on",
        "denunciation_candidates",
        "denunciation_rate",
        "grievance_weight_superiors",
        "vulnerability_weight_marks",
    )
    reads = ("people", "registers", "cases", "campaign")
    writes = ("cases", "camps")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M12"):
            return
        p, reg, pop = e.params, w.registers, w.people
        rng = e.rng.denunciation
        lam = p["denunciation_rate"] / 365.0 * reg.region_adults * w.levers.campaign
        n, counts = poisson_counts(rng, lam)  # as rng.poisson(lam), in distribution
        if n == 0:
            return
        denouncers = reg.draw_anyone(counts, rng)
        wp = pop["workplace"][denouncers]
        denouncers, wp = denouncers[wp >= 0], wp[wp >= 0]
        if len(wp) == 0:
            return
        indptr, workplaces = pop.workplaces.indptr, pop.workplaces
        starts, sizes = indptr[wp], indptr[wp + 1] - indptr[wp]
        u = rng.random((len(wp), int(p["denunciation_candidates"])))
        pick = (u * sizes[:, None]).astype(np.int64)
        cand = workplaces.at(starts[:, None] + pick).astype(np.int64)
        weight = np.where(
            pop["occupation"][cand] == Occupation.MANAGER_OFFICIAL,
            p["grievance_weight_superiors"],
            1.0,
        )
        if self.on(e, "M13"):
            weight = weight * np.where(
                pop["marks"][cand] != 0, p["vulnerability_weight_marks"], 1.0
            )
        weight = np.where(cand == denouncers[:, None], 0.0, weight)
        score = np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=weight.shape)
        targets = cand[np.arange(len(cand)), np.argmax(score, axis=1)]
        targets = targets[
            (targets != denouncers) & (rng.random(len(targets)) < p["denunciation_acted_on"])
        ]
        e.arrest(day, targets, "ordinary")


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
        if self.on(e, "M23"):
            rng = e.rng.register
            # while the mass operation runs, the registered are its targets, not ordinary work's
            # (region by region: Order 00447 ended on different dates, steps_policy.py)
            mass_operation = ("kulak_00447" in pol.operations) & ~inst.op_closed
            # base["kulak"] * intensity * ~mass_operation is, in the same order of operations,
            # p["base_arrest_rate"] / 365.0 * reg.kulak.sizes() * intensity * ~mass_operation
            lam = base["kulak"] * intensity * ~mass_operation
            # counts per region as rng.poisson(lam), in distribution (model/fast_draws.py)
            n, counts = poisson_counts(rng, lam)
            if n:
                e.arrest(day, reg.kulak.draw(counts, rng), "ordinary")
            # the operations' officers and channels take over ordinary work's cases; after
            # Order 00447's end the national operations, which ran on with the album
            # procedure to 1 August 1938, took in people of any nationality (Petrov and
            # Roginsky 1997), so they absorb ordinary work's cases as it did
            national = any(op in pol.operations for op in LINES_OF if op != "kulak_00447")
            ordinary = np.where(mass_operation | national, p["ordinary_during_operation"], 1.0)
            # p["base_unmarked_arrest_rate"] / 365.0 * reg.region_size * intensity * ordinary
            lam = base["unmarked"] * intensity * ordinary
            n, counts = poisson_counts(rng, lam)
            if n:
                e.arrest(day, reg.draw_ordinary(counts, w.people, rng), "ordinary")
        if "kulak_00447" in pol.operations:
            self._arrests_00447(w, e, day)
        rng = e.rng.national
        for op, lines in LINES_OF.items():
            if op not in pol.operations or op == "kulak_00447":
                continue
            for line in lines:
                lam = base[line] * intensity  # p["national_op_rate"] / 365.0 * sizes * intensity
                n, counts = poisson_counts(rng, lam)
                if n == 0:
                    continue
                arrested = e.arrest(day, reg.draw_listed(reg.lines[line], counts, rng), op)
                w.cases.line[arrested] = LN[line]

    def _arrests_00447(self, w: World, e: Engine, day: int) -> None:
        """Order 00447's arrests of the day: in each region from its start (G3-start), the
        first category's July list within the first days, and the operation's pace on what
        is left of its goal (model/order_start.py)."""
        p, reg, pol, inst = e.params, w.registers, w.policy, w.institutions
        rng = e.rng.operation
        if self._delays is None or len(self._delays) != len(inst.op_closed):
            self._delays = start_delays(w.people.regions)
        if from_below(p):
            # each region from its own chief's start (model/regional_start.py)
            started = inst.region_start_day >= 0
            since = np.where(started, day - inst.region_start_day, -1).astype(np.int64)
        else:
            since = pol.days_since_launch("kulak_00447", day) - self._delays
        goal = (inst.limit_cat1 + inst.limit_cat2) * p["overfill_target"]
        # where the operation has ended by a dated decision, its troika arrests no more; where
        # it has not started yet, its NKVD arrests nobody under it
        left = np.where(inst.op_closed | (since < 0), 0, persons_left(goal, e.w_mass, inst, rng))
        # the model reads the order's four months as one term for every region, whatever its
        # start (G3-start; a reading, review12 F11): the ramp counts from the national launch
        pace = scheduled_pace(
            float(p["operation_pace"]),
            pol.days_since_launch("kulak_00447", day),
            float(p["operation_term_days"]),
        )
        blow = np.where(
            left > 0,
            first_blow(inst.initial_cat1, inst.listed_cat1, since, float(p["first_blow_days"])),
            0.0,
        )
        # the officers' own daily work is bounded by their capacity; the first blow's lists,
        # prepared in July, were arrested with the troop and militia units the order attached
        # to the operational groups (the order, section III.4), beyond it
        wanted = np.minimum(pace * left * e.w_mass, p["nkvd_capacity"] * inst.officers) + blow
        n = np.minimum(rng.poisson(wanted * w.people.scale), left)
        # the July lists held former kulaks and criminals; the lines the order added
        # come on the lists as they are compiled (model/lines.py list_opening)
        opened = list_opening(days_since_order(pol, day), float(p["list_compile_days"]))
        share = p["unmarked_share_00447"] * opened if self.on(e, "M13") else 1.0
        unmarked = rng.binomial(n, share)
        accept = opened_acceptance(reg.accept, opened)
        listed = reg.draw_listed(reg.kulak, n - unmarked, rng, accept)
        # the first blow's July list was of registered people: its share of the day's
        # registered arrests (review12 F10: not of the people drawn from the whole population)
        on_registers = wanted * (1.0 - share)
        with np.errstate(divide="ignore", invalid="ignore"):
            listed_share = np.where(on_registers > 0, np.minimum(blow / on_registers, 1.0), 0.0)
        _arrest_00447(w, e, day, listed, LN["none"], listed_share)
        other = reg.specs["anti_soviet_other"]
        profiled = reg.draw_profiled(unmarked, other, w.people, rng)
        _arrest_00447(w, e, day, profiled, other.code, np.zeros_like(listed_share))


def _arrest_00447(
    w: World,
    e: Engine,
    day: int,
    chosen: np.ndarray,
    unregistered: int,
    listed_share: np.ndarray,
) -> np.ndarray:
    """Order 00447 arrests, each on the line of the order that put the person on the list
    (model/lines.py ``line_00447``), a share ``listed_share[region]`` of them the first
    category's July list (model/order_start.py). Returns those arrested (of ``chosen``, the
    ones at liberty)."""
    arrested = e.arrest(day, chosen, "kulak_00447", allow_in_camp=True)
    pop = w.people
    region = pop["region"][arrested]
    w.cases.line[arrested] = line_00447(
        pop["marks"][arrested], region, w.institutions.camps_region,
        w.registers.specs, unregistered,
    )  # fmt: skip
    first = e.rng.first_category.random(len(arrested)) < listed_share[region]
    w.cases.first_category[arrested] = first
    if first.any():
        inst = w.institutions
        inst.listed_cat1 += np.bincount(
            region[first], e.weights(arrested[first]), minlength=len(inst.listed_cat1)
        )
    return arrested


def days_since_order(pol: Policy, day: int) -> int:
    """Days from Order 00447 (the regional limits of its appendix, ``set_limits``: 30 July
    1937 in the historical scenario, G12-16) to ``day``; its launch if no limits were set."""
    named = pol.first_day.get(("set_limits", None), pol.launch_day("kulak_00447"))
    return 0 if named is None else day - named


def scheduled_pace(pace: float, days_since_launch: int, term_days: float) -> float:
    """The share of its remaining goal a region's NKVD arrests in a day under Order 00447.

    The order gave the operation four months (evidence G3-start; ``operation_term_days``,
    counted from the launch). A region works at ``operation_pace`` of what is left, and at
    least fast enough to finish what is left by the end of that term: 1 / (days left). So
    arrests come on faster towards the planned end, as the regional administrations drove
    to complete their limits on schedule, and what is granted late in the term is arrested
    within it. After the first term only ``operation_pace`` applies: the extension of 31
    January 1938 (G12-24) came with new limits for some regions (G3-inc-310138), not with a
    new deadline for all of them to be driven to.
    """
    left = term_days - days_since_launch
    if days_since_launch < 0 or left < 1:
        return pace
    return max(pace, 1.0 / left)


def persons_left(
    goal: np.ndarray, weight: float, inst: Institutions, rng: np.random.Generator
) -> np.ndarray:
    """Sampled people each region may still arrest under Order 00447 (its goal, less its arrests).

    A sampled person stands for ``weight`` people, so at small scales a region's goal
    is often a fraction of a person from its end. The goal is rounded to whole sampled
    people stochastically (up with probability its fraction), once each time it
    changes: the expected arrests equal the goal at any scale, and the operation's
    pace (a share of what is left each day) runs on whole people, so a region whose
    remaining goal is 0.4 of a person is not slowed to 0.4 of the pace, as it was when
    a fraction was accepted day by day (docs/calibration.md, "Scale").
    """
    changed = goal != inst.goal_00447
    if changed.any():
        units = goal[changed] / weight
        whole = np.floor(units)
        up = rng.random(int(np.count_nonzero(changed))) < units - whole
        inst.goal_persons_00447[changed] = whole + up
        inst.goal_00447[changed] = goal[changed]
    taken = np.rint(inst.arrested_00447 / weight)
    return np.maximum(inst.goal_persons_00447 - taken, 0.0).astype(np.int64)


def leader_circle(world: World) -> np.ndarray:
    """Rows of the 1934 Central Committee who are the leader's own circle (M14): the
    Politburo's members and candidates of 1934-38 (data/population/cc_1934.csv, model/
    central_committee.py). The leader himself is never arrested (model/engine.py)."""
    return politburo_rows(world.people["elite"], world.registers.elite_heads)


def _elite_weights(
    comp: Component, world: World, e: Engine, idx: np.ndarray, circle: np.ndarray
) -> np.ndarray:
    """Relative yearly hazards, in units of ``elite_hazard``."""
    p, pop = e.params, world.people
    w = np.where((pop["marks"][idx] & Mark.OPPOSITIONIST) != 0, p["oppositionist_weight"], 1.0)
    w = np.where((pop["elite"][idx] & Elite.CC_1934) != 0, w * p["prominence_weight"], w)
    if comp.on(e, "M14"):
        # protection first (M14): the leader stands throughout, so his circle, the Politburo,
        # is protected; not exempt: five of its members were shot in 1937-38 (Khrushchev 1956)
        w = np.where(np.isin(idx, circle), w * p["patron_protection"], w)
    if comp.on(e, "M26"):
        old_guard = pop["cohort"][idx] <= Cohort.Y1917_1920
        w = w * np.where(
            old_guard & (pop["cohort"][idx] > 0), p["revolutionary_generation_weight"], 1.0
        )
    return w


def _eligible(w: World) -> np.ndarray:
    """Heads in the open groups; the army's high command only in the army's own group.

    The party group's 1934 congress delegates are those of the party and soviet apparatus
    and the CC (``PARTY_FLAGS``; population/elite.py ``congress_posts``). No officer is drawn
    by this step's hazard in the party or the opposition group: in the record the army's
    commanders were taken in the army's own purge, opened by its trial (11 June 1937; the
    arrests of its defendants from May 1937), and before it only as men named under
    interrogation, as Primakov and Putna were in August 1936 (Suvenirov 1998; Conquest
    1990); the named reach the army's channel through model/steps_investigation.py and the
    army's trial case (model/trial_cases.py). Once the army group is open its high command
    carries the elite hazard as any open group does (by Cherushev 2003's reference note,
    V-army-arr-1938, arrest was near-total among corps and division commanders), while the
    rank-and-file officers are purged through dismissal only (model/steps_army.py). Until
    branch army37 (5 Dec 2026) the high command was of the party group from the
    February-March 1937 plenum and of the opposition group, when marked, from Kirov's
    murder: about 170 of its 850 were arrested before May 1937 at 1:1,000, seed 1."""
    heads = w.registers.elite_heads
    flags = w.people["elite"][heads]
    mask = np.zeros(len(heads), dtype=bool)
    for group in w.policy.elite_groups:
        bits = ELITE_GROUPS[group]
        if group == "army":
            mask |= (flags & Elite.ARMY_HIGH_COMMAND) != 0
        elif bits is None:
            mask |= ((w.people["marks"][heads] & Mark.OPPOSITIONIST) != 0) & (
                (flags & ARMY_FLAGS) == 0
            )
        else:
            mask |= ((flags & bits) != 0) & ((flags & ARMY_FLAGS) == 0)
    return heads[mask]


class PurgeOfElites(Component):
    """Step 20 (M14, M20, M26): arrests in the elite layer and their cascades.

    The people eligible, and their weights, are kept until the open groups change.
    """

    name = "purge_of_elites"
    mechanisms = ("M14", "M20", "M26")
    params = (
        "elite_hazard",
        "oppositionist_weight",
        "patron_cascade",
        "patron_protection",
        "prominence_weight",
        "revolutionary_generation_weight",
    )
    reads = ("people", "registers", "cases", "policy", "campaign")
    writes = ("cases", "camps")

    def __init__(self) -> None:
        self.eligible_key: tuple[str, ...] = ()
        self.eligible = np.empty(0, dtype=np.int32)
        self.eligible_w = np.empty(0)
        self.eligible_w_max = 0.0
        self.circle: np.ndarray | None = None
        self.register: tuple[Engine, np.ndarray] | None = None

    def step(self, w: World, e: Engine, day: int) -> None:
        p = e.params
        e.arrest(day, e.due(day, "arrest_elite"), "elite")
        e.arrest(day, e.due(day, "arrest_client"), "elite")
        if not (self.on(e, "M20") and w.policy.elite_groups):
            return
        if w.policy.opposition_register and "opposition" in w.policy.elite_groups:
            # the closed letter of 29 July 1936: the register's rank and file too
            if self.register is None or self.register[0] is not e:
                self.register = (e, register_of(w, e))
            arrest_register(w, e, day, self.register[1])
        key = tuple(sorted(w.policy.elite_groups))
        if self.eligible_key != key:
            self.eligible_key = key
            self.eligible = _eligible(w)
            if self.circle is None:
                self.circle = leader_circle(w)
            self.eligible_w = _elite_weights(self, w, e, self.eligible, self.circle)
            self.eligible_w_max = float(self.eligible_w.max()) if len(self.eligible) else 0.0
        eligible, weight = self.eligible, self.eligible_w
        if len(eligible) == 0:
            return
        rng = e.rng.elite
        w_max = self.eligible_w_max
        n = rng.poisson(p["elite_hazard"] / 365.0 * len(eligible) * w_max * w.levers.campaign)
        if n == 0:
            return  # draws of size 0 take nothing from the stream
        pick = rng.integers(0, len(eligible), size=n)
        arrested = e.arrest(day, thin(pick, rng.random(n), weight, w_max, eligible), "elite")
        if self.on(e, "M14") and len(arrested):
            _patron_cascade(w, e, day, arrested)


def _patron_cascade(w: World, e: Engine, day: int, arrested: np.ndarray) -> None:
    """M14: when a regional first secretary falls, his clients follow over the next weeks."""
    patrons = arrested[(w.people["elite"][arrested] & Elite.REGIONAL_SECRETARY) != 0]
    if len(patrons) == 0:
        return
    rng = e.rng.cascade
    regions = w.people["region"][patrons].astype(np.int64)
    clients = w.registers.clients.members_of(regions).astype(np.int64)
    clients = clients[rng.random(len(clients)) < e.params["patron_cascade"]]
    e.schedule_after(day + 1, "arrest_client", clients, rng.integers(0, 60, size=len(clients)))
