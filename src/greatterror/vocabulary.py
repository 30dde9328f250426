"""The model's vocabulary, defined once: operations, events, channels, case statuses, elite groups.

The simulation writes these names into its outputs and the results read
them back, so both import them from here. This module sits at the bottom
of the package's import graph: it imports nothing from greatterror but the
person codes (``population/codes.py``, itself a leaf).
"""

from __future__ import annotations

import numpy as np

from greatterror.population.codes import Elite

#: The operations a case is opened under (docs/outputs.md, column ``operation``).
OPERATIONS = (
    "kulak_00447",
    "national_polish",
    "national_german",
    "national_harbin",
    "national_latvian",
    "national_other",
    "elite",
    "ordinary",
    "family",
    # not a political operation: people the ordinary courts and the militia's troikas
    # sentenced to camp or colony for theft, speculation, hooliganism, passport offences...
    # (model/steps_courts.py); counted in the Gulag, never among the political convictions
    "non_political",
)
#: The operational lines (the categories an order named, each an NKVD register), by operation:
#: a case's line is ``LINES[cases.line]`` (docs/ODD.md, "Operational lines"). "none" is the
#: line of cases outside the mass and national operations. The lines' sizes and profiles are
#: in data/population/lines.csv.
LINES_OF: dict[str, tuple[str, ...]] = {
    "kulak_00447": (
        "former_kulak",
        "clergy_sectarian",
        "party_officer",
        "criminal",
        "camp_prisoner",
        "anti_soviet_other",
    ),
    "national_polish": ("pol_pow", "pol_former_pow", "pol_emigre", "pol_defector", "pol_ties"),
    "national_german": ("ger_citizen", "ger_defence", "ger_widened"),
    "national_harbin": ("har_cer", "har_widened"),
    "national_latvian": ("lat_emigre", "lat_ties"),
    "national_other": ("other_diaspora", "foreign_communist"),
}
LINES = ("none", *(line for lines in LINES_OF.values() for line in lines))
LN = {name: i for i, name in enumerate(LINES)}
#: Per line code: the operation whose order named it ("" for "none").
OPERATION_OF_LINE = ("", *(op for op, lines in LINES_OF.items() for _ in lines))
#: What the ledger counts (docs/outputs.md, column ``event``).
EVENTS = (
    "arrested",
    "convicted_cat1",
    "convicted_camp",
    "convicted_exile",
    "executed",
    "released",
    "died_in_custody",
    # a conviction that ended without camp, prison or exile (the 1953 series' "other
    # measures": conditional sentences, corrective labour without deprivation of liberty,
    # expulsion from the USSR...); the person leaves custody (model/collegium.py)
    "convicted_other",
    # a case that left its operation before any sentence under it (a special troika's case
    # sent back, model/no_sentence.py; a case pending at the halt, model/steps_halt.py):
    # counted under the operation it leaves, on the day; the person stays in custody, and his
    # later release or sentence is counted under "ordinary"
    "left_operation",
)
#: The sentencing channels (docs/outputs.md, channels.parquet). ``military_tribunal`` is the
#: tribunals of the military districts and fleets, which tried the officers below the high
#: command (model/channels.py, ``tribunal_channel``).
CHANNELS = (
    "troika",
    "album",
    "special_troika",
    "oso",
    "military_collegium",
    "courts",
    "military_tribunal",
)

OP = {name: i for i, name in enumerate(OPERATIONS)}
EV = {name: i for i, name in enumerate(EVENTS)}
CH = {name: i for i, name in enumerate(CHANNELS)}
NATIONAL_OPERATIONS = tuple(name for name in OPERATIONS if name.startswith("national_"))
#: Per operation code: a national operation; a mass operation (Order 00447 or national).
NATIONAL_OP = np.array([name in NATIONAL_OPERATIONS for name in OPERATIONS])
MASS_OP = NATIONAL_OP | (np.arange(len(OPERATIONS)) == OP["kulak_00447"])
#: The category of the ordinary courts' non-political convicts (not a repression series).
NON_POLITICAL = OP["non_political"]
#: The operations of the political repression (every one but ``non_political``).
POLITICAL_OPERATIONS = tuple(name for name in OPERATIONS if name != "non_political")

#: Case statuses by code; every person is in exactly one of them.
STATUSES = (
    "free",
    "investigation",
    "awaiting_sentence",
    "sentenced_death",
    "shot",
    "camp",
    "prison",
    "exile",
    "released",
    "died_in_custody",
)


class Status:
    """Case status codes as plain ints (the code of ``STATUSES[i]`` is ``i``).

    Not an IntEnum: looking up an enum member costs about a microsecond in
    Python 3.11, the daily steps make tens of thousands of such look-ups in
    a run, and Numba would compile enum arguments as a type of their own.
    """

    FREE = 0
    INVESTIGATION = 1
    AWAITING_SENTENCE = 2
    SENTENCED_DEATH = 3
    SHOT = 4
    CAMP = 5
    PRISON = 6
    EXILE = 7
    RELEASED = 8
    DIED_IN_CUSTODY = 9


#: Per status code: the person is at liberty (and can be arrested).
AT_LIBERTY = np.array([name in ("free", "released") for name in STATUSES])

#: Elite-layer flag sets (``population/codes.py`` ``Elite``), each defined once.
PARTY_FLAGS = int(
    # the party-state elite: the CC, the regional secretaries and the 1934 congress delegates
    # of the party and soviet apparatus. The congress's other delegates (the economy,
    # production) are reached by names, not by the purge's hazard. The army high command
    # (with the congress's military delegates) is not of it: the army was purged through its
    # own channel (model/steps_army.py), its high command from May 1937 (issue 9, army37).
    Elite.CC_1934 | Elite.APPARATUS_1934 | Elite.REGIONAL_SECRETARY
)
ARMY_FLAGS = int(Elite.ARMY_HIGH_COMMAND | Elite.ARMY_OFFICER)
NKVD_FLAGS = int(Elite.NKVD_OFFICER | Elite.NKVD_LEADERSHIP)
#: The groups a purge opens (scenario ``opens``), by their flags; the opposition is
#: selected by the oppositionist register mark, not by a post.
ELITE_GROUPS: dict[str, int | None] = {
    "opposition": None,
    "party": PARTY_FLAGS,
    "army": ARMY_FLAGS,
    "nkvd": NKVD_FLAGS,
}
#: The groups whose fate the summary reports (summary.json ``elites``), by their flags.
ELITE_FATES: dict[str, int] = {
    "cc_1934": int(Elite.CC_1934),
    "congress_1934": int(Elite.CONGRESS_1934),
    "army_command": ARMY_FLAGS,
    "nkvd_officers": NKVD_FLAGS,
}

#: The kinds of Order 00447 limit increase (model/steps_quota.py): a dated decision of the
#: evidence base, an approval by the centre's rule, a request granted at once as asked.
INCREASE_KINDS = ("dated", "approved", "as_asked", "commissar")
