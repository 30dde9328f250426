"""The reduced rules of greatterror written as a Mesa 3 model, for the peer benchmark.

Agents, as a Mesa user would write them:

- ``Person``: a member of the (sampled) population, with a region, a
  workplace, a sex and age, and perhaps register marks; arrested,
  interrogated and judged;
- ``Directorate``, ``Troika`` and ``Court`` (mesa_institutions.py): a
  region's NKVD carrying out Order 00447 within its limits and its
  officers' capacity; the troika deciding the order's cases within its
  throughput and the regions' limits; the Special Board and the courts
  deciding the cases of ordinary work.

The rules are those greatterror runs with bench/peers/reduced.toml (its
model/steps_register_selection.py ``RegisterSelection``, steps_justice.py
``Investigation`` and ``Sentencing``, troika.py, steps_policy.py's dated
decisions, engine.py's arrest and investigation lengths); docs/ODD.md
describes them and docs/performance.md lists them. Each day runs in
greatterror's order: the scenario's decisions dated today (limits, limit
increases, the launch and the dated ends of the order), the operation's
arrests, the interrogations that end today (confessing prisoners name
colleagues, who are arrested at once; silent prisoners of ordinary work
may go free), then the troika and the courts.

Counts are in full-population people: a sampled person stands for
``1 / scale`` people, as in greatterror. Random numbers come from the
model's seeded generators (``model.rng``, ``model.random``); they are not
greatterror's streams, so the two engines agree in distribution, not draw
by draw.
"""

from __future__ import annotations

import mesa
from mesa.agent import AgentSet
from mesa_institutions import Court, Directorate, Troika
from peer_inputs import PeerInputs

FREE, INVESTIGATION, AWAITING_SENTENCE, SENTENCED_DEATH, CAMP, EXILE, RELEASED = range(7)
AT_LIBERTY = (FREE, RELEASED)
KULAK, ORDINARY = "kulak", "ordinary"  # Order 00447; ordinary work (a name after the order)


class Person(mesa.Agent):
    """A sampled person; ``model.weight`` full-population people."""

    def __init__(
        self,
        model: TerrorModel,
        region: int,
        workplace: int,
        male: bool,
        age: int,
        marked: bool,
        on_register: bool,
        mark_line: int,
    ):
        super().__init__(model)
        self.region = region
        self.workplace = workplace
        self.male = male
        self.age = age
        self.marked = marked
        self.on_register = on_register
        self.mark_line = mark_line
        # the camps' own region starts with its prisoners in the camps
        self.status = CAMP if region == model.camps_region else FREE
        self.op = ORDINARY
        self.line = 0  # the line of the current case (model/lines.py)
        self.investigation_ends = -1
        self.confessed = False
        self.first_category = False  # on the first category's July list (the first blow)

    def can_be_arrested(self, allow_in_camp: bool) -> bool:
        if self.status in AT_LIBERTY:
            return True
        return allow_in_camp and self.status == CAMP and self.region == self.model.camps_region

    def open_case(self, op: str, line: int) -> None:
        """Arrested: under investigation until a day drawn by the kind of case. Order 00447:
        an Erlang-3 number of days (three geometric stages, at least a day each) of mean
        ``kulak_investigation_days``; ordinary work: geometric of mean ``investigation_days``."""
        model, p = self.model, self.model.p
        self.status, self.op, self.line, self.confessed = INVESTIGATION, op, line, False
        self.first_category = False
        if op == KULAK:
            stage = max(p["kulak_investigation_days"] / 3.0, 1.0)
            days = int(model.rng.negative_binomial(3, 1.0 / stage)) + 3
            model.directorates[self.region].arrested += model.weight
        else:
            days = int(model.rng.geometric(1.0 / max(p["investigation_days"], 1.0)))
        self.investigation_ends = model.day + days
        model.under_investigation.add(self)
        model.today["arrested"] += model.weight

    def step(self) -> None:
        """The textbook activation (``agent_steps=True``): each person checks, every day,
        whether his own interrogation is due."""
        if self.status == INVESTIGATION and self.investigation_ends == self.model.day:
            self.model.due.append(self)

    def confess(self) -> bool:
        self.model.under_investigation.discard(self)
        self.status = AWAITING_SENTENCE
        self.confessed = self.model.random.random() < self.model.p["confession_probability"]
        return self.confessed

    def names(self) -> list[tuple[Person, Person]]:
        """A confession names a Poisson number of colleagues, each a random member of one's
        workplace, acted on with ``names_acted_on`` (a name of oneself is dropped) and taken
        up as far as the named fits the line of one's case. Returns (named, self) pairs."""
        model = self.model
        k = int(model.rng.poisson(model.p["names_per_confession"]))
        if self.workplace < 0 or k == 0:
            return []
        colleagues = model.workplaces[self.workplace]
        rand, fit = model.random.random, model.inputs.naming_fit[self.line]
        named = []
        for _ in range(k):
            colleague = colleagues[int(rand() * len(colleagues))]
            if colleague is not self and rand() < model.p["names_acted_on"]:
                named.append(colleague)
        return [(c, self) for c in named if rand() < fit[c.male]]

    def goes_free(self) -> bool:
        """A silent prisoner of ordinary work goes free with ``release_without_confession``;
        one of the order's is sentenced whether or not he confessed."""
        if self.confessed or self.op == KULAK:
            return False
        if self.model.random.random() < self.model.p["release_without_confession"]:
            self.status = RELEASED
            return True
        return False

    def sentence(self, kind: str) -> None:
        model = self.model
        if kind == "death":
            self.status = SENTENCED_DEATH
            model.today["convicted_cat1"] += model.weight
        elif kind == "camp":
            self.status = CAMP
            model.today["convicted_camp"] += model.weight
        else:
            self.status = EXILE


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
        self.due: list[Person] = []
        self.today = {"arrested": 0.0, "convicted_cat1": 0.0, "convicted_camp": 0.0}
        self.directorates = [
            Directorate(self, r, officers) for r, officers in enumerate(inputs.officers)
        ]
        Person.create_agents(
            self,
            inputs.people,
            inputs.region,
            inputs.workplace,
            inputs.male,
            inputs.age,
            inputs.marked,
            inputs.on_register,
            inputs.mark_line,
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
        for day, changes in inputs.increases.items():
            for region, *_ in changes:
                d = self.directorates[region]
                d.last_increase = max(d.last_increase, day)
        self.under_investigation = AgentSet([], random=self.random)
        self.troika = Troika(self, self.p["troika_capacity"])
        # the Special Board passes no death sentence (before 1941)
        self.oso = Court(self, self.p["oso_capacity"], -1.0)
        self.courts = Court(self, self.p["courts_capacity"], self.p["courts_death_share"])
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "day": "day",
                "arrested": lambda m: m.today["arrested"],
                "convicted_cat1": lambda m: m.today["convicted_cat1"],
                "convicted_camp": lambda m: m.today["convicted_camp"],
                "backlog": lambda m: len(m.troika.backlog) * m.weight,
            }
        )

    def arrest(
        self, people: list[Person], op: str, allow_in_camp: bool = False, listed: float = 0.0
    ) -> None:
        """Open cases against those who can be arrested; a person drawn twice is taken once.
        The case's line is that of the person's marks, else the order's "other" line; each
        case is on the first category's July list with probability ``listed``."""
        for person in dict.fromkeys(people):
            if person.can_be_arrested(allow_in_camp):
                person.open_case(op, person.mark_line or self.inputs.other_line)
                if self.random.random() < listed:
                    person.first_category = True
                    self.directorates[person.region].listed += self.weight

    def order_ended(self, region: int) -> bool:
        return not self.operation or self.directorates[region].closed

    def arrest_named(self, named: list[tuple[Person, Person]]) -> None:
        """Those named are arrested under the case that named them, on its line; a name given
        in an Order 00447 case after the order has ended in the named's region is taken up by
        ordinary work, on no line."""
        for person, by in named:
            if not person.can_be_arrested(False):
                continue
            if by.op == KULAK and not self.order_ended(person.region):
                person.open_case(KULAK, by.line)
            else:
                person.open_case(ORDINARY, by.line if by.op == ORDINARY else 0)

    def decisions(self) -> None:
        """The centre's decisions dated today in the scenario: limits and the operation."""
        day, inputs = self.day, self.inputs
        if day == inputs.set_limits_day:
            for d in self.directorates:
                d.limit = [inputs.initial_cat1[d.region], inputs.initial_cat2[d.region]]
        for region, cat1, cat2, known in inputs.increases.get(day, []):
            self.directorates[region].limit[0] += cat1
            self.directorates[region].limit[1] += cat2
            if known and cat1 + cat2 > 0:
                self.directorates[region].asked = cat1 / (cat1 + cat2)
        if day == inputs.launch_day:
            self.operation = True
        for end, except_later in inputs.end_days:
            if day == end:
                # the order goes on only where a dated increase comes later, if so decided
                for d in self.directorates:
                    d.closed |= not (except_later and d.last_increase > day)
                self.operation = not all(d.closed for d in self.directorates)

    def interrogations(self, due: list[Person]) -> None:
        """Today's interrogations: who confesses, the names, then the channels."""
        confessors = [person for person in due if person.confess()]
        named = []
        for person in confessors:
            named += person.names()
        self.arrest_named(named)
        # confessors first, then the silent who are not let go, as greatterror queues them
        silent = [person for person in due if not person.confessed]
        for person in confessors + [p for p in silent if not p.goes_free()]:
            if person.op == KULAK:
                self.troika.backlog.append(person)
            else:
                (self.oso if person.marked else self.courts).backlog.append(person)

    def step(self) -> None:
        self.today = dict.fromkeys(self.today, 0.0)
        self.decisions()
        if self.operation:
            since = self.day - self.inputs.launch_day
            for directorate in self.directorates:
                directorate.run_operation(since)
        if self.agent_steps:
            # every person is activated every day, in random order, and notes if due
            self.due = []
            self.people.shuffle_do("step")
            due = self.due
        else:
            # only the prisoners whose interrogation ends today act
            due = list(self.under_investigation.select(lambda a: a.investigation_ends == self.day))
        self.interrogations(due)
        self.troika.step()
        self.oso.step()
        self.courts.step()
        self.datacollector.collect(self)
        self.day += 1
        if self.day >= self.inputs.days:
            self.running = False

    def run(self) -> TerrorModel:
        while self.running:
            self.step()
        return self
