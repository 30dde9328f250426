"""M27 and M29: the leader's personal vengeance, and killings of opponents abroad.

M27 (seed_system.md lines 879-895): "Stalin's suspicious, vengeful and
possibly paranoid personality drove the selection of targets, including
people who had crossed him personally." Trotsky: "His ambition has always
been colored by suspicion and vengefulness" (F001:73); the popular article:
jealousy of Kirov's popularity, "292 votes against" Stalin at the 1934
congress (F004:5); Yenukidze fell for arguing against shooting Kamenev and
Zinoviev (F000:40); "Stalin won't forgive him for that" (F002:1219).
Disputed by the revisionists (F002:432, 446, 1241, 1279). The hook:
"Leader-specific target weights for personal rivals and dissenters."

Here the leader's personal enemies are drawn on the first day from the
elite layer (population/elite.py): every prominent former oppositionist,
and a share ``personal_enemy_share`` of the delegates to the 1934 congress
(those who crossed him; the popular claim of 292 votes against is the basis
of the prior, not a figure the model reproduces). While the purge of any
elite group is open and until the halt, each enemy at liberty has a yearly
hazard ``vengeance_hazard`` of arrest, raised by the campaign factor, on top
of whatever the purge of elites (M20) brings.

M29 (lines 912-921): "Defectors and émigré opponents were hunted abroad"
(F004:15; F000:68, Reiss; F002:464-470, Sudoplatov; F002:1281). The hook:
"Peripheral. Exclude, or record as an exogenous event." The victims are
outside the modelled population, so the model records them as exogenous
events: the killings listed, with their sources, in data/killings_abroad.csv
are counted on their dates (``truth.abroad``) and reported, established and
contested apart. Nothing else in the run depends on them.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from greatterror.evidence.csvrows import read_rows
from greatterror.evidence.errors import DataFileError
from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.paths import data_dir
from greatterror.population.codes import Elite
from greatterror.vocabulary import AT_LIBERTY

KILLINGS_FILE = "killings_abroad.csv"


class Vengeance(Component):
    """Step 21 (M27): the leader's personal enemies are hunted while the elite purge runs."""

    name = "vengeance"
    mechanisms = ("M27",)
    gate = ("M27",)
    params = ("personal_enemy_share", "vengeance_hazard")
    reads = ("people", "registers", "cases", "policy", "campaign", "truth")
    writes = ("truth", "cases", "camps")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M27"):
            return
        t, rng = w.truth, e.rng.vengeance
        if day == 0:
            heads = w.registers.elite_heads.astype(np.int64)
            flags = w.people["elite"][heads]
            rivals = heads[(flags & Elite.PROMINENT_OPPOSITIONIST) != 0]
            congress = heads[((flags & Elite.CONGRESS_1934) != 0)]
            crossed = congress[rng.random(len(congress)) < e.params["personal_enemy_share"]]
            t.enemies = np.union1d(rivals, crossed)
        if not w.policy.elite_groups or w.policy.halted or len(t.enemies) == 0:
            return
        free = t.enemies[AT_LIBERTY[w.cases.status[t.enemies]]]
        lam = e.params["vengeance_hazard"] / 365.0 * len(free) * w.levers.campaign
        n = int(rng.poisson(lam)) if len(free) else 0
        if n:
            e.arrest(day, np.unique(free[rng.integers(0, len(free), size=n)]), "elite")


class KillingAbroad(BaseModel):
    """One row of data/killings_abroad.csv."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date
    victim: str = Field(min_length=1)
    place: str = Field(min_length=1)
    attribution: Literal["established", "contested"]
    source: str = Field(min_length=1, description="bibliography keys, separated by ';'")
    seed_passages: str | None = None
    note: str = Field(min_length=1)


@cache
def killings_abroad() -> tuple[KillingAbroad, ...]:
    """The killings abroad the model counts (read once; the file is part of the package)."""
    path = data_dir() / KILLINGS_FILE
    return tuple(row for _, row in read_rows(path, KillingAbroad))


def check_sources(known: set[str] | frozenset[str]) -> None:
    """Every source key of the killings file is in the bibliography (evidence/sources*.csv)."""
    for line, row in read_rows(data_dir() / KILLINGS_FILE, KillingAbroad):
        for key in row.source.split(";"):
            if key.strip() not in known:
                raise DataFileError(
                    KILLINGS_FILE, line, "source", f"{key.strip()!r} is not in the bibliography"
                )


class KillingsAbroad(Component):
    """Step 2 (M29): the killings of opponents abroad are counted on their dates."""

    name = "killings_abroad"
    mechanisms = ("M29",)
    gate = ("M29",)
    reads = ("truth",)
    writes = ("truth",)

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M29"):
            return
        today = e.date(day)
        for row in killings_abroad():
            if row.date == today:
                w.truth.abroad.append(row.model_dump(mode="json"))
