"""The 1934 Central Committee's roles: the leader, the Politburo of 1934-38, and the dead.

The 17th Congress elected 139 members and candidates (G7-cc-elected). The population's
elite layer flags 139 rows as the CC (``Elite.CC_1934``, population/elite.py); this module
gives the first of them, in their order, the roles of data/population/cc_1934.csv:

- the **leader** (rank 1) is never arrested: the model's leader stands throughout (M14's
  protection by an intact patron starts from him);
- the **Politburo's members and candidates of 1934-38** are the leader's circle: their
  hazard in the purge of the elites is multiplied by ``patron_protection``
  (model/steps_elites.py). Protection was not total in the record: five of them were
  arrested and shot in 1937-38 (Rudzutak, Postyshev, Kosior, Chubar, Eikhe; Khrushchev
  1956), so it is a hazard reduction, not an exemption;
- the members who **died before the Terror** by a death the model has no mechanism for
  (Kirov's murder, natural deaths, Ordzhonikidze's suicide) leave the arrestable pool on
  their death date.

The other rows of the CC carry no role (their names are not encoded here: the published list
of the 17th Congress's elections was not read in this pass). Gorky, who died on 18 June 1936,
was not a member (he was not a party member) and is not in the file. The file's
``fate_to_1940`` column is an outcome, never read by the model: it backs the validation
figures (V-cc1934-arr, V-politburo3438-arr) and nothing else.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from greatterror.paths import data_dir
from greatterror.population.codes import Elite


@dataclass(frozen=True)
class Member:
    """One row of data/population/cc_1934.csv, as the model reads it."""

    rank: int
    name: str
    role: str  # "leader", "politburo" or "member"
    death: dt.date | None  # a death the model takes as given (``death_is_input``)


@lru_cache(maxsize=1)
def members() -> tuple[Member, ...]:
    """The CC members with a role, in rank order (data/population/cc_1934.csv)."""
    path = data_dir() / "population" / "cc_1934.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = tuple(
        Member(
            int(r["rank"]),
            r["name"],
            r["role"],
            dt.date.fromisoformat(r["death_date"]) if r["death_is_input"] == "yes" else None,
        )
        for r in rows
    )
    if [m.rank for m in out] != list(range(1, len(out) + 1)):
        raise ValueError(f"{path}: ranks must run 1, 2, ... in order")
    if [m.role for m in out].count("leader") != 1 or out[0].role != "leader":
        raise ValueError(f"{path}: the first row, and only it, is the leader")
    return out


def cc_rows(elite_flags: NDArray, heads: NDArray) -> NDArray[np.int64]:
    """The CC's rows (elite-layer heads with ``Elite.CC_1934``), in index order."""
    return heads[(elite_flags[heads] & Elite.CC_1934) != 0].astype(np.int64)


def _rows_of(elite_flags: NDArray, heads: NDArray, role: str) -> NDArray[np.int64]:
    cc = cc_rows(elite_flags, heads)
    ranks = [m.rank - 1 for m in members() if m.role == role and m.rank <= len(cc)]
    return cc[np.array(ranks, dtype=np.int64)]


def leader_rows(elite_flags: NDArray, heads: NDArray) -> NDArray[np.int64]:
    """The leader's row (none if the population has no CC)."""
    return _rows_of(elite_flags, heads, "leader")


def politburo_rows(elite_flags: NDArray, heads: NDArray) -> NDArray[np.int64]:
    """The rows of the Politburo's members and candidates of 1934-38, the leader left out."""
    return _rows_of(elite_flags, heads, "politburo")


def unarrestable(
    elite_flags: NDArray, heads: NDArray, start: dt.date
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """People no arrest may take, and the run's day from which: the leader from day 0, the
    members who died before the Terror from their death date (day 0 if before the start)."""
    cc = cc_rows(elite_flags, heads)
    idx, day = [], []
    for m in members():
        if m.rank > len(cc):
            continue
        if m.role == "leader":
            idx.append(cc[m.rank - 1])
            day.append(0)
        elif m.death is not None:
            idx.append(cc[m.rank - 1])
            day.append(max((m.death - start).days, 0))
    return np.array(idx, dtype=np.int64), np.array(day, dtype=np.int64)
