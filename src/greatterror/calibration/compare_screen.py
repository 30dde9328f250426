"""Read a screen file for `greatterror hypotheses compare --screen FILE`.

A comparison with fewer particles than free parameters per hypothesis is biased
by the proposal's estimate alone (docs/hypotheses.md, "The next comparison"), so
a Morris screen per hypothesis fixes the parameters whose effect on the distance
it could not tell from the seed's at one seed (in the screens of 6 December the
noise reference decided every fix, the 10% test none: such a parameter is not
shown to be inert; docs/sensitivity.md, "Screening the hypotheses' free
parameters" and "What the screens show"; written by scripts/screen_hypotheses.py). The file's ``hypotheses.<id>.fixed``
maps each parameter to fix to its value (its prior's median there). Here the
file is checked against the hypotheses of the comparison before any simulation:
every label in it must be a hypothesis id (a typo would otherwise pass
unnoticed), every hypothesis compared must be in it, under its own scenario,
and every fixed parameter must be one of that hypothesis's free parameters,
with its prior's median as value (``screen_rule.prior_medians``, to a relative
1e-9): the rule fixes at the median, and the prior-sensitivity runs and the
docs read a fixed value as that median; at least one parameter must stay free.
The values and the file's SHA-256 become part of the comparison's settings
(``CompareSettings.fixed`` and ``screen``), so a resume with other values or
another file is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

Fixed = tuple[tuple[str, tuple[tuple[str, float], ...]], ...]


class ScreenFileError(ValueError):
    """The screen file cannot be used; the message names the file and the field."""


def load_screen(
    path: Path, scenarios: tuple[str, ...], labels: tuple[str, ...]
) -> tuple[Fixed, dict[str, str]]:
    """The parameters the screen in ``path`` fixes per hypothesis of the comparison, and the
    file's provenance (path and SHA-256)."""
    from greatterror.calibration.compare import hypothesis_priors
    from greatterror.calibration.screen_rule import prior_medians
    from greatterror.model.hypothesis_catalog import hypothesis_scenarios

    where = f"--screen: {path}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScreenFileError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    try:
        screen = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScreenFileError(
            f"{where}: not JSON ({exc}); expected the screen.json of scripts/screen_hypotheses.py"
        ) from None
    hypotheses = screen.get("hypotheses") if isinstance(screen, dict) else None
    if not isinstance(hypotheses, dict):
        raise ScreenFileError(f"{where}: hypotheses: missing or not an object of hypothesis ids")
    known = {s.hypothesis.id for s in hypothesis_scenarios() if s.hypothesis is not None}
    unknown = sorted(str(k) for k in hypotheses if k not in known)
    if unknown:
        raise ScreenFileError(
            f"{where}: hypotheses.{unknown[0]}: not a hypothesis id; allowed: "
            + ", ".join(sorted(known))
        )
    fixed: list[tuple[str, tuple[tuple[str, float], ...]]] = []
    for scenario, label in zip(scenarios, labels, strict=True):
        field = f"hypotheses.{label}"
        entry = hypotheses.get(label)
        if not isinstance(entry, dict):
            screened = ", ".join(sorted(hypotheses)) or "none"
            raise ScreenFileError(
                f"{where}: {field}: missing; the file screens {screened}; allowed: a screen of "
                "every hypothesis compared"
            )
        if entry.get("scenario") != scenario:
            raise ScreenFileError(
                f"{where}: {field}.scenario: {entry.get('scenario')!r} is not {label}'s "
                f"scenario {scenario!r}"
            )
        values = entry.get("fixed")
        if not isinstance(values, dict):
            raise ScreenFileError(
                f"{where}: {field}.fixed: missing or not an object of parameter names to values"
            )
        names, priors = hypothesis_priors(scenario)
        prior = dict(zip(names, priors, strict=True))
        medians = prior_medians(scenario, [n for n in values if n in prior])
        pairs = []
        for name, value in values.items():
            here = f"{where}: {field}.fixed.{name}"
            if name not in prior:
                raise ScreenFileError(f"{here}: not one of {label}'s free parameters")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScreenFileError(f"{here}: {value!r} is not a number")
            low, high = prior[name].support
            if not (math.isfinite(value) and low <= value <= high):
                raise ScreenFileError(
                    f"{here}: {value!r} is outside its prior's support [{low:g}, {high:g}]"
                )
            if not math.isclose(value, medians[name], rel_tol=1e-9, abs_tol=0.0):
                raise ScreenFileError(
                    f"{here}: {value!r} is not its prior's median {medians[name]!r}; allowed: "
                    "the median (a screen fixes a parameter there)"
                )
            pairs.append((str(name), float(value)))
        if len(pairs) == len(names):
            raise ScreenFileError(
                f"{where}: {field}.fixed: fixes every free parameter of {label}; at least one "
                "must stay free"
            )
        order = {n: i for i, n in enumerate(names)}
        fixed.append((label, tuple(sorted(pairs, key=lambda p: order[p[0]]))))
    provenance = {"file": str(path), "sha256": hashlib.sha256(data).hexdigest()}
    return tuple(fixed), provenance
