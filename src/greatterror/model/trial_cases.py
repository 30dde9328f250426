"""The cases the NKVD prepared for the show trials (M07): who is held for a trial, and why.

Each open trial was a case built around a named 'centre': its defendants were the people
linked to the centre's leading figure through the investigation's chain of names in the
months before the trial, and the size of the dock came out of that preparation. The
published verdicts say so of each: the Trial of the Sixteen's 'united centre' grew from
the re-interrogation of Zinoviev and Kamenev, who were serving the sentences of January
1935, and of the Trotskyists arrested in 1936 (report1936; Conquest 1990, ch. 4); the
Trial of the Seventeen's 'parallel centre' from the men named at the first trial
(Pyatakov, Radek, Sokolnikov, Serebryakov, arrested July-September 1936; report1937); the
Trial of the Twenty-One's 'bloc' from Bukharin and Rykov, named in 1936 and arrested on
27 February 1937 (report1938).

The rule, one case per scheduled trial:

- **The preparation window.** A trial's case opens ``trial_preparation_days`` before the
  trial date (data/parameters.csv gives the documented arrest dates the prior rests on).
- **The leading figure.** On that day the organisers take the most visible prisoner linked
  to the 'centre' who is under investigation or serving a term (the model brings a
  sentenced prisoner back from the camps or the prisons, as
  Zinoviev and Kamenev were brought back from the Verkhneuralsk isolator) into the case.
- **The chain of names.** A member of the case who confesses under interrogation names
  accomplices (``naming_mean`` a person, Poisson) among the people of his circle (his
  workplace unit) who are linked to the centre; every such name is acted on (after the
  Trial of the Sixteen the prosecutor announced an investigation of everyone the
  defendants had named, report1936). The named join the case: arrested if at liberty,
  brought back if serving a term, kept if in custody. Being named in the case links them.
- **The army's case.** The names of a member of the military case reach the high command of
  the whole army, whether linked to the centre or not (``circle_of``): Putna and Primakov,
  arrested in August 1936, named under interrogation in May 1937 the men tried with them on
  11 June 1937, Marshal Tukhachevsky, the commanders of the Kiev and Belorussian districts
  (Yakir, Uborevich), the heads of the Frunze academy (Kork), of Osoaviakhim (Eideman) and of
  the personnel directorate (Feldman), all of the high command and from different commands
  (G7-tukh-trial; Suvenirov 1998; Conquest 1990). A civilian case's names stay within the
  member's own circle and reach only people already linked to its centre.
- **Held for the trial.** Only members of a pending case who have confessed are held for
  a trial; every other elite prisoner goes to his sentencing channel when his
  investigation ends (model/steps_justice.py).

The trial takes the confessed members held on its date (model/steps_trials.py); the other
members go to the Military Collegium in closed session, and the case is closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.population.codes import Elite
from greatterror.vocabulary import ARMY_FLAGS, AT_LIBERTY, Status

#: statuses of a person in custody who can be taken into a trial's case
CUSTODY = (Status.INVESTIGATION, Status.AWAITING_SENTENCE, Status.CAMP)


@dataclass
class TrialCase:
    """One trial's case: its dates (days of the run) and its members."""

    trial: str
    opens: int
    day: int
    military: bool
    members: set[int] = field(default_factory=set)
    #: the names given in the case's interrogations: (who named, who was named), in order
    names: list[tuple[int, int]] = field(default_factory=list)
    #: how each member joined: 'head', 'named' (by a member's name) or 'window' (a confessed
    #: prisoner linked to the centre whose investigation ended during the preparation)
    joined: dict[int, str] = field(default_factory=dict)
    #: members brought back from the camps or the prisons (serving a sentence when taken)
    brought_back: set[int] = field(default_factory=set)
    head: int = -1
    opened: bool = False
    closed: bool = False

    def pending(self, day: int) -> bool:
        return self.opened and not self.closed and day <= self.day


@dataclass
class TrialCases:
    """The cases of the run's scheduled trials, in date order (built on the first day)."""

    cases: list[TrialCase] = field(default_factory=list)
    built: bool = False

    def pending(self, day: int) -> list[TrialCase]:
        return [c for c in self.cases if c.pending(day)]

    def case_of(self, idx: NDArray[np.int64], day: int) -> NDArray[np.int64]:
        """Per person of ``idx``: the index in ``cases`` of the pending case holding him, or -1."""
        out = np.full(len(idx), -1, dtype=np.int64)
        for k, case in enumerate(self.cases):
            if case.pending(day) and case.members:
                out[np.isin(idx, np.fromiter(case.members, dtype=np.int64))] = k
        return out


def build_cases(events_by_day: dict[int, list[Any]], window: float) -> list[TrialCase]:
    """The cases of the scheduled show trials: each opens ``window`` days before its date."""
    out = []
    for day in sorted(events_by_day):
        for ev in events_by_day[day]:
            if ev.action == "show_trial":
                opens = max(day - round(window), 0)
                out.append(TrialCase(ev.trial, opens, day, ev.trial.startswith("military")))
    return out


def of_kind(flags: NDArray, military: bool) -> NDArray[np.bool_]:
    """Whether each person belongs to a case of this kind (the army's, or the civilians')."""
    army = (flags & ARMY_FLAGS) != 0
    return army if military else ~army


def in_custody(status: NDArray) -> NDArray[np.bool_]:
    return np.isin(status, CUSTODY)


def circle_linked(pop: Any, linked: NDArray[np.bool_], person: int) -> NDArray[np.int64]:
    """The people of ``person``'s workplace unit linked to the centre, without him."""
    wp = int(pop["workplace"][person])
    if wp < 0:
        return np.empty(0, dtype=np.int64)
    units = pop.workplaces
    lo, hi = int(units.indptr[wp]), int(units.indptr[wp + 1])
    members = units.members[lo:hi] if units.members is not None else np.arange(lo, hi)
    members = np.asarray(members, dtype=np.int64)
    return members[linked[members] & (members != person)]


def high_command_circle(pop: Any, person: int) -> NDArray[np.int64]:
    """The army's high command (the ``ARMY_HIGH_COMMAND`` flag: brigade commanders and up),
    without ``person``: whom a member of the military case names (see the module's rules)."""
    flags = np.asarray(pop["elite"])
    members = np.flatnonzero((flags & int(Elite.ARMY_HIGH_COMMAND)) != 0).astype(np.int64)
    return members[members != person]


def circle_of(
    pop: Any, linked: NDArray[np.bool_], person: int, military: bool
) -> NDArray[np.int64]:
    """Whom a confessing member of a trial's case can name: the high command for the army's
    case (``high_command_circle``), his workplace unit's people linked to the centre for a
    civilian case (``circle_linked``)."""
    if military:
        return high_command_circle(pop, person)
    return circle_linked(pop, linked, person)


def can_be_taken(status: NDArray) -> NDArray[np.bool_]:
    """At liberty (arrested for the case) or in custody (kept, or brought back)."""
    return AT_LIBERTY[status] | in_custody(status)
