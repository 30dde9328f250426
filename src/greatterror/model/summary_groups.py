"""The summary's counts of who was taken: groups of people and their fates.

The elites' fates (size, arrested, sentenced to death) by group and for the 1934 Central
Committee's rows, the NKVD officers' arrests by half month, the arrest rates by occupation,
register mark and party status, the marked oppositionists arrested by the February-March
plenum of 1937, and the operations' lines (model/lines.py): the arrested, convicted, shot and
named by line, and the share of a national operation's arrested who are of its
nationalities. Apart from summary.py, which assembles the whole summary (docs/outputs.md),
because these read the population's and the cases' columns person by person, not the daily
counts the rest of the summary sums.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.blocks import nonzero_by_blocks
from greatterror.model.case_flags import NAMED
from greatterror.model.kernels import count_values
from greatterror.population.codes import Mark, Occupation, Party
from greatterror.vocabulary import LINES, LINES_OF, Status

if TYPE_CHECKING:
    from greatterror.model.lines import LineSpec


def elite_fate(sim: Any, flags: int, shot: bool = True) -> dict[str, int]:
    heads = sim.registers.elite_heads
    return rows_fate(sim, heads[(sim.pop["elite"][heads] & flags) != 0], shot)


def rows_fate(sim: Any, members: np.ndarray, shot: bool = True) -> dict[str, int]:
    """Size, arrested and (with ``shot``) sentenced to death, of these people."""
    out = {"size": len(members), "arrested": int((sim.cases.arrests[members] > 0).sum())}
    if shot:
        out["shot"] = int(
            np.isin(sim.cases.status[members], [Status.SHOT, Status.SENTENCED_DEATH]).sum()
        )
    return out


def _half_month(start: dt.date, days: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Sums of ``weights`` by the half month (1st-15th, 16th-end) of ``days`` after ``start``,
    keyed by the half month's first day, in date order."""
    out: dict[str, float] = {}
    for d, w in sorted(zip(days.tolist(), weights.tolist(), strict=True)):
        date = start + dt.timedelta(days=int(d))
        key = date.replace(day=1 if date.day <= 15 else 16).isoformat()
        out[key] = out.get(key, 0.0) + float(w)
    return out


def arrested_by_half_month(sim: Any, flags: int) -> dict[str, int]:
    """The group's arrests by half month (1st-15th, 16th-end), keyed by the first day.

    The day is a person's last arrest (``cases.arrest_day``); the elite layer holds every
    member at any scale, so these are counts of people. Validation figures of the purge of
    the purgers count to a date within a month (V-nkvd-arrested-3638, to 15 August 1938).
    """
    heads = sim.registers.elite_heads
    members = heads[(sim.pop["elite"][heads] & flags) != 0]
    days = sim.cases.arrest_day[members[sim.cases.arrests[members] > 0]].astype(np.int64)
    return {k: int(v) for k, v in _half_month(sim.start, days, np.ones(len(days))).items()}


def _by_code(
    codes: np.ndarray, size: int, elite: np.ndarray, arrested: np.ndarray, sim: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Represented and arrested people per code value, by counting, not by masks.

    One ``bincount`` over the population replaces a mask and a weighted sum per
    category (each a full pass, and a 162-million float array of weights at 1:1).
    """
    w_mass, w_elite = sim.weight_of_layer
    n_all = count_values(codes, size)  # np.bincount would copy 162 million codes to intp
    n_elite = np.bincount(codes[elite], minlength=size)
    population = (n_all - n_elite) * w_mass + n_elite * w_elite
    taken = np.bincount(codes[arrested], weights=sim.weights(arrested), minlength=size)
    return population, taken


def targeted(sim: Any) -> dict[str, dict[str, dict[str, float]]]:
    """Arrest rates by occupation, register mark and party status (one pass, at the end)."""
    pop = sim.pop
    elite = np.flatnonzero(sim.is_elite)
    arrested = np.flatnonzero(sim.cases.arrests)
    out: dict[str, dict[str, dict[str, float]]] = {"occupation": {}, "marks": {}, "party": {}}

    def entry(population: np.ndarray, taken: np.ndarray, sel: Any) -> dict[str, float]:
        return {"population": float(population[sel].sum()), "arrested": float(taken[sel].sum())}

    population, taken = _by_code(pop["occupation"], 256, elite, arrested, sim)
    for code in Occupation:
        out["occupation"][code.name.lower()] = entry(population, taken, int(code))
    population, taken = _by_code(pop["marks"], 256, elite, arrested, sim)
    values = np.arange(256)
    for mark in Mark:
        out["marks"][str(mark.name).lower()] = entry(population, taken, (values & mark) != 0)
    out["marks"]["none"] = entry(population, taken, 0)
    population, taken = _by_code(pop["party"], 256, elite, arrested, sim)
    for status in Party:
        out["party"][status.name.lower()] = entry(population, taken, int(status))
    return out


#: the February-March plenum of 1937, where Stalin counted the former oppositionists arrested
#: (G12-11; validation figure V-opp-arrested-0237)
PLENUM_1937 = dt.date(1937, 2, 23)


def mark_arrested_by(sim: Any, mark: int, date: dt.date) -> float:
    """People with the register ``mark`` whose last arrest came on or before ``date``
    (full-population equivalents). The day is the last arrest (``cases.arrest_day``), so a
    person arrested by then and again later is not counted: a lower bound."""
    marks = sim.pop["marks"]
    marked = nonzero_by_blocks(lambda s: (marks[s] & mark) != 0, len(marks))  # model/blocks.py
    day = (date - sim.start).days
    taken = marked[(sim.cases.arrests[marked] > 0) & (sim.cases.arrest_day[marked] <= day)]
    return float(sim.weights(taken).sum())


def line_totals(cases: Any, weights: Any) -> dict[str, dict[str, float]]:
    """``{line: {"arrested", "convicted", "shot", "named"}}`` in full-population equivalents,
    for the mass and national operations' lines; a person counts under the line of his last
    case (summary.json ``lines``). ``named``: of the arrested, those taken up on a name given
    under interrogation in a case of the line."""
    idx = np.flatnonzero(cases.line)
    line = cases.line[idx]
    w = weights(idx)
    status = cases.status[idx]
    outcome = {
        "arrested": w * cases.arrests[idx],
        "convicted": w * (cases.sentence_day[idx] >= 0),
        "shot": w * ((status == Status.SHOT) | (status == Status.SENTENCED_DEATH)),
        "named": w * cases.arrests[idx] * cases.has(NAMED, idx),
    }
    out = {}
    for code, name in enumerate(LINES):
        if code == 0:
            continue
        sel = line == code
        out[name] = {key: float(values[sel].sum()) for key, values in outcome.items()}
    return out


def own_nationality_shares(
    cases: Any, weights: Any, nationality: NDArray[np.uint8], specs: dict[str, LineSpec]
) -> dict[str, dict[str, float]]:
    """``{operation: {"arrested", "shot"}}``: the share of a national operation's arrested and
    of those it sentenced to death who are of its nationalities (those of its drawn lines);
    summary.json ``national_nationality``. The rest were reached through ties, not
    nationality.

    A person counts under the operation of the line of his last case, as in ``line_totals``:
    a case that left its operation (sent back by a special troika, model/no_sentence.py, or
    pending at the halt, model/steps_halt.py) keeps its line, and its arrest stays the
    operation's, as in the NKVD's counts, so it stays among the operation's arrested here; a
    death sentence passed on it later (by a court) counts under the line too, as the line's
    ``shot`` counts it. Until review14 (F11) the operation was read from the case's current
    ``op``, which such a case no longer has."""
    out: dict[str, dict[str, float]] = {}
    # the people with a line (no operation's line is "none"), once: not a pass over everyone
    # per operation and outcome
    lined = np.flatnonzero(cases.line)
    status = cases.status[lined]
    outcomes = (
        ("arrested", cases.arrests[lined] > 0),
        ("shot", (status == Status.SHOT) | (status == Status.SENTENCED_DEATH)),
    )
    for op, lines in LINES_OF.items():
        own = sorted({n for line in lines for n in specs[line].nationalities})
        if not own:
            continue
        of_op = np.isin(cases.line[lined], [LINES.index(line) for line in lines])
        block = {}
        for key, sel in outcomes:
            idx = lined[sel & of_op]
            w = weights(idx)
            total = float(w.sum())
            block[key] = float(w[np.isin(nationality[idx], own)].sum()) / total if total else 0.0
        out[op] = block
    return out
