"""The ``[counterfactual]`` table and the ``drop_events`` list of a scenario file.

A counterfactual (``scenarios/counterfactuals/``) extends the historical
scenario and changes one decision of the record. Most such changes remove an
event the base scenario holds, so a scenario may list events of its base to
leave out (``drop_events``); an entry that matches none of the inherited
events is an error that names those it could match, so a misspelt evidence
id cannot silently leave the timeline unchanged.

The ``[counterfactual]`` table states the assumptions in words a reader can
check: what the scenario changes, what it holds fixed (and which of the
events that followed from the change it keeps, and why), and what the model
cannot represent about the change. Its keys are fixed, so a misspelt key is
an error naming the allowed ones rather than a silently ignored line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ConfigDict, Field

from greatterror.model.hypothesis import StrictTable


class _Strict(StrictTable):
    """A strictly typed table (no string-to-bool or string-to-date coercion), whose unknown
    keys are refused with the allowed ones, as in the hypothesis tables."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DropEvent(_Strict):
    """An event of the base scenario to leave out: every inherited event with this action
    and evidence id (and operation, when given)."""

    action: str = Field(min_length=1, max_length=100)
    evidence: str = Field(min_length=1, max_length=100)
    operation: str | None = Field(default=None, max_length=100)

    def matches(self, event: Mapping[str, Any]) -> bool:
        return (
            event.get("action") == self.action
            and event.get("evidence") == self.evidence
            and (self.operation is None or event.get("operation") == self.operation)
        )

    def label(self) -> str:
        op = f" ({self.operation})" if self.operation else ""
        return f"{self.action} {self.evidence}{op}"


def _label(event: Mapping[str, Any]) -> str:
    op = event.get("operation")
    return f"{event.get('action')} {event.get('evidence')}" + (f" ({op})" if op else "")


def drop_inherited(
    events: Sequence[Mapping[str, Any]], drops: Sequence[DropEvent]
) -> list[Mapping[str, Any]]:
    """The base's events without those ``drops`` name.

    Raises ``ValueError`` (``drop_events[i]: ...``) for an entry that matches
    no inherited event, naming the inherited events of the same action, or
    every inherited action when none has it.
    """
    for i, drop in enumerate(drops):
        if not any(drop.matches(e) for e in events):
            same = sorted({_label(e) for e in events if e.get("action") == drop.action})
            allowed = same or sorted({str(e.get("action")) for e in events})
            what = "inherited events of this action" if same else "inherited actions"
            raise ValueError(
                f"drop_events[{i}]: {drop.label()!r} matches no event of the scenario it "
                f"extends; {what}: {', '.join(allowed)}"
            )
    return [e for e in events if not any(d.matches(e) for d in drops)]


class Counterfactual(_Strict):
    """What a counterfactual scenario assumes, in words (docs/counterfactuals.md)."""

    question: str = Field(min_length=1, max_length=500)
    changed: list[str] = Field(min_length=1, description="what the scenario changes")
    held_fixed: list[str] = Field(
        min_length=1,
        description="what is kept as in the record, including consequences kept and why",
    )
    not_represented: list[str] = Field(
        min_length=1, description="what the model cannot represent about the change"
    )
    sources: list[str] = Field(
        min_length=1, description="the scholarly works the historical statements rest on"
    )
