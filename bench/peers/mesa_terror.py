"""The reduced rules of greatterror written as a Mesa 3 model, for the peer benchmark.

Three kinds of agent, as a Mesa user would write them:

- ``Person``: a member of the (sampled) population, with a region, a
  workplace and perhaps a register mark; arrested, interrogated and judged.
- ``Directorate``: a regional NKVD directorate that carries out Order 00447
  within its region's limits and its officers' daily capacity.
- ``Troika``: the troika channel, which decides its backlog in order, within
  its daily throughput and each region's limits per category.

The rules are those of greatterror's steps (model/steps_arrests.py
``register_selection``, model/steps_justice.py ``investigation`` and
``sentencing``, model/troika.py and model/kernels.py ``troika_verdicts``) with every other
mechanism switched off (bench/peers/reduced.toml); docs/ODD.md describes
them. Each day runs in greatterror's order: the scenario's limit decisions,
the operation's arrests, the interrogations that end today (confessing
prisoners name colleagues, who are arrested at once), then the troika.

Counts are in full-population people: a sampled person stands for
``1 / scale`` people, as in greatterror. Random numbers come from the
model's seeded generators (``model.rng``, ``model.random``); they are not
greatterror's streams, so the two engines agree in distribution, not draw
by draw.
"""

from __future__ import annotations

from collections import deque

import mesa
from mesa.agent import AgentSet
from peer_inputs import PeerInputs

FREE, INVESTIGATION, AWAITING_SENTENCE, SENTENCED_DEATH, CAMP = range(5)
AT_LIBERTY = {FREE}  # nobody is released under the reduced rules


class Person(mesa.Agent):
    """A sampled person; ``weight`` full-population people."""

    def __init__(self, model: TerrorModel, region: int, workplace: int, on_register: bool):
        super().__init__(model)
        self.region = region
        self.workplace = workplace
        self.on_register = on_register
        # the camps' own region starts with its prisoners in the camps
        self.status = CAMP if region == model.camps_region else FREE
        self.investigation_ends = -1
        self.confessed = False

    def can_be_arrested(self, allow_in_camp: bool) -> bool:
        if self.status in AT_LIBERTY:
            return True
        return allow_in_camp and self.status == CAMP and self.region == self.model.camps_region

    def open_case(self, day: int) -> None:
        """Arrested under Order 00447: in investigation for an Erlang-3 number of days (three
        geometric stages), as greatterror's engine draws it."""
        model = self.model
        self.status = INVESTIGATION
        stage = max(model.p["kulak_investigation_days"] / 3.0, 1.0)
        self.investigation_ends = day + int(model.rng.negative_binomial(3, 1.0 / stage)) + 3
        model.under_investigation.add(self)
        model.directorates[self.region].arrested += model.weight
        model.today["arrested"] += model.weight

    def interrogate(self) -> list[Person]:
        """Confess or not; a confession names colleagues from one's own workplace.

        Returns the colleagues named and acted on (they may name themselves
        by chance: such a name is dropped).
        """
        model = self.model
        self.model.under_investigation.discard(self)
        self.status = AWAITING_SENTENCE
        if model.random.random() >= model.p["confession_probability"]:
            self.confessed = False
            return []
        self.confessed = True
        if self.workplace < 0 or model.p["names_per_confession"] <= 0:
            return []
        colleagues = model.workplaces[self.workplace]
        named = []
        for _ in range(int(model.rng.poisson(model.p["names_per_confession"]))):
            colleague = colleagues[int(model.random.random() * len(colleagues))]
            if colleague is not self and model.random.random() < model.p["names_acted_on"]:
                named.append(colleague)
        return named

    def step(self) -> None:
        """The textbook activation (``agent_steps=True``): each person checks, every day,
        whether his own interrogation is due."""
        model = self.model
        if self.status == INVESTIGATION and self.investigation_ends == model.day:
            model.arrest(self.interrogate())
            model.troika.backlog.append(self)

    def sentence(self, category: int) -> None:
        model = self.model
        if category == 1:
            self.status = SENTENCED_DEATH
            model.today["convicted_cat1"] += model.weight
        else:
            self.status = CAMP
            model.today["convicted_camp"] += model.weight


class Directorate(mesa.Agent):
    """A regional NKVD directorate: Order 00447 arrests towards the region's limits."""

    def __init__(self, model: TerrorModel, region: int, officers: float):
        super().__init__(model)
        self.region = region
        self.officers = officers
        self.residents: list[Person] = []
        self.register: list[Person] = []  # people with a mark of the order's categories
        self.limit = [0.0, 0.0]  # category 1, category 2 (full-population people)
        self.used = [0.0, 0.0]
        self.asked: float | None = None  # category-1 share of the last increase granted
        self.arrested = 0.0  # under the order, full-population people

    def wished_share(self, constant: float) -> float:
        """The troika's chance of wishing category 1 for a case of this region: the first
        category first (1 while its limit lasts, then 0 while category 2 lasts); once both
        are used up, the share of category 1 in the last increase granted, or else in the
        limits; ``constant`` for a region without limits."""
        if self.limit[0] - self.used[0] > 0:
            return 1.0
        if self.limit[1] - self.used[1] > 0:
            return 0.0
        if self.asked is not None:
            return self.asked
        total = self.limit[0] + self.limit[1]
        return self.limit[0] / total if total > 0 else constant

    def run_operation(self) -> None:
        """Arrest a share of what is left to the goal (limits times the overfill), within
        the officers' capacity; most from the register, some of anyone in the region."""
        model, p = self.model, self.model.p
        goal = (self.limit[0] + self.limit[1]) * p["overfill_target"]
        wanted = min(
            p["operation_pace"] * max(goal - self.arrested, 0.0),
            p["nkvd_capacity"] * self.officers,
        )
        n = int(model.rng.poisson(wanted * model.scale))
        if n == 0:
            return
        unmarked = int(model.rng.binomial(n, p["unmarked_share_00447"]))
        chosen = []
        for pool, k in ((self.register, n - unmarked), (self.residents, unmarked)):
            if pool:  # an empty register has no one to draw
                chosen += [pool[int(model.random.random() * len(pool))] for _ in range(k)]
        model.arrest(chosen, allow_in_camp=True)


class Troika(mesa.Agent):
    """The troika channel: a backlog decided in order, within throughput; within each region's
    limits where they allow, beyond them where not."""

    def __init__(self, model: TerrorModel, capacity: float):
        super().__init__(model)
        self.capacity = capacity  # full-population cases a day
        self.backlog: deque[Person] = deque()
        self.carry = 0.0  # capacity a day could not use (less than one sampled case)

    def step(self) -> None:
        model, p = self.model, self.model.p
        if not self.backlog:
            self.carry = 0.0
            return
        budget = self.capacity + self.carry
        spent = 0.0
        waiting, self.backlog = self.backlog, deque()
        w = model.weight
        for person in waiting:
            # drawn for every waiting case, as greatterror draws them
            u_wish = model.random.random()
            u = model.random.random()
            if spent >= budget:
                self.backlog.append(person)  # not reached today
                continue
            directorate = model.directorates[person.region]
            first = 1 if u_wish < directorate.wished_share(p["cat1_share_troika"]) else 2
            for category in (first, 3 - first):
                left = directorate.limit[category - 1] - directorate.used[category - 1]
                if left >= w or (left > 0 and u < left / w):
                    directorate.used[category - 1] += w
                    person.sentence(category)
                    spent += w
                    break
            else:
                # no limit left: sentenced in the wished category beyond it (no case waits)
                directorate.used[first - 1] += w
                person.sentence(first)
                spent += w
        self.carry = budget - spent


class TerrorModel(mesa.Model):
    """Order 00447 with limits, troika throughput and interrogations that name colleagues."""

    def __init__(self, inputs: PeerInputs, seed: int | None = None, agent_steps: bool = False):
        super().__init__(rng=inputs.seed if seed is None else seed)
        self.agent_steps = agent_steps
        self.p = inputs.params
        self.scale = inputs.scale
        self.weight = 1.0 / inputs.scale
        self.camps_region = inputs.camps_region
        self.inputs = inputs
        self.day = 0
        self.operation = False
        self.today = {"arrested": 0.0, "convicted_cat1": 0.0, "convicted_camp": 0.0}
        self.directorates = [
            Directorate(self, r, officers) for r, officers in enumerate(inputs.officers)
        ]
        Person.create_agents(
            self,
            inputs.people,
            inputs.region,
            inputs.workplace,
            inputs.on_register,
        )
        self.people = self.agents_by_type[Person]
        self.workplaces: dict[int, list[Person]] = {}
        for wp, members in self.people.groupby("workplace"):
            if wp >= 0:
                self.workplaces[wp] = list(members)
        for person in self.people:
            directorate = self.directorates[person.region]
            directorate.residents.append(person)
            if person.on_register:
                directorate.register.append(person)
        self.under_investigation = AgentSet([], random=self.random)
        self.troika = Troika(self, self.p["troika_capacity"])
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "day": "day",
                "arrested": lambda m: m.today["arrested"],
                "convicted_cat1": lambda m: m.today["convicted_cat1"],
                "convicted_camp": lambda m: m.today["convicted_camp"],
                "backlog": lambda m: len(m.troika.backlog) * m.weight,
            }
        )

    def arrest(self, people: list[Person], allow_in_camp: bool = False) -> None:
        """Open cases against those who can be arrested; a person drawn twice is taken once."""
        for person in dict.fromkeys(people):
            if person.can_be_arrested(allow_in_camp):
                person.open_case(self.day)

    def decisions(self) -> None:
        """The centre's decisions dated today in the scenario: limits and the operation."""
        day, inputs = self.day, self.inputs
        if day == inputs.set_limits_day:
            for d in self.directorates:
                d.limit = [inputs.initial_cat1[d.region], inputs.initial_cat2[d.region]]
        for region, cat1, cat2 in inputs.increases.get(day, []):
            self.directorates[region].limit[0] += cat1
            self.directorates[region].limit[1] += cat2
            if cat1 + cat2 > 0:
                self.directorates[region].asked = cat1 / (cat1 + cat2)
        if day == inputs.launch_day:
            self.operation = True

    def step(self) -> None:
        self.today = dict.fromkeys(self.today, 0.0)
        self.decisions()
        if self.operation:
            for directorate in self.directorates:
                directorate.run_operation()
        if self.agent_steps:
            # every person is activated every day, in random order, and acts if due
            self.people.shuffle_do("step")
        else:
            # only the prisoners whose interrogation ends today act
            due = self.under_investigation.select(lambda a: a.investigation_ends == self.day)
            named = []
            for person in due:
                named += person.interrogate()
            self.arrest(named)
            # confessors first, then the silent, as greatterror queues them
            self.troika.backlog.extend(sorted(due, key=lambda a: not a.confessed))
        self.troika.step()
        self.datacollector.collect(self)
        self.day += 1
        if self.day >= self.inputs.days:
            self.running = False

    def run(self) -> TerrorModel:
        while self.running:
            self.step()
        return self
