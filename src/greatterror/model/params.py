"""Every model parameter, declared once: name, default, range, unit, source or prior, meaning.

Scenario files and ``--set`` only ever *override* these declarations; an
unknown name, a wrong type or a value out of range is refused with the
allowed range, before anything runs or is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from greatterror.errors import GreatterrorError


class ParameterError(GreatterrorError, ValueError):
    """A parameter override is invalid; the message names the field and the allowed values."""


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    low: float
    high: float
    unit: str
    basis: str  # "prior: ..." or a source key
    meaning: str
    mechanism: str
    integer: bool = False


P = Param
PARAMETERS: tuple[Param, ...] = (
    # M23 baseline repression, and its relaxation
    P(
        "base_arrest_rate",
        1.2e-3,
        1e-4,
        1e-2,
        "per marked person per year",
        "prior: log-uniform",
        "yearly hazard that a person on the registers is arrested in ordinary NKVD work",
        "M23",
    ),
    P(
        "base_unmarked_arrest_rate",
        1.0e-3,
        1e-5,
        1e-2,
        "per person per year",
        "prior: log-uniform",
        "yearly hazard of an ordinary political arrest of any person, marked or not",
        "M23",
    ),
    P(
        "ordinary_during_operation",
        1.0,
        0.0,
        1.0,
        "multiplier",
        "prior: uniform(0,1)",
        "factor on ordinary arrests of unmarked people while the mass operation runs, whose cases it absorbed",
        "M23",
    ),
    # M12 denunciation
    P(
        "denunciation_rate",
        2e-4,
        0.0,
        5e-3,
        "per adult per year",
        "prior: log-uniform",
        "yearly rate at which an adult denounces someone at work",
        "M12",
    ),
    P(
        "denunciation_acted_on",
        0.3,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance that the NKVD opens a case on a denunciation",
        "M12",
    ),
    P(
        "grievance_weight_superiors",
        3.0,
        1.0,
        10.0,
        "relative weight",
        "prior: uniform(1,10)",
        "how much more often a manager is chosen as target than a co-worker",
        "M12",
    ),
    P(
        "vulnerability_weight_marks",
        4.0,
        1.0,
        20.0,
        "relative weight",
        "prior: uniform(1,20)",
        "how much more often a person with a register mark is chosen as target",
        "M13",
    ),
    # M09 trial -> vigilance loop, M03 threat
    P(
        "vigilance_per_trial",
        1.0,
        0.0,
        5.0,
        "multiplier increment",
        "prior: uniform(0,5)",
        "rise of the campaign factor (denunciation, elite hazard) at a scripted event with a vigilance weight",
        "M09",
    ),
    P(
        "vigilance_half_life",
        120.0,
        10.0,
        720.0,
        "days",
        "prior: uniform(10,720)",
        "half-life of a vigilance campaign",
        "M09",
    ),
    P(
        "threat_per_conspiracy",
        2e-6,
        0.0,
        1e-4,
        "per naming acted on",
        "prior: log-uniform",
        "rise of the leader's perceived threat per (weighted) naming acted on",
        "M01",
    ),
    P(
        "threat_half_life",
        365.0,
        30.0,
        2000.0,
        "days",
        "prior: uniform(30,2000)",
        "half-life of perceived threat",
        "M01",
    ),
    P(
        "threat_per_crisis",
        0.004,
        0.0,
        0.1,
        "perceived-threat units per unit of tension",
        "prior: uniform(0,0.1)",
        "rise of perceived threat at a foreign crisis, per unit of the event's tension weight",
        "M01",
    ),
    # the leader's decision rule (MISSION process 3, endogenous policy; M22 curtailment)
    P(
        "war_half_life",
        365.0,
        30.0,
        2000.0,
        "days",
        "prior: uniform(30,2000)",
        "half-life of the leader's expectation of war after a foreign crisis",
        "M22",
    ),
    P(
        "cost_half_life",
        180.0,
        30.0,
        2000.0,
        "days",
        "prior: uniform(30,2000)",
        "half-life of the leader's perception of what repression costs the economy and the army",
        "M22",
    ),
    P(
        "leader_cost_weight",
        1.0,
        0.1,
        100.0,
        "threat units per unit of cost",
        "prior: log-uniform(0.1,100)",
        "weight the leader gives perceived cost (times 1 + war expectation) against perceived threat",
        "M22",
    ),
    P(
        "leader_expand_threshold",
        0.015,
        0.001,
        1.0,
        "perceived-threat units",
        "prior: log-uniform(0.001,1)",
        "perceived threat at which a cautious NKVD chief is replaced by one who widens the hunt",
        "M22",
    ),
    P(
        "leader_methods_threshold",
        0.03,
        0.001,
        1.0,
        "perceived-threat units",
        "prior: log-uniform(0.001,1)",
        "perceived threat at which physical methods of interrogation are sanctioned",
        "M22",
    ),
    P(
        "leader_mass_threshold",
        0.035,
        0.001,
        1.0,
        "perceived-threat units",
        "prior: log-uniform(0.001,1)",
        "perceived threat at which the mass operation is launched with the Order 00447 limits",
        "M22",
    ),
    P(
        "leader_national_threshold",
        0.07,
        0.001,
        1.0,
        "perceived-threat units",
        "prior: log-uniform(0.001,1)",
        "perceived threat times (1 + war expectation) at which the national operations are launched",
        "M22",
    ),
    P(
        "leader_backlog_days",
        60.0,
        1.0,
        720.0,
        "days of album throughput",
        "prior: uniform(1,720)",
        "album backlog, in days of its capacity, at which special troikas take over its cases",
        "M22",
    ),
    P(
        "leader_min_operation_days",
        120.0,
        0.0,
        1000.0,
        "days",
        "prior: centred on the four months Order 00447 planned (evidence G3-start)",
        "shortest run of the mass operation before the leader weighs a halt",
        "M22",
    ),
    P(
        "leader_release_delay",
        45.0,
        0.0,
        720.0,
        "days",
        "prior: uniform(0,720)",
        "days from the halt to the start of releases",
        "M22",
    ),
    # M16 limits, M15 over-zeal, quota dynamics
    P(
        "operation_pace",
        0.02,
        0.001,
        0.2,
        "share of remaining limit per day",
        "prior: uniform",
        "how fast a regional NKVD works through its limit",
        "M16",
    ),
    P(
        "overfill_target",
        1.3,
        1.0,
        3.0,
        "ratio to limit",
        "prior: uniform(1,3)",
        "the fill ratio regional NKVD chiefs aim at (over-zeal)",
        "M15",
    ),
    P(
        "request_threshold",
        0.8,
        0.5,
        1.0,
        "fill ratio",
        "prior: uniform(0.5,1)",
        "fill ratio of its limit at which a region asks for more",
        "M15",
    ),
    P(
        "request_size",
        0.5,
        0.05,
        2.0,
        "share of initial limit",
        "prior: uniform",
        "size of a region's request for a higher limit",
        "M16",
    ),
    P(
        "request_interval",
        30.0,
        7.0,
        120.0,
        "days",
        "prior: uniform(7,120)",
        "minimum days between two requests of one region",
        "M16",
    ),
    P(
        "request_cat1_share",
        0.5,
        0.0,
        1.0,
        "share",
        "prior: uniform(0,1)",
        "share of a requested or granted limit increase that is category 1",
        "M16",
    ),
    P(
        "approval_probability",
        0.6,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance the centre approves a request for a higher limit",
        "M16",
    ),
    P(
        "operation_term_days",
        120.0,
        30.0,
        720.0,
        "days",
        "prior: centred on the four months Order 00447 planned (evidence G3-start)",
        "planned term of the mass operation, counted from its launch",
        "M15",
    ),
    P(
        "late_approval_factor",
        1.0,
        0.0,
        1.0,
        "multiplier",
        "prior: uniform(0,1)",
        "factor on the chance of approving a request once the operation's planned term is over",
        "M15",
    ),
    P(
        "cat1_share_troika",
        0.5,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance a troika gives category 1 when the limit allows",
        "M16",
    ),
    P(
        "unmarked_share_00447",
        0.3,
        0.0,
        0.9,
        "share",
        "prior: uniform(0,0.9)",
        "share of Order 00447 arrests drawn from the whole population rather than from the registers",
        "M13",
    ),
    P(
        "nkvd_capacity",
        0.25,
        0.01,
        5.0,
        "arrests per officer per day",
        "prior: log-uniform",
        "regional NKVD arrest capacity per state-security officer",
        "M16",
    ),
    # M18 national operations
    P(
        "national_op_rate",
        0.08,
        0.0,
        3.0,
        "per diaspora person per year",
        "prior: uniform",
        "yearly arrest hazard of a diaspora person while the operation runs",
        "M18",
    ),
    P(
        "album_death_share",
        0.72,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "share of album and special-troika sentences that were death",
        "M18",
    ),
    # M05/M06/M30 investigation
    P(
        "investigation_days",
        40.0,
        3.0,
        200.0,
        "days",
        "prior: uniform",
        "mean length of an investigation",
        "M06",
    ),
    P(
        "troika_investigation_days",
        12.0,
        1.0,
        60.0,
        "days",
        "prior: uniform",
        "mean investigation length in mass-operation cases",
        "M17",
    ),
    P(
        "confession_probability",
        0.4,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance an accused confesses without physical methods",
        "M06",
    ),
    P(
        "confession_with_methods",
        0.9,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance an accused confesses once physical methods are sanctioned",
        "M06",
    ),
    P(
        "loyalty_confession_boost",
        0.1,
        0.0,
        0.5,
        "probability increment",
        "prior: uniform(0,0.5)",
        "extra chance that a party member confesses out of loyalty",
        "M30",
    ),
    P(
        "names_per_confession",
        0.3,
        0.0,
        5.0,
        "persons",
        "prior: uniform(0,5)",
        "mean number of accomplices a confessing prisoner names",
        "M05",
    ),
    P(
        "yezhov_naming_multiplier",
        2.0,
        1.0,
        5.0,
        "multiplier",
        "prior: uniform(1,5)",
        "how much the 'expand and link' doctrine multiplies naming",
        "M08",
    ),
    P(
        "names_acted_on",
        0.4,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance a named person is arrested",
        "M05",
    ),
    P(
        "release_without_confession",
        0.3,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance an accused who does not confess is released",
        "M17",
    ),
    # sentencing channels
    P(
        "oso_capacity",
        5000.0,
        10.0,
        20000.0,
        "cases per day",
        "prior: log-uniform",
        "Special Board (OSO) cases per day",
        "M16",
    ),
    P(
        "courts_capacity",
        5000.0,
        10.0,
        20000.0,
        "cases per day",
        "prior: log-uniform",
        "ordinary courts' political cases per day",
        "M16",
    ),
    P(
        "troika_capacity",
        3000.0,
        100.0,
        20000.0,
        "cases per day",
        "prior: log-uniform",
        "troika cases per day, all regions together",
        "M16",
    ),
    P(
        "album_capacity",
        1500.0,
        50.0,
        10000.0,
        "cases per day",
        "prior: log-uniform",
        "album (dvoika) cases per day",
        "M16",
    ),
    P(
        "military_collegium_capacity",
        40.0,
        1.0,
        1000.0,
        "cases per day",
        "prior: log-uniform(1,1000); no sourced throughput of the Military Collegium and the "
        "military tribunals for elite cases was found",
        "cases of the elite layer (party-state elite, officers, NKVD officers) the Military "
        "Collegium decides per day",
        "M17",
    ),
    P(
        "military_collegium_death_share",
        0.8,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "share of Military Collegium sentences that were death",
        "M17",
    ),
    P(
        "courts_death_share",
        0.003,
        0.0,
        0.1,
        "probability",
        "prior: uniform(0,0.1)",
        "share of ordinary-court political sentences that were death",
        "M17",
    ),
    P(
        "exile_share",
        0.12,
        0.0,
        0.5,
        "probability",
        "prior: uniform(0,0.5)",
        "share of non-death OSO and court sentences that were exile",
        "M17",
    ),
    P(
        "execution_delay",
        3.0,
        1.0,
        30.0,
        "days",
        "prior: uniform(1,30)",
        "mean days from death sentence to execution",
        "M16",
    ),
    # elites, patronage, purge of purgers
    P(
        "elite_hazard",
        0.3,
        0.0,
        3.0,
        "per person per year",
        "prior: uniform",
        "yearly arrest hazard of the political elite while the terror against it runs",
        "M20",
    ),
    # the army purge (model/steps_army.py): dismissal first, then arrest of part of the dismissed
    P(
        "army_dismissal_rate",
        0.15,
        0.0,
        1.0,
        "per officer per year",
        "prior: uniform(0,1); a round value, not fitted (the army's dismissal counts are "
        "validation figures, docs/validation.md)",
        "yearly hazard that a serving officer is dismissed for political reasons while the "
        "army purge runs",
        "M20",
    ),
    P(
        "army_other_dismissal_rate",
        0.03,
        0.0,
        0.2,
        "per officer per year",
        "prior: uniform(0,0.2); a round value, not fitted",
        "yearly hazard that an officer is dismissed for other reasons (illness, age, "
        "drunkenness), in every year",
        "M20",
    ),
    P(
        "army_dismissed_arrest_share",
        0.3,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1); a round value, not fitted (V-army-arr-3738 is validation)",
        "share of officers dismissed for political reasons (below the high command) who are "
        "then arrested",
        "M20",
    ),
    P(
        "army_arrest_delay",
        45.0,
        1.0,
        365.0,
        "days",
        "prior: log-uniform(1,365)",
        "mean days from an officer's dismissal to his arrest",
        "M20",
    ),
    P(
        "army_reinstatement_rate",
        0.5,
        0.0,
        3.0,
        "per dismissed officer per year",
        "prior: uniform(0,3); a round value, not fitted (V-army-reinst-* are validation)",
        "yearly rate at which officers dismissed for political reasons and not arrested are "
        "reinstated, from the January 1938 plenum on errors in expulsions",
        "M20",
    ),
    P(
        "prominence_weight",
        1.0,
        1.0,
        10.0,
        "relative weight",
        "prior: uniform(1,10)",
        "how much more a member of the 1934 Central Committee is targeted than other elite members",
        "M20",
    ),
    P(
        "revolutionary_generation_weight",
        1.0,
        1.0,
        10.0,
        "relative weight",
        "prior: uniform(1,10)",
        "how much more the pre-1921 party cohort is targeted",
        "M26",
    ),
    P(
        "oppositionist_weight",
        5.0,
        1.0,
        50.0,
        "relative weight",
        "prior: uniform(1,50)",
        "how much more a former oppositionist is targeted",
        "M13",
    ),
    P(
        "patron_cascade",
        0.3,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance that each client is arrested when the patron falls",
        "M14",
    ),
    P(
        "purge_of_purgers",
        0.15,
        0.0,
        0.8,
        "share",
        "prior: uniform(0,0.8)",
        "share of NKVD officers arrested after a change of chief",
        "M21",
    ),
    # the purge of the purgers' cost in capacity (model/steps_cadres.py)
    P(
        "nkvd_recruit_efficiency",
        0.5,
        0.1,
        1.0,
        "relative capacity",
        "prior: uniform(0.1,1)",
        "arrest capacity of a newly recruited NKVD officer relative to the experienced officer "
        "he replaces",
        "M21",
    ),
    P(
        "nkvd_training_half_life",
        180.0,
        30.0,
        730.0,
        "days",
        "prior: log-uniform(30,730)",
        "half-life of a recruit's inexperience: after it, half of the recruits work as "
        "experienced officers",
        "M21",
    ),
    P(
        "family_arrest",
        0.05,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "chance the wife of a man sentenced as a 'traitor' is arrested (Order 00486)",
        "M19",
    ),
    # Gulag
    P(
        "gulag_mortality",
        0.03,
        0.0,
        0.3,
        "per prisoner per year",
        "prior: uniform",
        "baseline yearly death rate in camps",
        "Gulag",
    ),
    P(
        "overcrowding_mortality",
        0.6,
        0.0,
        5.0,
        "multiplier per unit overload",
        "prior: uniform",
        "rise of camp mortality with overcrowding",
        "Gulag",
    ),
    P(
        "camp_capacity",
        1.3e6,
        5e5,
        3e6,
        "prisoners",
        "prior: uniform",
        "camp places before overcrowding raises mortality",
        "Gulag",
    ),
    P(
        "post_halt_restraint",
        0.3,
        0.01,
        1.0,
        "multiplier",
        "prior: uniform(0.01,1)",
        "ordinary arrests after the halt, relative to before (procuratorial supervision restored)",
        "M22",
    ),
    P(
        "release_rate_after_halt",
        0.05,
        0.0,
        0.5,
        "per prisoner per year",
        "prior: uniform",
        "yearly release rate of camp prisoners after the halt (Beria's review)",
        "M22",
    ),
    P(
        "halt_release_share",
        0.2,
        0.0,
        1.0,
        "share",
        "prior: uniform(0,1)",
        "share of troika/album cases pending at the halt that end in release",
        "M22",
    ),
    # show trials
    P(
        "trial_max_defendants",
        20.0,
        1.0,
        40.0,
        "persons",
        "prior: uniform(1,40)",
        "most defendants the organisers put into one trial",
        "M07",
        integer=True,
    ),
    P(
        "trial_threat_scale",
        0.5,
        0.01,
        50.0,
        "perceived-threat units",
        "prior: log-uniform",
        "perceived threat at which show-trial verdicts have moved two thirds of the way from early to late severity",
        "M07",
    ),
    P(
        "trial_death_share_early",
        0.3,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "share of death verdicts at show trials when perceived threat is low",
        "M07",
    ),
    P(
        "trial_death_share_late",
        0.9,
        0.0,
        1.0,
        "probability",
        "prior: uniform(0,1)",
        "share of death verdicts at show trials when perceived threat is high",
        "M07",
    ),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMETERS}


def coerce(name: str, raw: Any) -> float:
    """Check one override against its declaration; return the typed value."""
    spec = BY_NAME.get(name)
    if spec is None:
        close = [n for n in BY_NAME if n.split("_")[0] == name.split("_")[0]][:5]
        hint = f"; similar: {', '.join(close)}" if close else ""
        raise ParameterError(
            f"{name}: unknown parameter{hint}; `greatterror params` lists them all"
        )
    if isinstance(raw, bool):
        raise ParameterError(
            f"{name}: expected a number in [{spec.low:g}, {spec.high:g}], got {raw!r}"
        )
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{name}: expected a number in [{spec.low:g}, {spec.high:g}], got {raw!r}"
        ) from None
    if spec.integer and not value.is_integer():
        raise ParameterError(
            f"{name}: expected a whole number in [{spec.low:g}, {spec.high:g}], got {raw!r}"
        )
    if not (spec.low <= value <= spec.high):
        raise ParameterError(
            f"{name}: {value:g} is out of range; allowed values: {spec.low:g} to {spec.high:g} {spec.unit}"
        )
    return value


def resolve(overrides: dict[str, Any]) -> dict[str, float]:
    """Defaults with the given overrides applied, every value checked."""
    values = {p.name: p.default for p in PARAMETERS}
    for name, raw in overrides.items():
        values[name] = coerce(name, raw)
    return values
