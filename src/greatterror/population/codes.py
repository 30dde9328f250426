"""Integer codes of the person attributes.

Attributes are stored as small integers in NumPy arrays; these enums give
the codes their names, in one place, for the model, the reports and tests.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag


class Occupation(IntEnum):
    KOLKHOZ_PEASANT = 0
    INDIVIDUAL_PEASANT = 1
    WORKER = 2
    EMPLOYEE_SPECIALIST = 3
    MANAGER_OFFICIAL = 4
    PARTY_STATE_ELITE = 5
    ARMY_COMMAND = 6
    NKVD_STAFF = 7
    CLERGY = 8
    OTHER = 9


class Party(IntEnum):
    NONE = 0
    MEMBER = 1
    CANDIDATE = 2
    EXPELLED = 3


class AgeBand(IntEnum):
    """The census age bands people are drawn in; a person's ``age`` is in whole years."""

    A0_15 = 0
    A16_29 = 1
    A30_44 = 2
    A45_59 = 3
    A60_PLUS = 4


#: First and last year of age of each ``AgeBand`` (100 stands for 100 and over, as in the
#: 1937 census table).
AGE_BAND_YEARS: tuple[tuple[int, int], ...] = ((0, 15), (16, 29), (30, 44), (45, 59), (60, 100))
#: Age in years from which a person is an adult in the model (the first year of 16-29).
ADULT_AGE = 16
#: The youngest age at which the model opens a case against anyone (docs/ODD.md, "Population").
MIN_ARREST_AGE = 16


class Mark(IntFlag):
    """The categories the NKVD's registers (uchet) kept, as bit flags."""

    FORMER_KULAK = 1
    WHITE_OFFICER = 2
    OTHER_PARTY = 4
    OPPOSITIONIST = 8
    CLERGY_SECTARIAN = 16
    PRIOR_CONVICTION = 32
    DIASPORA = 64
    FOREIGN_COMMUNIST = 128


class Nationality(IntEnum):
    """Diaspora nationalities targeted by the national operations; 0 is none."""

    NONE = 0
    POLISH = 1
    GERMAN = 2
    LATVIAN = 3
    FINNISH = 4
    ESTONIAN = 5
    GREEK = 6
    KOREAN = 7
    HARBIN = 8
    OTHER = 9


class Elite(IntFlag):
    """Membership of the elite layer, which is kept at full size at every scale."""

    CC_1934 = 1
    CONGRESS_1934 = 2
    ARMY_HIGH_COMMAND = 4
    ARMY_OFFICER = 8
    NKVD_LEADERSHIP = 16
    NKVD_OFFICER = 32
    REGIONAL_SECRETARY = 64
    ELITE_FAMILY = 128
    PROMINENT_OPPOSITIONIST = 256
    #: a 1934 congress delegate who worked in the party or soviet apparatus (the posts the
    #: purge of the party-state elite opened on; population/elite.py ``congress_posts``)
    APPARATUS_1934 = 512


class Cohort(IntEnum):
    """When a party member joined; the 'revolutionary generation' joined before 1921."""

    NONE = 0
    BEFORE_1917 = 1
    Y1917_1920 = 2
    Y1921_1929 = 3
    Y1930S = 4


def names(enum: type[IntEnum]) -> list[str]:
    return [m.name.lower() for m in enum]
