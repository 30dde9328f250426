"""The mechanisms M01-M30 of the seed texts, as named, switchable components.

The project's reference on the seed texts (shared/reference/seed_system.md,
kept beside this repository) lists thirty mechanisms. Each has an
entry here: its id, the switch a scenario uses to turn it on or off, and
its title. Whether this version implements it, and in which steps it acts,
is read from the components that declare it (``model/components.py``), so
that the table cannot drift from the code. Hypotheses are sets of switches
and parameter values, so they are configuration, not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from greatterror.errors import GreatterrorError


@dataclass(frozen=True)
class Mechanism:
    id: str
    switch: str
    title: str
    #: why a mechanism is not implemented, or how it acts; whether it is implemented and
    #: in which steps it acts come from the components' declarations (model/components.py)
    note: str = ""
    #: on unless a scenario turns it off; the mechanisms added for the hypothesis scenarios
    #: are off unless a scenario (or ``--set``) turns them on
    default: bool = True


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("M01", "threat_perception", "biased intelligence raises perceived threat"),
    Mechanism(
        "M02",
        "biased_reporting",
        "reporting filters exaggerate threats",
        "a share of the arrests of people who did nothing is reported up as uncovered enemies and raises perceived threat; off by default",
        default=False,
    ),
    Mechanism("M03", "threat_scaled_arrests", "arrest intensity follows perceived threat"),
    Mechanism(
        "M04",
        "kirov_trigger",
        "the Kirov murder lifts restraints",
        "opens the opposition group to the purge",
    ),
    Mechanism(
        "M05",
        "snowball_naming",
        "confessions name accomplices from the prisoner's groups",
        "sets today's naming mean, by which investigation names accomplices",
    ),
    Mechanism(
        "M06",
        "coerced_confession",
        "confession depends on the methods sanctioned",
        "sets today's confession probability, read by investigation",
    ),
    Mechanism(
        "M07",
        "amalgam_trials",
        "show trials assembled from prominent prisoners linked to an absent centre",
        "each trial's case lists the prominent people of its own group in custody when it"
        " opens (or arrests one leading figure); the dock is the group's members it holds on"
        " the date, named ones who confessed included; the verdicts follow the charge",
    ),
    Mechanism("M08", "chief_doctrine", "the NKVD chief's theory multiplies naming"),
    Mechanism(
        "M09",
        "vigilance_campaigns",
        "trials and plenums start vigilance campaigns",
        "the vigilance raised feeds the campaign factor (perception) of denunciations and elite arrests",
    ),
    Mechanism(
        "M10",
        "unfalsifiable_doctrine",
        "suspicion that ignores evidence",
        "from the first plenum, managers whose work did not fail are suspected too; off by default",
        default=False,
    ),
    Mechanism(
        "M11",
        "wrecking_attribution",
        "plan failures blamed on managers",
        "managers' plan failures, a hypothesis share of them real sabotage, are attributed to wrecking; off by default",
        default=False,
    ),
    Mechanism(
        "M12",
        "denunciation",
        "denunciations from below",
        "weak: within seed noise at the calibrated rate (docs/ODD.md 7.16)",
    ),
    Mechanism(
        "M13",
        "vulnerability_marks",
        "register marks raise the hazard of arrest",
        "`oppositionist_weight` is not gated by the switch",
    ),
    Mechanism("M14", "patronage_cascade", "a patron's fall takes his clients with him"),
    Mechanism(
        "M15",
        "regional_overzeal",
        "regions overfill their limits and ask for more",
        "`overfill_target` is not gated by the switch",
    ),
    Mechanism(
        "M16",
        "limits_and_throughput",
        "limits per region and category; channel throughput",
        "off: Order 00447 still runs, with no central ceiling (troikas give the wished category, "
        "regions' requests raise their own targets as asked, dated increases do nothing); "
        "channel capacities always apply",
    ),
    Mechanism(
        "M17",
        "legal_acceleration",
        "simplified procedure changes verdicts",
        "the switch routes mass-operation cases to troikas, album and special troikas, and makes the courts' death share on a grave charge follow the vigilance campaigns (the law of 1 December 1934 on terrorism cases, model/collegium.py, model/charges.py); shorter investigations and no release of silent mass-operation prisoners apply even when it is off",
    ),
    Mechanism(
        "M18",
        "national_operations",
        "operations against diaspora nationalities",
        "the switch gates the launch of the national operations",
    ),
    Mechanism(
        "M19",
        "family_targets",
        "wives of the sentenced are arrested; their children go to children's homes",
        "armed by the Order 00486 event, ended by its narrowing (October 1938) or the halt; the "
        "wives of men convicted by the Military Collegium and the military tribunals since 1 "
        "August 1936",
    ),
    Mechanism("M20", "elite_turnover", "the political elite is purged"),
    Mechanism(
        "M21",
        "purge_of_purgers",
        "NKVD officers are arrested after a change of chief",
        "read at a change of chief; the arrests fall due in purge_of_elites",
    ),
    Mechanism(
        "M22",
        "curtailment",
        "the halt and releases",
        "gates the halt and the releases; after the halt, restraint on arrests and reviews that release prisoners (halt_and_release)",
    ),
    Mechanism(
        "M23", "baseline_repression", "ordinary repression before and after the mass operations"
    ),
    Mechanism(
        "M24",
        "fifth_column",
        "a real conspiracy in the elite",
        "real conspirators and foreign agents, found by the NKVD at a hypothesis rate; with `nkvd_penetration_share` above 0 (H5b), conspirators among the NKVD's officers also arrest people who did nothing; summary.json fifth_column; off by default",
        default=False,
    ),
    Mechanism(
        "M25",
        "real_opposition",
        "a small real opposition",
        "a small share of adults in real opposition, found by the NKVD; off by default",
        default=False,
    ),
    Mechanism(
        "M26",
        "bureaucracy_vs_generation",
        "targeting of the revolutionary generation",
        "a parameter weight, neutral (1) in the historical scenario",
    ),
    Mechanism(
        "M27",
        "leader_vengeance",
        "the leader's personal targeting",
        "the old oppositionists and a share of the 1934 congress carry an extra hazard while the elite purge runs; off by default",
        default=False,
    ),
    Mechanism(
        "M28",
        "mixed_signals",
        "zigzags of the central line",
        "random signals of vigilance or restraint move arrest intensity and campaigns; off by default",
        default=False,
    ),
    Mechanism(
        "M29",
        "killings_abroad",
        "killing of opponents abroad",
        "exogenous: the sourced killings of data/killings_abroad.csv are counted, nothing else depends on them; off by default",
        default=False,
    ),
    Mechanism(
        "M30",
        "capitulation",
        "loyal party members confess more readily",
        "weak: within seed noise at the calibrated boost (docs/ODD.md 7.16)",
    ),
)

BY_SWITCH = {m.switch: m for m in MECHANISMS}
BY_ID = {m.id: m for m in MECHANISMS}
#: M-id -> the switch a scenario (or ``--set``) uses for it
SWITCH_OF = {m.id: m.switch for m in MECHANISMS}


class MechanismError(GreatterrorError, ValueError):
    """A mechanism switch is unknown or given a value that is not on or off."""


SWITCH_VALUES = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


def switch_name(key: str) -> str:
    """The switch of ``key``, given as an M-id (``M12``) or as a switch (``denunciation``)."""
    if key.upper() in BY_ID:
        return BY_ID[key.upper()].switch
    if key in BY_SWITCH:
        return key
    raise MechanismError(
        f"mechanism {key!r}: unknown; allowed: an id from M01 to M30 or a switch name "
        f"({', '.join(sorted(BY_SWITCH))})"
    )


def switch_value(key: str, value: object) -> bool:
    """``value`` as a switch position: a bool, or on/off, true/false, 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in SWITCH_VALUES:
        return SWITCH_VALUES[value.strip().lower()]
    raise MechanismError(f"{key}: {value!r} is not a switch position; allowed values: on, off")
