"""The mechanisms M01-M30 of the seed texts, as named, switchable components.

The project's reference on the seed texts (shared/reference/seed_system.md,
kept beside this repository) lists thirty mechanisms. Each has an
entry here: the switch a scenario uses to turn it on or off, whether this
version implements it, and in which step it acts. Hypotheses are sets of
switches and parameter values, so they are configuration, not code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mechanism:
    id: str
    switch: str
    title: str
    step: str | None  # None: not implemented in this version
    note: str = ""


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "M01", "threat_perception", "biased intelligence raises perceived threat", "perception"
    ),
    Mechanism(
        "M02",
        "biased_reporting",
        "reporting filters exaggerate threats",
        None,
        "folded into M01's single threat update",
    ),
    Mechanism(
        "M03", "threat_scaled_arrests", "arrest intensity follows perceived threat", "perception"
    ),
    Mechanism("M04", "kirov_trigger", "the Kirov murder lifts restraints", "exogenous_events"),
    Mechanism(
        "M05",
        "snowball_naming",
        "confessions name accomplices from the prisoner's groups",
        "investigation",
    ),
    Mechanism(
        "M06", "coerced_confession", "confession depends on the methods sanctioned", "investigation"
    ),
    Mechanism(
        "M07",
        "amalgam_trials",
        "show trials assembled from confessed prisoners linked to an absent centre",
        "show_trials",
    ),
    Mechanism("M08", "chief_doctrine", "the NKVD chief's theory multiplies naming", "policy"),
    Mechanism(
        "M09", "vigilance_campaigns", "trials and plenums start vigilance campaigns", "perception"
    ),
    Mechanism(
        "M10",
        "unfalsifiable_doctrine",
        "suspicion that ignores evidence",
        None,
        "not modelled separately",
    ),
    Mechanism(
        "M11",
        "wrecking_attribution",
        "plan failures blamed on managers",
        None,
        "approximated by M12's grievance weight on superiors",
    ),
    Mechanism("M12", "denunciation", "denunciations from below", "denunciation"),
    Mechanism(
        "M13",
        "vulnerability_marks",
        "register marks raise the hazard of arrest",
        "register_selection",
    ),
    Mechanism(
        "M14", "patronage_cascade", "a patron's fall takes his clients with him", "purge_of_elites"
    ),
    Mechanism(
        "M15",
        "regional_overzeal",
        "regions overfill their limits and ask for more",
        "quota_dynamics",
    ),
    Mechanism(
        "M16",
        "limits_and_throughput",
        "limits per region and category; channel throughput",
        "register_selection",
    ),
    Mechanism(
        "M17",
        "legal_acceleration",
        "simplified procedure changes verdicts",
        "investigation",
        "read when a case is routed to troika or album rather than courts or the Special Board",
    ),
    Mechanism(
        "M18",
        "national_operations",
        "operations against diaspora nationalities",
        "register_selection",
    ),
    Mechanism(
        "M19",
        "family_targets",
        "wives of the sentenced are arrested; their children go to children's homes",
        "punishment",
        "armed by the Order 00486 event",
    ),
    Mechanism("M20", "elite_turnover", "the political elite is purged", "purge_of_elites"),
    Mechanism(
        "M21",
        "purge_of_purgers",
        "NKVD officers are arrested after a change of chief",
        "purge_of_elites",
    ),
    Mechanism("M22", "curtailment", "the halt and releases", "halt_and_release"),
    Mechanism(
        "M23",
        "baseline_repression",
        "ordinary repression before and after the mass operations",
        "register_selection",
    ),
    Mechanism(
        "M24",
        "fifth_column",
        "a real conspiracy in the elite",
        None,
        "planned with the hypothesis scenarios",
    ),
    Mechanism(
        "M25",
        "real_opposition",
        "a small real opposition",
        None,
        "planned with the hypothesis scenarios",
    ),
    Mechanism(
        "M26",
        "bureaucracy_vs_generation",
        "targeting of the revolutionary generation",
        "purge_of_elites",
        "a parameter weight, neutral (1) in the historical scenario",
    ),
    Mechanism(
        "M27",
        "leader_vengeance",
        "the leader's personal targeting",
        None,
        "planned with the hypothesis scenarios",
    ),
    Mechanism("M28", "mixed_signals", "zigzags of the central line", None, "not modelled"),
    Mechanism(
        "M29",
        "killings_abroad",
        "killing of opponents abroad",
        None,
        "outside the model's territory; excluded",
    ),
    Mechanism("M30", "capitulation", "loyal party members confess more readily", "investigation"),
)

BY_SWITCH = {m.switch: m for m in MECHANISMS}


def default_switches() -> dict[str, bool]:
    """Every implemented mechanism is on unless a scenario turns it off."""
    return {m.switch: m.step is not None for m in MECHANISMS}
