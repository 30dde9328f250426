"""Step 5 (M22): the legal regime after the halt of the mass operations.

The resolution of the SNK and the Central Committee of 17 November 1938
(evidence G12-30) forbade mass arrests, abolished the troikas, sent the cases
to the courts and the Special Board and required for every arrest a
procurator's sanction or a court's decision; Beria's order of 26 November 1938
(G12-32) carried it out. From then on an arrest was a case-by-case decision
under procuratorial supervision, not the NKVD's answer to a perceived threat:
the feedback from perceived threat to the NKVD's arrest rate (M03) no longer
reaches the arrests. The rate of ordinary work is the pre-terror base rate
(threat zero) times ``post_halt_restraint``, the effect of the sanction
requirement, for which the evidence base holds no figure.

The same resolution and Beria's order required investigations by the Code of Criminal
Procedure under the procurator's supervision: from the halt this component marks the
procedure (``Institutions.post_halt_procedure``), and the elite operation's cases opened from
then on are investigated for ``post_halt_investigation_days`` on average
(``engine.investigation_mean``; docs/ODD.md, section 7.2b).

Without this component (M22 off, or before the halt) the arrest rate follows
perceived threat as before: perceived threat decays only slowly after the
halt (``threat_half_life``), so ordinary arrests would stay near their 1938
level in 1939-40.
"""

from __future__ import annotations

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World


class PostHaltRegime(Component):
    """Step 5 (M22): after the halt, arrests need a procurator's sanction; the NKVD's
    arrest rate is the pre-terror base rate times ``post_halt_restraint``, whatever the
    perceived threat."""

    name = "post_halt_regime"
    mechanisms = ("M22",)
    gate = ("M22",)
    params = ("post_halt_restraint",)
    reads = ("policy", "institutions", "intensity", "campaign")
    writes = ("institutions", "intensity", "campaign")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not (w.policy.halted and self.on(e, "M22")):
            return
        # investigations by the Code of Criminal Procedure: the elite operation's cases opened
        # from now on take ``post_halt_investigation_days`` (engine.investigation_mean)
        w.institutions.post_halt_procedure = True
        levers = w.levers
        restraint = e.params["post_halt_restraint"]
        # campaigns of vigilance still act on society's denunciations (Perception);
        # perceived threat no longer sets the NKVD's own rate
        levers.campaign = levers.campaign / max(levers.intensity, 1e-12) * restraint
        levers.intensity = restraint
