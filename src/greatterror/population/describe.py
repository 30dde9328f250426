"""Compare a built population with the sourced marginals it was built from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from greatterror.population.codes import Mark, Occupation, Party
from greatterror.population.inputs import PopulationInputs
from greatterror.population.people import Population
from greatterror.population.spec import NATIONALITY_MARGINALS


@dataclass(frozen=True)
class MarginalCheck:
    quantity: str
    simulated: float
    target: float
    source: str

    @property
    def ratio(self) -> float:
        return self.simulated / self.target if self.target else float("nan")


def _sources(inputs: PopulationInputs, *ids: str) -> str:
    keys: list[str] = []
    for marginal_id in ids:
        keys += inputs.marginals[marginal_id].source
    return "; ".join(dict.fromkeys(keys))


def marginal_checks(pop: Population, inputs: PopulationInputs) -> list[MarginalCheck]:
    """Weighted counts of the population against the marginals they aim at."""
    w = pop.weights()
    mass = ~pop.is_elite_layer

    def count(mask: np.ndarray) -> float:
        return float(w[mask].sum())

    checks = [
        MarginalCheck(
            "population",
            count(np.ones(len(pop), bool)),
            inputs.value("pop_total_1937"),
            _sources(inputs, "pop_total_1937"),
        ),
        MarginalCheck(
            "urban population",
            count(pop["urban"] & mass),
            inputs.value("pop_urban_1937"),
            _sources(inputs, "pop_urban_1937"),
        ),
        MarginalCheck(
            "men",
            count(pop["male"]),
            inputs.value("pop_male_share_1937") * inputs.value("pop_total_1937"),
            _sources(inputs, "pop_male_share_1937"),
        ),
        MarginalCheck(
            "party members",
            count(pop["party"] == Party.MEMBER),
            inputs.value("pop_party_members_1937"),
            _sources(inputs, "pop_party_members_1937"),
        ),
        MarginalCheck(
            "party candidates",
            count(pop["party"] == Party.CANDIDATE),
            inputs.value("pop_party_candidates_1937"),
            _sources(inputs, "pop_party_candidates_1937"),
        ),
        MarginalCheck(
            "expelled from the party",
            count(pop["party"] == Party.EXPELLED),
            inputs.value("pop_party_net_loss_1933_1937"),
            _sources(inputs, "pop_party_net_loss_1933_1937"),
        ),
        MarginalCheck(
            "managers and officials",
            count(pop["occupation"] == Occupation.MANAGER_OFFICIAL),
            inputs.value("pop_managers_1937"),
            _sources(inputs, "pop_managers_1937"),
        ),
        MarginalCheck(
            "clergy",
            count(pop["occupation"] == Occupation.CLERGY),
            inputs.value("pop_clergy_1937"),
            _sources(inputs, "pop_clergy_1937"),
        ),
        MarginalCheck(
            "church and sectarian activists (the clergy mark on others than clergy)",
            count(
                ((pop["marks"] & Mark.CLERGY_SECTARIAN) != 0)
                & (pop["occupation"] != Occupation.CLERGY)
            ),
            inputs.value("pop_church_activists_1937"),
            _sources(inputs, "pop_church_activists_1937"),
        ),
        MarginalCheck(
            "army command staff",
            count(pop["occupation"] == Occupation.ARMY_COMMAND),
            inputs.value("pop_rkka_command_staff_1937")
            + inputs.value("pop_army_high_command_1937"),
            _sources(inputs, "pop_rkka_command_staff_1937", "pop_army_high_command_1937"),
        ),
        MarginalCheck(
            "NKVD state-security staff",
            count(pop["occupation"] == Occupation.NKVD_STAFF),
            inputs.value("pop_gugb_staff_1937") + inputs.value("pop_nkvd_senior_1936"),
            _sources(inputs, "pop_gugb_staff_1937", "pop_nkvd_senior_1936"),
        ),
        MarginalCheck(
            "former White/tsarist officers",
            count((pop["marks"] & Mark.WHITE_OFFICER) != 0),
            inputs.value("pop_former_officers_1937"),
            _sources(inputs, "pop_former_officers_1937"),
        ),
        MarginalCheck(
            "former members of other parties",
            count((pop["marks"] & Mark.OTHER_PARTY) != 0),
            inputs.value("pop_former_other_parties_1937"),
            _sources(inputs, "pop_former_other_parties_1937"),
        ),
        MarginalCheck(
            "former oppositionists",
            count((pop["marks"] & Mark.OPPOSITIONIST) != 0),
            inputs.value("pop_former_oppositionists_1937"),
            _sources(inputs, "pop_former_oppositionists_1937"),
        ),
        MarginalCheck(
            "foreign communist emigres",
            count((pop["marks"] & Mark.FOREIGN_COMMUNIST) != 0),
            inputs.value("pop_political_emigres_1937"),
            _sources(inputs, "pop_political_emigres_1937"),
        ),
    ]
    for nat, ids in NATIONALITY_MARGINALS.items():
        checks.append(
            MarginalCheck(
                f"diaspora: {nat.name.lower()}",
                count(pop["nationality"] == nat),
                sum(inputs.value(i) for i in ids),
                _sources(inputs, *ids),
            )
        )
    return checks


def group_size_summary(pop: Population) -> list[dict[str, float | str]]:
    rows: list[dict[str, float | str]] = []
    for name, groups in (
        ("households", pop.households),
        ("workplaces and kolkhozes", pop.workplaces),
    ):
        sizes = groups.sizes()
        sizes = sizes[sizes > 0]
        rows.append(
            {
                "group": name,
                "count": float(len(sizes)),
                "mean": float(sizes.mean()) if len(sizes) else 0.0,
                "median": float(np.median(sizes)) if len(sizes) else 0.0,
                "p90": float(np.percentile(sizes, 90)) if len(sizes) else 0.0,
                "max": float(sizes.max()) if len(sizes) else 0.0,
            }
        )
    return rows
