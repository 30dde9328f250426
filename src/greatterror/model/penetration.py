"""M24, the penetrated NKVD (variant H5b): conspirators among its officers arrest the wrong people.

seed_system.md states the variant under H5 (section 3, H5, "Key claims" and
"Predictions"): "The NKVD itself was penetrated ... Variant H5b: the
penetrated NKVD 'arrested the wrong people' (F002:6), so the wrongful mass
arrests were the enemy's work (F002:689)"; mass arrests far beyond the few
thousand real conspirators "must therefore be errors or the work of
'provocateurs' (H5b)". Its passages:

- F002:5-6 (likely Strong): Khrushchev's "provocateurs" ("agents of
  Nazi-fascism") and "conscienceless careerists" were "the actual
  initiators"; the fifth column "penetrated high in the GPU and arrested the
  wrong people";
- F002:689 (Martens, introducing the resolution that prohibited the mass
  operations, F002:691-697): spies "penetrated the NKVD, both at the local
  and central level ... Agents consciously deformed Soviet laws, conducted
  massive and unjustified arrests and, at the same time, protected their
  acolytes";
- F002:714-716 (Rybin): "countless innocent people were arrested" and "the
  enemies were entrenched inside every important position in the NKVD";
- F002:1390 (unattributed): "saboteurs ... were groundlessly putting on
  trial and sentencing a significant number of grassroots activists ... to
  stir up animosity among working people";
- M21 under H5 is "penetration" (the switch table), and M24's hook reads
  "a low precision is the 'penetrated NKVD' variant".

The sources give no number of penetrated officers and no rate of their
arrests; both are parameters with priors in the H5b scenario.

What the step does. On the first day a share ``nkvd_penetration_share`` of
the NKVD's state-security officers (elite-layer rows, full size at every
scale) is drawn, from this step's own stream (``provocation``), as
conspirators. Each day every one of them not yet arrested makes wrongful
arrests at a yearly rate ``provocateur_arrest_rate`` times the campaign
factor (M09; the sources give no time profile of their own, so they follow
the same campaigns as every arrest the NKVD makes on its own initiative):
the count per region is sampled first, then who, among the adults of the
officers' regions with the profile of ordinary work's arrests. Their cases
are of operation ``ordinary``: the model does not put them on the mass
operations' lists, where under a fixed target they would replace the
operations' own arrests rather than add to them. The provocateurs stop once
they are arrested (a released officer has left the NKVD): found by the hunt
for conspirators (at ``conspirator_detection_rate`` times the campaign
factor, each discovery a real threat as under M24), or arrested in the purge
of the NKVD after a change of chief (M21) or in the purge of the elite (M20).
How many arrests they made, and how many of the people they arrested really
acted, is counted in summary.json ``fifth_column.provocation``.

Not modelled: the protection of "their acolytes" (F002:689), that is a lower
hazard of discovery for conspirators in the regions the penetrated officers
serve; the choice of victims among loyal communists and activists
(F002:716, 1390), for want of a register of them in the mass population.

With ``nkvd_penetration_share`` at 0 (its default) or M24 off the step draws
nothing and does nothing, so H5 and every other scenario are unchanged.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.centre_reading import through_desk
from greatterror.model.engine import Engine
from greatterror.model.fifth_column import detect
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.vocabulary import Status


def draw_provocateurs(
    officers: NDArray[np.int64], share: float, rng: np.random.Generator
) -> NDArray[np.int64]:
    """A binomial number of the NKVD's ``officers`` (share ``share``), drawn without
    replacement; ascending."""
    n = int(rng.binomial(len(officers), min(max(share, 0.0), 1.0))) if len(officers) else 0
    return np.sort(officers[rng.choice(len(officers), size=n, replace=False)]).astype(np.int64)


def provoke(
    w: World, e: Engine, day: int, active: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Today's wrongful arrests by the provocateurs ``active`` (never yet arrested); returns who
    was arrested, and records them in ``truth.provoked``."""
    if len(active) == 0:
        return active
    reg = w.registers
    per_region = np.bincount(w.people["region"][active], minlength=len(reg.region_size))
    # officers are counted in persons; the people they arrest are sampled rows of weight w_mass
    lam = e.params["provocateur_arrest_rate"] / 365.0 * per_region * w.levers.campaign / e.w_mass
    counts = rng.poisson(lam)
    if not counts.any():
        return active[:0]
    arrested = e.arrest(day, reg.draw_ordinary(counts, w.people, rng), "ordinary")
    if len(arrested):
        w.truth.provoked.append(arrested)
        w.truth.provoked_w.append(float(e.weights(arrested).sum()))
    return arrested


class PenetratedNkvd(Component):
    """Step 13 (M24, variant H5b): conspirators among the NKVD's officers arrest people who
    did nothing, until they are found or purged themselves."""

    name = "penetrated_nkvd"
    mechanisms = ("M24",)
    params = (
        "conspirator_detection_rate",
        "nkvd_penetration_share",
        "provocateur_arrest_rate",
        "threat_per_conspiracy",
    )
    reads = ("people", "registers", "cases", "cadres", "campaign", "truth")
    writes = ("truth", "cases", "camps", "institutions")

    def step(self, w: World, e: Engine, day: int) -> None:
        share = e.params["nkvd_penetration_share"]
        if share <= 0.0 or not self.on(e, "M24"):
            return
        t, rng = w.truth, e.rng.provocation
        if day == 0:
            t.provocateurs = draw_provocateurs(w.cadres.officers, share, rng)
        if len(t.provocateurs) == 0:
            return
        # an officer once arrested has left the NKVD (model/purge_state.py, Cadres): released,
        # he no longer arrests anyone, though the hunt may find him again
        active = t.provocateurs[w.cases.status[t.provocateurs] == Status.FREE]
        provoke(w, e, day, active, rng)
        rate, read = e.params["conspirator_detection_rate"], through_desk(e)
        found = detect(w, e, day, t.provocateurs, rate, rng, read)
        if len(found):
            t.exposed.append(found)
