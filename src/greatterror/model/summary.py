"""Turn a finished simulation into the run's outputs (docs/outputs.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from greatterror import __version__
from greatterror.model import series_rows
from greatterror.model.central_committee import leader_rows, politburo_rows
from greatterror.model.demography import demography
from greatterror.model.fifth_column import guilt_summary, mechanism_counts
from greatterror.model.gulag import gulag_summary
from greatterror.model.nkvd_capacity import capacity_block
from greatterror.model.party_state import CAMPAIGNS, PARTY_EVENTS
from greatterror.model.purge_state import ARMY_EVENTS
from greatterror.model.summary_groups import (
    PLENUM_1937,
    arrested_by_half_month,
    elite_fate,
    line_totals,
    mark_arrested_by,
    own_nationality_shares,
    rows_fate,
    targeted,
)
from greatterror.model.targets import evaluate
from greatterror.population.codes import Mark
from greatterror.provenance import code_identity, scenario_source
from greatterror.vocabulary import (
    ELITE_FATES,
    EV,
    INCREASE_KINDS,
    LINES_OF,
    LN,
    NKVD_FLAGS,
    OPERATIONS,
    POLITICAL_OPERATIONS,
    Status,
)


def _years(sim: Any) -> np.ndarray:
    days = np.arange(sim.days)
    return np.array([(sim.start + dt.timedelta(days=int(d))).year for d in days])


def army_block(world: Any, years: np.ndarray) -> dict[str, Any]:
    """The army purge by year (officers, not weighted: the officer corps is at full size)."""
    army = world.army
    out: dict[str, Any] = {"officers": len(army.officers)}
    for i, name in enumerate(ARMY_EVENTS):
        out[name] = {
            str(y): round(float(army.counts[years == y, i].sum())) for y in np.unique(years)
        }
    return out


def cadres_block(world: Any, years: np.ndarray) -> dict[str, Any]:
    """NKVD officers lost to arrest (and replaced by recruits) by year; recruits left at the end."""
    c = world.cadres
    return {
        "officers": len(c.officers),
        "lost_and_replaced": {str(y): int(c.lost[years == y].sum()) for y in np.unique(years)},
        "recruits_at_end": float(c.recruits.sum()),
        "capacity_at_end": float(world.institutions.officers.sum()),
        "capacity_at_start": c.initial_capacity,
    }


def party_block(world: Any, years: np.ndarray, w_mass: float) -> dict[str, Any]:
    """The rank and file's purge by year (full-population equivalents)."""
    roll = world.party
    out: dict[str, Any] = {"in_party_1jan": {str(y): v for y, v in roll.in_party_1jan.items()}}
    for i, name in enumerate(PARTY_EVENTS):
        out[name] = {str(y): float(roll.counts[years == y, i].sum()) for y in np.unique(years)}
    codes = np.bincount(roll.campaign, minlength=len(CAMPAIGNS) + 1)[1:]
    # still expelled at the end, by how they left (the reinstated are no longer counted)
    out["expelled_at_end_by_campaign"] = {
        c: float(n) * w_mass for c, n in zip(CAMPAIGNS, codes, strict=True)
    }
    return out


def _lines_by_day(sim: Any) -> dict[str, dict[str, float]]:
    """Order 00447's arrests on each of its lines by day of the arrest (days with none left
    out), in full-population equivalents (the cases of ``line_totals``: a person under the
    line and the day of his last case). The GUGB's summaries of the operation's first weeks
    give the arrests by line to a date, 15 August and 1 September 1937, each day included
    (V-00447-kulak-share-150837, -010937), which the whole run's ``lines`` cannot be compared
    with: the lines the order added came on the lists later. By day, because a half month's
    bins (``lines_by_half_month`` until 5 December 2026) ended the count "by 1 September" on
    31 August, a day short of the count rows of the same summaries (review14 F12)."""
    c = sim.cases
    out: dict[str, dict[str, float]] = {}
    # flatnonzero((line == LN[name]) & (arrests > 0) & (arrest_day >= 0)) from the people with a
    # line, found once (five full-size masks per line were 30 passes of 162 MB each at 1:1)
    lined = np.flatnonzero(c.line)
    lined = lined[(c.arrests[lined] > 0) & (c.arrest_day[lined] >= 0)]
    line_of = c.line[lined]
    for name in LINES_OF["kulak_00447"]:
        idx = lined[line_of == LN[name]]
        days = c.arrest_day[idx].astype(np.int64)
        sums = np.bincount(days, weights=np.asarray(sim.weights(idx), dtype=float))
        out[name] = {
            (sim.start + dt.timedelta(days=int(d))).isoformat(): float(sums[d])
            for d in np.flatnonzero(sums)
        }
    return out


def build_summary(sim: Any, scenario_name: str) -> dict[str, Any]:
    # day, region, operation, event; summed in one pass (model/ledger_sums.py; from the
    # cells that hold events, model/ledger_cells.py, unless the dense counts were read): the political
    # repression's series per day, every operation's totals, the non-political convicts
    # (model/steps_courts.py) per day, who are counted apart, in ``non_political``, and in
    # the Gulag's stocks and flows
    per_day_event, per_op, per_day_other, per_day_op = sim.ledger.sums()
    years = _years(sim)
    by_year_event = yearly_block(per_day_event, years)
    operations = operations_block(per_op)
    inst = sim.inst
    summary: dict[str, Any] = {
        "scenario": scenario_name,
        "scenario_source": scenario_source(sim.scenario),
        "scale": sim.pop.scale,
        "seed": sim.seed,
        "version": __version__,
        "code": code_identity(),
        "parameters": dict(sim.params),
        "overrides": dict(sim.overrides),
        "mechanisms": dict(sim.on),
        "mechanism_overrides": dict(sim.mechanism_overrides),
        "policy_mode": sim.scenario.policy,
        "policy": list(sim.policy.log),
        # the leader's rule (endogenous runs): how near each decision came (calibration)
        "leader_nearest": dict(sorted(inst.nearest.items())),
        "population": {
            "mass": sim.pop.n_mass,
            "elite": len(sim.pop) - sim.pop.n_mass,
            "represented": sim.pop.represented(),
            # the population's own seed and scale: a population built apart
            # (gt.Population.build) may have another seed than the run's draws
            "seed": sim.pop.seed,
            "scale": sim.pop.scale,
        },
        "start": sim.start.isoformat(),
        "end": (sim.start + dt.timedelta(days=sim.days - 1)).isoformat(),
        "yearly": by_year_event,
        "operations": operations,
        "operations_yearly": operations_yearly(per_day_op, years),
        "elites": {
            **elites_block(sim, ELITE_FATES),
            "cc_1934_politburo": rows_fate(
                sim, politburo_rows(sim.pop["elite"], sim.registers.elite_heads)
            ),
            "cc_1934_leader": rows_fate(
                sim, leader_rows(sim.pop["elite"], sim.registers.elite_heads)
            ),
        },
        "trials": sim.trials,
        "limit_fill": [
            {
                "region": r.code,
                "cat1_limit": float(inst.limit_cat1[r.index]),
                "cat1_used": float(inst.used_cat1[r.index]),
                "cat2_limit": float(inst.limit_cat2[r.index]),
                "cat2_used": float(inst.used_cat2[r.index]),
            }
            for r in sim.pop.regions
            if inst.initial_cat1[r.index] + inst.initial_cat2[r.index] > 0
        ],
        "limit_requests": limit_requests(inst, held_at_end(sim)),
        "targeted": targeted(sim),
        # the former oppositionists arrested by the February-March plenum of 1937
        "oppositionists_arrested_by_plenum_1937": mark_arrested_by(
            sim, int(Mark.OPPOSITIONIST), PLENUM_1937
        ),
        "demography": demography(sim),
        "lines": line_totals(sim.cases, sim.weights),
        "lines_by_day": _lines_by_day(sim),
        "national_nationality": own_nationality_shares(
            sim.cases, sim.weights, sim.pop["nationality"], sim.registers.specs
        ),
        # M19: children of wives arrested under Order 00486, counted as placed in
        # children's homes (full-population equivalents); they are never arrested
        "families": {"children_to_homes": sim.children_to_homes},
        "army": army_block(sim.world, years),
        "nkvd_cadres": {
            **cadres_block(sim.world, years),
            "arrested_by_half_month": arrested_by_half_month(sim, NKVD_FLAGS),
        },
        # the bound on the arrests the officers make on their own initiative (M12, M23)
        "nkvd_capacity": capacity_block(sim.inst, float(sim.weight_of_layer[0]), sim.start),
        "party": party_block(sim.world, years, float(sim.weight_of_layer[0])),
        "non_political": non_political_block(per_day_other, years),
        "gulag": gulag_block(sim, years),
        "pretrial": {
            part: {date: float(pair[i]) for date, pair in sim.ledger.pretrial_dates.items()}
            for i, part in enumerate(("held", "released"))
        },
        # M24, M25, M11: how many of those arrested really acted against the regime
        "fifth_column": guilt_summary(sim),
        "mechanism_counts": mechanism_counts(sim),
    }
    summary["targets"] = evaluate(summary, sim.evidence)
    return summary


def target_rows(sim: Any) -> list[dict[str, Any]]:
    """``build_summary(sim, ...)["targets"]``, equal value for value, from the blocks the
    targets read (model/targets.py: ``yearly``, ``operations``, two groups of ``elites``,
    ``gulag``, ``trials``) and none of the others.

    A fit reads a run's targets only (calibration/simulator.py, ``FitModel.__call__``); the
    other blocks (the lines, the demography, the groups targeted, the NKVD's and the party's
    blocks...) were 40-50% of the summary's CPU time. A target that reads another block
    raises KeyError here; tests/test_fit_targets.py compares the two on whole runs."""
    per_day_event, per_op, _, _ = sim.ledger.sums()
    years = _years(sim)
    read = {
        "yearly": yearly_block(per_day_event, years),
        "operations": operations_block(per_op),
        "elites": elites_block(sim, {g: ELITE_FATES[g] for g in TARGET_ELITES}),
        "trials": sim.trials,
        "gulag": gulag_block(sim, years),
    }
    return evaluate(read, sim.evidence)


#: the groups of ``elites`` that calibration targets read (model/targets.py)
TARGET_ELITES = ("cc_1934", "congress_1934")


def yearly_block(per_day_event: np.ndarray, years: np.ndarray) -> dict[str, Any]:
    """The political repression's events by calendar year (``yearly``)."""
    by_year_event = {}
    for year in np.unique(years):
        sel = per_day_event[years == year].sum(axis=0)
        by_year_event[str(year)] = {
            **_sentenced(sel),
            "shot": float(sel[EV["executed"]]),
            "camp": float(sel[EV["convicted_camp"]]),
            "exile": float(sel[EV["convicted_exile"]]),
            # "other measures" (model/collegium.py): convicted, neither camp nor exile
            "other": float(sel[EV["convicted_other"]]),
            "released": float(sel[EV["released"]]),
            "died_in_custody": float(sel[EV["died_in_custody"]]),
        }
    return by_year_event


def operations_block(per_op: np.ndarray) -> dict[str, Any]:
    """Per political operation: arrests opened under it, sentences passed under it,
    executions, and the cases that left it before any sentence under it (a special troika's
    case sent back, model/no_sentence.py; a case pending at the halt, model/steps_halt.py),
    whose later sentence or release is counted under "ordinary"."""
    return {
        op: {
            **_sentenced(per_op[i]),
            "shot": float(per_op[i, EV["executed"]]),
            "left_operation": float(per_op[i, EV["left_operation"]]),
        }
        for i, op in enumerate(OPERATIONS)
        if op in POLITICAL_OPERATIONS
    }


def elites_block(sim: Any, groups: dict[str, int]) -> dict[str, Any]:
    """The fate of each elite group (the 1934 Congress's delegates: arrested only)."""
    return {
        group: elite_fate(sim, flags, shot=group != "congress_1934")
        for group, flags in groups.items()
    }


def gulag_block(sim: Any, years: np.ndarray) -> dict[str, Any]:
    """The ``gulag`` block (model/gulag.py, ``gulag_summary``) from the run's ledger."""
    ledger = sim.ledger
    return gulag_summary(
        ledger.gulag, ledger.stock, years, ledger.prisons, ledger.holding, ledger.prison_dates
    )


def _sentenced(events: np.ndarray) -> dict[str, float]:
    """Arrests, convictions (every sentence, a void case's new one excepted:
    model/transitions.py) and death sentences from one row of event counts."""
    return {
        "arrested": float(events[EV["arrested"]]),
        "convicted": float(
            events[EV["convicted_cat1"]]
            + events[EV["convicted_camp"]]
            + events[EV["convicted_exile"]]
            + events[EV["convicted_other"]]
        ),
        "death_sentences": float(events[EV["convicted_cat1"]]),
    }


def operations_yearly(per_day_op: np.ndarray, years: np.ndarray) -> dict[str, Any]:
    """Each political operation's arrests, convictions and death sentences by calendar year
    (by the day of the event): the record counts Order 00447 at the end of 1937 as well as
    at its end (calibration/holdout.py)."""
    per_year = {str(y): per_day_op[years == y].sum(axis=0) for y in np.unique(years)}
    return {
        op: {year: _sentenced(counts[i]) for year, counts in per_year.items()}
        for i, op in enumerate(OPERATIONS)
        if op in POLITICAL_OPERATIONS
    }


def non_political_block(per_day: np.ndarray, years: np.ndarray) -> dict[str, Any]:
    """The non-political convicts by year: the ordinary courts' (model/steps_courts.py),
    from Order 00447 to the halt the militia troikas' (model/steps_social_order.py,
    ``COUNTED_AFTER_00447``), and after the halt the militia's cases the courts convict
    (``SocialOrderBoards.courts_take_over``): sentenced to camp or colony, sentenced to exile
    (the militia's cases only, by the troikas or after the halt by the courts), released,
    died in custody (full-population equivalents). Counted in the
    Gulag block, never in ``yearly`` or ``operations``' political series.

    ``per_day``: their events per day and event (``cube[:, :, NON_POLITICAL].sum(axis=1)``,
    model/ledger_sums.py)."""
    out: dict[str, Any] = {}
    for year in np.unique(years).tolist():
        sel = per_day[years == year].sum(axis=0)
        out[str(year)] = {
            "sentenced": float(sel[EV["convicted_camp"]]),
            "exiled": float(sel[EV["convicted_exile"]]),
            "released": float(sel[EV["released"]]),
            "died_in_custody": float(sel[EV["died_in_custody"]]),
        }
    return out


def held_at_end(sim: Any) -> float:
    """The weight of the Order 00447 cases still held for a sanction at the run's end (rule
    R1, model/troika.py): none in a run with a halt, whose review takes them all."""
    held = sim.inst.held_for_sanction.peek()
    held = held[sim.cases.status[held] == Status.AWAITING_SENTENCE]
    return float(sim.weights(held).sum()) if len(held) else 0.0


def limit_requests(inst: Any, held_end: float = 0.0) -> dict[str, Any]:
    """Order 00447's requests, answers and limit increases (model/steps_quota.py).

    ``increases`` is the log of every increase applied; ``by_kind`` counts them
    (``dated``: decisions of the evidence base; ``approved``: by the centre's rule;
    ``as_asked``: granted at once as asked; ``commissar``: the People's Commissar's own
    sanction in the first term), ``after_fact`` those the region's troika
    had acted on before the sanction, and ``sentenced_beyond_limits`` the troika
    sentences passed beyond any limit (full-population equivalents). ``held_for_sanction``
    counts the cases held for the sanction of an increase (rule R1, model/troika.py; not in
    the troikas' daily ``backlog``): those the halt's review took, those sent to the Special
    Board on their region's end (``held_after_region_end`` 0), and those still held at the
    run's end (``held_end``), which only a run without a halt leaves, neither sentenced nor
    released: then ``warning`` says so.
    """
    rows = list(inst.increases)
    return {
        "requests": inst.requests,
        "approvals": inst.approvals,
        "refusals": inst.refusals,
        "increases_count": len(rows),
        "by_kind": {k: sum(r["kind"] == k for r in rows) for k in INCREASE_KINDS},
        "after_fact": sum(bool(r["after_fact"]) for r in rows),
        "amount": {
            "cat1": float(sum(float(r["cat1"]) for r in rows)),
            "cat2": float(sum(float(r["cat2"]) for r in rows)),
            "after_fact": float(
                sum(float(r["cat1"]) + float(r["cat2"]) for r in rows if r["after_fact"])
            ),
        },
        "sentenced_beyond_limits": float(inst.beyond_limit.sum()),
        "held_for_sanction": {
            "at_halt": float(inst.held_at_halt),
            "sent_on_at_region_end": float(inst.held_sent_on),
            "at_end": held_end,
            "warning": "cases held for a sanction at the run's end, neither sentenced nor "
            "released (no halt)"
            if held_end > 0
            else None,
        },
        "increases": rows,
    }


def timeseries_rows(sim: Any) -> dict[str, Any]:
    """timeseries.parquet's columns (model/series_rows.py)."""
    return series_rows.timeseries_rows(series_rows.series_parts(sim))


def channel_rows(sim: Any) -> dict[str, Any]:
    """channels.parquet's columns (model/series_rows.py)."""
    return series_rows.channel_rows(series_rows.series_parts(sim))
