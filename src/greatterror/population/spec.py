"""The numbers the population builder needs, taken from the sourced inputs.

Collecting them in one frozen object keeps the builder free of file ids and
makes every rate it uses inspectable (``greatterror population describe``
prints them against their sources).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from greatterror.population.codes import Nationality, Occupation
from greatterror.population.inputs import Distribution, PopulationInputs

AGE_BINS = ["0-15", "16-29", "30-44", "45-59", "60+"]

#: Census social groups (families included) -> the occupation code of the household.
SOCIAL_GROUPS: dict[str, Occupation] = {
    "workers": Occupation.WORKER,
    "employees": Occupation.EMPLOYEE_SPECIALIST,
    "kolkhoz_peasants_and_cooperative_craftsmen": Occupation.KOLKHOZ_PEASANT,
    "individual_peasants_and_noncooperative_craftsmen": Occupation.INDIVIDUAL_PEASANT,
    "nonworking": Occupation.OTHER,
    "not_stated": Occupation.OTHER,
}

NATIONALITY_MARGINALS: dict[Nationality, tuple[str, ...]] = {
    Nationality.POLISH: ("pop_nat_poles_1939",),
    Nationality.GERMAN: ("pop_nat_germans_1939",),
    Nationality.LATVIAN: ("pop_nat_latvians_1939",),
    Nationality.FINNISH: ("pop_nat_finns_1939",),
    Nationality.ESTONIAN: ("pop_nat_estonians_1939",),
    Nationality.GREEK: ("pop_nat_greeks_1939",),
    Nationality.KOREAN: ("pop_nat_koreans_1939",),
    Nationality.HARBIN: ("pop_harbin_returnees_1937",),
    Nationality.OTHER: ("pop_nat_bulgarians_1939", "pop_nat_lithuanians_1939"),
}


@dataclass(frozen=True)
class SizeBins:
    """A binned size distribution; sizes are drawn uniformly within a bin."""

    low: np.ndarray
    high: np.ndarray
    probs: np.ndarray

    @classmethod
    def from_distribution(
        cls, dist: Distribution, open_top: float, weight_by_size: bool
    ) -> SizeBins:
        lows, highs = [], []
        for label in dist.bins:
            if label.endswith("+"):
                lo = int(label[:-1])
                hi = int(lo * open_top)
            elif "-" in label:
                lo, hi = (int(x) for x in label.split("-"))
            else:
                lo = hi = int(label)
            lows.append(lo)
            highs.append(hi)
        low, high = np.array(lows), np.array(highs)
        probs = dist.shares.copy()
        if weight_by_size:
            # shares of *people* by group size -> shares of *groups* by size
            probs = probs / ((low + high) / 2)
        return cls(low, high, probs / probs.sum())

    def sample(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """``k`` sizes: a bin, then a size within it.

        The bin is what ``rng.choice(len(probs), size=k, p=probs)`` draws, by its own
        method (the cumulative shares divided by their last, then
        ``np.searchsorted(cdf, rng.random(k), side="right")``), with the search started
        from a guide table (kernels.categories_scaled): NumPy's search of the household
        sizes' bins took 40 ns a draw. tests/test_population_kernels.py checks the bins
        against ``rng.choice``'s, and the stream after them.
        """
        from greatterror.population.kernels_search import categories_scaled  # Numba: imported late

        cdf, guide = self._bins
        b = np.empty(k, dtype=np.int64)
        categories_scaled(cdf, guide, 1.0, rng.random(k), b)
        return rng.integers(self.low[b], self.high[b] + 1)

    @cached_property
    def _bins(self) -> tuple[np.ndarray, np.ndarray]:
        """``rng.choice``'s cumulative distribution of the bins (one row) and its guide."""
        from greatterror.population.kernels_search import guide_table

        cdf = self.probs.astype(np.float64).cumsum()
        cdf /= cdf[-1]
        cdf = cdf.reshape(1, -1)
        return cdf, guide_table(cdf, np.int64(cdf.shape[1]), 1.0)

    def mean(self) -> float:
        return float((self.probs * (self.low + self.high) / 2).sum())


@dataclass(frozen=True)
class PopulationSpec:
    total: float
    urban_share: float
    male_share: float
    age_shares: np.ndarray  # share of each age band (AGE_BINS), 1937 census
    male_by_age: np.ndarray  # share of men in each age band (AGE_BINS), 1937 census
    #: by residence (0 rural, 1 urban): the share of each age band; within each band the
    #: cumulative distribution of its years (padded with 1); the share of men at each age
    band_shares_by_residence: np.ndarray  # (2, 5)
    year_cum: np.ndarray  # (2, 5, widest band)
    male_by_year: np.ndarray  # (2, 101)
    group_codes: np.ndarray
    group_shares: np.ndarray
    household_sizes: SizeBins
    kolkhoz_sizes: SizeBins
    workplace_sizes: SizeBins
    managers: float
    managers_male_share: float
    clergy: float
    church_activists: float
    party_members: float
    party_candidates: float
    party_expelled: float
    party_propensity: dict[Occupation, float]
    cohort_shares: np.ndarray
    special_settlers: float
    former_kulak_share_rural: float
    prior_conviction_share: float
    former_officers: float
    former_other_parties: float
    former_oppositionists: float
    nationalities: dict[Nationality, float]
    foreign_communists: float
    cc_1934: int
    congress_1934: int
    #: shares of the 1934 congress delegates by post: party bodies, soviet apparatus, military
    congress_posts: tuple[float, float, float]
    army_high_command: int
    army_officers: int
    nkvd_leadership: int
    nkvd_officers: int
    prominent_oppositionists: int
    leadership_oppositionist_share: float
    party_male_share: float
    clergy_male_share: float
    church_activists_male_share: float
    other_parties_male_share: float
    prior_conviction_male_share: float
    camp_male_share: float
    oppositionist_expelled_weight: float

    def male_share_among(self, first_band: int, stop_band: int | None = None) -> float:
        """Share of men among people in age bands ``first_band`` to ``stop_band`` (excluded;
        ``None``: the oldest band included)."""
        shares = self.age_shares[first_band:stop_band]
        return float((shares * self.male_by_age[first_band:stop_band]).sum() / shares.sum())

    def sex_weights(
        self, target_male_share: float, first_band: int, stop_band: int | None = None
    ) -> np.ndarray:
        """Rate multipliers ``[women, men]`` that give a register the target share of men.

        Among people of bands ``first_band`` to ``stop_band`` (excluded; ``None``:
        to the oldest), a rate ``p`` times these weights marks the same expected
        number of people as ``p`` alone, of whom ``target_male_share`` are men.
        """
        return sex_weights_for_pool(target_male_share, self.male_share_among(first_band, stop_band))


def sex_weights_for_pool(target_male_share: float, pool: float) -> np.ndarray:
    """Rate multipliers ``[women, men]`` for a pool whose share of men is ``pool``: a rate
    times them keeps its expected count in the pool and gives the target share of men."""
    return np.array([(1 - target_male_share) / (1 - pool), target_male_share / pool])


def _age_structure(age_sex: np.ndarray) -> dict[str, np.ndarray]:
    """Band shares, years within bands and men's shares from the 1937 census table."""
    from greatterror.population.codes import AGE_BAND_YEARS

    people = age_sex.sum(axis=2).astype(float)  # residence, age
    bands = [slice(lo, hi + 1) for lo, hi in AGE_BAND_YEARS]
    by_band = np.stack([people[:, b].sum(axis=1) for b in bands], axis=1)  # residence, band
    width = max(b.stop - b.start for b in bands)
    year_cum = np.ones((2, len(bands), width))
    for k, b in enumerate(bands):
        cum = np.cumsum(people[:, b], axis=1) / by_band[:, k : k + 1]
        cum[:, -1] = 1.0  # exactly, so that a draw never leaves its band
        year_cum[:, k, : cum.shape[1]] = cum
    men = np.stack([age_sex[:, b, 1].sum(axis=1) for b in bands], axis=1).sum(axis=0)
    return {
        "age_shares": by_band.sum(axis=0) / by_band.sum(),
        "male_by_age": men / by_band.sum(axis=0),
        "band_shares_by_residence": by_band / by_band.sum(axis=1, keepdims=True),
        "year_cum": year_cum,
        "male_by_year": age_sex[:, :, 1] / np.maximum(age_sex.sum(axis=2), 1),
    }


def build_spec(inputs: PopulationInputs) -> PopulationSpec:
    v = inputs.value
    d = inputs.distributions
    groups = d["social_group_1939"]
    prop = d["party_propensity_by_occupation"]
    prior_low = inputs.marginals["pop_prior_convictions_share"]
    return PopulationSpec(
        total=v("pop_total_1937"),
        urban_share=v("pop_urban_share_1937"),
        male_share=v("pop_male_share_1937"),
        **_age_structure(inputs.age_sex),
        group_codes=np.array([SOCIAL_GROUPS[b] for b in groups.bins], dtype=np.uint8),
        group_shares=groups.shares.copy(),
        household_sizes=SizeBins.from_distribution(d["household_size"], 1.25, weight_by_size=False),
        kolkhoz_sizes=SizeBins.from_distribution(
            d["kolkhoz_size_households"], 2.0, weight_by_size=False
        ),
        workplace_sizes=SizeBins.from_distribution(
            d["industry_workplace_size_employees"], 3.0, weight_by_size=True
        ),
        managers=v("pop_managers_1937"),
        managers_male_share=v("pop_managers_male_share_1937"),
        clergy=v("pop_clergy_1937"),
        church_activists=v("pop_church_activists_1937"),
        party_members=v("pop_party_members_1937"),
        party_candidates=v("pop_party_candidates_1937"),
        party_expelled=v("pop_party_net_loss_1933_1937"),
        party_propensity={Occupation[b.upper()]: prop.share(b) for b in prop.bins},
        cohort_shares=d["party_cohort_1937"].shares.copy(),
        special_settlers=v("pop_special_settlers_1937"),
        former_kulak_share_rural=v("pop_former_kulaks_at_large_share"),
        prior_conviction_share=prior_low.central(),
        former_officers=v("pop_former_officers_1937"),
        former_other_parties=v("pop_former_other_parties_1937"),
        former_oppositionists=v("pop_former_oppositionists_1937"),
        nationalities={nat: sum(v(i) for i in ids) for nat, ids in NATIONALITY_MARGINALS.items()},
        foreign_communists=v("pop_political_emigres_1937"),
        cc_1934=int(v("pop_cc1934")),
        congress_1934=int(v("pop_congress17_delegates")),
        congress_posts=(
            v("pop_congress17_party_share"),
            v("pop_congress17_soviet_share"),
            v("pop_congress17_military_share"),
        ),
        army_high_command=round(v("pop_army_high_command_1937")),
        # the list strength includes the high command, which is a block of its own
        army_officers=int(v("pop_rkka_command_staff_1937"))
        - round(v("pop_army_high_command_1937")),
        nkvd_leadership=int(v("pop_nkvd_senior_1936")),
        nkvd_officers=int(v("pop_gugb_staff_1937")),
        prominent_oppositionists=round(v("pop_prominent_oppositionists_1936")),
        leadership_oppositionist_share=v("pop_leadership_oppositionist_share_1934"),
        party_male_share=v("pop_party_male_share_1937"),
        clergy_male_share=v("pop_clergy_male_share"),
        church_activists_male_share=v("pop_church_activists_male_share"),
        other_parties_male_share=v("pop_other_parties_male_share"),
        prior_conviction_male_share=v("pop_prior_conviction_male_share"),
        camp_male_share=v("pop_camp_male_share_1937"),
        oppositionist_expelled_weight=v("pop_oppositionist_expelled_weight"),
    )
