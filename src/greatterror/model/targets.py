"""Calibration targets: which archival fact each simulated quantity is judged against.

Targets live here, outside the model code: the model never sees them. The
summary reports each target with its archival value from the evidence base
and the simulated value from the run's ledger and final state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

YEARS = range(1935, 1941)


@dataclass(frozen=True)
class Target:
    fact_id: str
    label: str
    simulated: Callable[[dict[str, Any]], float]


def _yearly(year: int, key: str) -> Callable[[dict[str, Any]], float]:
    return lambda s: float(s["yearly"].get(str(year), {}).get(key, 0.0))


def _op(names: tuple[str, ...], key: str) -> Callable[[dict[str, Any]], float]:
    return lambda s: float(sum(s["operations"].get(n, {}).get(key, 0.0) for n in names))


def _gulag_deaths(year: int) -> Callable[[dict[str, Any]], float]:
    """Deaths in the camps and colonies (``died_camp``, colonies included as the series probably
    includes them from 1935: its footnotes' wording NOT FOUND), and only there.

    The series is the GULAG's reference note on the mortality of its prisoners, 1930-1956 (OURZ
    GULAG, GARF f.9414; ``G8-deaths-*``): deaths of the prisoners on the camps' and colonies'
    own rolls, as a share of their average yearly number. Prisoners on the way to a camp (the
    etap, ``died_transit``) were not yet on a camp's roll but in the charge of the convoy troops
    and the prisons, and those awaiting the etap in the NKVD's prisons (``died_holding``) were
    counted by the prisons' department (GARF f.9413): neither is in the series. That deaths in
    transit are outside the camp statistics is also the basis of ``transit_mortality``
    (data/parameters.csv; Barnes, Death and Redemption, 2011, describes them; Ellman, "Soviet
    Repression Statistics: Some Comments", Europe-Asia Studies 54(7), 2002, counts them among the
    deaths the official Gulag figures leave out: a reading not re-checked in a stored copy of the
    article). Until 4 Dec 2026 the target counted them (2,000-4,000 a year at the fitted values)."""

    def value(s: dict[str, Any]) -> float:
        return float(s["gulag"]["yearly"].get(str(year), {}).get("died_camp", 0.0))

    return value


def _trial(trial_id: str, key: str) -> Callable[[dict[str, Any]], float]:
    return lambda s: float(next((t[key] for t in s["trials"] if t["id"] == trial_id), 0))


NATIONAL = (
    "national_polish",
    "national_german",
    "national_harbin",
    "national_latvian",
    "national_other",
)

TARGETS: tuple[Target, ...] = (
    *(Target(f"G1-{y}-conv", f"convicted {y}", _yearly(y, "convicted")) for y in YEARS),
    *(
        Target(f"G1-{y}-death", f"death sentences {y}", _yearly(y, "death_sentences"))
        for y in YEARS
    ),
    Target(
        "G2-detained",
        "arrested 1937-38",
        lambda s: _yearly(1937, "arrested")(s) + _yearly(1938, "arrested")(s),
    ),
    Target(
        "G2-shot",
        "death sentences 1937-38",
        lambda s: _yearly(1937, "death_sentences")(s) + _yearly(1938, "death_sentences")(s),
    ),
    Target("G3-final-conv", "convicted under Order 00447", _op(("kulak_00447",), "convicted")),
    Target(
        "G3-final-exec",
        "death sentences under Order 00447",
        _op(("kulak_00447",), "death_sentences"),
    ),
    Target("G4-all-conv", "convicted in the national operations", _op(NATIONAL, "convicted")),
    Target(
        "G4-all-death",
        "death sentences in the national operations",
        _op(NATIONAL, "death_sentences"),
    ),
    Target(
        "G7-cc-shot",
        "1934 Central Committee members shot",
        lambda s: float(s["elites"]["cc_1934"]["shot"]),
    ),
    Target(
        "G7-17cong-arr",
        "17th Congress delegates arrested",
        lambda s: float(s["elites"]["congress_1934"]["arrested"]),
    ),
    *(Target(f"G8-deaths-{y}", f"deaths in the Gulag {y}", _gulag_deaths(y)) for y in YEARS),
    Target(
        "G11-trial16",
        "defendants at the Trial of the Sixteen",
        _trial("trial_of_16_1936", "defendants"),
    ),
    Target(
        "G11-trial17",
        "death sentences at the Trial of the Seventeen",
        _trial("trial_of_17_1937", "death_sentences"),
    ),
    Target(
        "G11-trial21",
        "death sentences at the Trial of the Twenty-One",
        _trial("trial_of_21_1938", "death_sentences"),
    ),
)


def evaluate(summary: dict[str, Any], evidence: Any) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        archival = evidence.value(target.fact_id)
        simulated = target.simulated(summary)
        rows.append(
            {
                "id": target.fact_id,
                "label": target.label,
                "archival": archival,
                "simulated": simulated,
                "ratio": simulated / archival if archival else None,
            }
        )
    return rows
