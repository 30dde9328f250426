"""Scenario files: mechanisms, parameters and the dated policy timeline.

A scenario is a TOML file. Its timeline events cite the evidence base, and
an event's date must agree with the evidence it cites, so the historical
scenario is scripted from the archival record rather than typed in twice.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from greatterror.model.counterfactual import Counterfactual, DropEvent, drop_inherited
from greatterror.model.hypothesis import (
    Hypothesis,
    ScenarioPrior,
    check_priors,
    declared_priors,
)
from greatterror.model.mechanisms import BY_SWITCH
from greatterror.model.params import ParameterError, coerce, resolve
from greatterror.model.scenario_files import (
    ScenarioError,
    read_toml,
    resolve_path,
    shipped_names,
    shipped_path,
)
from greatterror.paths import scenarios_dir
from greatterror.vocabulary import ELITE_GROUPS, OPERATIONS

#: Events that come from outside the centre's decisions, in either policy mode.
EXOGENOUS_ACTIONS = (
    "kirov_murder",
    "plenum",
    "show_trial",
    "foreign_crisis",
    "expulsions_review",
    "army_review_commission",
)
#: Decisions of the centre. In a scripted scenario they are dated events; in an
#: endogenous one the leader's decision rule (``model/leader.py``) takes them.
POLICY_ACTIONS = (
    "chief_change",
    "physical_methods",
    "set_limits",
    "launch_operation",
    "extend_operation",
    "end_operation",
    "limit_increase",
    "album_procedure",
    "special_troikas",
    "families_order",
    "families_order_narrowed",
    "execution_lists",
    "closed_letter",
    "open_purge",
    "halt",
    "releases",
)
Action = Literal[EXOGENOUS_ACTIONS + POLICY_ACTIONS]  # type: ignore[valid-type]


#: the most events a scenario may hold; the shipped historical scenario has about 60 events,
#: and a scenario far beyond this limit is a mistake (a duplicated block), not a wider
#: timeline (the file's own limit: scenario_files.py, ``MAX_SCENARIO_BYTES``)
MAX_EVENTS = 2_000


#: strict: TOML has real booleans, numbers and dates, so a string in their place
#: ("yes", "1937-07-30" in quotes) is a mistake to report, not a value to convert
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)
_MAX_TEXT = 2_000


class Event(BaseModel):
    model_config = _STRICT
    date: dt.date
    action: Action  # type: ignore[valid-type]
    evidence: str = Field(min_length=1, max_length=100)
    operation: Literal[OPERATIONS] | None = None  # type: ignore[valid-type]
    chief: Literal["yagoda", "yezhov", "beria"] | None = None
    trial: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    cat1: int | None = Field(default=None, ge=0)
    cat2: int | None = Field(default=None, ge=0)
    total: int | None = Field(default=None, ge=0)
    vigilance: float = Field(default=0.0, ge=0, le=10)
    tension: float = Field(default=0.0, ge=0, le=10)
    #: end_operation only: the operation goes on in the regions whose limit the centre
    #: raised by a dated decision after this day (model/steps_policy.py)
    except_later_increases: bool = False
    #: limit_increase only: the record dates this decision after the end of the operation
    #: in its region, so it answers none of the requests made while the operation went on
    #: (model/dated_answers.py, ``within_operation``)
    after_region_end: bool = False
    opens: list[Literal[tuple(ELITE_GROUPS)]] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=4
    )
    note: str | None = Field(default=None, max_length=_MAX_TEXT)

    @model_validator(mode="after")
    def _open_purge_names_its_groups(self) -> Event:
        # an opening that opens nothing is a mistake to report, not a no-op
        if self.action == "open_purge" and not self.opens:
            raise ValueError(
                f"opens: open_purge needs the elite groups it opens; allowed: "
                f"{', '.join(ELITE_GROUPS)}"
            )
        if self.after_region_end and self.action != "limit_increase":
            raise ValueError("after_region_end: only a limit_increase may carry it")
        return self


class Scenario(BaseModel):
    model_config = _STRICT
    name: str = Field(pattern=r"^[a-z0-9_\-]+$", max_length=100)
    description: str = Field(max_length=_MAX_TEXT)
    start: dt.date = dt.date(1934, 12, 1)
    end: dt.date = dt.date(1940, 12, 31)
    policy: Literal["scripted", "endogenous"] = "scripted"
    #: how the centre turns reports of uncovered enemies (M01's namings acted on, M02's false
    #: positives, M24's and M25's discoveries) into perceived threat: through a desk of finite
    #: size ("desk") or each report by ``threat_per_conspiracy`` ("linear");
    #: model/centre_reading.py. Structure, not a parameter: a scenario chooses it, nothing fits it
    centre_reading: Literal["desk", "linear"] = "linear"
    extends: str | None = Field(default=None, max_length=1_000)
    mechanisms: dict[str, bool] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list, max_length=MAX_EVENTS)
    #: priors of the parameters this scenario constrains (model/hypothesis.py)
    priors: dict[str, ScenarioPrior] = Field(default_factory=dict)
    #: present in the hypothesis scenarios (scenarios/hypotheses/)
    hypothesis: Hypothesis | None = None
    #: events of the extended scenario left out (model/counterfactual.py)
    drop_events: list[DropEvent] = Field(default_factory=list)
    #: present in the counterfactual scenarios (scenarios/counterfactuals/)
    counterfactual: Counterfactual | None = None
    _origin: str = PrivateAttr(default="")
    _path: str | None = PrivateAttr(default=None)
    _record: tuple[Event, ...] | None = PrivateAttr(default=None)

    @property
    def origin(self) -> str:
        """The file the scenario was read from, for error messages."""
        return self._origin or f"{self.name}.toml"

    @property
    def path(self) -> str | None:
        """Where the scenario was read from, recorded with a run: a shipped scenario as
        ``greatterror/scenarios/...`` (the same in every checkout), another file by its
        absolute path; None for a scenario made in Python."""
        return self._path

    @property
    def record_events(self) -> tuple[Event, ...]:
        """The timeline of the scenario at the root of the ``extends`` chain (the record, for
        a variant of the historical scenario), as this scenario's policy mode keeps it.

        A rule that must know a decision still to come (model/steps_quota.py: whether a
        region's requests are answered by a dated increase of its limits) reads it here, not
        in ``events``: a counterfactual that drops or adds a decision changes what a run
        meets on the decision's day, not what the run knew before it. Its own events for a
        scenario that extends none, or one made in Python."""
        return self._record if self._record is not None else tuple(self.events)

    @field_validator("priors", mode="before")
    @classmethod
    def _declared_priors(cls, value: Any) -> Any:
        # kind = "declared": the data file's prior, resolved here (model/hypothesis.py)
        return declared_priors(value)

    @field_validator("mechanisms")
    @classmethod
    def _known_switches(cls, value: dict[str, bool]) -> dict[str, bool]:
        for name in value:
            if name not in BY_SWITCH:
                raise ValueError(
                    f"unknown mechanism {name!r}; allowed: {', '.join(sorted(BY_SWITCH))}"
                )
        return value

    @model_validator(mode="after")
    def _drops_need_a_base(self) -> Scenario:
        if self.drop_events and not self.extends:
            raise ValueError("drop_events: only a scenario that extends another can drop events")
        return self

    @model_validator(mode="after")
    def _no_repeated_events(self) -> Scenario:
        first: dict[str, int] = {}
        for i, event in enumerate(self.events):
            j = first.setdefault(event.model_dump_json(), i)
            if j != i:
                raise ValueError(f"events[{i}]: repeats events[{j}]; give each event once")
        return self

    @model_validator(mode="after")
    def _policy_events_match_mode(self) -> Scenario:
        if self.policy == "endogenous":
            exogenous = sorted(EXOGENOUS_ACTIONS)
            for i, event in enumerate(self.events):
                if event.action in POLICY_ACTIONS:
                    raise ValueError(
                        f"events[{i}].action: {event.action!r} is a policy decision, which the "
                        f"leader's rule takes when policy = 'endogenous'; allowed actions: "
                        f"{', '.join(exogenous)}"
                    )
        return self

    def parameter_values(self, overrides: dict[str, Any] | None = None) -> dict[str, float]:
        return resolve({**self.parameters, **(overrides or {})})

    def check_priors(self) -> None:
        """Each prior is proper, inside its parameter's range, and holds the value runs start from.

        Raises ``ValueError`` naming the field. Called by ``load_scenario``
        once a file has been laid over the scenario it extends.
        """
        check_priors(self.priors, self.parameter_values())


_NESTED_FIELD = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+)*: ")


#: a file's problems listed at most; the rest are counted
MAX_LISTED = 10


def _validated(raw: dict[str, Any]) -> tuple[Scenario | None, list[str]]:
    """The scenario, and every problem of its table at once (its schema's, then each
    parameter's), so that a user fixes them in one pass rather than meeting them one run at a
    time; the scenario is None where the schema failed."""
    scenario = None
    try:
        scenario = Scenario.model_validate(raw)
        problems = []
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
    parameters = raw.get("parameters")
    for name, value in parameters.items() if isinstance(parameters, dict) else ():
        try:
            coerce(name, value)
        except ParameterError as exc:
            problems.append(f"parameters.{exc}")
    return scenario, problems


def _problems_error(path: Path, problems: list[str]) -> ScenarioError:
    """One problem on the file's line, as before; several as an indented list."""
    if len(problems) == 1:
        return ScenarioError(f"{path.name}: {problems[0]}")
    listed = "".join(f"\n  {p}" for p in problems[:MAX_LISTED])
    more = len(problems) - MAX_LISTED
    return ScenarioError(
        f"{path.name}: {len(problems)} problems:{listed}"
        + (f"\n  and {more} more" if more > 0 else "")
    )


def _describe(err: Any) -> str:
    """One problem, as "where: what is wrong; what is allowed"."""
    loc = ".".join(str(p) for p in err.get("loc", ()))
    kind = str(err.get("type", ""))
    got = err.get("input")
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        msg = f"{got!r} is not allowed; allowed values: {str(ctx['expected']).replace(chr(39), '')}"
    elif kind == "extra_forbidden":
        model = Event if len(err.get("loc", ())) == 3 and loc.startswith("events.") else Scenario
        msg = f"unknown key; allowed keys: {', '.join(model.model_fields)}"
    elif kind.startswith("date"):
        msg = f"expected a TOML date such as 1937-07-30 (written without quotes), got {got!r}"
    elif kind == "bool_type":
        msg = f"expected true or false (written without quotes), got {got!r}"
    elif kind in ("float_type", "int_type", "int_from_float"):
        msg = f"expected a number (written without quotes), got {got!r}"
    elif kind in ("list_type", "tuple_type"):
        # a list written as a bare value (opens = "party", args = 0.5) is the likely slip
        allowed = f"; allowed: {', '.join(ELITE_GROUPS)}" if loc.endswith(".opens") else ""
        example = f'["{got}"]' if isinstance(got, str) else f"[{got!r}]"
        msg = f"expected a list such as {example} (in square brackets), got {got!r}{allowed}"
    elif kind == "too_long":
        msg = f"too long: at most {ctx.get('max_length')} allowed"
    if loc and _NESTED_FIELD.match(msg):
        # a table's own check names a field inside it: hypothesis + "gaps: ..." -> hypothesis.gaps
        return f"{loc}.{msg}"
    return f"{loc}: {msg}" if loc else msg


def _merge_with_base(
    raw: dict[str, Any], path: Path, seen: tuple[str, ...]
) -> tuple[dict[str, Any], tuple[Event, ...]]:
    """Lay a scenario over the one it extends, so that variants are configuration only;
    with it, the record's timeline (``Scenario.record_events``).

    Mechanisms and parameters of the file override the base's. Events are
    the base's followed by the file's own; an endogenous scenario keeps only
    the base's exogenous events (the Kirov murder, plenums, trials, foreign
    crises) and leaves the policy decisions to the leader's rule, and the same
    of the record.
    """
    # the file on its own first, so that its errors point at its own fields and events
    _, problems = _validated(raw)
    if problems:
        raise _problems_error(path, problems)
    name = str(raw["extends"])
    # a shipped scenario by name, or a file beside this one
    local = name.endswith(".toml")
    target = path.parent / name if local else shipped_path(name)
    chain = (*seen, str(path.resolve()))
    if str(target.resolve()) in chain:
        steps = " -> ".join(Path(c).name for c in chain) + f" -> {target.name}"
        shipped = ", ".join(shipped_names())
        raise ScenarioError(
            f"{path.name}: extends: {name!r} makes a cycle ({steps}); allowed: a shipped "
            f"scenario ({shipped}) or a .toml file beside this one"
        )
    try:
        base = load_scenario(target if local else name, seen=chain)
    except ScenarioError as exc:
        raise ScenarioError(f"{path.name}: extends: {exc}") from None
    # a variant of a hypothesis or a counterfactual is a new scenario: it keeps the priors
    # and the timeline, not the claim
    merged = base.model_dump(exclude={"extends", "hypothesis", "drop_events", "counterfactual"})
    policy = raw.get("policy", base.policy)
    try:
        drops = [DropEvent.model_validate(d) for d in raw.get("drop_events", [])]
        inherited = drop_inherited(merged["events"], drops)
    except ValueError as exc:
        raise ScenarioError(f"{path.name}: {exc}") from None
    merged["events"] = [
        e for e in inherited if policy == "scripted" or e["action"] not in POLICY_ACTIONS
    ] + list(raw.get("events", []))
    record = tuple(
        e for e in base.record_events if policy == "scripted" or e.action not in POLICY_ACTIONS
    )
    merged["events"].sort(key=lambda e: str(e.get("date", "")))
    tables = ("mechanisms", "parameters", "priors")
    for table in tables:
        merged[table] = {**merged[table], **raw.get(table, {})}
    for key, value in raw.items():
        if key != "events" and key not in tables:
            merged[key] = value
    return merged, record


def load_scenario(name_or_path: str | Path, seen: tuple[str, ...] | None = None) -> Scenario:
    """A scenario by shipped name (``historical``, ``counterfactuals/no_kirov`` or
    ``no_kirov``) or by file path."""
    path = resolve_path(name_or_path)
    raw = read_toml(path)
    record = None
    if "extends" in raw:
        raw, record = _merge_with_base(raw, path, seen or ())
    scenario, problems = _validated(raw)
    if problems or scenario is None:
        raise _problems_error(path, problems)
    if scenario.end <= scenario.start:
        raise ScenarioError(f"{path.name}: end: must be after start ({scenario.start})")
    try:
        scenario.check_priors()
    except ValueError as exc:
        raise ScenarioError(f"{path.name}: {exc}") from None
    scenario._origin = path.name
    scenario._record = record
    resolved = path.resolve()
    shipped = scenarios_dir().resolve()
    scenario._path = (
        f"greatterror/scenarios/{resolved.relative_to(shipped).as_posix()}"
        if resolved.is_relative_to(shipped)
        else str(resolved)
    )
    return scenario


def check_against_evidence(scenario: Scenario, evidence: Any) -> None:
    """Every event cites an existing fact or timeline entry and agrees with its date;
    a counterfactual's sources are in the bibliography."""
    if scenario.counterfactual is not None:
        for i, key in enumerate(scenario.counterfactual.sources):
            if key not in evidence.sources:
                raise ScenarioError(
                    f"{scenario.origin}: counterfactual.sources[{i}]: unknown source key "
                    f"{key!r}; allowed: the keys of the evidence base's sources*.csv"
                )
    events_by_id = {e.id: e for e in evidence.timeline}
    for i, event in enumerate(scenario.events):
        where = f"{scenario.origin}: events[{i}]"
        if event.evidence in events_by_id:
            ref = events_by_id[event.evidence]
            last = ref.end_date or ref.date
            if not (ref.date <= event.date <= last + dt.timedelta(days=2)):
                raise ScenarioError(
                    f"{where}.date: {event.date} disagrees with evidence {event.evidence} dated {ref.date}"
                )
        elif event.evidence in evidence.facts:
            fact = evidence.facts[event.evidence]
            if not (fact.period_start <= event.date <= fact.period_end + dt.timedelta(days=2)):
                raise ScenarioError(
                    f"{where}.date: {event.date} lies outside evidence {event.evidence} ({fact.period_start} to {fact.period_end})"
                )
        else:
            raise ScenarioError(f"{where}.evidence: unknown fact or timeline id {event.evidence!r}")
        if event.action == "show_trial" and event.trial not in evidence.trials:
            raise ScenarioError(
                f"{where}.trial: unknown trial {event.trial!r}; allowed: {', '.join(evidence.trials)}"
            )
