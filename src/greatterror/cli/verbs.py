"""Commands with verbs (`calibrate`, `hypotheses compare`): an option typed for another verb
is refused, naming the option and the verb it belongs to.

`calibrate show fit.db --db other.db` used to read fit.db without a word, and
`hypotheses compare show cmp.db --particles 5` printed the stored comparison
as if the option had been taken (review8 F5). One table per command says
which verbs use each option; click's parameter source tells an option typed
on the command line (refused when its verb does not use it, even at its
default value) from one left at its default (always allowed).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from greatterror.cli.output import fail

#: the verb that starts the work (a fit, a comparison): the command given a scenario or
#: hypotheses rather than 'show', 'check' or 'apply'
RUN = "run"
#: parameter sources that mean "not typed": the option's default (click's ParameterSource)
_NOT_TYPED = frozenset({"DEFAULT", "DEFAULT_MAP"})


def where(verbs: Collection[str], running: str) -> str:
    """'when fitting or with 'show' or 'apply'': the verbs in words, the running one first."""
    named = [f"'{v}'" for v in verbs if v != RUN]
    parts = [running] if RUN in verbs else []
    if named:
        parts.append("with " + " or ".join(named))
    return " or ".join(parts)


def refuse_other_verbs_options(
    ctx: Any,
    verb: str,
    uses: Mapping[str, Collection[str]],
    running: str,
    hints: Mapping[str, str] | None = None,
) -> None:
    """Exit 2 at the first option typed on the command line that ``verb`` does not use.

    ``uses`` maps each option's parameter name to the verbs that use it (an
    option missing from it is allowed everywhere; the tests check that every
    option of the command is in its table); ``running`` says the RUN verb in
    words, e.g. "when fitting"; ``hints`` adds a word to an option's refusal (for an
    option easily taken for another). Nothing has been read or written yet.
    """
    for param in ctx.command.params:
        if getattr(param, "param_type_name", "") != "option" or param.name not in uses:
            continue
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name in _NOT_TYPED:
            continue
        verbs = uses[param.name]
        if verb not in verbs:
            flag = max(param.opts, key=len)
            hint = (hints or {}).get(param.name)
            fail(
                f"{flag}: only {where(verbs, running)}, not {where((verb,), running)}"
                + (f" ({hint})" if hint else "")
            )
