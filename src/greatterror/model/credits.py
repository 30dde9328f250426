"""Work-day credits: how much of a non-political term was served, until June 1939.

Until 1939 a prisoner who worked was credited more than one day of his term
for each day of work (the Corrective Labour Code of the RSFSR of 1933; a
provisional regulation of January 1931 on credits in the camps); counter-
revolutionaries were mostly excluded from them. The decree of the Presidium of
the Supreme Soviet of the USSR "On the NKVD camps" of 15 June 1939 ended the
practice in the camps: a prisoner in a camp had to serve the term the court
had set in full (printed in A. I. Kokurin and N. V. Petrov, eds., GULAG
(Glavnoe upravlenie lagerei) 1917-1960, Moscow, 2000). Releases at term end
therefore slowed from mid-1939.

The rule, applied when the term is set (no pass over the prisoners):

- A non-political convict (model/steps_courts.py, and those held on the first
  day) serves his term at the rate ``1 + workday_credit`` days of term per day
  held; a political one at the rate 1.
- In a camp (ITL) the credits end on ``CREDITS_ABOLISHED``: the part of the
  term not yet served on that day is served at the rate 1. In a colony (ITK)
  they go on: the decree concerned the camps, and whether the colonies' credits
  ended with it is not found here.

With ``workday_credit`` 0 every term is served in full.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import NDArray

from greatterror.model.gulag import YEAR

#: the decree "On the NKVD camps" (Presidium of the Supreme Soviet of the USSR, 15 June 1939),
#: as printed in Kokurin and Petrov (eds.), GULAG 1917-1960 (Moscow: MFD, 2000); the
#: basis of ``workday_credit`` in data/parameters.csv
CREDITS_ABOLISHED = dt.date(1939, 6, 15)


def served_years(
    day: int,
    years: NDArray[np.float64],
    credit: float,
    credited: NDArray[np.bool_],
    colony: NDArray[np.bool_],
    abolished_day: int,
) -> NDArray[np.float64]:
    """The years from the sentence (on ``day``) to the release of terms of ``years``.

    ``credited``: who earns credits (the non-political convicts); ``colony``: who serves
    in a colony, where credits are not ended; ``abolished_day``: the run's day of
    ``CREDITS_ABOLISHED`` (credits end there for the camps)."""
    if credit <= 0.0:
        return years
    rate = 1.0 + credit
    full = years * YEAR
    fast = full / rate
    before = float(max(abolished_day - day, 0))
    # camps: at the credited rate until the decree, then the rest in full
    after_decree = before + (full - before * rate)
    camp_days = np.where(fast <= before, fast, after_decree)
    days = np.where(credited, np.where(colony, fast, camp_days), full)
    return days / YEAR
