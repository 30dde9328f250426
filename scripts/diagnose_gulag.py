"""Who is in the Gulag, month by month: camps (ITL) and colonies (ITK), political or not, by origin.

A diagnostic for the Gulag's stocks and the deaths of 1935-36 (issue 9; docs/validation.md,
"Who is in the Gulag"). One run of the historical scenario at the given scale and seed. Every
sentence to camp or colony is tagged with the path that passed it: the stock held on the first
day (``stock``), the ordinary courts' non-political convicts (``ordinary_courts``,
model/steps_courts.py), the Special Board's and NKVD troikas' "socially harmful elements"
(``social_order``, model/steps_social_order.py), the militia's cases the courts convict after
the halt (``militia_courts``, the same module), and the political channels (``troika``,
of its line of criminals ``troika_criminal``, ``album``, ``special_troika``, ``oso``, ``military_collegium``, ``courts``). It prints

- the first day's stock, split as model/prison_terms.py sets it;
- the stock on the first of every month in camps, in colonies and awaiting the etap, with the
  non-political among them and the camp and colony stocks by origin on each 1 January;
- each year's sentences to camp and to colony by origin, and the Gulag's flows (admissions,
  releases at term end and by review, deaths in the camps and in transit, camp prisoners
  taken for a new case: the ledger's ``taken_for_case``, which the outflow table's
  ``new_case``, counted from who the arrests actually took, must equal);
- the record beside them: the stocks of Getty, Rittersporn & Zemskov (1993) (``V-gulag-*``),
  the GULAG's deaths (``G8-deaths-*``: camps and colonies, model/targets.py) and the releases
  of 1939 (``V-gulag-rel-1939``);
- each year's deaths in custody by the rule that drew them (the camps' draw, the weakened of
  the holding stage and the reception, transit, the prisons) and by place (camp, colony, etap,
  awaiting the etap, under investigation), over the average stock of each place (the mean of
  the monthly stocks), beside the rate the record's note gives and the average it implies, with
  the year's mean supply factor (docs/validation-log.md, "The Gulag's deaths: what the series
  counts").

Figures are full-population equivalents (the run's weights).

The script counts who leaves the camps and who dies in custody by wrapping the engine's Python
transitions (``release``, ``die_in_custody``, ``arrest``) and naming the rule by the caller of
``die_in_custody``. The camps' daily deaths, the transit deaths with the reception's draw and
TermEnd's releases run as compiled calls on the core (``gulag_kernels.camp_deaths_day``,
``transit_deaths_day``, ``term_end_day``; docs/design/compiled-core.md), which never call those
methods: the wrappers would miss them. For this run only, the three steps run their NumPy
references instead (``steps_gulag.camp_deaths_reference``, ``steps_transit
.transit_deaths_reference``, ``steps_gulag.term_end_reference``), which call the Python
transitions and which tests/test_core_camp_deaths.py, test_core_transit_deaths.py and
test_core_term_end.py hold equal to the kernels bit for bit: the run is the model's, only
slower. ``main`` restores what it patched when it returns.

    python scripts/diagnose_gulag.py --scale 0.001 --seed 1 [--until YYYY-MM-DD] [--set name=value ...]

``--until`` stops the run after that day (default: the scenario's last day); the tables then
cover the days run (tests/test_diagnose_gulag.py runs a short period).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import defaultdict
from typing import Any

import numpy as np
from _diagnose import historical_sim, options, until_date

from greatterror.calibration.holdout_gulag import OMZ_JOINT_LAST
from greatterror.evidence.loader import load_evidence
from greatterror.model import steps_justice
from greatterror.model.case_flags import COLONY, HOLDING, SOCIAL_ORDER
from greatterror.model.gulag import GF
from greatterror.model.kernels import distinct_sorted
from greatterror.model.steps_gulag import (
    camp_deaths_reference,
    camp_prisoners,
    camp_stock,
    term_end_reference,
)
from greatterror.model.steps_social_order import SocialOrderBoards
from greatterror.model.steps_transit import transit_deaths_reference
from greatterror.vocabulary import LN, NON_POLITICAL, Status

ORIGINS = (
    "stock",
    "ordinary_courts",
    "social_order",
    "militia_courts",
    "troika",
    "troika_criminal",
    "album",
    "special_troika",
    "oso",
    "military_collegium",
    "courts",
)
CODE = {name: i for i, name in enumerate(ORIGINS)}
FLOWS = (
    "admitted",
    "released_term",
    "released_review",
    "died_camp",
    "died_colony",
    "died_transit",
    "taken_for_case",
)


def _record(ev: Any, fid: str) -> float | None:
    try:
        return float(ev.value(fid))
    except (KeyError, ValueError):
        return None


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _record_rate(ev: Any, fid: str) -> float | None:
    """The rate a G8-deaths-* fact's note gives ("N% of the average annual population")."""
    try:
        note = ev.fact(fid).note
    except KeyError:
        return None
    m = re.search(r"([0-9.]+)% of the average annual population", note or "")
    return None if m is None else float(m.group(1)) / 100.0


def _supply_factor(e: Any, sim: Any) -> dict[int, float]:
    """Each year's mean of the camps' supply factor, ``1 + supply_mortality * hunger``
    (model/steps_gulag.py: the undernourishment the run recorded, ``Ledger.hunger``)."""
    days: dict[int, list[float]] = defaultdict(list)
    for day in range(1, sim.day):
        days[sim.date(day).year].append(float(e.ledger.hunger[day]))
    return {
        y: 1.0 + float(e.params["supply_mortality"]) * float(np.mean(v)) for y, v in days.items()
    }


def _deaths_by_place(
    ev: Any,
    monthly: dict[dt.date, dict[str, Any]],
    deaths: dict[tuple[int, str, str], float],
    supply: dict[int, float],
) -> None:
    """Each year's deaths in custody by rule and place, over the year's average stocks (the
    mean of the stocks on the 1st of each month, 1 January to 1 January: the GULAG's own
    "average annual number" was a mean of monthly counts), beside the record's rate."""
    print()
    print(
        "Deaths in custody by year, rule and place, over the average stock (mean of the "
        "monthly stocks 1 Jan-1 Jan; 1940 without 1 Jan 1941); the G8 series counts camps and "
        "colonies (model/targets.py); the supply factor is the year's mean"
    )
    for year in sorted({k[0] for k in deaths}):
        pts = [s for d, s in monthly.items() if d.year == year or d == dt.date(year + 1, 1, 1)]
        if len(pts) < 12:
            continue
        avg = {k: float(np.mean([s[k] for s in pts])) for k in ("camps", "colonies", "awaiting")}
        avg["pretrial"] = float(np.mean([s["pretrial"] for s in pts]))
        rows = sorted((r, p, v) for (y, r, p), v in deaths.items() if y == year)
        counted = sum(v for r, p, v in rows if p in ("camp", "colony"))
        record, rate = _record(ev, f"G8-deaths-{year}"), _record_rate(ev, f"G8-deaths-{year}")
        gulag = avg["camps"] + avg["colonies"]
        print(
            f"  {year}: average camps {avg['camps']:,.0f}, colonies {avg['colonies']:,.0f}, "
            f"awaiting {avg['awaiting']:,.0f}, pretrial {avg['pretrial']:,.0f}; G8-counted "
            f"deaths {counted:,.0f} = {counted / gulag:.2%} of camps+colonies; record "
            f"{_fmt(record)} at {'—' if rate is None else f'{rate:.2%}'} (implied average "
            f"{'—' if rate is None or record is None else f'{record / rate:,.0f}'}); supply "
            f"factor {supply.get(year, float('nan')):.3f}"
        )
        for place in ("camp", "colony", "etap", "awaiting", "pretrial"):
            parts = [f"{r} {v:,.0f}" for r, p, v in rows if p == place and v > 0]
            total = sum(v for r, p, v in rows if p == place)
            stock = {"camp": "camps", "colony": "colonies"}.get(place, place)
            rate_s = f" ({total / avg[stock]:.2%} of the average)" if stock in avg else ""
            if parts:
                print(f"      {place:8s} {total:9,.0f}{rate_s}: " + "; ".join(parts))


#: the rule a death is counted under: the caller of ``die_in_custody``, the NumPy references
#: under the name of the step they stand in for
RULE = {
    "camp_deaths_reference": "camp_deaths",
    "transit_deaths_reference": "transit_deaths",
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run and print; return the tables (``custody``: deaths by (year, rule, place);
    ``outflow``: (year, how, origin, colony); ``flows``: the ledger's Gulag flows by year)."""
    ap = options(__doc__)
    ap.add_argument("--until", default=None, help="last day, YYYY-MM-DD (default: the end)")
    a = ap.parse_args(argv)
    until = None if a.until is None else until_date(a)  # a bad date exits 2 before the run
    sim = historical_sim(a).engine  # the Simulation: run(until=...), date, start, days
    last = sim.date(sim.days - 1)
    if until is not None:
        if not sim.start <= until <= last:
            print(
                f"error: --until {until} is outside the run ({sim.start} to {last})",
                file=sys.stderr,
            )
            raise SystemExit(2)
        last = until
    saved = (
        steps_justice.camp_deaths,
        steps_justice.transit_deaths,
        SocialOrderBoards.courts_take_over,
    )
    try:
        return _run(sim, last)
    finally:
        (
            steps_justice.camp_deaths,
            steps_justice.transit_deaths,
            SocialOrderBoards.courts_take_over,
        ) = saved


def _term_end_step(w: Any, e: Any, day: int) -> None:
    """TermEnd's step with its NumPy reference for the compiled day (``TermEnd.step``)."""
    term_end_reference(w, e, day)
    date = e.date(day)
    if date.month == 1 and date.day == 1:
        e.ledger.stock[day] = camp_stock(w, e)


def _run(sim: Any, last: dt.date) -> dict[str, Any]:
    e = sim.engine
    # the compiled days through their NumPy references (the module docstring says why)
    steps_justice.camp_deaths = camp_deaths_reference
    steps_justice.transit_deaths = transit_deaths_reference
    sim.loop["term_end"].step = _term_end_step  # type: ignore[method-assign]
    cases = e.world.cases
    origin = np.full(len(cases.status), -1, dtype=np.int8)
    held0 = distinct_sorted(e.world.camps.roll.peek().astype(np.int64))
    origin[held0] = CODE["stock"]
    # sentences to camp (k: year, origin, colony) -> weight
    inflow: dict[tuple[int, str, bool], float] = defaultdict(float)
    sentence = e.sentence
    # the courts' convicts of the militia's cases after the halt: sentenced inside this call
    taking_over = [False]
    take_over = SocialOrderBoards.courts_take_over

    def flagged(self: SocialOrderBoards, *args: Any) -> None:
        taking_over[0] = True
        try:
            take_over(self, *args)
        finally:
            taking_over[0] = False

    SocialOrderBoards.courts_take_over = flagged  # type: ignore[method-assign]

    def tagged(day: int, idx: np.ndarray, kind: str, channel: str = "courts", **kw: Any) -> None:
        sentence(day, idx, kind, channel, **kw)
        idx = np.asarray(idx, dtype=np.int64)
        if kind != "camp" or len(idx) == 0:
            return
        non_political = cases.op[idx] == NON_POLITICAL
        social = cases.has(SOCIAL_ORDER, idx)
        # the militia troikas' convicts after Order 00447 are non-political cases too
        code = np.where(
            social, CODE["social_order"], np.where(non_political, CODE["ordinary_courts"], -1)
        )
        code = np.where(code < 0, CODE.get(channel, CODE["courts"]), code).astype(np.int8)
        if taking_over[0]:
            code[:] = CODE["militia_courts"]
        # Order 00447's line of criminals (recidivists), apart from its other lines
        code[(code == CODE["troika"]) & (cases.line[idx] == LN["criminal"])] = CODE[
            "troika_criminal"
        ]
        origin[idx] = code
        year = sim.date(day).year
        weight, colony = e.weights(idx), cases.has(COLONY, idx)
        for c in np.unique(code).tolist():
            for col in (False, True):
                sel = (code == c) & (colony == col)
                if sel.any():
                    inflow[(year, ORIGINS[c], col)] += float(weight[sel].sum())

    e.sentence = tagged  # type: ignore[method-assign]

    # who leaves a camp or colony (not a prison awaiting the etap), by year, origin and place:
    # released (term end or review), died, or taken out for a new case (a new arrest)
    outflow: dict[tuple[int, str, str, bool], float] = defaultdict(float)

    def in_camp(idx: np.ndarray) -> np.ndarray:
        """The distinct ``idx`` now in a camp or colony (not in a prison awaiting the etap)."""
        idx = distinct_sorted(np.asarray(idx, dtype=np.int64))
        return idx[(cases.status[idx] == Status.CAMP) & ~cases.has(HOLDING, idx)]

    def leaving(day: int, idx: np.ndarray, how: str, col: np.ndarray | None = None) -> None:
        """Count ``idx`` (distinct, in a camp or colony; ``col``: in a colony) as leaving."""
        if len(idx) == 0:
            return
        col = cases.has(COLONY, idx) if col is None else col
        year, weight, code = sim.date(day).year, e.weights(idx), origin[idx]
        for c in np.unique(code).tolist():
            for place in (False, True):
                sel = (code == c) & (col == place)
                if sel.any():
                    name = ORIGINS[c] if c >= 0 else "other"
                    outflow[(year, how, name, place)] += float(weight[sel].sum())

    release, die, arrest = e.release, e.die_in_custody, e.arrest

    def releasing(day: int, idx: np.ndarray) -> None:
        leaving(day, in_camp(idx), "released")
        release(day, idx)

    # deaths in custody by year, the rule that drew them (the caller of die_in_custody) and
    # where the dead were: "camp", "colony", "awaiting" (sentenced, in a prison awaiting the
    # etap or the transfer) or "pretrial" (under investigation or awaiting sentence)
    custody: dict[tuple[int, str, str], float] = defaultdict(float)

    def dying(day: int, idx: np.ndarray, flow: str = "left_holding") -> None:
        idx = np.asarray(idx, dtype=np.int64)
        rule = sys._getframe(1).f_code.co_name  # camp_deaths, transit_deaths, holding_step...
        rule = RULE.get(rule, rule)
        camp = cases.status[idx] == Status.CAMP
        where = np.where(
            camp & cases.has(HOLDING, idx),
            "awaiting",
            np.where(camp, np.where(cases.has(COLONY, idx), "colony", "camp"), "pretrial"),
        )
        if rule == "transit_deaths":  # admitted today, dead on the etap before arriving
            where[:] = "etap"
        weight, year = e.weights(idx), sim.date(day).year
        for place in np.unique(where).tolist():
            custody[(year, rule, place)] += float(weight[where == place].sum())
        leaving(day, in_camp(idx), "died")
        die(day, idx, flow)

    def arresting(
        day: int,
        idx: np.ndarray,
        op: str,
        allow_in_camp: bool = False,
        investigate: bool = True,
        **kw: Any,
    ) -> np.ndarray:
        if not (allow_in_camp and len(idx)):  # only Order 00447 took people out of the camps
            return arrest(day, idx, op, allow_in_camp, investigate, **kw)
        # the candidates in a camp or colony before the arrest, of whom the arrest takes only
        # those of the camps' own unit (``kernels.open_cases``), each once
        before = in_camp(idx)
        col = cases.has(COLONY, before)
        taken = arrest(day, idx, op, allow_in_camp, investigate, **kw)
        took = np.isin(before, taken)
        leaving(day, before[took], "new_case", col[took])
        return taken

    e.release = releasing  # type: ignore[method-assign]
    e.die_in_custody = dying  # type: ignore[method-assign]
    e.arrest = arresting  # type: ignore[method-assign]

    def stock() -> dict[str, Any]:
        camps, colonies, np_camps, np_colonies, criminal = camp_stock(e.world, e)
        held = camp_prisoners(e.world)
        w, col = e.weights(held), cases.has(COLONY, held)
        by_origin = {
            (ORIGINS[o], c): float(w[(origin[held] == o) & (col == c)].sum())
            for o in range(len(ORIGINS))
            for c in (False, True)
        }
        return {
            "camps": camps,
            "colonies": colonies,
            "np_camps": np_camps,
            "np_colonies": np_colonies,
            "criminal": criminal,
            # sentenced to camp or colony, still in a prison (model/holding.py): not on the roll
            "awaiting": float(e.world.camps.hold_w),
            "pretrial": float(e.world.camps.pretrial_w),
            "origin": by_origin,
        }

    ev = load_evidence()
    s0 = stock()
    print(f"First day {sim.date(0)}: the stock of the Gulag's own unit (regions.csv gulag_camps)")
    print(
        f"  camps {s0['camps']:,.0f} (record 1 Jan 1935 {_fmt(_record(ev, 'IN-gulag-itl-1935'))}), "
        f"colonies {s0['colonies']:,.0f} (record {_fmt(_record(ev, 'IN-gulag-itk-1935'))}); "
        f"non-political {s0['np_camps'] + s0['np_colonies']:,.0f} "
        f"(all but IN-gulag-cr-1935 = {_fmt(_record(ev, 'IN-gulag-cr-1935'))} counter-revolutionaries)"
    )
    print()
    print(
        "Stock on the 1st of each month (model/steps_gulag.camp_stock; in prisons: awaiting the "
        "etap or the transfer to a colony, and under investigation or awaiting sentence)"
    )
    print(
        f"{'date':10s} {'camps':>10s} {'of which np':>11s} {'colonies':>10s} {'of which np':>11s} "
        f"{'awaiting':>9s} {'pretrial':>9s}"
    )
    january: dict[int, dict[str, Any]] = {}
    monthly: dict[dt.date, dict[str, Any]] = {}
    d = dt.date(sim.start.year, sim.start.month, 1)
    while True:
        y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
        d = dt.date(y, m, 1)
        if d > last:
            break
        sim.run(until=(d - sim.start).days)  # the state at the start of the 1st
        s = stock()
        monthly[d] = s
        if d.month == 1:
            january[d.year] = s
        print(
            f"{d.isoformat():10s} {s['camps']:10,.0f} {s['np_camps']:11,.0f} "
            f"{s['colonies']:10,.0f} {s['np_colonies']:11,.0f} {s['awaiting']:9,.0f} "
            f"{s['pretrial']:9,.0f}"
        )
    sim.run(until=last)
    print()
    print("On 1 January against the record (Getty, Rittersporn & Zemskov 1993; Zemskov 1991)")
    for year, s in sorted(january.items()):
        itl, itk = _record(ev, f"V-gulag-itl-{year}"), _record(ev, f"V-gulag-itk-{year}")
        cr = _record(ev, f"V-gulag-cr-{year}")
        np_rec = None if itl is None or cr is None else itl - cr
        print(
            f"  {year}: camps {s['camps']:,.0f} / {_fmt(itl)}; colonies {s['colonies']:,.0f} / "
            f"{_fmt(itk)}; camps' non-political and 00447 criminals "
            f"{s['np_camps'] + s['criminal']:,.0f} / {_fmt(np_rec)} (all but the record's CR); "
            f"camps' counter-revolutionaries {s['camps'] - s['np_camps'] - s['criminal']:,.0f} "
            f"(with Order 00447's criminals {s['camps'] - s['np_camps']:,.0f}) / {_fmt(cr)}"
        )
        if year <= OMZ_JOINT_LAST:  # the record's colony count is the OMZ's, with the prisons
            joint = s["colonies"] + s["awaiting"] + s["pretrial"]
            print(
                f"      the OMZ's places (colonies and prisons, as the record counts them until "
                f"1938): {joint:,.0f} / {_fmt(itk)}"
            )
        for col, name in ((False, "camps"), (True, "colonies")):
            parts = [
                f"{o} {s['origin'][(o, col)]:,.0f}" for o in ORIGINS if s["origin"][(o, col)] > 0
            ]
            print(f"      {name:8s} by origin: " + "; ".join(parts))
    print()
    print("Sentences to camp (ITL) / colony (ITK) by origin and year")
    years = sorted({k[0] for k in inflow})
    for year in years:
        parts = [
            f"{o} {inflow.get((year, o, False), 0.0):,.0f}/{inflow.get((year, o, True), 0.0):,.0f}"
            for o in ORIGINS
            if inflow.get((year, o, False), 0.0) + inflow.get((year, o, True), 0.0) > 0
        ]
        print(f"  {year}: " + "; ".join(parts))
    print()
    print(
        "Leaving the camps (ITL) / colonies (ITK) by year, how and origin (released: term end "
        "or review; new_case: taken for a new case)"
    )
    for year in sorted({k[0] for k in outflow}):
        for how in ("released", "died", "new_case"):
            names = (*ORIGINS, "other")
            tot = [sum(outflow.get((year, how, o, p), 0.0) for o in names) for p in (False, True)]
            parts = [
                f"{o} {outflow.get((year, how, o, False), 0.0):,.0f}/"
                f"{outflow.get((year, how, o, True), 0.0):,.0f}"
                for o in names
                if outflow.get((year, how, o, False), 0.0) + outflow.get((year, how, o, True), 0.0)
                > 0
            ]
            print(
                f"  {year} {how:8s} camps {tot[0]:,.0f} / colonies {tot[1]:,.0f}: "
                + "; ".join(parts)
            )
    print()
    print("Flows by year (ledger.gulag) and the record")
    flows: dict[int, dict[str, float]] = {}
    g = e.ledger.gulag
    yrs = np.array([sim.date(day).year for day in range(sim.day)])
    print(
        f"  {'year':4s} "
        + " ".join(f"{f:>15s}" for f in FLOWS)
        + f" {'G8 deaths':>10s} {'record':>8s}"
    )
    for year in sorted(set(yrs.tolist())):
        sums = g[: sim.day][yrs == year].sum(axis=0)
        deaths = sums[GF["died_camp"]]  # model/targets.py: camps and colonies, no transit
        flows[year] = {f: float(sums[GF[f]]) for f in FLOWS}
        print(
            f"  {year:4d} "
            + " ".join(f"{sums[GF[f]]:15,.0f}" for f in FLOWS)
            + f" {deaths:10,.0f} {_fmt(_record(ev, f'G8-deaths-{year}')):>8s}"
        )
    _deaths_by_place(ev, monthly, custody, _supply_factor(e, sim))
    rel = _record(ev, "V-gulag-rel-1939")
    print(
        f"  releases 1939, record (V-gulag-rel-1939): {_fmt(rel)}; camps "
        f"{_fmt(_record(ev, 'V-gulag-rel-1939-itl'))}, colonies "
        f"{_fmt(_record(ev, 'V-gulag-rel-1939-itk'))}"
    )
    _intake_1939(ev, inflow)
    _turnover_1939(ev, outflow, monthly)
    return {"custody": dict(custody), "outflow": dict(outflow), "flows": flows}


#: the camps' and colonies' death rates of 1939 (Zemskov 1991, as the fact G8-mort-rate's note
#: gives them: 3.29% of the camps' yearly average, 2.3% of the colonies')
RATES_1939 = {False: 0.0329, True: 0.023}


def _intake_1939(ev: Any, inflow: dict[tuple[int, str, bool], float]) -> None:
    """The record's net intake of 1939 by place beside the model's sentences of 1939 by place.

    The record's intake is implied, not counted: the stock on 1 January 1940 less that on
    1 January 1939, plus the year's releases (``V-gulag-rel-1939-itl/-itk``) and deaths at
    Zemskov's rates of 1939 over the mean of the two stocks (``RATES_1939``); escapes, their
    recapture and the transfers between camps and colonies are left out (docs/validation-log.md,
    "The camps of 1939-40: where the intake goes")."""
    for colony, name, rel in ((False, "camps", "itl"), (True, "colonies", "itk")):
        s0, s1 = _record(ev, f"V-gulag-{rel}-1939"), _record(ev, f"V-gulag-{rel}-1940")
        out = _record(ev, f"V-gulag-rel-1939-{rel}")
        if s0 is None or s1 is None or out is None:
            continue
        implied = s1 - s0 + out + RATES_1939[colony] * 0.5 * (s0 + s1)
        sentenced = sum(v for (y, _, c), v in inflow.items() if y == 1939 and c == colony)
        print(
            f"  intake 1939, {name}: record implied (stocks, releases, deaths at Zemskov's rate) "
            f"{implied:,.0f}; the model's sentences {sentenced:,.0f}"
        )


def _turnover_1939(
    ev: Any,
    outflow: dict[tuple[int, str, str, bool], float],
    monthly: dict[dt.date, dict[str, Any]],
) -> None:
    """The releases of 1939 per average prisoner, by place, in the record and the model.

    The record's is the year's releases (``V-gulag-rel-1939-itl/-itk``, Zemskov 1991) over the
    mean of the stocks of 1 January 1939 and 1940; the model's its releases (term end and
    review) over the mean of its monthly stocks. Terms of half a year to three years, less the
    credits, turn a colony's stock over in about a year and a half; a much lower rate in the
    record says that its colonies held longer stays (docs/validation-log.md, "The colonies'
    flows and the deaths of 1940")."""
    pts = [s for d, s in monthly.items() if d.year == 1939 or d == dt.date(1940, 1, 1)]
    if len(pts) < 12:
        return
    for colony, name, rel in ((False, "camps", "itl"), (True, "colonies", "itk")):
        s0, s1 = _record(ev, f"V-gulag-{rel}-1939"), _record(ev, f"V-gulag-{rel}-1940")
        out = _record(ev, f"V-gulag-rel-1939-{rel}")
        if s0 is None or s1 is None or out is None:
            continue
        released = sum(
            v for (y, h, _, c), v in outflow.items() if (y, h, c) == (1939, "released", colony)
        )
        average = float(np.mean([s[name] for s in pts]))
        print(
            f"  releases 1939 per average prisoner, {name}: record {out / (0.5 * (s0 + s1)):.3f} "
            f"({out:,.0f} over {0.5 * (s0 + s1):,.0f}); the model's {released / average:.3f} "
            f"({released:,.0f} over {average:,.0f})"
        )


if __name__ == "__main__":
    main()
