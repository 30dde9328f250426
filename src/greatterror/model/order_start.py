"""How Order 00447 began: its start dates by region and the first blow of its first category.

The Politburo started the operation on 5 August 1937 in most regions, on 10 August in four
Central Asian republics and on 15 August in three East Siberian and Far Eastern regions
(evidence G3-start); a region arrests nobody under the order before its start.

The order put the people it named in two categories; the first, "the most hostile",
were "subject to immediate arrest in the first place" and, after the troika's review, to
be shot (the order, section II). The limits of the order's appendix came from the regions'
own reports of July 1937, the numbers they had registered in each category under the
Politburo's decision of 2 July (G12-14). So each region began by arresting the people its
July lists put in the first category, as many as its initial category-1 limit, within the
first ``first_blow_days`` of its start (a stated prior), beside the ordinary pace of the
operation on the rest of its goal (model/operation_00447.py ``scheduled_pace``). The officers'
daily capacity (``nkvd_capacity``) bounds the ordinary pace, not the first blow: the lists
and their compromising material were ready before the start, and the order attached troop
or militia units to the operational groups for the arrests (section III.4). These cases
carry their category (``Cases.flags`` ``FIRST_CATEGORY``): the troika sentences them in category 1
(model/troika.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.limits import regions_of

#: Days after the order's general start (5 August 1937) on which it began in the regions the
#: Politburo gave later dates (evidence G3-start: 10 August in the Uzbek, Turkmen, Tajik and
#: Kirghiz SSRs, 15 August in the Far Eastern krai, the East Siberian oblast and the
#: Krasnoyarsk krai; the Kazakh SSR's 10 August is given "by some accounts" only and is not
#: taken). Keyed by region code or republic, as ``limits.regions_of`` reads them.
START_DELAY_DAYS = {
    "uzbek_ssr": 5,
    "turkmen_ssr": 5,
    "tajik_ssr": 5,
    "kirghiz_ssr": 5,
    "far_eastern_krai": 10,
    "east_siberian_obl": 10,
    "krasnoyarsk_krai": 10,
}


def start_delays(regions: list[Any]) -> NDArray[np.int64]:
    """Per region, the days from the operation's launch to its start there (G3-start)."""
    delay = np.zeros(len(regions), dtype=np.int64)
    for code, days in START_DELAY_DAYS.items():
        delay[regions_of(regions, code)] = days
    return delay


def first_blow(
    initial_cat1: NDArray[np.float64],
    listed: NDArray[np.float64],
    days_since_start: NDArray[np.int64],
    blow_days: float,
) -> NDArray[np.float64]:
    """Per region, today's arrests of the first category's July list (full-population
    equivalents): what is left of it (the initial category-1 limit less the first-category
    arrests so far, ``listed``) spread over the days left of the first ``blow_days`` from the
    region's start; 0 before the start and after those days."""
    left = np.maximum(initial_cat1 - listed, 0.0)
    days_left = blow_days - days_since_start
    on = (days_since_start >= 0) & (days_left > 0)
    return np.where(on, left / np.maximum(days_left, 1.0), 0.0)
