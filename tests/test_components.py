"""The components' declarations hold: parameters and switches read, state fields, order.

The declarations are what ``sim.loop``, ``greatterror mechanisms`` and
docs/ODD.md show; these tests keep them equal to what the code does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.components import (
    COMPONENTS,
    components_markdown,
    mechanism_table,
    mechanisms_markdown,
)
from greatterror.model.engine import ENGINE_PARAMS
from greatterror.model.loop import Component, UndeclaredMechanism
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.world import Levers, Signals, field_names
from greatterror.paths import scenarios_dir
from greatterror.population.build import build_population

ROOT = Path(__file__).resolve().parents[1]
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
SCALE, SEED = 0.0001, 5
#: H4 with denunciations at the top of its prior
DENOUNCING = {"denunciation_rate": 5e-3}


class _Tracking(dict):
    """A dict that records which keys are read, under the name of the running component."""

    def __init__(self, data: dict, log: defaultdict, current: list) -> None:
        super().__init__(data)
        self.log, self.current = log, current

    def __getitem__(self, key):
        self.log[self.current[0]].add(key)
        return super().__getitem__(key)


@pytest.fixture(scope="module")
def reads() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Parameters and switches each component read, over the shipped base scenarios, the
    two hypothesis scenarios that switch on the mechanisms the base ones leave off (H4: M02,
    M10, M11, M24, M25, M28; H6: M27, M29), H5b (M24's option), H1e (the leader's rule in its
    plan mode), H4 with the chiefs' level signal (mode 2), and the historical scenario with the fewest
    troika and album places, so that cases are still pending at the halt for its review
    (with the Order 00447 pipeline, none are at the shipped capacities at this scale)."""
    params: defaultdict[str, set[str]] = defaultdict(set)
    switches: defaultdict[str, set[str]] = defaultdict(set)
    current = [""]
    evidence = load_evidence()
    population = build_population(SCALE, SEED)
    names = [path.stem for path in sorted(scenarios_dir().glob("*.toml"))]
    runs: list[tuple[str, dict[str, float] | None]] = [(name, None) for name in names]
    runs += [("hypotheses/h4_weak_centre", None), ("hypotheses/h6_kirov_pretext", None)]
    runs += [("hypotheses/h5b_penetrated_nkvd", None)]  # the penetrated NKVD (M24's option)
    runs += [("hypotheses/h1e_intentional_rule", None)]  # the rule's plan mode (centre_plan)
    # the chiefs' level signal (regions_start_operation 2, H3's and H4's until branch hyp34):
    # at this scale the surge of denunciations (3, their files' value) starts no region
    runs += [("hypotheses/h4_weak_centre", {"regions_start_operation": 2.0})]
    # and a surge read from single cases, so that regions start and ask for more
    runs += [("hypotheses/h4_weak_centre", {"regional_surge_min_cases": 1.0, **DENOUNCING})]
    runs += [("historical", {"troika_capacity": 100.0, "album_capacity": 50.0})]
    # the show trials read ``military_collegium_death_share`` only at a trial on a charge
    # that did not carry the supreme measure (the Moscow centre, January 1935) once the
    # execution lists are in force: in the shipped scenarios only when an endogenous path
    # brings the lists that early, which depends on the draws (h5b's did until branch
    # army37 changed the population's); a historical run with the lists dated 1 January
    # 1935 makes the read certain
    runs += [("historical/lists_1935", None)]
    for name, pars in runs:
        scenario = load_scenario(name.split("/lists_")[0])
        if name.endswith("/lists_1935"):
            events = [
                ev.model_copy(update={"date": dt.date(1935, 1, 1)})
                if ev.action == "execution_lists"
                else ev
                for ev in scenario.events
            ]
            scenario = scenario.model_copy(update={"events": events})
        sim = Simulation(scenario, population, SEED, evidence, pars)
        engine = sim.engine
        engine.params = _Tracking(engine.params, params, current)
        switch = engine.switch

        def recorded(mechanism: str, switch=switch) -> bool:
            switches[current[0]].add(mechanism)
            return switch(mechanism)

        engine.switch = recorded  # type: ignore[method-assign]
        for day in range(sim.days):
            for component in sim.loop:
                current[0] = component.name
                component.step(sim.world, engine, day)
    return dict(params), dict(switches)


@pytest.mark.parametrize("cls", COMPONENTS, ids=lambda c: c.name)
def test_a_component_reads_the_parameters_it_declares(cls: type[Component], reads) -> None:
    params, _ = reads
    read = params.get(cls.name, set())
    assert read - set(ENGINE_PARAMS) <= set(cls.params), "reads undeclared parameters"
    assert set(cls.params) <= read, "declares parameters it never read in any scenario"
    assert len(set(cls.params)) == len(cls.params)


@pytest.mark.parametrize("cls", COMPONENTS, ids=lambda c: c.name)
def test_a_component_reads_the_switches_it_declares(cls: type[Component], reads) -> None:
    _, switches = reads
    assert switches.get(cls.name, set()) == set(cls.mechanisms)


def test_an_undeclared_switch_cannot_be_read() -> None:
    class Rogue(Component):
        name = "rogue"
        mechanisms = ("M12",)

    with pytest.raises(UndeclaredMechanism, match="M13, which it does not declare"):
        Rogue().on(object(), "M13")


def test_switches_are_read_only_through_components() -> None:
    """Only ``Component.on`` asks the engine for a switch (``Engine.switch`` looks it up)."""
    found = []
    for path in (ROOT / "src" / "greatterror").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\.switch\(", r"\.switches\[", r"\bon\[\"", r"\.on\[\""):
            found += [path.name for _ in re.finditer(pattern, text)]
    assert sorted(found) == ["engine.py", "loop.py"]


def test_declared_state_is_the_world() -> None:
    names = field_names()
    written = {f for c in COMPONENTS for f in c.writes}
    read = {f for c in COMPONENTS for f in c.reads}
    for c in COMPONENTS:
        assert set(c.reads) | set(c.writes) <= names, c.name
    # what steps set for each other: every lever and signal has a writer and a reader
    passed = set(Levers.__dataclass_fields__) | set(Signals.__dataclass_fields__)
    assert passed <= written
    assert passed <= read


def test_every_implemented_mechanism_is_declared_and_none_other() -> None:
    rows = {row.id: row for row in mechanism_table()}
    declared = {m for c in COMPONENTS for m in c.mechanisms}
    assert declared == {i for i, row in rows.items() if row.implemented}
    assert all(row.steps for row in rows.values() if row.implemented)


def _block(name: str) -> str:
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", ODD, re.S)
    assert match, f"docs/ODD.md has no {name} block"
    return match.group(1)


def test_odd_counts_and_names_the_random_streams() -> None:
    """ODD's "Stochasticity" gives the number of named streams model/streams.py lists, and
    ODD names each of them (review17 F9: it said 40 when there were 45)."""
    from greatterror.model.streams import STREAMS

    match = re.search(r"Every draw comes from one of (\d+) named random streams", ODD)
    assert match and int(match.group(1)) == len(STREAMS) == len(set(STREAMS))
    assert [s for s in STREAMS if f"`{s}`" not in ODD] == []


def test_odd_step_order_is_the_code_order() -> None:
    section = ODD[ODD.index("## 3. Process overview and scheduling") :]
    section = section[: section.index("<!-- components:begin -->")]
    listed = re.findall(r"^\| \d+ \| `([a-z_]+)` \|", section, re.M)
    assert listed == [c.name for c in COMPONENTS]


def test_odd_component_table_is_generated_from_the_code() -> None:
    assert _block("components") == components_markdown()


def test_odd_mechanism_table_is_generated_from_the_code() -> None:
    assert _block("mechanisms") == mechanisms_markdown()


def test_a_component_docstring_gives_its_place_in_the_loop() -> None:
    """A docstring that opens with "Step N" names the component's position in COMPONENTS
    (the order docs/ODD.md's overview gives); inserting a step must renumber them."""
    wrong = []
    for i, cls in enumerate(COMPONENTS, 1):
        m = re.match(r"Step (\w+)", (cls.__doc__ or "").strip())
        if m and m.group(1) != str(i):
            wrong.append((cls.name, m.group(1), i))
    assert not wrong, wrong
