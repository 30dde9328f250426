"""The per-person yes/no facts of a case, packed as bits of one uint8 array (``Cases.flags``).

Seven boolean arrays of one byte a person each were 1.1 GB at 1:1, and the arrests
touch every 2 MB huge page of each: packed into one byte a person they touch one
array's pages (branch flags, issue 8; docs/performance-log.md). Python code reads and
writes them through ``Cases.has``, ``Cases.set``, ``Cases.clear`` and ``Cases.put``
for the indices it needs (never the whole population); a Numba kernel takes the
``flags`` array and names the bit it reads or writes (``flags[p] & CONFESSED``).
"""

from __future__ import annotations

import numpy as np

#: the prisoner confessed in the current case's investigation (model/steps_investigation.py)
CONFESSED = 1
#: linked to the 'centre' of a conspiracy: a former oppositionist from the start, or named in
#: a show trial's circle or a fifth-column network (model/steps_trials.py, fifth_column.py)
LINKED = 2
#: the term is served in a corrective-labour colony (ITK), not a camp (ITL); model/gulag.py
COLONY = 4
#: the last case was opened because a prisoner named this person under interrogation
NAMED = 8
#: sentenced to camp but still in a prison or transit point, awaiting the etap
#: (model/holding.py); not yet counted in the camps
HOLDING = 16
#: the last case was one of the Special Board's or the militia troikas' "socially harmful
#: elements" (model/steps_social_order.py): counted among the NKVD's convictions until
#: Order 00447 starts (a non-political case afterwards), and held in the camps as a
#: non-political prisoner, as the courts' convicts are
SOCIAL_ORDER = 32
#: an Order 00447 case of the first category's July list, arrested in the operation's
#: first blow (model/order_start.py): the troika sentences it in category 1 as listed
FIRST_CATEGORY = 64

#: each flag's name (the boolean array it replaced) and bit, in the old arrays' order in
#: ``Cases``: bench/outputs_hash.py hashes them unpacked in this order
FLAGS = {
    "confessed": CONFESSED,
    "linked": LINKED,
    "colony": COLONY,
    "named": NAMED,
    "holding": HOLDING,
    "social_order": SOCIAL_ORDER,
    "first_category": FIRST_CATEGORY,
}

#: the flags a new case starts without (``flatcalls.open_cases_flat``): the steps set them
NEW_CASE_CLEARS = CONFESSED | NAMED | SOCIAL_ORDER

_CODES = np.arange(256)
#: for each flag, each byte's answer (whether it has the flag; the byte with it set; cleared):
#: ``Cases.has`` looks the bytes of its people up here, one ``take`` of a 256-entry table, which
#: costs about half of ``(flags[idx] & flag) != 0`` on the few people of most calls (two
#: NumPy calls, one with a Python scalar to convert)
HAS = {bit: (_CODES & bit) != 0 for bit in FLAGS.values()}
WITH = {bit: (_CODES | bit).astype(np.uint8) for bit in FLAGS.values()}
WITHOUT = {bit: (_CODES & (0xFF ^ bit)).astype(np.uint8) for bit in FLAGS.values()}
