"""The cases the NKVD prepared for the show trials (M07): who is held for a trial, and why.

Each open trial was a case built around a named 'centre', and its defendants were chosen by
the leadership: prominent former oppositionists, or commanders for the army's trial, most of
them already arrested and held for months, built into the scenario of a centre (the seed
texts' 'amalgam': defendants from hostile groups joined by the accusation, not by their
ties, F001:47-53, F000:54; 'only the most visible of those persecuted', F000:40). The Trial
of the Sixteen's defendants were Zinoviev and Kamenev, brought back from the sentences of
January 1935, and Trotskyists arrested in 1936 (report1936; Conquest 1990, ch. 4); the Trial
of the Seventeen's 'parallel centre' were men named at the first trial (report1937):
Sokolnikov and Serebryakov, arrested in July and August 1936, before the Sixteen's verdict,
and Pyatakov and Radek, arrested after it in September (Conquest 1990); the Trial of
the Twenty-One's 'bloc' were Bukharin and Rykov, arrested on 27 February 1937, and leaders
held since 1937 (report1938). A case was larger than its dock: people named in it were
shot during the preparation (Karakhan, Yenukidze, F001:109) or tried by the Military
Collegium in closed session.

The rule, one case per scheduled trial:

- **The preparation window.** A trial's case opens ``trial_preparation_days`` before the
  trial date (data/parameters.csv gives the documented arrest dates the prior rests on).
- **The trial's group.** Each trial takes its people from its own group
  (data/trial_charges.csv ``group``; data/trial_groups.csv gives each group's sources and
  what it approximates; ``in_group``): the Leningrad centre (December 1934) from the former
  oppositionists of Leningrad oblast, not of the 1934 Central Committee (its defendants were
  young Leningrad Zinovievists); the Moscow centre (January 1935) from the prominent former
  oppositionists, not of the CC (Zinoviev, Kamenev and other former Zinovievist leaders);
  the Trial of the Sixteen (August 1936) from the same people, its 'united
  Trotskyite-Zinovievite centre' (none of its sixteen was of the 1934 CC, report1936); the
  trials of 1937-38 from the CC and the prominent former oppositionists; the army's trial
  from its high command.
- **The leadership's list.** On that day the centre lists the prominent people of the group
  who are in custody and in no other pending case: under investigation, or serving a term
  after an earlier show trial of the run and brought back from the camps or the prisons, as
  Zinoviev and Kamenev were from the Verkhneuralsk isolator (each such defendant with
  ``trial_bring_back_share``, 4 of 53: the published lists of defendants show that the
  Sixteen brought back 4 of the Moscow centre's 19 and no later trial any other earlier
  defendant serving a term; until branch docks4 all were; the draw is made once per person
  when the case opens and holds for the chain of names too, which until branch trials2
  brought back every such defendant it reached, review finding F10); each by prominence
  (``prominence``: his visibility and, in a civilian case, a past in the opposition, the
  seed's 'how far their past conflicts with Stalin reach', M07), at most ``trial_dock_size``
  (a cap, NOT FOUND). The record says most defendants were already held when their case
  was built (the module's first paragraph). If no one of the group is in custody, the
  leadership has one man arrested, the most prominent of the group at liberty: the case's
  leading figure (the murder case opened with the murderer's arrest). The first of the list
  is the leading figure. Whoever is on the list is linked to the centre.
- **The chain of names.** A member of the case who confesses under interrogation names
  accomplices (``naming_mean`` a person, Poisson) among the people of his circle (his
  workplace unit) who are linked to the centre or belong to the trial's group; every such
  name is acted on (after the Trial of the Sixteen the prosecutor announced an
  investigation of everyone the defendants had named, report1936). The Sixteen's names
  reach the CC and the prominent oppositionists, a wider group than its dock's
  (``NAMES_REACH``): its defendants named Pyatakov, Sokolnikov, Radek and Serebryakov, tried
  at the Seventeen, and Bukharin, Rykov and Tomsky. The named join the
  case's investigation: arrested if at liberty, brought back if serving a term (an earlier
  show trial's defendant only if the case drew him to be, as for the list), kept if in
  custody; being named in the case links them.
- **The army's case.** The names of a member of the military case reach the high command of
  the whole army, whether linked to the centre or not (``circle_of``): Putna and Primakov,
  arrested in August 1936, named under interrogation in May 1937 the men tried with them on
  11 June 1937 (G7-tukh-trial; Suvenirov 1998; Conquest 1990).
- **Held for the trial.** A member of a pending case who is on its list or of the trial's
  group is kept for the trial whether he has confessed or not: if silent, his investigation
  goes on (a further length drawn as an elite case's) and he is interrogated again at its
  end, and if he then confesses he names accomplices (Primakov, held from August 1936,
  confessed in May 1937 and named the commanders tried with him, G7-tukh-trial; Suvenirov
  1998; Conquest 1990). Until branch trialdocks (5 Dec 2026) only the listed were kept, and
  without a further interrogation: a named member who stayed silent went to the Military
  Collegium and could be shot before the trial, and a silent listed man named no one. Any
  other member of a pending case is held only if he has confessed; every other elite
  prisoner goes to his sentencing channel when his investigation ends
  (model/steps_investigation.py).
- **The dock.** On the trial's date the dock is the case's members of the trial's group (and
  its listed) in custody for it, in the order they joined (the list first), at most
  ``trial_dock_size`` (and the court's bound, ``trial_max_defendants``). At an open trial
  (data/trial_charges.csv ``session``) only those who have confessed and are held for it:
  the record's open defendants confessed in court, and a member who would not, as
  Rudzutak, was tried by the Military Collegium in closed session (Khrushchev 1956). At a
  closed trial (the Leningrad and Moscow centres, the army's) also those still silent under
  investigation (the trial ends it). Its size is the model's state: how many of the group
  were in custody when the case opened, how many of the group their names reached before
  the date, and how many an earlier trial's case passed on to it (the next bullet). Until branch trialfix (5 Dec 2026) the silent sat in every dock and were
  then marked as having confessed (review12 F1).
- **The next case takes over.** The trial takes the dock (model/steps_trials.py). The case's
  other members held, and its members of the group still silent, pass into the next pending
  case of their kind if they are of its group (``steps_trials.carry_over``: Sokolnikov and
  Serebryakov, in custody when the Sixteen's case closed, were tried with the Seventeen,
  report1936, report1937), and otherwise go to the
  Military Collegium in closed session (the silent are not marked as having confessed); the
  case is closed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.blocks import nonzero_by_blocks
from greatterror.model.case_flags import LINKED
from greatterror.model.sorting import isin_set
from greatterror.paths import data_dir
from greatterror.population.codes import Elite, Mark
from greatterror.vocabulary import ARMY_FLAGS, AT_LIBERTY, STATUSES, Status

if TYPE_CHECKING:
    from greatterror.model.state import Cases

#: statuses of a person in custody who can be taken into a trial's case
CUSTODY = (Status.INVESTIGATION, Status.AWAITING_SENTENCE, Status.CAMP)
#: per status code: one of ``CUSTODY`` (a look-up, as ``AT_LIBERTY``; ``np.isin`` sorts or
#: hashes its arguments on every call)
IN_CUSTODY = np.isin(np.arange(len(STATUSES)), CUSTODY)


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
    #: how each member joined: 'listed' (on the leadership's list), 'named' (by a member's
    #: name) or 'window' (a confessed prisoner linked to the centre whose investigation ended
    #: during the preparation)
    joined: dict[int, str] = field(default_factory=dict)
    #: the leadership's list of defendants, in its order (the first is the leading figure)
    listed: list[int] = field(default_factory=list)
    #: members brought back from the camps or the prisons (serving a sentence when taken)
    brought_back: set[int] = field(default_factory=set)
    #: the elite heads drawn, when the case opened, to be brought back if an earlier trial's
    #: defendant serving a term (``trial_bring_back_share``): by the list or by names alike
    back: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
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
    #: the defendants of the run's trials so far (a later case brings them back if serving)
    tried: set[int] = field(default_factory=set)
    #: the people whose investigation a case opened (arrested or brought back for it) or
    #: extended (kept silent for its trial): their lengths and their interrogations' draws
    #: are on the ``trial_interrogation`` stream (review12 F9)
    by_trial: set[int] = field(default_factory=set)
    #: the army's high command, found once (``high_command``)
    high_command: NDArray[np.int64] | None = None

    def pending(self, day: int) -> list[TrialCase]:
        return [c for c in self.cases if c.pending(day)]

    def listed(self, idx: NDArray[np.int64], day: int) -> NDArray[np.bool_]:
        """Per person of ``idx``: whether he is on the list of a pending case."""
        out = np.zeros(len(idx), dtype=bool)
        for case in self.pending(day):
            if case.listed:
                out |= isin_set(idx, case.listed)
        return out

    def kept(self, pop: Any, idx: NDArray[np.int64], day: int) -> NDArray[np.bool_]:
        """Per person of ``idx``: whether a pending case keeps him for its trial, confessed or
        not: on its list, or a member of its case of the trial's group (``in_group``)."""
        out = self.listed(idx, day)
        for case in self.pending(day):
            if case.members:
                mine = isin_set(idx, case.members)
                if mine.any():
                    out[mine] |= in_group(pop, idx[mine], group_name(case))
        return out

    def case_of(self, idx: NDArray[np.int64], day: int) -> NDArray[np.int64]:
        """Per person of ``idx``: the index in ``cases`` of the pending case holding him, or -1."""
        out = np.full(len(idx), -1, dtype=np.int64)
        for k, case in enumerate(self.cases):
            if case.pending(day) and case.members:
                out[isin_set(idx, case.members)] = k
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


#: the prominent people of the 1936-38 civilian trials, and of the army's
CIVILIAN_GROUP = int(Elite.CC_1934 | Elite.PROMINENT_OPPOSITIONIST)
ARMY_GROUP = int(Elite.ARMY_HIGH_COMMAND)
#: the group a case's names reach where it is wider than its dock's: the Sixteen's
#: defendants, none of the CC, named members of the CC and the prominent oppositionists
#: (Pyatakov, Sokolnikov, Serebryakov, Radek, Bukharin, Rykov, Tomsky), whom the prosecutor
#: announced would be investigated (report1936; Conquest 1990, ch. 4; not checked page by
#: page); the first four were the Seventeen's defendants
NAMES_REACH = {"united_centre": "leaders_and_oppositionists"}
#: the groups that hold the 1934 Central Committee (data/trial_groups.csv)
CC_GROUPS = ("leaders_and_oppositionists",)
#: the region of the Leningrad centre's group (data/population/regions.csv)
LENINGRAD = "leningrad_obl"


@lru_cache(maxsize=1)
def trial_charges() -> dict[str, dict[str, str]]:
    """Each show trial's row of data/trial_charges.csv (its charge, from the published
    verdicts, and its ``group``), read once."""
    with open(data_dir() / "trial_charges.csv", encoding="utf-8", newline="") as f:
        return {row["trial_id"]: row for row in csv.DictReader(f)}


def trial_groups() -> dict[str, str]:
    """The group each show trial took its defendants from (data/trial_charges.csv ``group``;
    what each group is, its sources and what it approximates: data/trial_groups.csv)."""
    return {trial: row["group"] for trial, row in trial_charges().items()}


def open_session(case: TrialCase) -> bool:
    """Whether the case's trial was heard in open session (data/trial_charges.csv ``session``,
    with its source): the Moscow trials of 1936-38 were, the Leningrad and Moscow centres'
    trials of 1934-35 and the army's trial of June 1937 were closed sessions. A trial of
    another scenario is open unless it is the army's."""
    row = trial_charges().get(case.trial)
    return row["session"] == "open" if row else not case.military


def group_name(case: TrialCase) -> str:
    """The case's group; a trial of another scenario takes the group of its kind."""
    default = "high_command" if case.military else "leaders_and_oppositionists"
    return trial_groups().get(case.trial, default)


def in_group(pop: Any, idx: NDArray[np.int64], group: str) -> NDArray[np.bool_]:
    """Whether each person of ``idx`` is of a trial's group (data/trial_groups.csv):

    - ``leningrad_zinovievists`` (the Leningrad centre, December 1934): former oppositionists
      (the ``OPPOSITIONIST`` mark) of Leningrad oblast, not of the 1934 Central Committee;
    - ``zinovievist_leaders`` (the Moscow centre, January 1935): the prominent former
      oppositionists, not of the Central Committee;
    - ``united_centre`` (the Trial of the Sixteen, August 1936): the prominent former
      oppositionists, not of the Central Committee (the 'united Trotskyite-Zinovievite
      centre': none of its sixteen was of the 1934 CC, report1936);
    - ``leaders_and_oppositionists`` (1937-38): the 1934 Central Committee and the prominent
      former oppositionists;
    - ``high_command`` (the army's trial): the army's high command.

    A civilian group never holds the army."""
    idx = np.asarray(idx, dtype=np.int64)
    flags = np.asarray(pop["elite"][idx]).astype(np.int64)
    if group == "high_command":
        return (flags & ARMY_GROUP) != 0
    civilian = (flags & ARMY_FLAGS) == 0
    cc = (flags & int(Elite.CC_1934)) != 0
    if group == "leaders_and_oppositionists":
        return civilian & ((flags & CIVILIAN_GROUP) != 0)
    if group in ("zinovievist_leaders", "united_centre"):
        return civilian & ~cc & ((flags & int(Elite.PROMINENT_OPPOSITIONIST)) != 0)
    if group == "leningrad_zinovievists":
        marks = np.asarray(pop["marks"][idx]).astype(np.int64)
        region = next(r.index for r in pop.regions if r.code == LENINGRAD)
        here = np.asarray(pop["region"][idx]) == region
        return civilian & ~cc & here & ((marks & int(Mark.OPPOSITIONIST)) != 0)
    raise ValueError(f"unknown trial group {group!r} (data/trial_groups.csv)")


def prominence(flags: NDArray, marks: NDArray, military: bool = False) -> NDArray[np.float64]:
    """How visible a person is (1, plus 2 for the CC, the prominent oppositionists and the high
    command, plus 1 for a congress delegate), plus 2 for a past in the opposition in a
    civilian case: the seed's operator chooses defendants by 'how visible they are and how
    far their past conflicts with Stalin reach, rather than their actual ties' (M07). The
    army's opposition mark is an unsourced prior and does not rank a commander
    (data/trial_groups.csv). Weights are an ordering, not a source."""
    flags = np.asarray(flags).astype(np.int64)
    score = np.ones(len(flags))
    score += 2 * ((flags & (CIVILIAN_GROUP | ARMY_GROUP)) != 0)
    score += 1 * ((flags & int(Elite.CONGRESS_1934)) != 0)
    if not military:
        score += 2 * ((np.asarray(marks).astype(np.int64) & int(Mark.OPPOSITIONIST)) != 0)
    return score


def in_custody(status: NDArray) -> NDArray[np.bool_]:
    """``np.isin(status, CUSTODY)`` for status codes."""
    return IN_CUSTODY[status]


def circle_linked(pop: Any, cases: Cases, person: int, group: str = "") -> NDArray[np.int64]:
    """The people of ``person``'s workplace unit linked to the centre or of the case's
    ``group``, without him; a member of the 1934 CC only if the group holds the CC."""
    wp = int(pop["workplace"][person])
    if wp < 0:
        return np.empty(0, dtype=np.int64)
    units = pop.workplaces
    lo, hi = int(units.indptr[wp]), int(units.indptr[wp + 1])
    members = units.members[lo:hi] if units.members is not None else np.arange(lo, hi)
    members = np.asarray(members, dtype=np.int64)
    reach = cases.has(LINKED, members)
    if group:
        reach = reach | in_group(pop, members, group)
        if group not in CC_GROUPS:
            # a group outside the 1934 CC (data/trial_groups.csv) is never reached through
            # a CC member linked to the centre by another case (the trials of 1934-35 and
            # the Sixteen took none, trial_defendants.csv)
            flags = np.asarray(pop["elite"][members]).astype(np.int64)
            reach &= (flags & int(Elite.CC_1934)) == 0
    return members[reach & (members != person)]


def high_command(pop: Any, tc: TrialCases) -> NDArray[np.int64]:
    """The army's high command (the ``ARMY_HIGH_COMMAND`` flag: brigade commanders and up),
    found once per run and kept on ``tc`` (the flags do not change)."""
    if tc.high_command is None:
        flags = np.asarray(pop["elite"])
        # by blocks of people (model/blocks.py): ``flags & ARMY_GROUP`` and its test over
        # everyone were 3 bytes a person (0.5 GB at 1:1)
        tc.high_command = nonzero_by_blocks(lambda s: (flags[s] & ARMY_GROUP) != 0, len(flags))
    return tc.high_command


def circle_of(
    pop: Any, cases: Cases, person: int, case: TrialCase, tc: TrialCases
) -> NDArray[np.int64]:
    """Whom a confessing member of a trial's case can name: the high command, without him,
    for the army's case; for a civilian case, the people of his workplace unit linked to the
    centre or of the group its names reach (``NAMES_REACH``: the case's own group, or a wider
    one; ``circle_linked``)."""
    if case.military:
        members = high_command(pop, tc)
        return members[members != person]
    group = group_name(case)
    return circle_linked(pop, cases, person, NAMES_REACH.get(group, group))


def can_be_taken(status: NDArray) -> NDArray[np.bool_]:
    """At liberty (arrested for the case) or in custody (kept, or brought back)."""
    return AT_LIBERTY[status] | in_custody(status)
