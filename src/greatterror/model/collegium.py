"""How the channels outside the troikas split their verdicts, by phase of policy (M08, M17).

A channel's share of death sentences was not a constant of the body: it followed what the
centre sanctioned and what the prosecutors charged. The rules, each tied to a dated
decision or to a mechanism already in the model (docs/ODD.md, section 7.7):

- **The sanction of the Military Collegium's death sentences.** Before Yezhov's
  appointment (26 September 1936, G12-07) the elite prisoners the Collegium and the
  military tribunals tried were mostly given prison and camp terms: the 'Moscow centre'
  (Zinoviev, Kamenev and 17 others, January 1935) all received 5 to 10 years
  (G11-moscow-centre), and the former Zinovievites taken after Kirov's murder were
  exiled or sent to camps (G12-02, G5-lenin-1934); the Leningrad centre of December 1934,
  all shot, was the murder case itself (a show trial here, model/steps_trials.py). The
  first execution list the Politburo approved, of 585 names, followed eight days after
  the appointment (4 October 1936, G12-08), and from then on the Collegium sentenced on
  such lists, most of those it tried to death (G7-stalin-lists). So the Collegium's
  death share is ``collegium_death_share_before_lists`` until the centre's decision
  ``execution_lists`` (``Policy.execution_lists``: dated 4 October 1936 in the historical
  scenario; under the leader's rule it comes with Yezhov's appointment, as the opening of
  the party purge does), and ``military_collegium_death_share`` from then on. The lists
  were the Politburo's, not the NKVD chief's: a counterfactual that drops Yezhov's
  appointment keeps them.
- **The districts' military tribunals.** The officers below the high command were tried by
  the tribunals of the military districts (model/channels.py); their death share is one
  value, ``military_tribunal_death_share``, a prior: the number of servicemen they sentenced
  to death was not found (data/parameters.csv).
- **Case building.** The elite cases opened in Yezhov's first months were investigated
  to build the conspiracies of 1937 (the 'parallel centre', the military plot), and came
  to the Collegium months later: Pyatakov and Radek, arrested in September 1936, and
  Sokolnikov and Serebryakov, arrested in July and August 1936, were tried on 23-30
  January 1937 (G11-trial17); Putna and Primakov, arrested in August 1936, were tried with
  Tukhachevsky on 11 June 1937 (G7-tukh-trial). From the appointment (with the new chief's
  doctrine, M08) to the next plenum of the Central Committee (the February-March 1937
  plenum, G12-11, which gave the signal for the sentences of 1937) an elite investigation
  opened has mean ``case_building_investigation_days`` (``engine.investigation_mean``).
- **The law of 1 December 1934, and the charge.** A court's death sentence followed the
  article the case was charged under (model/charges.py): a grave charge (treason, espionage,
  terror: 58-1, 58-6, 58-8) carried the supreme measure, an ordinary counter-revolutionary
  one (agitation, 58-10, most of the courts' cases of 1935-36) a term. So the courts' death
  share is ``courts_death_share`` on an ordinary charge and ``courts_death_share`` times
  ``grave_charge_death_ratio`` (a fixed prior: no count of the courts' sentences by charge
  was found) on a grave one. The decree issued on the day of Kirov's murder (G12-01) sent
  terrorism cases to an accelerated procedure (investigation within ten days, no defence,
  no appeal, the death sentence carried out at once), and how many were charged as
  terrorism followed the campaigns of vigilance that Kirov's murder and the trials set off:
  with the simplified procedures on (M17) the grave charge's share is also multiplied by
  ``1 + vigilance`` (M09's vigilance, decaying with ``vigilance_half_life``). The ordinary
  charge's is not: until 5 Dec 2026 (branch courtcharge) every court case's share followed
  the vigilance, which doubled the courts' death sentences of 1935 against the record's
  (docs/validation-log.md, "Death sentences by charge"). The proportionality is an
  assumption: no count of terrorism charges by year was found.
- **The sentences other than death: camp, exile, "other measures".** The 1953 MVD series
  (Popov 1992, GARF f.9401 op.1 d.4157 l.201-205; by kind in Kurashvili 1996, pp.159-160)
  counts, beside death and camps (with colonies and prisons), exile (ssylka and vysylka) and
  "other measures": a conviction that ended in neither, such as a conditional sentence,
  corrective labour without deprivation of liberty (art. 30 of the RSFSR code of 1926) or,
  at the Special Board, expulsion from the USSR (its regulation of 5 November 1934 allowed
  exile, banishment and camps of up to five years and the expulsion of foreign nationals).
  Which body passed them is a share of each body's sentences other than death: the troikas,
  the national operations' album and special troikas and the military courts passed only
  death or camp (NEVER here); the Special Board's exile and other measures are
  ``oso_exile_share`` and ``oso_other_share``, its split over its whole existence (G1-OSO,
  Zemskov 1991: of 432,430 non-death sentences 1934-1953, 67,539 exile and 3,970 other
  measures); the courts' are ``exile_share`` and ``courts_other_share``, priors (no count of
  the courts' political sentences by kind was found). A person given other measures leaves
  custody at liberty and is never admitted to a camp (``Engine.sentence``). Not modelled,
  NOT FOUND: the decision, if there was one, behind the collapse of exile in 1937 (1,366 in
  the series against 23,719 in 1936); exile's shares here are constant.
"""

from __future__ import annotations

from greatterror.model.state import Institutions, Policy

NEVER = -1.0  # below every uniform: the channel cannot pass this sentence


def sanctioned(pol: Policy) -> bool:
    """Whether the Military Collegium sentences on the Politburo's execution lists (from the
    centre's decision ``execution_lists``)."""
    return pol.execution_lists


def verdict_shares(
    channel: str,
    pol: Policy,
    inst: Institutions,
    params: dict[str, float],
    kirov_law: bool,
    grave: bool = False,
) -> tuple[float, float, float]:
    """(death share, exile share among the others, "other measures" share among the others)
    of ``channel`` today; ``NEVER`` for a sentence the channel cannot pass. ``kirov_law``: M17 is on (the courts' death share on a
    grave charge follows the vigilance campaign); ``grave``: the courts' cases are charged
    with treason, espionage or terror (model/charges.py)."""
    if channel in ("album", "special_troika"):
        return float(params["album_death_share"]), NEVER, NEVER
    if channel == "military_collegium":
        if sanctioned(pol):
            return float(params["military_collegium_death_share"]), NEVER, NEVER
        return float(params["collegium_death_share_before_lists"]), NEVER, NEVER
    if channel == "military_tribunal":  # the districts' tribunals (model/channels.py)
        # before the execution lists the tribunals too mostly passed terms (the basis of
        # collegium_death_share_before_lists in data/parameters.csv)
        if sanctioned(pol):
            return float(params["military_tribunal_death_share"]), NEVER, NEVER
        return float(params["collegium_death_share_before_lists"]), NEVER, NEVER
    if channel == "oso":  # the Special Board could not pass death sentences before 1941
        return NEVER, float(params["oso_exile_share"]), float(params["oso_other_share"])
    death = float(params["courts_death_share"])
    if grave:
        death *= float(params["grave_charge_death_ratio"])
        if kirov_law:  # the law of 1 December 1934: terrorism cases
            death *= 1.0 + max(inst.vigilance, 0.0)
    return min(death, 1.0), float(params["exile_share"]), float(params["courts_other_share"])


def open_case_building(inst: Institutions) -> None:
    """Yezhov's appointment (with M08): elite investigations opened from now are long."""
    inst.case_building = True


def close_case_building(inst: Institutions) -> None:
    """The next plenum (February-March 1937): elite investigations return to their usual
    length (``investigation_days``)."""
    inst.case_building = False
